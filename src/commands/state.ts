import * as vscode from 'vscode';
import { Services } from '../services';
import { formatBytes } from '../viewModel/format';
import { registerCommand } from './register';

export function register(services: Services): void {
  registerCommand(services, 'flinkCheckpoints.clearStateCache', () => {
    const { bytes } = services.stateCache.stats;
    services.stateCache.clear();
    services.log.info(`State cache cleared: ${bytes} bytes freed`);
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'State cache cleared ({0} freed). The next reads of remote state files go to their stores.',
        formatBytes(bytes),
      ),
    );
    return bytes;
  });
}
