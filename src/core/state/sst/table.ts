import {
  BLOCK_TRAILER_BYTES,
  BlockLayout,
  EntryWalker,
  type IndexEntry,
  decodeIndexBlock,
  decodeNamedBlock,
} from './block';
import { CHECKSUM_TYPES, type ChecksumType, Checksums, contextModifier } from './checksum';
import { MAX_BLOCK_BYTES, decompressBlock } from './compression';
import { copyOf } from '../byteCopies';
import { SstError } from './errors';
import type { SstSource } from './source';
import { type BlockHandle, Cursor, compareBytes, fixed32At } from './varint';

/** What an internal key says its entry is (RocksDB's ValueType, the low byte of the key's 8-byte trailer). */
export type ValueType =
  | 'delete'
  | 'put'
  | 'merge'
  | 'single-delete'
  | 'range-deletion'
  | 'blob-index'
  | 'delete-with-timestamp'
  | 'wide-column-entity'
  | 'value-preferred-seqno';

const VALUE_TYPES: Readonly<Record<number, ValueType>> = {
  0x0: 'delete',
  0x1: 'put',
  0x2: 'merge',
  0x7: 'single-delete',
  0xf: 'range-deletion',
  0x11: 'blob-index',
  0x14: 'delete-with-timestamp',
  0x16: 'wide-column-entity',
  0x18: 'value-preferred-seqno',
};

/** One entry of an SST file: the user key, the sequence number and type from the internal key, the value. */
export interface SstEntry {
  readonly key: Uint8Array;
  readonly seq: bigint;
  readonly type: ValueType;
  readonly value: Uint8Array;
}

/** A range tombstone: user keys in [start, end) written before `seq` are deleted. */
export interface RangeDeletion {
  readonly start: Uint8Array;
  readonly end: Uint8Array;
  readonly seq: bigint;
}

/** The table properties block, the known fields decoded; `raw` holds every property as written. */
export interface SstProperties {
  readonly formatVersion: number;
  readonly checksum: ChecksumType;
  readonly columnFamilyName?: string;
  readonly columnFamilyId?: number;
  readonly comparator?: string;
  readonly mergeOperator?: string;
  readonly compression?: string;
  readonly numEntries?: number;
  readonly numDeletions?: number;
  readonly numMergeOperands?: number;
  readonly numRangeDeletions?: number;
  readonly numDataBlocks?: number;
  readonly indexType: IndexType;
  readonly indexPartitions?: number;
  /** The sequence number an ingested file's entries (written with 0) stand for. */
  readonly globalSeqno?: number;
  readonly raw: ReadonlyMap<string, Uint8Array>;
}

/** RocksDB's BlockBasedTableOptions::IndexType as stored in the properties. */
export type IndexType = 'binary-search' | 'hash-search' | 'two-level' | 'binary-search-with-first-key';
const INDEX_TYPES: readonly IndexType[] = ['binary-search', 'hash-search', 'two-level', 'binary-search-with-first-key'];

export interface SstReadOptions {
  /** Check every block's checksum (default true). */
  readonly verifyChecksums?: boolean;
  /** Decoded metadata blocks kept (index partitions, blocks of seeks), bytes; default 8 MiB. */
  readonly blockCacheBytes?: number;
  /** Bytes of consecutive data blocks fetched by one ranged read during a scan; default 4 MiB. */
  readonly readaheadBytes?: number;
}

export interface SstEntriesOptions {
  /** Start at the first entry whose user key is >= this (bytewise). */
  readonly from?: Uint8Array;
}

