import * as vscode from 'vscode';
import { errorDetail, errorMessage, isCancellation, isProductError } from '../core/errors';

/** What the user reads: the product's own errors as written (they name the thing and what to do), others marked as unexpected. */
export function userMessage(error: unknown): string {
  // The extension's own file system provider words its FileSystemErrors from store errors (see providers/fsErrors).
  return isProductError(error) || error instanceof vscode.FileSystemError
    ? errorMessage(error)
    : vscode.l10n.t('{0} (unexpected; details in the log)', errorMessage(error));
}

/**
 * The one way a failure reaches the user: logged with its causes, then shown as `<action> failed: <message>` with a
 * button to the log. A cancellation is only logged.
 */
export function reportError(log: vscode.LogOutputChannel, action: string, error: unknown): void {
  if (isCancellation(error)) {
    log.info(`${action}: cancelled`);
    return;
  }
  log.error(`${action} failed: ${errorDetail(error)}`);
  const showLog = vscode.l10n.t('Show Log');
  void vscode.window
    .showErrorMessage(vscode.l10n.t('{0} failed: {1}', action, userMessage(error)), showLog)
    .then((choice) => {
      if (choice === showLog) log.show(true);
    });
}
