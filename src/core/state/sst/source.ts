import { open } from 'node:fs/promises';
import type { CallOptions, CheckpointStore } from '../../stores/types';

/** Where an SST file's bytes come from: ranged reads, so a remote file costs only the blocks a read needs. */
export interface SstSource {
  /** A label for messages (a store path or file name, never credentials). */
  readonly label: string;
  /** The file's size in bytes. */
  size(): Promise<number>;
  /** `length` bytes from `offset`; fewer only when the file ends first. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Releases what the source holds open (a file handle); the source may not be read afterwards. */
  close?(): Promise<void>;
}

/** An SST file in a checkpoint store, read by ranges through the store's `readAll`. */
export function storeSource(
  store: CheckpointStore,
  path: string,
  options: CallOptions & { readonly size?: number } = {},
): SstSource {
  let size: Promise<number> | undefined = options.size === undefined ? undefined : Promise.resolve(options.size);
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };
  return {
    label: path,
    size: () => (size ??= store.stat(path, call).then((e) => e.size)),
    read: (offset, length) => store.readAll(path, { ...call, offset, length, maxBytes: length }),
  };
}

/** A local SST file read through one open file handle (the benchmark's and the property tests' path). */
export function localFileSource(path: string, label = path): SstSource {
  let handle: ReturnType<typeof open> | undefined;
  const get = () => (handle ??= open(path, 'r'));
  return {
    label,
    size: async () => (await (await get()).stat()).size,
    read: async (offset, length) => {
      const h = await get();
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await h.read(out, done, length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === length ? out : out.subarray(0, done);
    },
    close: async () => {
      if (handle) await (await handle).close();
      handle = undefined;
    },
  };
}

/** An SST file already in memory. */
export function bytesSource(bytes: Uint8Array, label = 'SST file'): SstSource {
  return {
    label,
    size: () => Promise.resolve(bytes.length),
    read: (offset, length) => Promise.resolve(bytes.subarray(offset, Math.min(bytes.length, offset + length))),
  };
}
