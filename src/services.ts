import type * as vscode from 'vscode';
import type { StoreRegistry } from './workbench/storeRegistry';
import type { StoresTreeProvider } from './views/storesTree';
import type { ClusterRegistry } from './workbench/clusterRegistry';
import type { ClustersTreeProvider } from './views/clustersTree';

/** What activate() builds once and hands to every register*() function. */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly stores: StoreRegistry;
  readonly storesTree: StoresTreeProvider;
  readonly clusters: ClusterRegistry;
  readonly clustersTree: ClustersTreeProvider;
}
