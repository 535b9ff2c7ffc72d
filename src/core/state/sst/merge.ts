import type { RangeDeletion, SstEntry, SstEntryIterator, SstFile, ValueType } from './table';
import { compareBytes } from './varint';

/** Combines a key's merge operands (oldest first) with the value below them, if any: RocksDB's full merge. */
export type MergeOperator = (existing: Uint8Array | undefined, operands: readonly Uint8Array[]) => Uint8Array;

/**
 * RocksDB's StringAppendTESTOperator, which Flink configures on every column family ("stringappendtest"): the existing
 * value and the operands joined by one delimiter byte (',' in Flink, whose list state appends serialized elements).
 */
export function stringAppendOperator(delimiter = 0x2c): MergeOperator {
  return (existing, operands) => {
    const parts = existing ? [existing, ...operands] : [...operands];
    const length = parts.reduce((n, p) => n + p.length, 0) + Math.max(0, parts.length - 1);
    const out = new Uint8Array(length);
    let at = 0;
    parts.forEach((p, i) => {
      if (i > 0) out[at++] = delimiter;
      out.set(p, at);
      at += p.length;
    });
    return out;
  };
}

/** A live key after merging: the newest visible value. */
export interface MergedEntry {
  readonly key: Uint8Array;
  readonly seq: bigint;
  /** `put` for a plain value, `merge` when operands were combined by the merge operator. */
  readonly type: Extract<ValueType, 'put' | 'merge'>;
  readonly value: Uint8Array;
}

export interface MergeOptions {
  /** How merge operands combine; default Flink's (stringAppendOperator with ','). */
  readonly mergeOperator?: MergeOperator;
  /** Start at the first user key >= this. */
  readonly from?: Uint8Array;
  /** Read files of disjoint key ranges one after another (default true); false always merges through the heap. */
  readonly chain?: boolean;
  /** Told once, before the first entry, whether the files are read one after another or merged. */
  readonly onPlan?: (plan: 'chained' | 'merged') => void;
}

/**
 * The live contents of a set of SST files of one column family, as a RocksDB iterator would show them: entries merged
 * by user key (bytewise order), the newest sequence number wins, deletions, single deletions and keys under a newer
 * range tombstone dropped, merge operands combined down to the newest put, deletion or tombstone below them.
 */
export async function* mergeSstFiles(
  files: readonly SstFile[],
  options: MergeOptions = {},
): AsyncGenerator<MergedEntry> {
  for await (const batch of mergeSstBatches(files, options)) yield* batch;
}

/** Entries handed out at most per batch of {@link mergeSstBatches}. */
const BATCH = 1024;

/**
 * {@link mergeSstFiles} in batches: the entries the blocks in hand give, handed out before the next block is read
 * (so a first page waits for no more reads than it needs) and at most {@link BATCH} at a time. One step of an async
 * iteration per entry cost a tenth of a full scan.
 *
 * Files whose key ranges do not overlap (compacted levels 1 and up) and that hold no range tombstone are read one
 * after another: no user key is in two of them, so the heap and its comparisons across files give nothing. Any doubt
 * about the ranges takes the heap.
 */
export async function* mergeSstBatches(
  files: readonly SstFile[],
  options: MergeOptions = {},
): AsyncGenerator<MergedEntry[]> {
  const operator = options.mergeOperator ?? stringAppendOperator();
  const tombstones: RangeDeletion[] = (await Promise.all(files.map((f) => f.rangeDeletions()))).flat();
  const heads = files.map((f) => f.entries({ from: options.from })[Symbol.asyncIterator]());
  try {
    const firsts = (await Promise.all(heads.map((it) => it.next()))).map((r) => (r.done ? undefined : r.value));
    const order = options.chain !== false && tombstones.length === 0 ? await disjointOrder(files, firsts) : undefined;
    options.onPlan?.(order === undefined ? 'merged' : 'chained');
    if (order === undefined) yield* merged(heads, firsts, tombstones, operator);
    else yield* chained(order, heads, firsts, operator);
  } finally {
    for (const it of heads) await it.return?.(undefined);
  }
}

/**
 * The files with an entry left, in an order where each one's user keys all lie below the next one's first; undefined
 * when two may share a user key. A file's last key is bounded by its index's last separator, which may lie above it:
 * then the files only look overlapping, and are merged.
 */
async function disjointOrder(
  files: readonly SstFile[],
  firsts: readonly (SstEntry | undefined)[],
): Promise<number[] | undefined> {
  const order = firsts.flatMap((e, i) => (e === undefined ? [] : [i]));
  order.sort((a, b) => compareBytes(firsts[a]!.key, firsts[b]!.key));
  for (let i = 1; i < order.length; i++) {
    const bound = await files[order[i - 1]].lastKeyBound();
    if (bound === undefined || compareBytes(bound, firsts[order[i]]!.key) >= 0) return undefined;
  }
  return order;
}

/** Whether two user keys are equal; from the end, where neighbouring Flink keys (same key group, key) differ. */
function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false;
  return true;
}

