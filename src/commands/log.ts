import * as vscode from 'vscode';
import { Services } from '../services';

export function register(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('flinkCheckpoints.showLog', () => services.log.show(true)),
  );
}
