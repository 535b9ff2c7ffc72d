/**
 * Peak memory of reading, parsing and summarizing one `_metadata` file, in a fresh process.
 *
 *   node --expose-gc out/bench/metadata/memoryProbe.js parse|summary <_metadata>
 *
 * `parse` reads and parses; `summary` also summarizes (whose referenced-file list grows with the number of distinct
 * files). Prints JSON: file size, the process's peak RSS above its idle baseline, and the live heap + buffers still
 * held (file bytes included) after a full GC, all in bytes.
 */
import * as fs from 'node:fs';
import { parseMetadata, summarize } from '../../src/core/metadata';

const mode = process.argv[2];
const file = process.argv[3];
const gc = (globalThis as { gc?: () => void }).gc;
if (!file || !gc || (mode !== 'parse' && mode !== 'summary')) {
  console.error('usage: node --expose-gc memoryProbe.js parse|summary <_metadata>');
  process.exit(2);
}
gc();
const before = process.memoryUsage();
const baselineRss = before.rss;
// A Buffer is a Uint8Array: no copy of the file is made.
const bytes: Uint8Array = fs.readFileSync(file);
const metadata = parseMetadata(bytes, { pointer: 'file:/bench/chk-1' });
const summary = mode === 'summary' ? summarize(metadata) : null;
gc();
const after = process.memoryUsage();
const peakRss = process.resourceUsage().maxRSS * 1024;
console.log(
  JSON.stringify({
    mode,
    file,
    fileBytes: bytes.length,
    operators: metadata.operators.length,
    peakRssAboveBaseline: peakRss - baselineRss,
    peakRss,
    retainedHeapAndBuffers: after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers),
    ratioPeakToFile: Number(((peakRss - baselineRss) / bytes.length).toFixed(2)),
  }),
);
// Keep the model alive until the measurement above is taken.
if (metadata.operators.length < 0) console.log(summary?.stateSize);
