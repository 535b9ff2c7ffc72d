import * as vscode from 'vscode';
import { StoreConfig, readStoreConfigs } from '../commands/storeSettings';

/** One configured checkpoint store, the root level of the tree. */
export class StoreNode extends vscode.TreeItem {
  constructor(readonly store: StoreConfig) {
    super(store.name, vscode.TreeItemCollapsibleState.None);
    this.description = store.uri;
    this.tooltip = new vscode.MarkdownString(`**${store.name}**\n\n\`${store.uri}\``);
    this.iconPath = new vscode.ThemeIcon('database');
    this.contextValue = 'store';
  }
}

export class StoresTreeProvider implements vscode.TreeDataProvider<StoreNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<StoreNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(element: StoreNode): vscode.TreeItem {
    return element;
  }

  getChildren(element?: StoreNode): StoreNode[] {
    if (element) return [];
    return readStoreConfigs().map((store) => new StoreNode(store));
  }

  dispose(): void {
    this.changed.dispose();
  }
}
