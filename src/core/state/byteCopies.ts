/** The size of the shared buffers small copies are made in; a larger range gets a buffer of its own. */
const SLAB_BYTES = 256 * 1024;
let slab = new Uint8Array(0);
let used = 0;

/**
 * A copy of `view` that is its own (never a view into a buffer that is reused or kept alive by it). Small copies share
 * slabs: a scan makes one per key and per byte array, and a buffer of its own each cost a sixth of a full scan.
 */
export function copyOf(view: Uint8Array): Uint8Array {
  const n = view.length;
  if (n * 4 > SLAB_BYTES) return view.slice();
  if (used + n > slab.length) {
    slab = new Uint8Array(SLAB_BYTES);
    used = 0;
  }
  slab.set(view, used);
  const out = slab.subarray(used, used + n);
  used += n;
  return out;
}
