import { StateSchemaError } from '../errors';

/** Bound of what one decompressed key group may take, so a corrupt length never drives a huge allocation. */
const MAX_OUTPUT = 1 << 30;

/**
 * The Snappy framing format, as `SnappyFramedOutputStream` (xerial) writes it for Flink's snapshot compression
 * (`execution.checkpointing.snapshot-compression`): chunks of a type byte and a 3-byte little-endian length; stream
 * identifiers, which start each compressed stream, may repeat, since Flink starts one per key group (and per state).
 * `base` is the file offset of `bytes[0]`, for error offsets.
 */
export function decodeSnappyFramed(bytes: Uint8Array, base: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  let i = 0;
  while (i < bytes.length) {
    if (i + 4 > bytes.length) {
      throw new StateSchemaError('truncated', base + i, 'the file ends inside a Snappy chunk header');
    }
    const type = bytes[i];
    const length = bytes[i + 1] | (bytes[i + 2] << 8) | (bytes[i + 3] << 16);
    const start = i + 4;
    const end = start + length;
    if (end > bytes.length) throw new StateSchemaError('truncated', base + i, 'the file ends inside a Snappy chunk');
    if (type === 0x00 || type === 0x01) {
      if (length < 4) throw new StateSchemaError('invalid', base + i, 'a Snappy data chunk shorter than its checksum');
      const data =
        type === 0x00
          ? decodeSnappyBlock(bytes.subarray(start + 4, end), base + start + 4)
          : bytes.subarray(start + 4, end);
      total += data.length;
      if (total > MAX_OUTPUT) throw new StateSchemaError('invalid', base + i, 'Snappy data decompresses beyond 1 GiB');
      parts.push(data);
    } else if (type === 0xff) {
      const id = Buffer.from(bytes.subarray(start, end)).toString('latin1');
      if (id !== 'sNaPpY') throw new StateSchemaError('invalid', base + i, 'not a Snappy stream identifier');
    } else if (type < 0x80) {
      throw new StateSchemaError('invalid', base + i, `Snappy chunk type ${type} is reserved`);
    }
    i = end;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One raw Snappy block: the uncompressed length as a varint, then literals and back-references. */
export function decodeSnappyBlock(src: Uint8Array, base: number): Uint8Array {
  let i = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (i >= src.length || shift > 28) throw new StateSchemaError('invalid', base, 'a Snappy block without a length');
    const b = src[i++];
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (length > MAX_OUTPUT) throw new StateSchemaError('invalid', base, 'a Snappy block beyond 1 GiB');
  const out = new Uint8Array(length);
  let o = 0;
  const bad = (what: string) => new StateSchemaError('invalid', base + i, `corrupt Snappy block: ${what}`);
  while (i < src.length) {
    const tag = src[i++];
    let len: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        len = tag >>> 2;
        if (len >= 60) {
          const n = len - 59;
          if (i + n > src.length) throw bad('literal length');
          len = 0;
          for (let k = 0; k < n; k++) len += src[i + k] * 2 ** (8 * k);
          i += n;
        }
        len += 1;
        if (i + len > src.length || o + len > length) throw bad('literal beyond the block');
        out.set(src.subarray(i, i + len), o);
        i += len;
        o += len;
        continue;
      }
      case 1:
        if (i + 1 > src.length) throw bad('copy offset');
        len = 4 + ((tag >>> 2) & 7);
        offset = ((tag >>> 5) << 8) | src[i++];
        break;
      case 2:
        if (i + 2 > src.length) throw bad('copy offset');
        len = (tag >>> 2) + 1;
        offset = src[i] | (src[i + 1] << 8);
        i += 2;
        break;
      default:
        if (i + 4 > src.length) throw bad('copy offset');
        len = (tag >>> 2) + 1;
        offset = (src[i] | (src[i + 1] << 8) | (src[i + 2] << 16) | (src[i + 3] << 24)) >>> 0;
        i += 4;
    }
    if (offset === 0 || offset > o || o + len > length) throw bad('copy outside the output');
    for (let k = 0; k < len; k++, o++) out[o] = out[o - offset];
  }
  if (o !== length) throw bad(`${o} bytes where ${length} were announced`);
  return out;
}
