import { createCRC32, createXXHash32, createXXHash64, createXXHash3, type IHasher } from 'hash-wasm';

/** RocksDB's ChecksumType, the byte in the footer (table/format: "checksum type"). */
export type ChecksumType = 'none' | 'crc32c' | 'xxhash' | 'xxhash64' | 'xxh3';

export const CHECKSUM_TYPES: readonly ChecksumType[] = ['none', 'crc32c', 'xxhash', 'xxhash64', 'xxh3'];

/** CRC32C's reflected polynomial (Castagnoli). */
const CRC32C_POLYNOMIAL = 0x82f63b78;
/** RocksDB masks stored CRCs (as LevelDB does) so a CRC of data holding CRCs stays well distributed. */
const CRC_MASK_DELTA = 0xa282ead8;
/** The prime RocksDB mixes the last byte of a block (its compression type) into an XXH3 checksum with. */
const XXH3_LAST_BYTE_PRIME = 0x6b9083d9;

/**
 * Block and footer checksums as RocksDB's block-based table computes them (table/format: ComputeBuiltinChecksum and
 * its "with last byte" variant, plus the format_version 6 context modifier). The hashers are WebAssembly builds of
 * CRC32C and xxHash from hash-wasm, created once per kind.
 */
export class Checksums {
  private constructor(private readonly hashers: Map<ChecksumType, IHasher>) {}

  private static shared: Promise<Checksums> | undefined;

  static load(): Promise<Checksums> {
    Checksums.shared ??= (async () => {
      const [crc, x32, x64, x3] = await Promise.all([
        createCRC32(CRC32C_POLYNOMIAL),
        createXXHash32(0),
        createXXHash64(0, 0),
        createXXHash3(0, 0),
      ]);
      return new Checksums(
        new Map<ChecksumType, IHasher>([
          ['crc32c', crc],
          ['xxhash', x32],
          ['xxhash64', x64],
          ['xxh3', x3],
        ]),
      );
    })();
    return Checksums.shared;
  }

  /** The lower 32 bits of the hash of `parts` (hash-wasm digests in canonical big-endian order). */
  private low32(type: ChecksumType, ...parts: Uint8Array[]): number {
    const h = this.hashers.get(type);
    if (!h) return 0;
    h.init();
    for (const p of parts) h.update(p);
    const d = h.digest('binary');
    const n = d.length;
    return ((d[n - 4] << 24) | (d[n - 3] << 16) | (d[n - 2] << 8) | d[n - 1]) >>> 0;
  }

  /** The checksum of a block's bytes followed by its compression-type byte, as stored in its trailer. */
  block(type: ChecksumType, data: Uint8Array, lastByte: number): number {
    switch (type) {
      case 'crc32c':
        return mask(this.low32(type, data, Uint8Array.of(lastByte)));
      case 'xxhash':
      case 'xxhash64':
        return this.low32(type, data, Uint8Array.of(lastByte));
      case 'xxh3':
        return (this.low32(type, data) ^ Math.imul(lastByte, XXH3_LAST_BYTE_PRIME)) >>> 0;
      default:
        return 0;
    }
  }

  /** The checksum of a whole buffer (the format_version 6 footer). */
  whole(type: ChecksumType, data: Uint8Array): number {
    if (type === 'xxh3') {
      if (data.length === 0) return 0;
      return this.block(type, data.subarray(0, data.length - 1), data[data.length - 1]);
    }
    if (type === 'crc32c') return mask(this.low32(type, data));
    return this.low32(type, data);
  }
}

function mask(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + CRC_MASK_DELTA) >>> 0;
}

/**
 * format_version 6 ties each stored checksum to where its block sits in its file, so a block copied to another place
 * or file fails its check: the modifier is zero when the footer's base context checksum is zero.
 */
export function contextModifier(base: number, offset: number): number {
  if (base === 0) return 0;
  const lower = offset >>> 0;
  const upper = Math.floor(offset / 0x100000000) >>> 0;
  return (base ^ ((lower + upper) >>> 0)) >>> 0;
}
