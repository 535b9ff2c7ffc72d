import type * as vscode from 'vscode';
import type { StoreRegistry } from './workbench/storeRegistry';
import type { StoresTreeProvider } from './views/storesTree';
import type { ClusterRegistry } from './workbench/clusterRegistry';
import type { ClustersTreeProvider } from './views/clustersTree';
import type { StateReadCache } from './core/state/values/cache';
import type { StateBrowser } from './providers/stateBrowser';

/** What activate() builds once and hands to every register*() function. */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly stores: StoreRegistry;
  readonly storesTree: StoresTreeProvider;
  readonly clusters: ClusterRegistry;
  readonly clustersTree: ClustersTreeProvider;
  /** Remote state file reads kept while browsing entries, bounded by `flinkCheckpoints.stateCache.maxMegabytes`. */
  readonly stateCache: StateReadCache;
  /** What serves an inspector's State section, for the snapshot whose `_metadata` is at the URI. */
  stateBrowser(metadataUri: vscode.Uri): StateBrowser;
}
