import { MetadataError } from './errors';
import { errorMessage } from '../errors';

const TWO_POW_32 = 4294967296;
/** |hi| below this keeps hi * 2^32 + lo inside the exactly representable integers. */
const SAFE_HIGH_WORD = 0x200000;
/** Scratch space for decoding one string (at most 65535 code units); decoding is synchronous, so one suffices. */
const UTF16 = new Uint16Array(65535);

/**
 * Random-access bytes of one file, for reading a file larger than one wants to hold whole (see ByteReader).
 * `read` fills `target[offset..offset+length)` from absolute `position` and returns how many bytes it read; fewer
 * than asked only at the end of the file.
 */
export interface ByteSource {
  readonly size: number;
  read(target: Uint8Array, offset: number, length: number, position: number): number;
}

/** Reads `length` bytes at `position` into the start of `target`, in as many reads as it takes; fewer only at the end. */
export function readFully(source: ByteSource, target: Uint8Array, length: number, position: number): number {
  let got = 0;
  while (got < length) {
    const k = source.read(target, got, length - got, position + got);
    if (k <= 0) break;
    got += k;
  }
  return got;
}

/** A ByteSource failed to read (an I/O error, not a fault of the metadata); `cause` is what it threw. */
export class SourceError extends Error {
  constructor(override readonly cause: unknown) {
    super(errorMessage(cause));
  }
}

/** Bytes a streaming reader holds at once, unless one string or value needs more. */
export const DEFAULT_WINDOW = 1 << 20;
/** The first read after a skip past the window: inline state is often followed by a few hundred bytes of handles. */
const AFTER_SKIP = 1024;
/** Skips shorter than this (offset arrays) are no sign of more to skip: reading on in full windows is cheaper. */
const LARGE_SKIP = 4096;

/**
 * A bounds-checked big-endian cursor over one file, reading the way `java.io.DataInputStream` writes. It reads
 * either a byte array held whole or a {@link ByteSource} through a window: positions (`pos`, error offsets) are
 * always absolute in the file, and skipped ranges (inline state, offset arrays) are never read at all.
 * Every read that would run past the end (or past a limit set with {@link withLimit}) throws a `truncated`
 * MetadataError naming what was being read.
 */
export class ByteReader {
  /**
   * The bytes in reach: the whole file, or the storage of a streamed file's window (file offset `base` at index 0;
   * only what `need` brought into reach is valid).
   */
  bytes: Uint8Array;
  base = 0;
  /** Where reading must stop: the file's size, or a temporary limit. */
  length: number;
  pos: number;
  /**
   * When set, `utf` validates strings and returns '' without decoding them: the first pass over subtask state only
   * checks the bytes, so parsing a large file allocates almost nothing (see OperatorState.subtasks).
   */
  skipStrings = false;
  /** Whether the last string read was pure ASCII. */
  lastAscii = true;
  /** Absolute offset up to which reads need no check: the end of the window or the limit, whichever is first. */
  private stop: number;
  /** Absolute offset where the bytes read into the window end (the window's storage may be longer). */
  private windowEnd: number;
  private view: DataView;
  private readonly source: ByteSource | null;
  private readonly window: number;
  /** How much the next fill reads: small after a skip past the window, growing back to `window` while reading on. */
  private nextRead: number;

  constructor(input: Uint8Array | ByteSource, start = 0, window = DEFAULT_WINDOW) {
    if (input instanceof Uint8Array) {
      this.bytes = input;
      this.length = input.length;
      this.source = null;
    } else {
      this.bytes = new Uint8Array(0);
      this.length = input.size;
      this.source = input;
    }
    this.window = Math.max(1, window);
    this.nextRead = this.window;
    this.pos = start;
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.windowEnd = this.bytes.length;
    this.stop = Math.min(this.length, this.windowEnd);
  }

  get remaining(): number {
    return this.length - this.pos;
  }

  /** The position, under the name the shared Java stream walker reads it by. */
  get offset(): number {
    return this.pos;
  }

  /** Runs `read` with reading limited to `end`, the way a length-prefixed block is read; restores the limit after. */
  withLimit<T>(end: number, read: () => T): T {
    const outer = this.length;
    this.setLimit(end);
    try {
      return read();
    } finally {
      this.setLimit(outer);
    }
  }