/** Files of disjoint key ranges, one after another: only a file's own versions of a key are resolved together. */
async function* chained(
  order: readonly number[],
  heads: readonly SstEntryIterator[],
  firsts: readonly (SstEntry | undefined)[],
  operator: MergeOperator,
): AsyncGenerator<MergedEntry[]> {
  let batch: MergedEntry[] = [];
  // The file's next entry: from the block in hand, or after a read (the batch so far is handed out first).
  async function* read(it: SstEntryIterator): AsyncGenerator<MergedEntry[], SstEntry | undefined> {
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
    const r = await it.next();
    return r.done ? undefined : r.value;
  }
  for (const source of order) {
    const it = heads[source];
    let entry = firsts[source];
    while (entry !== undefined) {
      let next = it.nextBuffered();
      if (next === undefined) {
        if (batch.length > 0) {
          yield batch;
          batch = [];
        }
        const r = await it.next();
        next = r.done ? undefined : r.value;
      }
      let live: MergedEntry | undefined;
      if (next === undefined || !sameKey(next.key, entry.key)) {
        live = entry.type === 'put' ? (entry as MergedEntry) : resolve([entry], NO_TOMBSTONES, operator);
      } else {
        // Versions of one key the file kept (under a snapshot), newest first.
        const versions = [entry];
        while (next !== undefined && sameKey(next.key, entry.key)) {
          versions.push(next);
          next = it.nextBuffered() ?? (yield* read(it));
        }
        live = resolve(versions, NO_TOMBSTONES, operator);
      }
      if (live) {
        batch.push(live);
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      }
      entry = next;
    }
    // A file read to its end lets go of its blocks before the next one is read.
    await it.return?.(undefined);
  }
  if (batch.length > 0) yield batch;
}

const NO_TOMBSTONES: readonly RangeDeletion[] = [];

/** Files whose ranges may overlap: a heap of each file's next entry, every version of a user key resolved together. */
async function* merged(
  heads: readonly SstEntryIterator[],
  firsts: readonly (SstEntry | undefined)[],
  tombstones: readonly RangeDeletion[],
  operator: MergeOperator,
): AsyncGenerator<MergedEntry[]> {
  const heap = new EntryHeap();
  let batch: MergedEntry[] = [];
  firsts.forEach((entry, source) => {
    if (entry !== undefined) heap.push({ entry, source });
  });
  // The next entry of a source: from the block in hand, or after a read (the batch so far is handed out first).
  async function* advance(source: number): AsyncGenerator<MergedEntry[]> {
    const entry = heads[source].nextBuffered();
    if (entry !== undefined) {
      heap.push({ entry, source });
      return;
    }
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
    const r = await heads[source].next();
    if (!r.done) heap.push({ entry: r.value, source });
  }
  while (heap.size > 0) {
    // Every version of the next user key, newest first.
    const first = heap.peek()!;
    const userKey = first.entry.key;
    const versions: SstEntry[] = [first.entry];
    const entry = heads[first.source].nextBuffered();
    // The source's next entry takes its place at the top: mostly it stays there (a run of one file's keys).
    if (entry !== undefined) {
      first.entry = entry;
      heap.replaceTop(first);
    } else {
      heap.pop();
      yield* advance(first.source);
    }
    while (heap.size > 0 && compareBytes(heap.peek()!.entry.key, userKey) === 0) {
      const next = heap.pop()!;
      versions.push(next.entry);
      yield* advance(next.source);
    }
    const live = resolve(versions, tombstones, operator);
    if (live) {
      batch.push(live);
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

function coveredAt(key: Uint8Array, tombstones: readonly RangeDeletion[]): bigint {
  let newest = -1n;
  for (const t of tombstones) {
    if (t.seq > newest && compareBytes(t.start, key) <= 0 && compareBytes(key, t.end) < 0) newest = t.seq;
  }
  return newest;
}

function resolve(
  versions: SstEntry[],
  tombstones: readonly RangeDeletion[],
  operator: MergeOperator,
): MergedEntry | undefined {
  const only = versions[0];
  // The common case: one put, no range tombstone.
  if (versions.length === 1 && tombstones.length === 0 && only.type === 'put') return only as MergedEntry;
  const tombstone = tombstones.length > 0 ? coveredAt(versions[0].key, tombstones) : -1n;
  const operands: Uint8Array[] = [];
  let newestMergeSeq = -1n;
  for (const v of versions) {
    // A range tombstone deletes what was written before it.
    if (v.seq < tombstone) break;
    if (v.type === 'merge') {
      if (newestMergeSeq < 0n) newestMergeSeq = v.seq;
      operands.push(v.value);
      continue;
    }
    if (v.type === 'put' || v.type === 'value-preferred-seqno') {
      if (operands.length === 0) return { key: v.key, seq: v.seq, type: 'put', value: v.value };
      return { key: v.key, seq: newestMergeSeq, type: 'merge', value: operator(v.value, operands.reverse()) };
    }
    if (v.type === 'delete' || v.type === 'single-delete' || v.type === 'delete-with-timestamp') break;
    // Blob indexes and wide-column entities hold no inline value: shown as written.
    if (operands.length === 0) return { key: v.key, seq: v.seq, type: 'put', value: v.value };
    break;
  }
  if (operands.length === 0) return undefined;
  return { key: versions[0].key, seq: newestMergeSeq, type: 'merge', value: operator(undefined, operands.reverse()) };
}

interface HeapItem {
  entry: SstEntry;
  readonly source: number;
}

/** A binary min-heap in internal-key order: user key ascending, then sequence number descending. */
class EntryHeap {
  private readonly items: HeapItem[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): HeapItem | undefined {
    return this.items[0];
  }

  private static less(a: HeapItem, b: HeapItem): boolean {
    const c = compareBytes(a.entry.key, b.entry.key);
    return c !== 0 ? c < 0 : a.entry.seq > b.entry.seq;
  }

  push(item: HeapItem): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!EntryHeap.less(a[i], a[parent])) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }

  pop(): HeapItem | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) this.replaceTop(last);
    return top;
  }

  /** Pops the top and pushes `item` in one step. */
  replaceTop(item: HeapItem): void {
    const a = this.items;
    a[0] = item;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && EntryHeap.less(a[l], a[m])) m = l;
      if (r < a.length && EntryHeap.less(a[r], a[m])) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m], a[i]];
      i = m;
    }
  }
}
