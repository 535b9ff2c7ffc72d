import { mapLimit } from '../concurrency';
import * as fs from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import * as nodePath from 'node:path';
import { OPEN_READ_NOW, specialFileKind } from '../regularFile';
import { BaseStore, DEFAULT_PAGE_SIZE, DEFAULT_READ_ALL_MAX_BYTES, tempSibling } from './base';
import { StoreError, StoreErrorCode } from './errors';
import { baseName, joinStorePath, parentStorePath } from './paths';
import type {
  CallOptions,
  DeleteOptions,
  EntryKind,
  ListOptions,
  ReadAllOptions,
  ReadOptions,
  RenameOptions,
  StoreCapabilities,
  StoreEntry,
  StoreOptions,
  WriteOptions,
} from './types';
import type { StoreUri } from './uri';
import { errorMessage } from '../errors';

const ERRNO_CODES: Record<string, StoreErrorCode> = {
  ENOENT: 'not-found',
  EACCES: 'permission-denied',
  EPERM: 'permission-denied',
  EROFS: 'permission-denied',
  ENOTDIR: 'not-a-directory',
  EISDIR: 'is-a-directory',
  EEXIST: 'already-exists',
  ENOTEMPTY: 'not-empty',
  ETIMEDOUT: 'unavailable', // a hung NFS mount
  EIO: 'unavailable',
  ESTALE: 'unavailable',
  EHOSTDOWN: 'unavailable',
  ENAMETOOLONG: 'invalid-path',
};

const READ_CHUNK = 256 * 1024;
const STATS_IN_FLIGHT = 64;

function kindOf(stats: Stats | Dirent): EntryKind {
  return stats.isSymbolicLink() ? 'link' : stats.isDirectory() ? 'directory' : stats.isFile() ? 'file' : 'other';
}

/** A directory on a local disk, an NFS share or a mounted Kubernetes volume, through `fs/promises`. */
export class LocalStore extends BaseStore {
  readonly capabilities: StoreCapabilities = { cheapRename: true, reportsLinks: true, mtimeGranularityMs: 1 };

  constructor(uri: StoreUri, options: StoreOptions = {}) {
    super(uri, options);
  }

  private local(storePath: string): string {
    return storePath === '/' ? this.uri.path : nodePath.join(this.uri.path, ...storePath.split('/').filter(Boolean));
  }

  protected override mapError(error: unknown, path: string | undefined, what: string): StoreError {
    if (error instanceof StoreError) return error;
    const errno = (error as NodeJS.ErrnoException | undefined)?.code;
    const code = (errno && ERRNO_CODES[errno]) || 'unavailable';
    const detail =
      code === 'not-found' ? 'no such file or directory' : `${what} failed (${errno ?? errorMessage(error)})`;
    return this.error(code, path, detail, undefined, error);
  }

  /** An entry from lstat: a link stays a link, with what it points to looked up separately. */
  private async entry(storePath: string, stats: Stats): Promise<StoreEntry> {
    const kind = kindOf(stats);
    const base = {
      path: storePath,
      name: baseName(storePath),
      kind,
      size: kind === 'file' ? stats.size : 0,
      mtime: stats.mtimeMs,
    };
    if (kind !== 'link') return base;
    const target = await fs.stat(this.local(storePath)).catch(() => undefined);
    const linkTarget = !target ? 'other' : target.isDirectory() ? 'directory' : target.isFile() ? 'file' : 'other';
    return { ...base, linkTarget };
  }

  override async realPath(path: string, options?: CallOptions): Promise<string | undefined> {
    const p = this.norm(path);
    return this.withDeadline(options, p, 'resolving links', async () => {
      const [root, real] = await Promise.all([fs.realpath(this.uri.path), fs.realpath(this.local(p))]);
      if (real === root) return '/';
      const relative = nodePath.relative(root, real);
      if (relative.startsWith('..') || nodePath.isAbsolute(relative)) return undefined;
      return `/${relative.split(nodePath.sep).join('/')}`;
    });
  }

  async stat(path: string, options?: CallOptions): Promise<StoreEntry> {
    const p = this.norm(path);
    return this.withDeadline(options, p, 'stat', async () =>
      this.entry(p, p === '/' ? await fs.stat(this.local(p)) : await fs.lstat(this.local(p))),
    );
  }

  async *list(path: string, options: ListOptions = {}): AsyncIterable<StoreEntry[]> {
    const p = this.norm(path);
    const bufferSize = Math.min(Math.max(1, options.pageSize ?? DEFAULT_PAGE_SIZE), 1024);
    yield* this.repage(
      p,
      options,
      () => this.dirents(p, bufferSize),
      (dirents) => this.describe(p, dirents),
    );
  }

  /** A directory's entries one by one; leaving the loop early closes the directory. */
  private async *dirents(p: string, bufferSize: number): AsyncIterable<Dirent[]> {
    for await (const dirent of await fs.opendir(this.local(p), { bufferSize })) yield [dirent];
  }

  /** Sizes and times for a page of entries (links as links); entries deleted meanwhile are dropped. */
  private async describe(dir: string, dirents: Dirent[]): Promise<StoreEntry[]> {
    // A bounded number of stats in flight keeps libuv's threads busy without piling up a thousand callbacks at once.
    const localDir = this.local(dir);
    const entries = await mapLimit(dirents, STATS_IN_FLIGHT, (dirent) => this.describeOne(dir, localDir, dirent));
    return entries.filter((e): e is StoreEntry => e !== undefined);
  }

