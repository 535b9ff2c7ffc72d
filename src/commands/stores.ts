import * as vscode from 'vscode';
import { readStoreConfigs, writeStoreConfigs } from './storeSettings';
import { Services } from '../services';

export function register(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('flinkCheckpoints.addStore', () => addStore(services)),
    vscode.commands.registerCommand('flinkCheckpoints.refreshStores', () => services.storesTree.refresh()),
  );
}

async function addStore(services: Services): Promise<void> {
  const uri = await vscode.window.showInputBox({
    title: vscode.l10n.t('Add Store: location'),
    prompt: vscode.l10n.t('A checkpoint directory: a local path or a file:// URI'),
    placeHolder: '/data/flink/checkpoints',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : vscode.l10n.t('Enter a path or URI')),
  });
  if (!uri) return;
  const name = await vscode.window.showInputBox({
    title: vscode.l10n.t('Add Store: name'),
    value: uri.trim().split('/').filter(Boolean).pop() ?? uri.trim(),
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : vscode.l10n.t('Enter a name')),
  });
  if (!name) return;
  await writeStoreConfigs([...readStoreConfigs(), { name: name.trim(), uri: uri.trim() }]);
  services.log.info(`Added store "${name.trim()}"`);
  services.storesTree.refresh();
}
