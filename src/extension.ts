import * as vscode from 'vscode';
import { createLog } from './views/log';
import { StoresTreeProvider } from './views/storesTree';
import { Services } from './services';
import * as logCommands from './commands/log';
import * as storeCommands from './commands/stores';

/** Composition root: builds the services and wires every area; no work happens here. */
export function activate(context: vscode.ExtensionContext): Services {
  const started = performance.now();
  const log = createLog();
  const storesTree = new StoresTreeProvider();
  const services: Services = { log, storesTree };

  context.subscriptions.push(
    log,
    storesTree,
    vscode.window.createTreeView('flinkCheckpoints.stores', { treeDataProvider: storesTree, showCollapseAll: true }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('flinkCheckpoints.stores')) storesTree.refresh();
    }),
  );
  logCommands.register(context, services);
  storeCommands.register(context, services);

  log.info(`Activated in ${(performance.now() - started).toFixed(1)} ms`);
  return services;
}
