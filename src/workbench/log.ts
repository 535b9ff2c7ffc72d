import * as vscode from 'vscode';

/** The extension's single output channel; VS Code's log channel handles levels and timestamps. */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel(vscode.l10n.t('Flink Checkpoints'), { log: true });
}
