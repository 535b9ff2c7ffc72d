/**
 * Peak memory of reading one `_metadata` file, in a fresh process.
 *
 *   node --expose-gc out/bench/metadata/memoryProbe.js parse|summary|stream <_metadata>
 *
 * `parse` reads the file whole and parses it (the model); `summary` reads it whole and summarizes it in one pass (what
 * the extension does with a store's bytes); `stream` summarizes it streamed from disk, never held whole (what the CLI
 * does). Both summaries include the referenced-file list as strings. Prints JSON: file size, the process's peak RSS
 * above its idle baseline, and the live heap + buffers still held after a full GC, all in bytes.
 */
import * as fs from 'node:fs';
import { parseMetadata, summarizeMetadata } from '../../src/core/metadata';
import { openFileSource } from '../../src/core/metadata/fileSource';

const mode = process.argv[2];
const file = process.argv[3];
const gc = (globalThis as { gc?: () => void }).gc;
if (!file || !gc || (mode !== 'parse' && mode !== 'summary' && mode !== 'stream')) {
  console.error('usage: node --expose-gc memoryProbe.js parse|summary|stream <_metadata>');
  process.exit(2);
}
gc();
const before = process.memoryUsage();
const baselineRss = before.rss;
/**
 * This process's peak RSS. On Linux from VmHWM: `getrusage`'s maxRSS also counts the parent's RSS at fork (the kernel
 * keeps the high-water mark of the mm that exec replaces), which inflates it in a child of a large process.
 */
function highWaterRss(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // Not Linux: fall through to getrusage.
  }
  return process.resourceUsage().maxRSS * 1024;
}

const pointer = 'file:/bench/chk-1';
const fileBytes = fs.statSync(file).size;
let kept: unknown;
let operators: number;
if (mode === 'stream') {
  const source = openFileSource(file);
  try {
    const summary = summarizeMetadata(source, { pointer });
    operators = summary.operators.length;
    kept = summary;
  } finally {
    source.close();
  }
} else {
  // A Buffer is a Uint8Array: no copy of the file is made.
  const bytes: Uint8Array = fs.readFileSync(file);
  const result = mode === 'parse' ? parseMetadata(bytes, { pointer }) : summarizeMetadata(bytes, { pointer });
  operators = result.operators.length;
  kept = [bytes, result];
}
gc();
const after = process.memoryUsage();
const peakRss = highWaterRss();
console.log(
  JSON.stringify({
    mode,
    file,
    fileBytes,
    operators,
    peakRssAboveBaseline: peakRss - baselineRss,
    peakRss,
    retainedHeapAndBuffers: after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers),
    ratioPeakToFile: Number(((peakRss - baselineRss) / fileBytes).toFixed(2)),
  }),
);
// Keep the result alive until the measurement above is taken.
if (operators < 0) console.log(kept);