export interface SstFile {
  readonly label: string;
  readonly size: number;
  readonly properties: SstProperties;
  /** Every point entry in internal-key order (user key ascending, then newest first). */
  entries(options?: SstEntriesOptions): SstEntries;
  /** The range tombstones of the file's range deletion block. */
  rangeDeletions(): Promise<RangeDeletion[]>;
  /**
   * A user key no smaller than the file's last one: the user-key part of the index's last separator, which RocksDB
   * writes as the last key or a shortened successor of it (undefined for a file without data blocks). Read from the
   * index an iteration reads anyway.
   */
  lastKeyBound(): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

// Magic numbers at the end of the footer (little-endian halves).
const BLOCK_BASED_MAGIC = { lo: 0x85f4cff7, hi: 0x88e241b7 };
const LEGACY_BLOCK_BASED_MAGIC = { lo: 0x8b80fb57, hi: 0xdb477524 };
const OTHER_TABLE_MAGIC: ReadonlyArray<{ lo: number; hi: number; name: string }> = [
  { lo: 0x63bf9564, hi: 0x82422296, name: 'a plain table' },
  { lo: 0x7a8f13b8, hi: 0x4f3418eb, name: 'a legacy plain table' },
  { lo: 0xc5f17873, hi: 0x926789d0, name: 'a cuckoo table' },
];
const LEGACY_FOOTER_BYTES = 48;
const FOOTER_BYTES = 53;
/** The 4 bytes after the checksum type that mark a format_version 6+ footer. */
const EXTENDED_MAGIC = [0x3e, 0x00, 0x7a, 0x00];
const MAX_FORMAT_VERSION = 7;

/** The first ranged read of data blocks from where an iteration starts; later ones double up to the readahead. */
const FIRST_WINDOW_BYTES = 32 * 1024;

const METAINDEX_PROPERTIES = 'rocksdb.properties';
const METAINDEX_RANGE_DEL = 'rocksdb.range_del';
const METAINDEX_INDEX = 'rocksdb.index';
const METAINDEX_COMPRESSION_DICT = 'rocksdb.compression_dict';

/**
 * Opens a RocksDB block-based table (the SST files of Flink's RocksDB and ForSt state backends): reads the footer, the
 * metaindex, the properties and the index through ranged reads; data blocks are read as they are iterated.
 */
export async function openSstFile(source: SstSource, options: SstReadOptions = {}): Promise<SstFile> {
  const reader = new TableReader(source, options);
  await reader.open();
  return reader;
}

class TableReader implements SstFile {
  size = 0;
  properties!: SstProperties;
  private checksums!: Checksums;
  private checksumType: ChecksumType = 'crc32c';
  private formatVersion = 0;
  private baseContextChecksum = 0;
  private metaindex!: Map<string, Uint8Array>;
  private indexHandle!: BlockHandle;
  private keyIsUserKey = false;
  private deltaEncoded = false;
  private topIndex: IndexEntry[] | undefined;
  private readonly verify: boolean;
  private readonly cache: BlockCache;
  private readonly readahead: number;

  constructor(
    private readonly source: SstSource,
    options: SstReadOptions,
  ) {
    this.verify = options.verifyChecksums ?? true;
    this.cache = new BlockCache(options.blockCacheBytes ?? 8 * 1024 * 1024);
    this.readahead = Math.max(64 * 1024, options.readaheadBytes ?? 4 * 1024 * 1024);
  }

  get label(): string {
    return this.source.label;
  }

  private error(code: SstError['code'], offset: number, message: string): SstError {
    return new SstError(code, offset, message, this.source.label);
  }

  async open(): Promise<void> {
    this.size = await this.source.size();
    this.checksums = await Checksums.load();
    await this.readFooter();
    this.metaindex = decodeNamedBlock(await this.layout(this.metaindexHandle, 'the metaindex block'));
    this.properties = await this.readProperties();
    if (this.formatVersion >= 6) {
      const value = this.metaindex.get(METAINDEX_INDEX);
      if (!value) throw this.error('corrupt', this.metaindexHandle.offset, 'the metaindex names no index block');
      const c = new Cursor(value, 0, value.length, this.metaindexHandle.offset, false);
      this.indexHandle = { offset: c.varint64('the index offset'), size: c.varint64('the index size') };
    }
  }

  private metaindexHandle!: BlockHandle;

