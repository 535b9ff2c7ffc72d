import * as vscode from 'vscode';
import * as path from 'node:path';
import { externalLocation, parseStoreUri } from '../core/stores/uri';
import { storePathOf } from '../core/references/locate';
import { FileStatus } from '../viewModel/inspectorModel';
import { STORE_SCHEME, StoreRegistry } from '../workbench/storeRegistry';

/** Where a `_metadata` document lives, as Flink would name its directory and as VS Code opens its neighbours. */
export interface SnapshotLocation {
  /** The checkpoint/savepoint directory, as the pointer Flink resolves relative handles against. */
  readonly pointer: string;
  /** The VS Code URI of a file Flink names in this snapshot's metadata, when the extension can open it. */
  resolve(flinkPath: string): vscode.Uri | undefined;
}

/** Location of a `_metadata` opened from a store (`flink-store:`) or from the workspace/disk (`file:`). */
export async function locateSnapshot(registry: StoreRegistry, metadataUri: vscode.Uri): Promise<SnapshotLocation> {
  const directory = vscode.Uri.joinPath(metadataUri, '..');
  if (metadataUri.scheme === STORE_SCHEME) {
    const { store } = await registry.get(metadataUri.authority);
    return {
      pointer: externalLocation(store.uri, directory.path),
      resolve: (flinkPath) => {
        const storePath = storePathOf(store.uri, flinkPath);
        return storePath === undefined ? undefined : registry.uriFor(metadataUri.authority, storePath);
      },
    };
  }
  if (metadataUri.scheme === 'file') {
    const root = parseStoreUri(path.parse(directory.fsPath).root);
    return {
      pointer: directory.fsPath,
      resolve: (flinkPath) => {
        const local = storePathOf(root, flinkPath);
        return local === undefined ? undefined : vscode.Uri.file(local);
      },
    };
  }
  return { pointer: directory.toString(), resolve: () => undefined };
}

/** Stats up to `limit` files with bounded concurrency; files beyond the limit or outside any store stay unchecked. */
export async function checkFiles(location: SnapshotLocation, files: readonly string[], limit = 1000, concurrency = 8): Promise<Map<string, FileStatus>> {
  const result = new Map<string, FileStatus>();
  const queue = files.slice(0, limit);
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const file = queue[next++];
      const uri = location.resolve(file);
      if (!uri) {
        result.set(file, { exists: null, size: -1 });
        continue;
      }
      try {
        const stat = await vscode.workspace.fs.stat(uri);
        result.set(file, { exists: true, size: stat.size });
      } catch (error) {
        const missing = error instanceof vscode.FileSystemError && error.code === 'FileNotFound';
        result.set(file, { exists: missing ? false : null, size: -1 });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  return result;
}
