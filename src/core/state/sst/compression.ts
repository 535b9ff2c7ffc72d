import { inflateRawSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { decompressBlock as lz4DecompressBlock } from 'lz4js';
import { uncompress as snappyUncompress } from 'snappyjs';
import { SstError } from './errors';
import { Cursor, fixed32At } from './varint';

/**
 * RocksDB's CompressionType byte in each block trailer. Flink's RocksDB backend (frocksdb, and ForSt) leaves RocksDB's
 * default, Snappy, in every line unless a user configures another compression; LZ4 and ZSTD are the usual choices then.
 */
export const COMPRESSION_NAMES: Readonly<Record<number, string>> = {
  0x0: 'none',
  0x1: 'Snappy',
  0x2: 'Zlib',
  0x3: 'BZip2',
  0x4: 'LZ4',
  0x5: 'LZ4HC',
  0x6: 'Xpress',
  0x7: 'ZSTD',
};

/** RocksDB's older ZSTD marker (kZSTDNotFinalCompression), written by builds before ZSTD's format was final. */
const ZSTD_NOT_FINAL = 0x40;

/** No block a writer produces is larger; a corrupt size prefix beyond this is refused before allocating. */
export const MAX_BLOCK_BYTES = 256 * 1024 * 1024;

/**
 * The most a compressed block may claim to decompress to, so a corrupt size never drives a large allocation or a long
 * decode: what the format can expand to at most (Snappy's densest copy turns 2 bytes into 64, LZ4's a byte into 255),
 * and for Zlib and ZSTD, which can expand a run of one byte almost without limit, 16 MiB or 1024 times the input.
 */
function maxDecompressed(type: number, compressed: number): number {
  const limit =
    type === 0x1
      ? compressed * 32 + 64
      : type === 0x4 || type === 0x5
        ? compressed * 256 + 64
        : Math.max(16 * 1024 * 1024, compressed * 1024);
  return Math.min(MAX_BLOCK_BYTES, limit);
}

/**
 * Decompresses one block. From format_version 2 on, every compression but Snappy (which carries its own length) is
 * preceded by the decompressed size as a varint32 (RocksDB's compress_format_version 2).
 */
export function decompressBlock(
  type: number,
  data: Uint8Array,
  formatVersion: number,
  offset: number,
  file: string,
): Uint8Array {
  const fail = (why: string): never => {
    throw new SstError(
      'corrupt',
      offset,
      `a ${COMPRESSION_NAMES[type] ?? type} block does not decompress: ${why}`,
      file,
    );
  };
  // The decompressed size: a varint32 prefix from format_version 2 on (RocksDB's compress_format_version 2), and always
  // for ZSTD; before, LZ4 carried it in 8 leading bytes (a little-endian fixed32 and 4 unused) and Zlib not at all.
  const sized = (): { size: number | undefined; body: Uint8Array } => {
    if (formatVersion < 2 && type !== 0x7 && type !== ZSTD_NOT_FINAL) {
      if (type !== 0x4 && type !== 0x5) return { size: undefined, body: data };
      if (data.length < 8) fail('the block is shorter than its 8-byte size header');
      const size = fixed32At(data, 0);
      if (size > maxDecompressed(type, data.length)) fail(`a decompressed size of ${size} bytes`);
      return { size, body: data.subarray(8) };
    }
    const c = new Cursor(data, 0, data.length, offset);
    const size = c.varint32('the decompressed size');
    if (size > maxDecompressed(type, data.length)) {
      fail(`a decompressed size of ${size} bytes from ${data.length} compressed bytes`);
    }
    return { size, body: data.subarray(c.pos) };
  };
  try {
    switch (type) {
      case 0x1: {
        return snappyUncompress(data, maxDecompressed(type, data.length));
      }
      case 0x4:
      case 0x5: {
        const { size = 0, body } = sized();
        const out = new Uint8Array(size);
        const end = lz4DecompressBlock(body, out, 0, body.length, 0);
        if (end !== size) fail(`${end} bytes instead of ${size}`);
        return out;
      }
      case 0x7:
      case ZSTD_NOT_FINAL: {
        const { size = 0, body } = sized();
        const out = zstdDecompress(body, new Uint8Array(size));
        if (out.length !== size) fail(`${out.length} bytes instead of ${size}`);
        return out;
      }
      case 0x2: {
        const { size, body } = sized();
        // RocksDB writes raw deflate (no zlib header) for Zlib blocks.
        const out = inflateRawSync(body, { maxOutputLength: size ?? maxDecompressed(type, body.length) });
        if (size !== undefined && out.length !== size) fail(`${out.length} bytes instead of ${size}`);
        return new Uint8Array(out.buffer, out.byteOffset, out.length);
      }
      default:
        throw new SstError(
          'unsupported',
          offset,
          `blocks compressed with ${COMPRESSION_NAMES[type] ?? `compression type ${type}`} cannot be read here (Snappy, LZ4, ZSTD, Zlib and none can)`,
          file,
        );
    }
  } catch (e) {
    if (e instanceof SstError) throw e;
    return fail(e instanceof Error ? e.message : String(e));
  }
}
