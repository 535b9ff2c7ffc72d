import type { CallOptions, CheckpointStore, StoreEntry } from '../../stores/types';

/** Reads are cut into aligned blocks of this size: a resumed page reads from a new offset and still hits the cache. */
export const CACHE_BLOCK_BYTES = 64 << 10;
/** Files remembered as read lately; beyond them a file's blocks may still be kept but are read afresh. */
const MAX_FILES = 100_000;

/** What identifies one version of a file: a file rewritten in place gets another size or modification time. */
export interface FileVersion {
  readonly size: number;
  readonly mtime?: number;
}

export interface StateCacheStats {
  readonly bytes: number;
  readonly blocks: number;
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
}

/** The store, without credentials: two stores with the same path on different servers never share blocks. */
function storeKey(store: CheckpointStore): string {
  const { scheme, user, host, port, path } = store.uri;
  return `${scheme}://${user ?? ''}@${host}:${port ?? ''}${path}`;
}

/**
 * A bounded LRU cache of ranged reads of state files, shared by every snapshot browsed: reading the next page of a
 * remote state, or the same state again, costs no second transfer. Blocks are keyed by store, path, size and
 * modification time, so a file that changed is read afresh. `maxBytes` 0 turns caching off.
 */
export class StateReadCache {
  private readonly blocks = new Map<string, Uint8Array>();
  /** The files read lately (by store and path), the most recent last: whether blocks of them may be here. */
  private readonly files = new Set<string>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(
    private maxBytes: number,
    private readonly blockBytes = CACHE_BLOCK_BYTES,
  ) {}

  get stats(): StateCacheStats {
    return {
      bytes: this.bytes,
      blocks: this.blocks.size,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
    };
  }

  /** A new bound; blocks beyond it are evicted at once. */
  resize(maxBytes: number): void {
    this.maxBytes = maxBytes;
    this.evict();
  }

  clear(): void {
    this.blocks.clear();
    this.files.clear();
    this.bytes = 0;
  }

  /**
   * `length` bytes from `offset` of `path` (fewer at the end of the file), as `version` describes the file. Missing
   * blocks are fetched in one ranged read per contiguous run.
   */
  async read(
    store: CheckpointStore,
    path: string,
    version: FileVersion,
    offset: number,
    length: number,
    options: CallOptions = {},
  ): Promise<Uint8Array> {
    const end = Math.min(offset + length, version.size);
    if (end <= offset) return new Uint8Array(0);
    const prefix = this.prefix(store, path, version);
    const first = Math.floor(offset / this.blockBytes);
    const last = Math.floor((end - 1) / this.blockBytes);
    const found: (Uint8Array | undefined)[] = [];
    for (let b = first; b <= last; b++) {
      const block = this.blocks.get(prefix + b);
      if (block !== undefined) {
        // Most recently used last: Map keeps insertion order, eviction takes the first.
        this.blocks.delete(prefix + b);
        this.blocks.set(prefix + b, block);
        this.hits++;
      } else {
        this.misses++;
      }
      found.push(block);
    }
    for (let i = 0; i < found.length;) {
      if (found[i] !== undefined) {
        i++;
        continue;
      }
      let j = i;
      while (j < found.length && found[j] === undefined) j++;
      const from = (first + i) * this.blockBytes;
      const to = Math.min((first + j) * this.blockBytes, version.size);
      const bytes = await store.readAll(path, { ...options, offset: from, length: to - from, maxBytes: to - from });
      for (let k = i; k < j; k++) found[k] = this.putAt(prefix, first + k, bytes, (k - i) * this.blockBytes);
      i = j;
    }
    const out = new Uint8Array(end - offset);
    let at = 0;
    for (let k = 0; k < found.length; k++) {
      const block = found[k] as Uint8Array;
      const blockStart = (first + k) * this.blockBytes;
      const from = Math.max(offset - blockStart, 0);
      const to = Math.min(end - blockStart, block.length);
      if (to <= from) break;
      out.set(block.subarray(from, to), at);
      at += to - from;
    }
    // A file shorter than its stat said (changed under us): only what was really read.
    return at === out.length ? out : out.subarray(0, at);
  }

