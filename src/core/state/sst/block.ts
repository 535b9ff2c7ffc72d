import { copyOf } from '../byteCopies';
import { SstError } from './errors';
import { type BlockHandle, Cursor, fixed32At } from './varint';

/** The trailer after every block: compression type (1 byte) and checksum (fixed32). */
export const BLOCK_TRAILER_BYTES = 5;

/** The high bit of a block's footer says a data block hash index sits between the restart array and the footer. */
const HASH_INDEX_FLAG = 0x80000000;

/**
 * The layout of one decoded block (RocksDB's block format, as LevelDB's with an optional hash index): entries, then the
 * restart array (fixed32 offsets of entries whose key is stored whole), then — for data blocks written with
 * kDataBlockBinaryAndHash — the hash buckets and their count (fixed16), then the footer: the restart count, high bit
 * set when the hash index is present.
 */
export class BlockLayout {
  readonly restarts: number;
  readonly restartsStart: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly base: number,
    readonly file: string,
    /** Whether `bytes` are the file's own (an uncompressed block), so positions in it are file offsets. */
    readonly positional = true,
  ) {
    const n = bytes.length;
    if (n < 4) throw new SstError('corrupt', base, `a block of ${n} bytes is too short for its restart count`, file);
    const packed = fixed32At(bytes, n - 4);
    let end = n - 4;
    if (packed & HASH_INDEX_FLAG) {
      if (end < 2) throw new SstError('corrupt', base, 'a block ends inside its hash index', file);
      const buckets = bytes[end - 2] | (bytes[end - 1] << 8);
      end -= 2 + buckets;
    }
    const restarts = (packed & HASH_INDEX_FLAG ? packed & ~HASH_INDEX_FLAG : packed) >>> 0;
    if (restarts === 0 || end < 0 || restarts > end / 4) {
      throw new SstError('corrupt', base, `a block of ${n} bytes cannot hold ${restarts} restart points`, file);
    }
    this.restarts = restarts;
    this.restartsStart = end - restarts * 4;
  }

  restartAt(i: number): number {
    return fixed32At(this.bytes, this.restartsStart + 4 * i);
  }
}

/**
 * Walks a block's prefix-compressed entries in order: each is shared key bytes (varint32), non-shared key bytes
 * (varint32), value length (varint32, absent in value-delta-encoded index blocks), the non-shared key bytes, the value.
 * `key` holds the current whole key in `key[0, keyLength)`; it is rewritten by the next step.
 */
export class EntryWalker {
  readonly cursor: Cursor;
  key: Uint8Array;
  keyLength = 0;
  valueStart = 0;
  valueEnd = 0;
  /** Whether the current entry sits at a restart point (its key is whole, an index value is a whole handle). */
  atRestart = false;
  private nextRestart = 0;

  constructor(
    readonly layout: BlockLayout,
    private readonly valueLengths = true,
    /** A key buffer to reuse (a scan's previous block's): allocating one per block costs a tenth of a scan. */
    key?: Uint8Array,
  ) {
    this.cursor = new Cursor(layout.bytes, 0, layout.restartsStart, layout.base, layout.positional);
    this.key = key ?? new Uint8Array(64);
  }

  /** Steps to the next entry; false at the end. For delta-encoded values the caller moves `cursor.pos` past the value. */
  next(): boolean {
    const c = this.cursor;
    if (c.pos >= c.end) return false;
    const b = c.bytes;
    const at = c.pos;
    if (this.nextRestart < this.layout.restarts && this.layout.restartAt(this.nextRestart) === at) {
      this.atRestart = true;
      this.nextRestart++;
    } else {
      this.atRestart = false;
    }
    let shared: number;
    let nonShared: number;
    let valueLength = 0;
    // The common case: all lengths below 128 fit one byte each.
    if (this.valueLengths && at + 3 <= c.end && (b[at] | b[at + 1] | b[at + 2]) < 0x80) {
      shared = b[at];
      nonShared = b[at + 1];
      valueLength = b[at + 2];
      c.pos = at + 3;
    } else {
      shared = c.varint32('the shared key length');
      nonShared = c.varint32('the key length');
      if (this.valueLengths) valueLength = c.varint32('the value length');
    }
    if (shared > this.keyLength) c.fail(`an entry shares ${shared} key bytes with a key of ${this.keyLength}`);
    if (nonShared > c.end - c.pos) c.fail('the block ends inside a key');
    const length = shared + nonShared;
    if (length > this.key.length) {
      const grown = new Uint8Array(Math.max(length, this.key.length * 2));
      grown.set(this.key.subarray(0, shared));
      this.key = grown;
    }
    this.key.set(b.subarray(c.pos, c.pos + nonShared), shared);
    c.pos += nonShared;
    this.keyLength = length;
    if (this.valueLengths) {
      if (valueLength > c.end - c.pos) c.fail('the block ends inside a value');
      this.valueStart = c.pos;
      c.pos += valueLength;
      this.valueEnd = c.pos;
    } else {
      this.valueStart = c.pos;
    }
    return true;
  }
}

/** One entry of an index block: its separator key and the block it points to. */
export interface IndexEntry {
  readonly key: Uint8Array;
  readonly handle: BlockHandle;
}

/**
 * Decodes a whole index block (binary search index, or a partition or the top level of a two-level index). With
 * value delta encoding (format_version 4+), entries between restart points store only the size change, the offset
 * following from the previous block and its trailer; with kBinarySearchWithFirstKey each value also carries the block's
 * first key, which is skipped here.
 */
export function decodeIndexBlock(
  layout: BlockLayout,
  deltaEncoded: boolean,
  haveFirstKey: boolean,
  trailerBytes: number,
): IndexEntry[] {
  const walker = new EntryWalker(layout, !deltaEncoded);
  const out: IndexEntry[] = [];
  let previous: BlockHandle | undefined;
  while (walker.next()) {
    // In shared slabs: a buffer of its own per index entry made a merge of many files spend its time in GC.
    const key = copyOf(walker.key.subarray(0, walker.keyLength));
    const c = deltaEncoded
      ? walker.cursor
      : new Cursor(layout.bytes, walker.valueStart, walker.valueEnd, layout.base, layout.positional);
    let handle: BlockHandle;
    if (deltaEncoded && !walker.atRestart && previous) {
      const delta = c.varsigned64('a block size change');
      const size = previous.size + delta;
      if (size < 0) c.fail(`a block size change of ${delta} leaves a negative size`);
      handle = { offset: previous.offset + previous.size + trailerBytes, size };
    } else {
      handle = { offset: c.varint64('a block offset'), size: c.varint64('a block size') };
    }
    if (haveFirstKey) {
      const n = c.varint32('the length of a first key');
      c.bytesOf(n, 'a first key');
    }
    out.push({ key, handle });
    previous = handle;
  }
  return out;
}

/** Decodes a block of named entries (the metaindex and the properties block) into a map of name to value. */
export function decodeNamedBlock(layout: BlockLayout): Map<string, Uint8Array> {
  const walker = new EntryWalker(layout);
  const out = new Map<string, Uint8Array>();
  const text = new TextDecoder('utf-8', { fatal: false });
  while (walker.next()) {
    out.set(
      text.decode(walker.key.subarray(0, walker.keyLength)),
      layout.bytes.slice(walker.valueStart, walker.valueEnd),
    );
  }
  return out;
}
