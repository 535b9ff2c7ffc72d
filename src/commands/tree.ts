import * as vscode from 'vscode';
import { externalLocation } from '../core/stores/uri';
import { joinStorePath } from '../core/stores/paths';
import { METADATA_FILE } from '../core/layout';
import { FileNode, LoadMoreNode, SnapshotNode, TreeNode } from '../views/storesTree';
import { INSPECTOR_VIEW_TYPE } from '../providers/metadataEditor';
import { Services } from '../services';

export function register(context: vscode.ExtensionContext, services: Services): void {
  const { storesTree, stores } = services;
  context.subscriptions.push(
    vscode.commands.registerCommand('flinkCheckpoints.refreshStores', () => stores.reset()),
    vscode.commands.registerCommand('flinkCheckpoints.refreshNode', (node?: TreeNode) => storesTree.refresh(node)),
    vscode.commands.registerCommand('flinkCheckpoints.loadMore', (node: LoadMoreNode) => storesTree.loadMore(node)),
    vscode.commands.registerCommand('flinkCheckpoints.openFile', (node: FileNode) => vscode.commands.executeCommand('vscode.open', stores.uriFor(node.storeId, node.path))),
    vscode.commands.registerCommand('flinkCheckpoints.inspectSnapshot', (node?: SnapshotNode) => {
      if (!node) return vscode.commands.executeCommand('workbench.action.quickOpen', METADATA_FILE);
      return vscode.commands.executeCommand('vscode.openWith', stores.uriFor(node.storeId, joinStorePath(node.path, METADATA_FILE)), INSPECTOR_VIEW_TYPE);
    }),
    vscode.commands.registerCommand('flinkCheckpoints.copyPath', async (node: TreeNode) => {
      const { store } = await stores.get(node.storeId);
      await vscode.env.clipboard.writeText(externalLocation(store.uri, node.path));
    }),
    vscode.commands.registerCommand('flinkCheckpoints.copyUri', (node: TreeNode) => vscode.env.clipboard.writeText(stores.uriFor(node.storeId, node.path).toString())),
  );
}
