import { MetadataError } from './errors';

const TWO_POW_32 = 4294967296;
/** |hi| below this keeps hi * 2^32 + lo inside the exactly representable integers. */
const SAFE_HIGH_WORD = 0x200000;
/** Scratch space for decoding one string (at most 65535 code units); decoding is synchronous, so one suffices. */
const UTF16 = new Uint16Array(65535);

/**
 * A bounds-checked big-endian cursor over one byte array, reading the way `java.io.DataInputStream` writes.
 * Every read that would run past the end throws a `truncated` MetadataError naming what was being read.
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  readonly length: number;
  pos: number;
  /**
   * When set, `utf` validates strings and returns '' without decoding them: the first pass over subtask state only
   * checks the bytes, so parsing a large file allocates almost nothing (see OperatorState.subtasks).
   */
  skipStrings = false;
  private readonly view: DataView;

  private readonly ascii: (start: number, end: number) => string;

  constructor(bytes: Uint8Array, start = 0) {
    this.bytes = bytes;
    this.length = bytes.length;
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.ascii = asciiDecoder(bytes);
  }

  get remaining(): number {
    return this.length - this.pos;
  }

  /** Fails unless `n` more bytes are there; `what` names the thing being read for the error message. */
  need(n: number, what: string): void {
    if (n > this.length - this.pos) {
      throw new MetadataError(
        'truncated',
        this.pos,
        `file ends early: expected ${what} (${n} byte${n === 1 ? '' : 's'}) but only ${this.length - this.pos} remain`,
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

  u8(what: string): number {
    if (this.pos >= this.length) this.need(1, what);
    return this.bytes[this.pos++];
  }

  i32(what: string): number {
    if (this.pos + 4 > this.length) this.need(4, what);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  u16(what: string): number {
    if (this.pos + 2 > this.length) this.need(2, what);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  /**
   * A Java `long` as a number. Exact whenever the value fits in 53 bits (every real size and offset does);
   * larger values are read through BigInt and rounded, never wrapped.
   */
  i64(what: string): number {
    if (this.pos + 8 > this.length) this.need(8, what);
    const hi = this.view.getInt32(this.pos);
    const lo = this.view.getUint32(this.pos + 4);
    const at = this.pos;
    this.pos += 8;
    if (hi > -SAFE_HIGH_WORD && hi < SAFE_HIGH_WORD) return hi * TWO_POW_32 + lo;
    return Number(this.view.getBigInt64(at));
  }

  /** A Java `long` kept exact, for checkpoint ids. */
  i64Big(what: string): bigint {
    this.need(8, what);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }

  f32(what: string): number {
    this.need(4, what);
    const v = this.view.getFloat32(this.pos);
    this.pos += 4;
    return v;
  }

  f64(what: string): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  /** `DataInputStream.readUTF`: unsigned 16-bit byte length, then Java modified UTF-8. */
  utf(what: string): string {
    const start = this.pos;
    const n = this.u16(`length of ${what}`);
    return this.modifiedUtf8(n, what, start);
  }

  /** `n` bytes of Java modified UTF-8; `start` is where the string's length field began, for messages. */
  modifiedUtf8(n: number, what: string, start: number): string {
    this.need(n, what);
    const s = this.pos;
    const end = s + n;
    const b = this.bytes;
    let ascii = true;
    for (let i = s; i < end; i++) {
      if (b[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    this.pos = end;
    if (ascii) return n === 0 || this.skipStrings ? '' : this.ascii(s, end);
    const text = this.decodeModifiedUtf8(s, end, start, what);
    return this.skipStrings ? '' : text;
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
        if (i + 1 >= end || (b[i + 1] & 0xc0) !== 0x80) throw badUtf(i, what, start);
        out[k++] = ((c & 0x1f) << 6) | (b[i + 1] & 0x3f);
        i += 2;
      } else if ((c & 0xf0) === 0xe0) {
        if (i + 2 >= end || (b[i + 1] & 0xc0) !== 0x80 || (b[i + 2] & 0xc0) !== 0x80) throw badUtf(i, what, start);
        out[k++] = ((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
        i += 3;
      } else {
        throw badUtf(i, what, start);
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

/**
 * Decodes pure-ASCII ranges of `bytes`. Node's Buffer does it natively without copying (the common case: the CLI and
 * the extension host); elsewhere a UTF-8 TextDecoder gives the same result for ASCII.
 */
function asciiDecoder(bytes: Uint8Array): (start: number, end: number) => string {
  const NodeBuffer = (globalThis as { Buffer?: { from(b: ArrayBufferLike, o: number, l: number): { toString(enc: string, s: number, e: number): string } } }).Buffer;
  if (NodeBuffer !== undefined) {
    const buf = NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return (start, end) => buf.toString('latin1', start, end);
  }
  const decoder = new TextDecoder('utf-8');
  return (start, end) => decoder.decode(bytes.subarray(start, end));
}