  private async readFooter(): Promise<void> {
    if (this.size < LEGACY_FOOTER_BYTES) {
      throw this.error('truncated', 0, `the file is ${this.size} bytes, too short for an SST footer`);
    }
    const tailLength = Math.min(this.size, FOOTER_BYTES);
    const tailStart = this.size - tailLength;
    const tail = await this.source.read(tailStart, tailLength);
    if (tail.length !== tailLength) throw this.error('truncated', tailStart + tail.length, 'the file ends early');
    const lo = fixed32At(tail, tailLength - 8);
    const hi = fixed32At(tail, tailLength - 4);
    if (lo === LEGACY_BLOCK_BASED_MAGIC.lo && hi === LEGACY_BLOCK_BASED_MAGIC.hi) {
      const c = new Cursor(tail, tailLength - LEGACY_FOOTER_BYTES, tailLength - 8, tailStart);
      this.metaindexHandle = this.handle(c, 'the metaindex handle');
      this.indexHandle = this.handle(c, 'the index handle');
      this.formatVersion = 0;
      this.checksumType = 'crc32c';
      return;
    }
    if (lo !== BLOCK_BASED_MAGIC.lo || hi !== BLOCK_BASED_MAGIC.hi) {
      const other = OTHER_TABLE_MAGIC.find((m) => m.lo === lo && m.hi === hi);
      if (other) {
        throw this.error('unsupported', this.size - 8, `the file is ${other.name}, not a block-based table`);
      }
      throw this.error('not-an-sst', this.size - 8, 'the file does not end with an SST magic number');
    }
    if (tailLength < FOOTER_BYTES) throw this.error('truncated', 0, 'the file is too short for its footer');
    const footerOffset = this.size - FOOTER_BYTES;
    const version = fixed32At(tail, FOOTER_BYTES - 12);
    if (version < 1 || version > MAX_FORMAT_VERSION) {
      throw this.error(
        version > MAX_FORMAT_VERSION ? 'unsupported' : 'corrupt',
        this.size - 12,
        `format_version ${version} is not one this reader knows (1..${MAX_FORMAT_VERSION})`,
      );
    }
    this.formatVersion = version;
    const type = CHECKSUM_TYPES[tail[0]];
    if (!type) throw this.error('unsupported', footerOffset, `checksum type ${tail[0]} is not one RocksDB writes`);
    this.checksumType = type;
    if (version >= 6) {
      if (EXTENDED_MAGIC.some((b, i) => tail[1 + i] !== b)) {
        throw this.error('corrupt', footerOffset + 1, 'the format_version 6 footer lacks its extended magic');
      }
      const stored = fixed32At(tail, 5);
      this.baseContextChecksum = fixed32At(tail, 9);
      const metaindexSize = fixed32At(tail, 13);
      if (type !== 'none' && this.verify) {
        const copy = tail.slice(0, FOOTER_BYTES);
        copy.fill(0, 5, 9);
        const computed =
          (this.checksums.whole(type, copy) + contextModifier(this.baseContextChecksum, footerOffset)) >>> 0;
        if (computed !== stored) throw this.error('checksum-mismatch', footerOffset, 'the footer fails its checksum');
      }
      const metaindexEnd = footerOffset - BLOCK_TRAILER_BYTES;
      if (metaindexSize > metaindexEnd) {
        throw this.error('corrupt', footerOffset + 13, `a metaindex of ${metaindexSize} bytes does not fit the file`);
      }
      this.metaindexHandle = { offset: metaindexEnd - metaindexSize, size: metaindexSize };
      return;
    }
    const c = new Cursor(tail, 1, FOOTER_BYTES - 12, footerOffset);
    this.metaindexHandle = this.handle(c, 'the metaindex handle');
    this.indexHandle = this.handle(c, 'the index handle');
  }

  private handle(c: Cursor, what: string): BlockHandle {
    return { offset: c.varint64(`the offset of ${what}`), size: c.varint64(`the size of ${what}`) };
  }

  /** A handle must name a block inside the file; one running past the end is reported where the file ends. */
  private checkHandle(h: BlockHandle, what: string): void {
    if (h.offset + h.size + BLOCK_TRAILER_BYTES > this.size) {
      throw this.error(
        'truncated',
        this.size,
        `${what} at ${h.offset} (${h.size} bytes) lies beyond the end of the ${this.size}-byte file`,
      );
    }
    if (h.size > MAX_BLOCK_BYTES) throw this.error('corrupt', h.offset, `${what} claims ${h.size} bytes`);
  }

