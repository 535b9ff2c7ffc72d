/** Writes big-endian bytes the way java.io.DataOutputStream does, to hand-build small `_metadata` files in tests. */
export class Bytes {
  private readonly out: number[] = [];

  i8(...values: number[]): this {
    for (const v of values) this.out.push(v & 0xff);
    return this;
  }

  i32(...values: number[]): this {
    for (const v of values) this.out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    return this;
  }

  i64(value: number | bigint): this {
    const v = BigInt.asUintN(64, BigInt(value));
    for (let shift = 56n; shift >= 0n; shift -= 8n) this.out.push(Number((v >> shift) & 0xffn));
    return this;
  }

  /** `writeUTF` of an ASCII string. */
  utf(s: string): this {
    this.out.push((s.length >> 8) & 0xff, s.length & 0xff);
    for (let i = 0; i < s.length; i++) this.out.push(s.charCodeAt(i));
    return this;
  }

  /** `n` zero bytes, e.g. an inline state payload. */
  zeros(n: number): this {
    for (let i = 0; i < n; i++) this.out.push(0);
    return this;
  }

  id(fill: number): this {
    for (let i = 0; i < 16; i++) this.out.push(fill);
    return this;
  }

  get bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

export const MAGIC = 0x4960672d;
/** A Java serialization stream holding `null`: what a writer with null CheckpointProperties appends. */
export const NULL_PROPERTIES = [0xac, 0xed, 0x00, 0x05, 0x70];