  private setLimit(end: number): void {
    this.length = end;
    this.stop = Math.min(end, this.windowEnd);
  }

  /** Fails unless `n` more bytes are there and in reach; `what` names the thing being read for the error message. */
  need(n: number, what: string): void {
    if (n > this.stop - this.pos) this.fill(n, what);
  }

  /** Fails unless `n` more bytes are there, without reading them. */
  checkRemaining(n: number, what: string): void {
    if (n > this.length - this.pos) {
      throw new MetadataError(
        'truncated',
        this.pos,
        `file ends early: expected ${what} (${n} byte${n === 1 ? '' : 's'}) but only ${this.length - this.pos} remain`,
      );
    }
  }

  /** Brings `[pos, pos + n)` into the window, reading from the source; throws when the file has fewer bytes. */
  private fill(n: number, what: string): void {
    this.checkRemaining(n, what);
    const source = this.source;
    if (source === null) throw new MetadataError('truncated', this.pos, `file ends early: expected ${what}`);
    const want = Math.min(Math.max(this.nextRead, n), source.size - this.pos);
    this.nextRead = Math.min(this.window, this.nextRead * 8);
    // The window's storage is reused from one fill to the next; one grown for a long value shrinks back.
    if (this.bytes.length < want || this.bytes.length > Math.max(want, this.window)) {
      this.bytes = new Uint8Array(Math.max(want, Math.min(this.window, source.size)));
      this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    }
    let got: number;
    try {
      got = readFully(source, this.bytes, want, this.pos);
    } catch (error) {
      throw new SourceError(error);
    }
    // The storage is used as it is: reads stop at `stop`, never at its length.
    this.base = this.pos;
    this.windowEnd = this.pos + got;
    this.stop = Math.min(this.length, this.windowEnd);
    if (got < n) {
      throw new MetadataError(
        'truncated',
        this.pos,
        `file ends early: expected ${what} (${n} bytes), but the file shrank to ${this.pos + got} bytes while being read`,
      );
    }
  }

  /**
   * Fails unless `count` elements of at least `minSize` bytes each could still follow, so a corrupt count can
   * never make the caller allocate more than the rest of the file could describe.
   */
  checkCount(count: number, minSize: number, what: string, countOffset: number): void {
    if (count < 0) {
      throw new MetadataError('invalid', countOffset, `negative number of ${what}: ${count}`);
    }
    if (count * minSize > this.length - this.pos) {
      throw new MetadataError(
        'truncated',
        countOffset,
        `${count} ${what} announced, but only ${this.length - this.pos} bytes remain (each needs at least ${minSize})`,
      );
    }
  }

  /** The next byte without consuming it, or -1 at the end. */
  peek(): number {
    if (this.pos >= this.stop) {
      if (this.pos >= this.length) return -1;
      this.fill(1, 'next byte');
    }
    return this.bytes[this.pos - this.base];
  }

  u8(what: string): number {
    if (this.pos >= this.stop) this.fill(1, what);
    return this.bytes[this.pos++ - this.base];
  }

  /** `prefix` joins `what` in the message only when the bytes are missing (no string is built per read). */
  i32(what: string, prefix = ''): number {
    if (this.pos + 4 > this.stop) this.fill(4, prefix + what);
    const v = this.view.getInt32(this.pos - this.base);
    this.pos += 4;
    return v;
  }

  u16(what: string, prefix = ''): number {
    if (this.pos + 2 > this.stop) this.fill(2, prefix + what);
    const v = this.view.getUint16(this.pos - this.base);
    this.pos += 2;
    return v;
  }

  /**
   * A Java `long` as a number. Exact whenever the value fits in 53 bits (every real size and offset does);
   * larger values are read through BigInt and rounded, never wrapped.
   */
  i64(what: string): number {
    if (this.pos + 8 > this.stop) this.fill(8, what);
    const at = this.pos - this.base;
    const hi = this.view.getInt32(at);
    const lo = this.view.getUint32(at + 4);
    this.pos += 8;
    if (hi > -SAFE_HIGH_WORD && hi < SAFE_HIGH_WORD) return hi * TWO_POW_32 + lo;
    return Number(this.view.getBigInt64(at));
  }