  /**
   * The whole blocks a read from `from` (block-aligned) returned, kept as if `read` had fetched them: each counts as a
   * miss, as it was transferred.
   */
  fill(store: CheckpointStore, path: string, version: FileVersion, from: number, bytes: Uint8Array): void {
    const prefix = this.prefix(store, path, version);
    const first = Math.floor(from / this.blockBytes);
    for (let start = 0; start < bytes.length; start += this.blockBytes) {
      // A block cut short by the end of what was read is kept only where the file ends.
      if (start + this.blockBytes > bytes.length && from + bytes.length < version.size) break;
      this.putAt(prefix, first + start / this.blockBytes, bytes, start);
      this.misses++;
    }
  }

  /** `[offset, limit)` rounded out to whole blocks, as the cache reads them. */
  blockRange(offset: number, limit: number): { from: number; to: number } {
    return {
      from: Math.floor(offset / this.blockBytes) * this.blockBytes,
      to: Math.ceil(limit / this.blockBytes) * this.blockBytes,
    };
  }

  /** Whether blocks of `path` were kept lately, whatever its version: if not, a read of it is sure to miss. */
  mayHold(store: CheckpointStore, path: string): boolean {
    return this.files.has(`${storeKey(store)}\0${path}`);
  }

  private prefix(store: CheckpointStore, path: string, version: FileVersion): string {
    const file = `${storeKey(store)}\0${path}`;
    if (this.maxBytes > 0) {
      this.files.delete(file);
      this.files.add(file);
      if (this.files.size > MAX_FILES) this.files.delete(this.files.values().next().value!);
    }
    return `${file}\0${version.size}\0${version.mtime ?? ''}\0`;
  }

  private putAt(prefix: string, index: number, bytes: Uint8Array, start: number): Uint8Array {
    // A copy per block, so one evicted block frees its bytes and keeps no larger buffer alive.
    const block = bytes.slice(start, Math.min(start + this.blockBytes, bytes.length));
    this.put(prefix + index, block);
    return block;
  }

  private put(key: string, block: Uint8Array): void {
    if (block.length > this.maxBytes) return;
    const old = this.blocks.get(key);
    if (old !== undefined) this.bytes -= old.length;
    this.blocks.set(key, block);
    this.bytes += block.length;
    this.evict();
  }

  private evict(): void {
    for (const [key, block] of this.blocks) {
      if (this.bytes <= this.maxBytes) return;
      this.blocks.delete(key);
      this.bytes -= block.length;
      this.evictions++;
    }
  }
}

/**
 * Ranged reads of one store's files through `cache`: each file is looked at (stat) once per reader, so a reader made
 * for a new page sees files changed since the last one. The first read of a file the cache holds nothing of goes out
 * beside its stat, not after it: a remote file costs one round trip before its first bytes, not two.
 */
export function cachedReader(
  store: CheckpointStore,
  cache: StateReadCache,
  options: CallOptions = {},
): (path: string, offset: number, length: number) => Promise<Uint8Array> {
  const versions = new Map<string, Promise<StoreEntry>>();
  return async (path, offset, length) => {
    let stat = versions.get(path);
    if (stat === undefined) {
      stat = store.stat(path, options);
      versions.set(path, stat);
      stat.catch(() => versions.delete(path));
      if (length > 0 && !cache.mayHold(store, path)) {
        const { from, to } = cache.blockRange(offset, offset + length);
        const [entry, bytes] = await Promise.all([
          stat,
          store.readAll(path, { ...options, offset: from, length: to - from, maxBytes: to - from }),
        ]);
        const version = { size: entry.size, mtime: entry.mtime };
        cache.fill(store, path, version, from, bytes);
        const end = Math.min(offset + length, entry.size, from + bytes.length);
        return end > offset ? bytes.slice(offset - from, end - from) : new Uint8Array(0);
      }
    }
    const entry = await stat;
    return cache.read(store, path, { size: entry.size, mtime: entry.mtime }, offset, length, options);
  };
}