  /** Verifies and decompresses one block from its raw bytes plus trailer. */
  private decode(raw: Uint8Array, h: BlockHandle, what: string): Uint8Array {
    if (raw.length !== h.size + BLOCK_TRAILER_BYTES) {
      throw this.error('truncated', h.offset + raw.length, `the file ends inside ${what}`);
    }
    const data = raw.subarray(0, h.size);
    const type = raw[h.size];
    if (this.verify && this.checksumType !== 'none') {
      const stored = fixed32At(raw, h.size + 1);
      const computed =
        (this.checksums.block(this.checksumType, data, type) + contextModifier(this.baseContextChecksum, h.offset)) >>>
        0;
      if (stored !== computed) {
        throw this.error('checksum-mismatch', h.offset, `${what} fails its ${this.checksumType} checksum`);
      }
    }
    if (type === 0) return data;
    if (this.metaindex?.has(METAINDEX_COMPRESSION_DICT)) {
      throw this.error(
        'unsupported',
        h.offset,
        `${what} is compressed with a dictionary (RocksDB's compression_opts.max_dict_bytes), which this reader cannot decode`,
      );
    }
    return decompressBlock(type, data, this.formatVersion, h.offset, this.source.label);
  }

  /** A block's layout; positions in it are file offsets only when it was stored uncompressed. */
  private blockLayout(raw: Uint8Array, h: BlockHandle, what: string): BlockLayout {
    const bytes = this.decode(raw, h, what);
    return new BlockLayout(bytes, h.offset, this.source.label, raw[h.size] === 0);
  }

  private async layout(h: BlockHandle, what: string, cache = false): Promise<BlockLayout> {
    const cached = cache ? this.cache.get(h.offset) : undefined;
    if (cached) return cached;
    this.checkHandle(h, what);
    const raw = await this.source.read(h.offset, h.size + BLOCK_TRAILER_BYTES);
    const layout = this.blockLayout(raw, h, what);
    if (cache) this.cache.put(h.offset, layout);
    return layout;
  }

  private async readProperties(): Promise<SstProperties> {
    const value = this.metaindex.get(METAINDEX_PROPERTIES);
    let raw = new Map<string, Uint8Array>();
    if (value) {
      const c = new Cursor(value, 0, value.length, this.metaindexHandle.offset, false);
      raw = decodeNamedBlock(await this.layout(this.handle(c, 'the properties handle'), 'the properties block'));
    }
    const text = (name: string) => {
      const v = raw.get(name);
      return v ? new TextDecoder().decode(v) : undefined;
    };
    const number = (name: string) => {
      const v = raw.get(name);
      return v ? new Cursor(v, 0, v.length, this.metaindexHandle.offset, false).varint64(name) : undefined;
    };
    const indexTypeBytes = raw.get('rocksdb.block.based.table.index.type');
    const indexTypeCode = indexTypeBytes && indexTypeBytes.length >= 4 ? fixed32At(indexTypeBytes, 0) : 0;
    const indexType = INDEX_TYPES[indexTypeCode];
    if (!indexType) {
      throw this.error('unsupported', this.metaindexHandle.offset, `index type ${indexTypeCode} is unknown`);
    }
    this.keyIsUserKey = (number('rocksdb.index.key.is.user.key') ?? 0) !== 0;
    this.deltaEncoded = (number('rocksdb.index.value.is.delta.encoded') ?? 0) !== 0;
    const cfId = number('rocksdb.column.family.id');
    return {
      formatVersion: this.formatVersion,
      checksum: this.checksumType,
      columnFamilyName: text('rocksdb.column.family.name'),
      // RocksDB writes 0x7fffffff (TablePropertiesCollectorFactory::Context::kUnknownColumnFamily) when it has none.
      columnFamilyId: cfId === 0x7fffffff ? undefined : cfId,
      comparator: text('rocksdb.comparator'),
      mergeOperator: text('rocksdb.merge.operator'),
      compression: text('rocksdb.compression'),
      numEntries: number('rocksdb.num.entries'),
      numDeletions: number('rocksdb.deleted.keys'),
      numMergeOperands: number('rocksdb.merge.operands'),
      numRangeDeletions: number('rocksdb.num.range-deletions'),
      numDataBlocks: number('rocksdb.num.data.blocks'),
      indexType,
      indexPartitions: number('rocksdb.index.partitions'),
      globalSeqno: raw.has('rocksdb.external_sst_file.global_seqno')
        ? readFixed64(raw.get('rocksdb.external_sst_file.global_seqno')!)
        : undefined,
      raw,
    };
  }