  private async describeOne(dir: string, localDir: string, dirent: Dirent): Promise<StoreEntry | undefined> {
    const p = joinStorePath(dir, dirent.name);
    try {
      return await this.entry(p, await fs.lstat(`${localDir}${nodePath.sep}${dirent.name}`));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return undefined;
    }
  }

  async *read(path: string, options: ReadOptions = {}): AsyncIterable<Uint8Array> {
    const p = this.norm(path);
    const deadline = this.deadline(options, p, 'reading');
    let handle: fs.FileHandle | undefined;
    try {
      handle = await this.openRegular(p);
      let position = options.offset ?? 0;
      let remaining = options.length ?? Infinity;
      while (remaining > 0) {
        deadline.check();
        const buffer = new Uint8Array(Math.min(READ_CHUNK, remaining));
        const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        remaining -= bytesRead;
        yield bytesRead === buffer.byteLength ? buffer : buffer.subarray(0, bytesRead);
        deadline.received(bytesRead);
      }
    } catch (error) {
      throw deadline.reason ?? this.mapError(error, p, 'reading');
    } finally {
      deadline.dispose();
      await handle?.close().catch(() => undefined);
    }
  }

  /** Opens a regular file for reading; a FIFO, device or socket is refused before anything waits on it. */
  private async openRegular(p: string): Promise<fs.FileHandle> {
    const handle = await fs.open(this.local(p), OPEN_READ_NOW);
    try {
      const special = specialFileKind(await handle.stat());
      if (special === 'a directory') throw this.error('is-a-directory', p, 'is a directory');
      if (special !== null) throw this.error('not-a-file', p, `is ${special}, not a regular file`);
      return handle;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /** Whole-file reads in four file-system calls (open, fstat, read, close) instead of a stat plus a stream. */
  override async readAll(path: string, options: ReadAllOptions = {}): Promise<Uint8Array> {
    const p = this.norm(path);
    const max = options.maxBytes ?? DEFAULT_READ_ALL_MAX_BYTES;
    return this.withDeadline(options, p, 'reading', async (deadline) => {
      const handle = await this.openRegular(p);
      try {
        const stats = await handle.stat();
        const offset = options.offset ?? 0;
        const length = Math.max(0, Math.min(stats.size - offset, options.length ?? Infinity));
        if (length > max) throw this.error('too-large', p, `${length} bytes to read, more than the limit of ${max}`);
        const buffer = new Uint8Array(length);
        let filled = 0;
        while (filled < length) {
          const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
          if (bytesRead === 0) break; // truncated meanwhile
          filled += bytesRead;
        }
        deadline.check();
        return filled === length ? buffer : buffer.subarray(0, filled);
      } finally {
        await handle.close().catch(() => undefined);
      }
    });
  }

  async write(path: string, data: Uint8Array, options: WriteOptions = {}): Promise<void> {
    const p = this.norm(path);
    if (p === '/') throw this.error('is-a-directory', p, 'the store root is a directory');
    const target = this.local(p);
    const temp = nodePath.join(nodePath.dirname(target), tempSibling(baseName(p)));
    await this.withDeadline(options, p, 'writing', async (deadline) => {
      try {
        await fs.writeFile(temp, data, { flag: 'wx', signal: deadline.signal });
        if (options.overwrite === false) {
          // link() fails when the target exists, so "no overwrite" holds even against a concurrent writer.
          await fs.link(temp, target);
          await fs.unlink(temp);
        } else {
          const existing = await fs.stat(target).catch(() => undefined);
          if (existing?.isDirectory()) throw this.error('is-a-directory', p, 'a directory has this name');
          await fs.rename(temp, target);
        }
      } catch (error) {
        await fs.unlink(temp).catch(() => undefined);
        throw error;
      }
    });
  }

  async delete(path: string, options: DeleteOptions = {}): Promise<void> {
    const p = this.norm(path);
    if (p === '/') throw this.error('invalid-path', p, 'refusing to delete the store root');
    await this.withDeadline(options, p, 'deleting', async () => {
      const stats = await fs.lstat(this.local(p));
      if (!stats.isDirectory()) await fs.unlink(this.local(p));
      else if (options.recursive) await fs.rm(this.local(p), { recursive: true });
      else await fs.rmdir(this.local(p));
    });
  }

  async rename(from: string, to: string, options: RenameOptions = {}): Promise<void> {
    const source = this.norm(from);
    const target = this.norm(to);
    await this.withDeadline(options, source, 'renaming', async () => {
      await fs.lstat(this.local(source));
      const existing = await fs.lstat(this.local(target)).catch(() => undefined);
      if (existing && !options.overwrite) {
        throw this.error('already-exists', target, `cannot rename ${source}: the target exists`);
      }
      await fs.stat(this.local(parentStorePath(target)));
      await fs.rename(this.local(source), this.local(target));
    });
  }

  async mkdir(path: string, options?: CallOptions): Promise<void> {
    const p = this.norm(path);
    await this.withDeadline(options, p, 'creating a directory', async () => {
      await fs.mkdir(this.local(p), { recursive: true });
    });
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }
}
