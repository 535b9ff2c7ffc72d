import * as vscode from 'vscode';
import { reportError } from '../workbench/errors';

/** What registering a command needs: where its registration is disposed and where its failures are logged. */
export interface CommandHost {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
}

/**
 * Registers a command through the one error path: whatever the handler throws is logged with its cause and shown as
 * one message named after the command (see `reportError`); a cancellation stays silent. The handler's result is
 * returned to `executeCommand` callers; a failed command returns undefined.
 */
export function registerCommand<A extends unknown[], R>(
  host: CommandHost,
  id: string,
  handler: (...args: A) => R | Thenable<R>,
): void {
  const action = commandTitle(host.context, id);
  host.context.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: A): Promise<R | undefined> => {
      try {
        return await handler(...args);
      } catch (error) {
        reportError(host.log, action, error);
        return undefined;
      }
    }),
  );
}

/** The command's title as the palette shows it (package.json, localized), without a trailing ellipsis. */
function commandTitle(context: vscode.ExtensionContext, id: string): string {
  const commands =
    (context.extension.packageJSON as { contributes?: { commands?: { command: string; title: string }[] } }).contributes
      ?.commands ?? [];
  const title = commands.find((c) => c.command === id)?.title;
  return title && !title.startsWith('%') ? title.replace(/…$/, '') : id;
}