  private async indexEntries(h: BlockHandle, what: string): Promise<IndexEntry[]> {
    const cached = this.cache.getIndex(h.offset);
    if (cached) return cached;
    const layout = await this.layout(h, what);
    const entries = decodeIndexBlock(
      layout,
      this.deltaEncoded,
      this.properties.indexType === 'binary-search-with-first-key',
      BLOCK_TRAILER_BYTES,
    );
    this.cache.putIndex(h.offset, entries, layout.bytes.length);
    return entries;
  }

  private async top(): Promise<IndexEntry[]> {
    this.topIndex ??= await this.indexEntries(this.indexHandle, 'the index block');
    return this.topIndex;
  }

  /** The index key's user-key part (index keys are internal keys unless the table says they are user keys). */
  private userPart(key: Uint8Array): Uint8Array {
    return this.keyIsUserKey || key.length < 8 ? key : key.subarray(0, key.length - 8);
  }

  /** The first entry whose separator is >= `from`: the first block that may hold it. */
  private firstAtOrAfter(entries: IndexEntry[], from: Uint8Array | undefined): number {
    if (!from) return 0;
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(this.userPart(entries[mid].key), from) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Handles of the data blocks in order, from the block that may hold `from`. */
  private async *dataHandles(from: Uint8Array | undefined): AsyncGenerator<BlockHandle[]> {
    const top = await this.top();
    if (this.properties.indexType !== 'two-level') {
      yield top.slice(this.firstAtOrAfter(top, from)).map((e) => e.handle);
      return;
    }
    for (let i = this.firstAtOrAfter(top, from); i < top.length; i++) {
      const partition = await this.indexEntries(top[i].handle, 'an index partition');
      yield partition.slice(i === 0 || from ? this.firstAtOrAfter(partition, from) : 0).map((e) => e.handle);
      from = undefined;
    }
  }

  /**
   * Runs of consecutive data blocks, each fetched by one ranged read: the first of at most `first` bytes, each next
   * twice as large up to the readahead size.
   */
  private windows(handles: BlockHandle[], first: number): BlockHandle[][] {
    const out: BlockHandle[][] = [];
    let limit = first;
    let i = 0;
    while (i < handles.length) {
      const first = handles[i];
      this.checkHandle(first, 'a data block');
      let j = i + 1;
      let end = first.offset + first.size + BLOCK_TRAILER_BYTES;
      while (j < handles.length) {
        const h = handles[j];
        const hEnd = h.offset + h.size + BLOCK_TRAILER_BYTES;
        if (h.offset !== end || hEnd - first.offset > limit) break;
        this.checkHandle(h, 'a data block');
        end = hEnd;
        j++;
      }
      out.push(handles.slice(i, j));
      limit = Math.min(this.readahead, limit * 2);
      i = j;
    }
    return out;
  }

  private readWindow(window: BlockHandle[]): Promise<Uint8Array> {
    const first = window[0];
    const last = window[window.length - 1];
    return this.source.read(first.offset, last.offset + last.size + BLOCK_TRAILER_BYTES - first.offset);
  }

  /**
   * Decoded data blocks in order. The next window is read while the current one is decoded (from its second block
   * on), so a scan waits on the store only when decoding outruns it; at most two windows are held. Windows start small
   * and grow: a page of entries from each of many files (a merge, a seek) reads a few blocks of each, not the
   * readahead size, and a file of which the merge takes only its first block's entries is read no further.
   */
  private async *dataBlocks(from: Uint8Array | undefined): AsyncGenerator<BlockLayout> {
    let first = Math.min(this.readahead, FIRST_WINDOW_BYTES);
    for await (const handles of this.dataHandles(from)) {
      const windows = this.windows(handles, first);
      first = Math.min(this.readahead, first * 2 ** windows.length);
      let next: Promise<Uint8Array> | undefined;
      for (let w = 0; w < windows.length; w++) {
        const bytes = await (next ?? this.readWindow(windows[w]));
        next = undefined;
        const base = windows[w][0].offset;
        for (let b = 0; b < windows[w].length; b++) {
          if (b === 1 && w + 1 < windows.length) {
            next = this.readWindow(windows[w + 1]);
            // A read that fails while the consumer stops early must not surface as an unhandled rejection.
            next.catch(() => undefined);
          }
          const h = windows[w][b];
          const at = h.offset - base;
          const raw = bytes.subarray(at, Math.min(bytes.length, at + h.size + BLOCK_TRAILER_BYTES));
          yield this.blockLayout(raw, h, 'a data block');
        }
      }
    }
  }

  entries(options: SstEntriesOptions = {}): SstEntries {
    return { [Symbol.asyncIterator]: () => new EntryIterator(this.dataBlocks(options.from), options.from, this) };
  }

  get seqnoOverride(): bigint | undefined {
    const g = this.properties.globalSeqno;
    return g ? BigInt(g) : undefined;
  }

  async lastKeyBound(): Promise<Uint8Array | undefined> {
    const top = await this.top();
    const last = top[top.length - 1];
    if (last === undefined || (!this.keyIsUserKey && last.key.length < 8)) return undefined;
    return this.userPart(last.key);
  }

  async rangeDeletions(): Promise<RangeDeletion[]> {
    const value = this.metaindex.get(METAINDEX_RANGE_DEL);
    if (!value) return [];
    const c = new Cursor(value, 0, value.length, this.metaindexHandle.offset, false);
    const layout = await this.layout(this.handle(c, 'the range deletion handle'), 'the range deletion block');
    const walker = new EntryWalker(layout);
    const out: RangeDeletion[] = [];
    const override = this.seqnoOverride;
    while (walker.next()) {
      const { userKey, seq, type } = splitInternalKey(walker, override);
      if (type !== 'range-deletion') {
        walker.cursor.fail(`the range deletion block holds a ${type} entry`);
      }
      out.push({ start: userKey, end: layout.bytes.slice(walker.valueStart, walker.valueEnd), seq });
    }
    return out;
  }

  async close(): Promise<void> {
    this.cache.clear();
    await this.source.close?.();
  }
}

function readFixed64(v: Uint8Array): number {
  if (v.length < 8) return 0;
  return fixed32At(v, 0) + fixed32At(v, 4) * 0x100000000;
}

let lastSeqNumber = -1;
let lastSeq = 0n;

/** Splits the current internal key: user key, then 8 bytes little-endian of (sequence number << 8 | value type). */
function splitInternalKey(
  walker: EntryWalker,
  override: bigint | undefined,
): { userKey: Uint8Array; seq: bigint; type: ValueType } {
  const n = walker.keyLength;
  if (n < 8) walker.cursor.fail(`an internal key of ${n} bytes is shorter than its 8-byte trailer`);
  const k = walker.key;
  const typeCode = k[n - 8];
  const type = VALUE_TYPES[typeCode];
  if (!type) walker.cursor.fail(`value type ${typeCode} is not one RocksDB writes`);
  const lo = fixed32At(k, n - 8);
  const hi = fixed32At(k, n - 4);
  let seq: bigint;
  // The sequence number is the trailer shifted right by 8: hi * 2^24 + lo / 2^8. Below 2^53 one number-to-bigint
  // conversion suffices, and runs of equal ones (a whole SstFileWriter file has 0) share it.
  if (hi < 0x20000000) {
    const exact = hi * 0x1000000 + (lo >>> 8);
    if (exact !== lastSeqNumber) {
      lastSeqNumber = exact;
      lastSeq = BigInt(exact);
    }
    seq = lastSeq;
  } else {
    seq = (BigInt(hi) << 24n) | BigInt(lo >>> 8);
  }
  if (seq === 0n && override !== undefined) seq = override;
  return { userKey: copyOf(k.subarray(0, n - 8)), seq, type };
}

/** A table's entries in order; the iterator also hands out those of the block in hand without a promise. */
export interface SstEntries extends AsyncIterable<SstEntry> {
  [Symbol.asyncIterator](): SstEntryIterator;
}

export interface SstEntryIterator extends AsyncIterator<SstEntry> {
  /** The next entry if the block in hand has one, else undefined: then `next()` reads on. */
  nextBuffered(): SstEntry | undefined;
}

class EntryIterator implements SstEntryIterator {
  private walker: EntryWalker | undefined;
  /** The key buffer every block's walker rewrites in turn (entries get copies of their keys). */
  private key: Uint8Array | undefined;
  private readonly override: bigint | undefined;

