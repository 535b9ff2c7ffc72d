import * as vscode from 'vscode';
import { mapLimit } from '../core/concurrency';
import * as path from 'node:path';
import { externalLocation, parseStoreUri } from '../core/stores/uri';
import { storePathOf } from '../core/references/locate';
import { snapshotResolver } from '../core/references/safety';
import { FileStatus } from '../viewModel/inspectorModel';
import { STORE_SCHEME, StoreRegistry } from '../workbench/storeRegistry';

/** Where a `_metadata` document lives, as Flink would name its directory and as VS Code opens its neighbours. */
export interface SnapshotLocation {
  /** The checkpoint/savepoint directory, as the pointer Flink resolves relative handles against. */
  readonly pointer: string;
  /** The VS Code URI of a file Flink names in this snapshot's metadata, when the extension can open it. */
  resolve(flinkPath: string): vscode.Uri | undefined;
  /**
   * The same location resolving references the way cleanup does (a moved or renamed tree, the cluster's path), once
   * the metadata's checkpoint id and references are known.
   */
  withReferences?(checkpointId: number, references: readonly string[]): SnapshotLocation;
  /** Every URI a reference may name, most likely first (checkFiles takes the first that is present). */
  candidates?(flinkPath: string): vscode.Uri[];
}

/** Location of a `_metadata` opened from a store (`flink-store:`) or from the workspace/disk (`file:`). */
export async function locateSnapshot(registry: StoreRegistry, metadataUri: vscode.Uri): Promise<SnapshotLocation> {
  const directory = vscode.Uri.joinPath(metadataUri, '..');
  if (metadataUri.scheme === STORE_SCHEME) {
    const { store, config } = await registry.get(metadataUri.authority);
    const pointer = externalLocation(store.uri, directory.path);
    const inStore = (storePath: string | undefined) =>
      storePath === undefined ? undefined : registry.uriFor(metadataUri.authority, storePath);
    return {
      pointer,
      resolve: (flinkPath) => inStore(storePathOf(store.uri, flinkPath)),
      withReferences: (checkpointId, references) => {
        const resolver = snapshotResolver(
          directory.path,
          checkpointId,
          references,
          store.uri,
          config.clusterPath ? [config.clusterPath] : [],
        );
        return {
          pointer,
          resolve: (flinkPath) => inStore(resolver(flinkPath)[0]),
          candidates: (flinkPath) => resolver(flinkPath).map((p) => registry.uriFor(metadataUri.authority, p)),
        };
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
export async function checkFiles(
  location: SnapshotLocation,
  files: readonly string[],
  limit = 1000,
  concurrency = 8,
): Promise<Map<string, FileStatus>> {
  const statuses = await mapLimit(files.slice(0, limit), concurrency, async (file): Promise<[string, FileStatus]> => {
    const uris =
      location.candidates?.(file) ?? [location.resolve(file)].filter((u): u is vscode.Uri => u !== undefined);
    if (uris.length === 0) return [file, { exists: null, size: -1 }];
    const where = (uri: vscode.Uri) => (uri.scheme === 'file' ? uri.fsPath : uri.path);
    let status: FileStatus = { exists: false, size: -1, storePath: where(uris[0]) };
    for (const uri of uris) {
      try {
        const stat = await vscode.workspace.fs.stat(uri);
        return [file, { exists: true, size: stat.size, storePath: where(uri) }];
      } catch (error) {
        const missing = error instanceof vscode.FileSystemError && error.code === 'FileNotFound';
        if (!missing) status = { exists: null, size: -1, storePath: where(uris[0]) };
      }
    }
    return [file, status];
  });
  return new Map(statuses);
}
