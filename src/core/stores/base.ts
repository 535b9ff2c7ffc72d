import { setImmediate as nextTurn } from 'node:timers/promises';
import { errorMessage } from '../errors';
import { StoreError } from './errors';
import { DEFAULT_TIMEOUT_MS, Deadline } from './deadline';
import { joinStorePath, normalizeStorePath } from './paths';
import type {
  CallOptions,
  CheckpointStore,
  DeleteOptions,
  DiskUsage,
  ListOptions,
  ReadAllOptions,
  ReadOptions,
  RenameOptions,
  StoreCapabilities,
  StoreEntry,
  StoreOptions,
  WriteOptions,
} from './types';
import { StoreUri, storeLabel, withoutPassword } from './uri';

/** Default cap of readAll, bytes. */
export const DEFAULT_READ_ALL_MAX_BYTES = 256 * 1024 * 1024;
/** Default entries per listing page. */
export const DEFAULT_PAGE_SIZE = 1000;

/** What every transport shares: labels, path checks, deadlines, readAll and a walking diskUsage. */
export abstract class BaseStore implements CheckpointStore {
  readonly label: string;
  protected readonly timeoutMs: number;

  constructor(
    readonly uri: StoreUri,
    protected readonly options: StoreOptions,
  ) {
    this.uri = withoutPassword(uri);
    this.label = storeLabel(this.uri);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  abstract readonly capabilities: StoreCapabilities;
  abstract stat(path: string, options?: CallOptions): Promise<StoreEntry>;
  abstract list(path: string, options?: ListOptions): AsyncIterable<StoreEntry[]>;
  abstract read(path: string, options?: ReadOptions): AsyncIterable<Uint8Array>;
  abstract write(path: string, data: Uint8Array, options?: WriteOptions): Promise<void>;
  abstract delete(path: string, options?: DeleteOptions): Promise<void>;
  abstract rename(from: string, to: string, options?: RenameOptions): Promise<void>;
  abstract mkdir(path: string, options?: CallOptions): Promise<void>;
  abstract close(): Promise<void>;

  /** Transports without symbolic links (or that resolve them on the server) see every path as real. */
  async realPath(path: string, _options?: CallOptions): Promise<string | undefined> {
    return this.norm(path);
  }

  /** Validates and normalizes a store path, rejecting `..` with `invalid-path`. */
  protected norm(path: string): string {
    return normalizeStorePath(path, this.label);
  }

  protected deadline(options: CallOptions | undefined, path: string | undefined, what: string): Deadline {
    return new Deadline(options, this.timeoutMs, this.label, path, what);
  }

  /**
   * Runs one store call under its deadline (the caller's signal and the store timeout): a cancellation or timeout
   * wins over whatever error the abort caused, any other error goes through `mapError`, and the deadline always ends.
   */
  protected async withDeadline<T>(
    options: CallOptions | undefined,
    path: string | undefined,
    what: string,
    task: (deadline: Deadline) => Promise<T>,
  ): Promise<T> {
    const deadline = this.deadline(options, path, what);
    try {
      deadline.check();
      return await task(deadline);
    } catch (error) {
      throw deadline.reason ?? this.mapError(error, path, what);
    } finally {
      deadline.dispose();
    }
  }

  /**
   * The shared tail of every paged listing. `batches` yields what the server answered, in whatever batch sizes it
   * chose, under this listing's deadline; they are cut into pages of the requested size, and each page is turned into
   * entries by `describe` only when it is due (a consumer that stops early pays for no more than it took). The
   * deadline is checked before a page goes out and again when the consumer comes back for the next one, the time the
   * consumer spends on a page does not count against the server's idle timeout, and the event loop gets a turn
   * between pages so other work interleaves with a huge listing. Empty pages are not yielded; errors end as in
   * `withDeadline`.
   */
  protected async *repage<T>(
    path: string,
    options: ListOptions,
    batches: (deadline: Deadline) => AsyncIterable<readonly T[]> | Iterable<readonly T[]>,
    describe: (items: T[], deadline: Deadline) => StoreEntry[] | Promise<StoreEntry[]>,
  ): AsyncGenerator<StoreEntry[], void, undefined> {
    const size = Math.max(1, Math.floor(options.pageSize ?? DEFAULT_PAGE_SIZE));
    const deadline = this.deadline(options, path, 'listing');
    const emit = async function* (items: T[]): AsyncGenerator<StoreEntry[], void, undefined> {
      const entries = await describe(items, deadline);
      deadline.check();
      if (entries.length > 0) {
        deadline.pause();
        yield entries;
        deadline.check();
        deadline.touch();
      }
      await nextTurn();
    };
    try {
      deadline.check();
      let page: T[] = [];
      for await (const batch of batches(deadline)) {
        // Item by item, not by slicing off the rest again and again: one FTP answer can hold a million lines.
        for (const item of batch) {
          page.push(item);
          if (page.length === size) {
            yield* emit(page);
            page = [];
          }
        }
      }
      if (page.length > 0) yield* emit(page);
    } catch (error) {
      throw deadline.reason ?? this.mapError(error, path, 'listing');
    } finally {
      deadline.dispose();
    }
  }

  /** A transport's failure as a StoreError (a StoreError passes unchanged); each transport maps its own errors. */
  protected mapError(error: unknown, path: string | undefined, what: string): StoreError {
    if (error instanceof StoreError) return error;
    return this.error('protocol', path, `${what}: ${errorMessage(error)}`, undefined, error);
  }

  protected error(
    code: StoreError['code'],
    path: string | undefined,
    detail: string,
    advice?: string,
    cause?: unknown,
  ): StoreError {
    return new StoreError(code, this.label, path, detail, advice, cause === undefined ? undefined : { cause });
  }

  async readAll(path: string, options: ReadAllOptions = {}): Promise<Uint8Array> {
    const p = this.norm(path);
    const max = options.maxBytes ?? DEFAULT_READ_ALL_MAX_BYTES;
    const entry = await this.stat(p, options);
    if (entry.kind === 'directory') throw this.error('is-a-directory', p, 'is a directory');
    const offset = options.offset ?? 0;
    const expected = Math.max(0, Math.min(entry.size - offset, options.length ?? Infinity));
    if (expected > max) {
      throw this.error('too-large', p, `${expected} bytes to read, more than the limit of ${max}`);
    }
    return this.readAtMost(p, options, max);
  }

  /** Reads a range into one buffer, failing with `too-large` past `max` bytes (a file may grow while it is read). */
  protected async readAtMost(p: string, options: ReadOptions, max: number): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of this.read(p, options)) {
      total += chunk.byteLength;
      if (total > max) throw this.error('too-large', p, `more than the limit of ${max} bytes`);
      chunks.push(chunk);
    }
    return concatChunks(chunks, total);
  }

  async diskUsage(path: string, options?: CallOptions): Promise<DiskUsage> {
    const root = await this.stat(path, options);
    if (root.kind !== 'directory') return { bytes: root.size, files: 1, directories: 0 };
    let bytes = 0;
    let files = 0;
    let directories = 1;
    const pending = [root.path];
    while (pending.length > 0) {
      const dir = pending.pop()!;
      for await (const page of this.list(dir, options)) {
        for (const entry of page) {
          if (entry.kind === 'directory') {
            directories++;
            pending.push(joinStorePath(dir, entry.name));
          } else {
            files++;
            bytes += entry.size;
          }
        }
      }
    }
    return { bytes, files, directories };
  }
}

/** Joins chunks into one buffer without copying when there is only one. */
export function concatChunks(chunks: Uint8Array[], total?: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total ?? chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** A hidden sibling name for atomic writes: `.<name>.<random>.tmp`. */
export function tempSibling(name: string): string {
  return `.${name}.${Math.random().toString(36).slice(2, 10)}.tmp`;
}
