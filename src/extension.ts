import * as vscode from 'vscode';
import { createLog } from './workbench/log';
import { StoresTreeProvider } from './views/storesTree';
import { StoreRegistry, STORE_SCHEME } from './workbench/storeRegistry';
import { StoreFileSystemProvider } from './providers/storeFileSystem';
import { INSPECTOR_VIEW_TYPE, MetadataEditorProvider } from './providers/metadataEditor';
import { Services } from './services';
import { affects, stateCacheBytes } from './settings';
import { ClusterRegistry } from './workbench/clusterRegistry';
import { ClustersTreeProvider, refreshWhileVisible } from './views/clustersTree';
import * as logCommands from './commands/log';
import * as storeCommands from './commands/stores';
import * as treeCommands from './commands/tree';
import * as restoreCommands from './commands/restore';
import * as snapshotCommands from './commands/snapshots';
import * as configCommands from './commands/config';
import * as clusterCommands from './commands/clusters';
import * as submitRestoreCommands from './commands/submitRestore';
import * as preflightCommands from './commands/preflight';
import * as generateStateReaderCommands from './commands/generateStateReader';
import * as stateCommands from './commands/state';
import { StateReadCache } from './core/state/values/cache';
import { StateBrowser } from './providers/stateBrowser';
import * as flinkConfig from './providers/flinkConfig';
import { openWalkthroughOnFirstRun } from './views/walkthrough';

/** Composition root: builds the services and wires every area; no work happens here. */
export function activate(context: vscode.ExtensionContext): Services {
  const started = performance.now();
  const log = createLog();
  const stores = new StoreRegistry(context.secrets, log);
  const storesTree = new StoresTreeProvider(stores, log);
  const clusters = new ClusterRegistry(context.secrets, log);
  const clustersTree = new ClustersTreeProvider(clusters, stores, log);
  const stateCache = new StateReadCache(stateCacheBytes());
  const services: Services = {
    context,
    log,
    stores,
    storesTree,
    clusters,
    clustersTree,
    stateCache,
    stateBrowser: (uri) => new StateBrowser({ stores, log, cache: stateCache }, uri),
  };
  const clustersView = vscode.window.createTreeView('flinkCheckpoints.clusters', {
    treeDataProvider: clustersTree,
    showCollapseAll: true,
  });

  context.subscriptions.push(
    log,
    stores,
    storesTree,
    vscode.workspace.registerFileSystemProvider(STORE_SCHEME, new StoreFileSystemProvider(stores), {
      isCaseSensitive: true,
    }),
    vscode.window.createTreeView('flinkCheckpoints.stores', { treeDataProvider: storesTree, showCollapseAll: true }),
    vscode.window.registerCustomEditorProvider(INSPECTOR_VIEW_TYPE, new MetadataEditorProvider(services), {
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    }),
    clusters,
    clustersTree,
    clustersView,
    refreshWhileVisible(clustersView, () => clustersTree.refresh()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affects(event, 'stores')) void stores.reset();
      if (affects(event, 'clusters')) clusters.reset();
      if (affects(event, 'stateCache.maxMegabytes')) stateCache.resize(stateCacheBytes());
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      void stores.reset();
      clusters.reset();
    }),
  );
  logCommands.register(services);
  storeCommands.register(services);
  treeCommands.register(services);
  restoreCommands.register(services);
  snapshotCommands.register(services);
  configCommands.register(services);
  clusterCommands.register(services);
  submitRestoreCommands.register(services);
  preflightCommands.register(services);
  generateStateReaderCommands.register(services);
  stateCommands.register(services);
  flinkConfig.register(context, log);
  openWalkthroughOnFirstRun(context);

  log.info(`Activated in ${(performance.now() - started).toFixed(1)} ms`);
  return services;
}
