const MASK64 = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;

function rotl64(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK64;
}

/** The mixing of one 64-bit block half before it enters its half of the state (`k1`: C1, 31, C2; `k2`: C2, 33, C1). */
function mixK(k: bigint, first: bigint, r: bigint, second: bigint): bigint {
  return (rotl64((k * first) & MASK64, r) * second) & MASK64;
}

/** One round of a state half after its block was mixed in (`h1`: 27 and 0x52dce729; `h2`: 31 and 0x38495ab5). */
function mixH(h: bigint, other: bigint, r: bigint, add: bigint): bigint {
  return (((rotl64(h, r) + other) & MASK64) * 5n + add) & MASK64;
}

function fmix64(k: bigint): bigint {
  k ^= k >> 33n;
  k = (k * 0xff51afd7ed558ccdn) & MASK64;
  k ^= k >> 33n;
  k = (k * 0xc4ceb9fe1a85ec53n) & MASK64;
  k ^= k >> 33n;
  return k;
}

function readLongLE(b: Uint8Array, at: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i]);
  return v;
}

/** MurmurHash3 x64 128-bit, seed 0, returned in Guava's `HashCode.asBytes()` order (h1 little-endian ‖ h2 little-endian). */
export function murmur3x64_128(data: Uint8Array): Uint8Array {
  let h1 = 0n;
  let h2 = 0n;
  const blocks = Math.floor(data.length / 16);
  for (let i = 0; i < blocks; i++) {
    h1 ^= mixK(readLongLE(data, i * 16, 8), C1, 31n, C2);
    h1 = mixH(h1, h2, 27n, 0x52dce729n);
    h2 ^= mixK(readLongLE(data, i * 16 + 8, 8), C2, 33n, C1);
    h2 = mixH(h2, h1, 31n, 0x38495ab5n);
  }
  const tail = blocks * 16;
  const rest = data.length - tail;
  if (rest > 8) {
    h2 ^= mixK(readLongLE(data, tail + 8, rest - 8), C2, 33n, C1);
  }
  if (rest > 0) {
    h1 ^= mixK(readLongLE(data, tail, Math.min(rest, 8)), C1, 31n, C2);
  }
  const len = BigInt(data.length);
  h1 ^= len;
  h2 ^= len;
  h1 = (h1 + h2) & MASK64;
  h2 = (h2 + h1) & MASK64;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 = (h1 + h2) & MASK64;
  h2 = (h2 + h1) & MASK64;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[i] = Number((h1 >> BigInt(8 * i)) & 0xffn);
    out[8 + i] = Number((h2 >> BigInt(8 * i)) & 0xffn);
  }
  return out;
}

/**
 * The operator id Flink derives from a user-assigned `uid(...)` (StreamGraphHasherV2: murmur3_128 over the uid's
 * UTF-8 bytes), as the 32 hex digits Flink prints. Lets a user find their operator in metadata that stores no uids.
 */
export function operatorIdFromUid(uid: string): string {
  const hash = murmur3x64_128(new TextEncoder().encode(uid));
  let hex = '';
  for (const b of hash) hex += b.toString(16).padStart(2, '0');
  return hex;
}
