import { StateSchemaError } from './errors';

/**
 * A bounds-checked big-endian cursor over the head of a state file, reading what `java.io.DataOutputStream` wrote.
 * `base` is the file offset of `bytes[0]`, so every position and error offset is absolute in the file.
 * `complete` says whether `bytes` runs to the end of the file: running past a partial head is `truncated` either way,
 * and the caller may read a longer head and try again.
 */
export class DataInput {
  pos = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly base = 0,
    readonly complete = true,
  ) {}

  get offset(): number {
    return this.base + this.pos;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  need(n: number, what: string): void {
    if (n > this.remaining) {
      throw new StateSchemaError('truncated', this.offset, `the state file ends inside ${what}`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }

  bool(what: string): boolean {
    const b = this.u8(what);
    if (b > 1) throw new StateSchemaError('invalid', this.offset - 1, `${what} is ${b}, not a boolean`);
    return b === 1;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = (this.bytes[this.pos] << 8) | this.bytes[this.pos + 1];
    this.pos += 2;
    return v;
  }

  i32(what: string): number {
    this.need(4, what);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
  }

  i64(what: string): bigint {
    this.need(8, what);
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8).getBigInt64(0);
    this.pos += 8;
    return v;
  }

  /** A non-negative count no larger than `max`, so a corrupt count never drives a large allocation or a long loop. */
  count(what: string, max: number, read: () => number = () => this.i32(what)): number {
    const at = this.offset;
    const n = read();
    if (n < 0 || n > max) throw new StateSchemaError('invalid', at, `${what} is ${n}, expected 0..${max}`);
    return n;
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }

  /** The next `n` bytes, consumed (a view, not a copy). */
  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    this.pos += n;
    return this.bytes.subarray(this.pos - n, this.pos);
  }

  /** The next byte without consuming it, or -1 at the end. */
  peek(): number {
    return this.pos < this.bytes.length ? this.bytes[this.pos] : -1;
  }

  f32(what: string): number {
    this.need(4, what);
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 4).getFloat32(0);
    this.pos += 4;
    return v;
  }

  f64(what: string): number {
    this.need(8, what);
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8).getFloat64(0);
    this.pos += 8;
    return v;
  }

  /**
   * Fails unless `count` elements of at least `minSize` bytes each could still follow, so a corrupt count never drives
   * a large allocation; past a partial head that is `truncated` (a longer read may hold them).
   */
  checkCount(count: number, minSize: number, what: string, countOffset: number): void {
    if (count < 0) throw new StateSchemaError('invalid', countOffset, `negative number of ${what}: ${count}`);
    if (count * minSize > this.remaining) {
      throw new StateSchemaError(
        this.complete ? 'invalid' : 'truncated',
        countOffset,
        `${count} ${what} announced, but only ${this.remaining} bytes remain (each needs at least ${minSize})`,
      );
    }
  }

  /** `DataOutput.writeUTF`: a 2-byte length, then modified UTF-8 (NUL as C0 80, supplementary characters as surrogates). */
  utf(what: string): string {
    const start = this.offset;
    return this.modifiedUtf8(this.u16(`the length of ${what}`), what, start);
  }

  /** `n` bytes of modified UTF-8; `start` is where the string's length field began. */
  modifiedUtf8(n: number, what: string, start: number): string {
    this.need(n, what);
    const s = decodeModifiedUtf8(this.bytes, this.pos, this.pos + n);
    if (s === null) throw new StateSchemaError('invalid', start, `${what} is not modified UTF-8`);
    this.pos += n;
    return s;
  }

  /**
   * `StringValue.writeString` (Flink's `StringUtils.writeString`): the length plus one, then each UTF-16 unit, all as
   * little-endian base-128 varints; a length of zero is null. `maxLength` bounds the characters read.
   */
  flinkString(what: string, maxLength = 1 << 20): string | null {
    const at = this.offset;
    const length = this.varint(`the length of ${what}`, maxLength + 1);
    if (length === 0) return null;
    const units: number[] = [];
    for (let i = 1; i < length; i++) units.push(this.varint(what, 0xffff));
    let s = '';
    for (let k = 0; k < units.length; k += 4096) s += String.fromCharCode(...units.slice(k, k + 4096));
    if (s.length !== length - 1) throw new StateSchemaError('invalid', at, `${what} is not a Flink string`);
    return s;
  }

  private varint(what: string, max: number): number {
    const at = this.offset;
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.u8(what);
      value += (b & 0x7f) * 2 ** shift;
      if (value > max || shift > 28) throw new StateSchemaError('invalid', at, `${what} exceeds ${max}`);
      if (b < 0x80) return value;
    }
  }

  /** Whether a `writeUTF` string satisfying `accept` starts at `at` (an index into `bytes`), without moving. */
  utfAt(at: number, accept: (s: string) => boolean): string | null {
    if (at + 2 > this.bytes.length) return null;
    const length = (this.bytes[at] << 8) | this.bytes[at + 1];
    if (at + 2 + length > this.bytes.length) return null;
    const s = decodeModifiedUtf8(this.bytes, at + 2, at + 2 + length);
    return s !== null && accept(s) ? s : null;
  }

  i32At(at: number): number | null {
    if (at + 4 > this.bytes.length) return null;
    const b = this.bytes;
    return (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
  }
}

function decodeModifiedUtf8(b: Uint8Array, start: number, end: number): string | null {
  const units: number[] = [];
  let i = start;
  while (i < end) {
    const c = b[i];
    if (c < 0x80 && c !== 0) {
      units.push(c);
      i += 1;
    } else if ((c & 0xe0) === 0xc0 && i + 1 < end && (b[i + 1] & 0xc0) === 0x80) {
      units.push(((c & 0x1f) << 6) | (b[i + 1] & 0x3f));
      i += 2;
    } else if ((c & 0xf0) === 0xe0 && i + 2 < end && (b[i + 1] & 0xc0) === 0x80 && (b[i + 2] & 0xc0) === 0x80) {
      units.push(((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f));
      i += 3;
    } else {
      return null;
    }
  }
  let s = '';
  for (let k = 0; k < units.length; k += 4096) s += String.fromCharCode(...units.slice(k, k + 4096));
  return s;
}