  /** A Java `long` kept exact, for checkpoint ids. */
  i64Big(what: string): bigint {
    this.need(8, what);
    const v = this.view.getBigInt64(this.pos - this.base);
    this.pos += 8;
    return v;
  }

  /** Moves past `n` bytes without reading them (a streamed file is not read there at all). */
  skip(n: number, what: string): void {
    this.checkRemaining(n, what);
    this.pos += n;
    if (n >= LARGE_SKIP && this.pos > this.windowEnd) this.nextRead = Math.min(this.window, AFTER_SKIP);
  }

  /** The next `n` bytes, copied: a streamed file's window moves on. */
  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const s = this.pos - this.base;
    this.pos += n;
    return this.bytes.slice(s, s + n);
  }

  f32(what: string): number {
    this.need(4, what);
    const v = this.view.getFloat32(this.pos - this.base);
    this.pos += 4;
    return v;
  }

  f64(what: string): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos - this.base);
    this.pos += 8;
    return v;
  }

  /** `DataInputStream.readUTF`: unsigned 16-bit byte length, then Java modified UTF-8. */
  utf(what: string): string {
    const start = this.pos;
    return this.modifiedUtf8(this.u16(what, 'length of '), what, start);
  }

  /** `n` bytes of Java modified UTF-8; `start` is where the string's length field began, for messages. */
  modifiedUtf8(n: number, what: string, start: number): string {
    this.need(n, what);
    const s = this.pos - this.base;
    const end = s + n;
    const b = this.bytes;
    let ascii = true;
    for (let i = s; i < end; i++) {
      if (b[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    this.pos += n;
    this.lastAscii = ascii;
    if (ascii) return n === 0 || this.skipStrings ? '' : asciiSlice(b, s, end);
    const text = this.decodeModifiedUtf8(s, end, start, what);
    return this.skipStrings ? '' : text;
  }

  /** Decodes `bytes[start..end)` of the window, a string `utf` has already validated. */
  decodeInWindow(start: number, end: number): string {
    return this.decodeModifiedUtf8(start, end, this.base + start - 2, 'string');
  }

  private decodeModifiedUtf8(s: number, end: number, start: number, what: string): string {
    const b = this.bytes;
    const out = UTF16;
    let text = '';
    let k = 0;
    let i = s;
    while (i < end) {
      if (k > out.length - 2) {
        text += fromUnits(out, k);
        k = 0;
      }
      const c = b[i];
      if (c < 0x80) {
        // Java's writer never emits a raw 0 byte (U+0000 is C0 80), but its reader accepts one.
        out[k++] = c;
        i++;
      } else if ((c & 0xe0) === 0xc0) {
        if (i + 1 >= end || (b[i + 1] & 0xc0) !== 0x80) throw badUtf(i + this.base, what, start);
        out[k++] = ((c & 0x1f) << 6) | (b[i + 1] & 0x3f);
        i += 2;
      } else if ((c & 0xf0) === 0xe0) {
        if (i + 2 >= end || (b[i + 1] & 0xc0) !== 0x80 || (b[i + 2] & 0xc0) !== 0x80) {
          throw badUtf(i + this.base, what, start);
        }
        out[k++] = ((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
        i += 3;
      } else {
        throw badUtf(i + this.base, what, start);
      }
    }
    return text + fromUnits(out, k);
  }
}

function fromUnits(units: Uint16Array, k: number): string {
  let text = '';
  for (let j = 0; j < k; j += 8192) {
    text += String.fromCharCode.apply(null, units.subarray(j, Math.min(k, j + 8192)) as unknown as number[]);
  }
  return text;
}

function badUtf(at: number, what: string, start: number): MetadataError {
  return new MetadataError('invalid', at, `malformed modified UTF-8 in ${what} (string starts at byte ${start})`);
}

const latin1Slice = (
  globalThis as { Buffer?: { prototype: { latin1Slice?: (this: Uint8Array, start: number, end: number) => string } } }
).Buffer?.prototype.latin1Slice;
const asciiText = new TextDecoder('utf-8');

/** `bytes[start..end)`, all below 0x80, as a string: natively under Node, through a TextDecoder elsewhere. */
export function asciiSlice(bytes: Uint8Array, start: number, end: number): string {
  return latin1Slice !== undefined ? latin1Slice.call(bytes, start, end) : asciiText.decode(bytes.subarray(start, end));
}