  constructor(
    private readonly blocks: AsyncGenerator<BlockLayout>,
    private from: Uint8Array | undefined,
    reader: TableReader,
  ) {
    this.override = reader.seqnoOverride;
  }

  private step(): SstEntry | undefined {
    const w = this.walker;
    if (!w) return undefined;
    while (w.next()) {
      const { userKey, seq, type } = splitInternalKey(w, this.override);
      if (this.from) {
        if (compareBytes(userKey, this.from) < 0) continue;
        this.from = undefined;
      }
      return { key: userKey, seq, type, value: w.layout.bytes.subarray(w.valueStart, w.valueEnd) };
    }
    this.key = w.key;
    this.walker = undefined;
    return undefined;
  }

  nextBuffered(): SstEntry | undefined {
    return this.step();
  }

  next(): Promise<IteratorResult<SstEntry>> {
    const e = this.step();
    if (e) return Promise.resolve({ done: false, value: e });
    return this.nextBlock();
  }

  private async nextBlock(): Promise<IteratorResult<SstEntry>> {
    for (;;) {
      const b = await this.blocks.next();
      if (b.done) return { done: true, value: undefined };
      this.walker = new EntryWalker(b.value, true, this.key);
      this.key = this.walker.key;
      const e = this.step();
      if (e) return { done: false, value: e };
    }
  }

