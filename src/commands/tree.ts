import * as vscode from 'vscode';
import { externalLocation } from '../core/stores/uri';
import { joinStorePath } from '../core/stores/paths';
import { METADATA_FILE } from '../core/layout';
import { FileNode, LoadMoreNode, SnapshotNode, TreeNode } from '../views/storesTree';
import { INSPECTOR_VIEW_TYPE } from '../providers/metadataEditor';
import { Services } from '../services';
import { registerCommand } from './register';

export function register(services: Services): void {
  const { storesTree, stores } = services;
  registerCommand(services, 'flinkCheckpoints.refreshStores', () => stores.reset());
  registerCommand(services, 'flinkCheckpoints.refreshNode', (node?: TreeNode) => storesTree.refresh(node));
  registerCommand(services, 'flinkCheckpoints.loadMore', (node: LoadMoreNode) => storesTree.loadMore(node));
  registerCommand(services, 'flinkCheckpoints.openFile', (node: FileNode) =>
    vscode.commands.executeCommand('vscode.open', stores.uriFor(node.storeId, node.path)),
  );
  registerCommand(services, 'flinkCheckpoints.inspectSnapshot', (node?: SnapshotNode) => {
    if (!node) return vscode.commands.executeCommand('workbench.action.quickOpen', METADATA_FILE);
    return vscode.commands.executeCommand(
      'vscode.openWith',
      stores.uriFor(node.storeId, joinStorePath(node.path, METADATA_FILE)),
      INSPECTOR_VIEW_TYPE,
    );
  });
  registerCommand(services, 'flinkCheckpoints.copyPath', async (node: TreeNode) => {
    const { store } = await stores.get(node.storeId);
    await vscode.env.clipboard.writeText(externalLocation(store.uri, node.path));
  });
  registerCommand(services, 'flinkCheckpoints.copyUri', (node: TreeNode) =>
    vscode.env.clipboard.writeText(stores.uriFor(node.storeId, node.path).toString()),
  );
}
