import type { IncrementalKeyedHandle } from '../../metadata';
import { readKeyedProxy } from '../proxy';
import { locate, readHead, type StateFileAccess } from '../schema';
import { mergeSstBatches, openSstFile, SstError, type MergedEntry, type SstFile, type SstSource } from '../sst';
import { decodingOf, canonicalEntry, type EntryOptions, type StateEntry } from './keyed';
import { keyGroupPrefixBytes } from './keyLayout';
import { fileProblem } from '../problems';
import { mapLimit } from '../../concurrency';

/** SST files opened at once; the store's own pool bounds the requests in flight further. */
const OPEN_CONCURRENCY = 16;

function sourceOf(access: StateFileAccess, at: NonNullable<ReturnType<typeof locate>>): SstSource {
  const path = at.path;
  return {
    label: at.label,
    size: () => Promise.resolve(at.size),
    read: (offset, length) =>
      path === null ? access.readMetadata(at.start + offset, length) : access.read(path, at.start + offset, length),
  };
}

/** The key-group prefix every RocksDB key of a key group starts with. */
function prefixOf(keyGroup: number, bytes: number): Uint8Array {
  return bytes === 1 ? Uint8Array.of(keyGroup) : Uint8Array.of(keyGroup >> 8, keyGroup & 0xff);
}

interface Column {
  readonly stateIndex: number;
  readonly iterator: AsyncIterator<MergedEntry[]>;
  /** The batch in hand and the position of the column's next entry in it; null once the column ends. */
  batch: MergedEntry[] | null;
  at: number;
}

/**
 * The entries of a RocksDB native checkpoint or savepoint (full or incremental): the proxy from the meta state
 * handle, then each state's column family (named by the state) from the SST files whose properties name it, merged
 * by the `sst` reader (newest sequence number wins, tombstones dropped, list merge operands joined). The column
 * families are walked side by side so that entries come key group by key group, states in the proxy's order, as
 * the canonical format orders them. Entries come in batches: those of the blocks in hand.
 */
export async function* nativeEntries(
  access: StateFileAccess,
  handle: IncrementalKeyedHandle,
  pointer: string | null,
  maxParallelism: number,
  options: EntryOptions,
): AsyncGenerator<StateEntry[]> {
  const metaAt = locate(handle.metaHandle, pointer);
  if (metaAt === null) return;
  const proxy = await readHead(access, metaAt, readKeyedProxy);
  const decodings = proxy.states.map((info) =>
    decodingOf(info, proxy.keySerializer, maxParallelism, options.kryoGeneration),
  );
  const byName = new Map(decodings.map((d, i) => [d.name, i]));
  const files = new Map<number, SstFile[]>();
  const opened: SstFile[] = [];
  try {
    const places = [...handle.sharedState, ...handle.privateState]
      .filter(({ localPath }) => localPath.endsWith('.sst'))
      .map(({ handle: stream }) => locate(stream, pointer))
      .filter((at) => at !== null);
    // Every file's footer, metaindex and properties are read before the first entry (the merge needs each file's
    // first entry): side by side, so a remote store costs a few round trips, not a few per file.
    const sst = await mapLimit(places, OPEN_CONCURRENCY, async (at) => {
      try {
        const file = await openSstFile(sourceOf(access, at));
        opened.push(file);
        return file;
      } catch (error) {
        const failure = fileProblem(error);
        if (failure === undefined) throw error;
        options.onProblem({ file: at.label, ...failure });
        return undefined;
      }
    });
    for (const file of sst) {
      if (file === undefined) continue;
      const index = byName.get(file.properties.columnFamilyName ?? '');
      if (index === undefined) continue;
      if (options.states && !options.states.has(decodings[index].name)) continue;
      files.set(index, [...(files.get(index) ?? []), file]);
    }
    const prefixBytes = keyGroupPrefixBytes(maxParallelism);
    const first = handle.keyGroups.start;
    // Only the wanted key groups are read: the files are entered at the first and left after the last.
    const wanted = options.keyGroups
      ? Array.from({ length: handle.keyGroups.count }, (_, i) => first + i).filter(options.keyGroups)
      : null;
    if (wanted !== null && wanted.length === 0) return;
    const from = wanted?.[0];
    const last = wanted === null ? Number.POSITIVE_INFINITY : wanted[wanted.length - 1];
    const columns: Column[] = [...files].map(([stateIndex, sst]) => ({
      stateIndex,
      iterator: mergeSstBatches(sst, from === undefined ? {} : { from: prefixOf(from, prefixBytes) })[
        Symbol.asyncIterator
      ](),
      batch: [],
      at: 0,
    }));
    const refill = async (c: Column) => {
      const r = await c.iterator.next();
      c.batch = r.done ? null : r.value;
      c.at = 0;
    };
    const groupOf = (e: MergedEntry) => (prefixBytes === 1 ? e.key[0] : (e.key[0] << 8) | e.key[1]);
    const keyGroups = options.keyGroups;
    let out: StateEntry[] = [];
    for (;;) {
      // Every column has an entry in hand (or has ended) before the next one is chosen.
      const empty = columns.filter((c) => c.batch !== null && c.at >= c.batch.length);
      if (empty.length > 0) {
        if (out.length > 0) {
          yield out;
          out = [];
        }
        await Promise.all(empty.map(refill));
        continue;
      }
      let next: Column | null = null;
      let nextGroup = 0;
      for (const c of columns) {
        if (c.batch === null) continue;
        const g = groupOf(c.batch[c.at]);
        if (next === null || g < nextGroup || (g === nextGroup && c.stateIndex < next.stateIndex)) {
          next = c;
          nextGroup = g;
        }
      }
      if (next === null || nextGroup > last) break;
      const d = decodings[next.stateIndex];
      // A column's entries up to the next key group another column has (all of them when it is the only one).
      const batch = next.batch!;
      let bound = Number.POSITIVE_INFINITY;
      for (const c of columns) {
        if (c !== next && c.batch !== null) {
          const g = groupOf(c.batch[c.at]);
          bound = Math.min(bound, c.stateIndex < next.stateIndex ? g - 1 : g);
        }
      }
      bound = Math.min(bound, last);
      let i = next.at;
      for (; i < batch.length; i++) {
        const raw = batch[i];
        const keyGroup = groupOf(raw);
        if (keyGroup > bound) break;
        if (!keyGroups || keyGroups(keyGroup)) out.push(canonicalEntry(d, raw.key, 0, raw.value, 0));
      }
      next.at = i;
    }
    if (out.length > 0) yield out;
  } catch (error) {
    const failure = fileProblem(error);
    if (failure === undefined) throw error;
    options.onProblem({ file: (error instanceof SstError && error.file) || metaAt.label, ...failure });
  } finally {
    for (const f of opened) await f.close();
  }
}
