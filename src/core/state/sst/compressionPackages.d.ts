// The parts of the pure-JS decoders without published types that the SST reader uses.
declare module 'snappyjs' {
  /** Decodes a raw Snappy block (length header first), refusing a decoded length above `maxLength`. */
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
}

declare module 'lz4js' {
  /** Decodes an LZ4 block from `src[sIndex, sIndex + sLength)` into `dst` from `dIndex`; returns the end in `dst`. */
  export function decompressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    sIndex: number,
    sLength: number,
    dIndex: number,
  ): number;
}
