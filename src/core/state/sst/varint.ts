import { SstError } from './errors';

/**
 * A cursor over one decoded block (or the footer) with RocksDB's little-endian fixed-width and varint encodings.
 * `base` is the file offset of `bytes[0]`; when `positional` is false (a decompressed block has no file positions of
 * its own) errors report `base`, the block's offset, and name the position in the decompressed bytes.
 */
export class Cursor {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number,
    readonly base: number,
    readonly positional = true,
  ) {}

  fail(what: string): never {
    const at = Math.min(this.pos, this.end);
    if (this.positional) throw new SstError('corrupt', this.base + at, what);
    throw new SstError('corrupt', this.base, `${what}, at byte ${at} of the decompressed block`);
  }

  varint32(what: string): number {
    const b = this.bytes;
    let result = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      if (this.pos >= this.end) this.fail(`the block ends inside ${what}`);
      const byte = b[this.pos++];
      result |= (byte & 0x7f) << shift;
      if (byte < 0x80) return result >>> 0;
    }
    this.fail(`${what} is not a valid varint32`);
  }

  /** A varint64 as a number; larger than 2^53 is corrupt for every use here (offsets, sizes, counts). */
  varint64(what: string): number {
    const b = this.bytes;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail(`the block ends inside ${what}`);
      const byte = b[this.pos++];
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) this.fail(`${what} is too large`);
        return result;
      }
      scale *= 128;
    }
    this.fail(`${what} is not a valid varint64`);
  }

  /** RocksDB's zig-zag signed varint64 (delta-encoded index values). */
  varsigned64(what: string): number {
    const u = this.varint64(what);
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  fixed32(what: string): number {
    if (this.pos + 4 > this.end) this.fail(`the block ends inside ${what}`);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  bytesOf(n: number, what: string): Uint8Array {
    if (n > this.end - this.pos) this.fail(`the block ends inside ${what}`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

export function fixed32At(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

/** Where a block lives: RocksDB's BlockHandle (varint64 offset, varint64 size; the size excludes the 5-byte trailer). */
export interface BlockHandle {
  readonly offset: number;
  readonly size: number;
}

export function readHandle(c: Cursor, what: string): BlockHandle {
  const offset = c.varint64(`the offset of ${what}`);
  const size = c.varint64(`the size of ${what}`);
  return { offset, size };
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
