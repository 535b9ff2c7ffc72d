import * as vscode from 'vscode';
import { CheckpointStore, StoreEntry } from '../core/stores/types';
import { StoreRegistry } from '../workbench/storeRegistry';
import { toFileSystemError } from './fsErrors';

/**
 * Mounts every configured store as `flink-store://<store id>/<path>`. Stores are read-only unless their settings
 * opt in to writes; the stat of a read-only store says so, so editors open its files read-only.
 */
export class StoreFileSystemProvider implements vscode.FileSystemProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;

  constructor(private readonly registry: StoreRegistry) {}

  /** Remote stores cannot push changes; the tree's Refresh re-reads them. */
  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    return this.call(uri, async (store, writable) => toStat(await store.stat(uri.path), writable));
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    return this.call(uri, async (store) => {
      const entries: [string, vscode.FileType][] = [];
      for await (const page of store.list(uri.path)) {
        for (const entry of page) entries.push([entry.name, fileType(entry)]);
      }
      return entries;
    });
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return this.call(uri, (store) => store.readAll(uri.path));
  }

  async writeFile(
    uri: vscode.Uri,
    content: Uint8Array,
    options: { create: boolean; overwrite: boolean },
  ): Promise<void> {
    await this.call(
      uri,
      async (store) => {
        const exists = await store.stat(uri.path).then(
          () => true,
          () => false,
        );
        if (!exists && !options.create) throw vscode.FileSystemError.FileNotFound(uri);
        if (exists && !options.overwrite) throw vscode.FileSystemError.FileExists(uri);
        await store.write(uri.path, content, { overwrite: options.overwrite });
      },
      true,
    );
    this.emitter.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  async createDirectory(uri: vscode.Uri): Promise<void> {
    await this.call(uri, (store) => store.mkdir(uri.path), true);
    this.emitter.fire([{ type: vscode.FileChangeType.Created, uri }]);
  }

  async delete(uri: vscode.Uri, options: { recursive: boolean }): Promise<void> {
    await this.call(uri, (store) => store.delete(uri.path, { recursive: options.recursive }), true);
    this.emitter.fire([{ type: vscode.FileChangeType.Deleted, uri }]);
  }

  async rename(oldUri: vscode.Uri, newUri: vscode.Uri, options: { overwrite: boolean }): Promise<void> {
    if (oldUri.authority !== newUri.authority) {
      throw vscode.FileSystemError.NoPermissions(vscode.l10n.t('Moving files between stores is not supported'));
    }
    await this.call(oldUri, (store) => store.rename(oldUri.path, newUri.path, { overwrite: options.overwrite }), true);
    this.emitter.fire([
      { type: vscode.FileChangeType.Deleted, uri: oldUri },
      { type: vscode.FileChangeType.Created, uri: newUri },
    ]);
  }

  private async call<T>(
    uri: vscode.Uri,
    operation: (store: CheckpointStore, writable: boolean) => Promise<T>,
    writes = false,
  ): Promise<T> {
    try {
      const { config, store } = await this.registry.get(uri.authority);
      const writable = config.writable === true;
      if (writes && !writable) {
        throw vscode.FileSystemError.NoPermissions(
          vscode.l10n.t('Store "{0}" is read-only. Enable "writable" in its settings to change files.', config.name),
        );
      }
      return await operation(store, writable);
    } catch (error) {
      throw toFileSystemError(error);
    }
  }
}

function fileType(entry: StoreEntry): vscode.FileType {
  if (entry.kind === 'link') {
    const target =
      entry.linkTarget === 'directory'
        ? vscode.FileType.Directory
        : entry.linkTarget === 'file'
          ? vscode.FileType.File
          : vscode.FileType.Unknown;
    return vscode.FileType.SymbolicLink | target;
  }
  return entry.kind === 'directory'
    ? vscode.FileType.Directory
    : entry.kind === 'file'
      ? vscode.FileType.File
      : vscode.FileType.Unknown;
}

function toStat(entry: StoreEntry, writable: boolean): vscode.FileStat {
  return {
    type: fileType(entry),
    size: entry.size,
    ctime: entry.mtime ?? 0,
    mtime: entry.mtime ?? 0,
    permissions: writable ? undefined : vscode.FilePermission.Readonly,
  };
}