  async return(): Promise<IteratorResult<SstEntry>> {
    await this.blocks.return(undefined);
    return { done: true, value: undefined };
  }
}

/** Decoded blocks by file offset, least recently used dropped first once over the byte budget. */
class BlockCache {
  private readonly blocks = new Map<number, { layout?: BlockLayout; index?: IndexEntry[]; bytes: number }>();
  private bytes = 0;

  constructor(private readonly budget: number) {}

  get(offset: number): BlockLayout | undefined {
    const e = this.touch(offset);
    return e?.layout;
  }

  getIndex(offset: number): IndexEntry[] | undefined {
    return this.touch(offset)?.index;
  }

  private touch(offset: number) {
    const e = this.blocks.get(offset);
    if (e) {
      this.blocks.delete(offset);
      this.blocks.set(offset, e);
    }
    return e;
  }

  put(offset: number, layout: BlockLayout): void {
    this.add(offset, { layout, bytes: layout.bytes.length });
  }

  putIndex(offset: number, index: IndexEntry[], bytes: number): void {
    this.add(offset, { index, bytes: bytes + index.length * 64 });
  }

  private add(offset: number, e: { layout?: BlockLayout; index?: IndexEntry[]; bytes: number }): void {
    const old = this.blocks.get(offset);
    if (old) this.bytes -= old.bytes;
    this.blocks.set(offset, e);
    this.bytes += e.bytes;
    for (const [k, v] of this.blocks) {
      if (this.bytes <= this.budget || this.blocks.size <= 1) break;
      this.blocks.delete(k);
      this.bytes -= v.bytes;
    }
  }

  clear(): void {
    this.blocks.clear();
    this.bytes = 0;
  }
}
