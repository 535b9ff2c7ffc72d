/**
 * Warm, in-process throughput of the one-pass summary (`summarizeMetadata`) on `_metadata` files, many iterations each.
 *
 *   node out/bench/metadata/parseBench.js [--min-ms 1500] [--json] <_metadata>...
 *
 * Prints one JSON line per file: bytes, iterations, ms/op, bytes/s. With no files, times every real file in reach.
 */
import * as fs from 'node:fs';
import { summarizeMetadata } from '../../src/core/metadata';
import { realMetadataFiles } from './corpus';

export interface ParseTiming {
  file: string;
  bytes: number;
  operators: number;
  warmup: number;
  iterations: number;
  msPerOp: number;
  bytesPerSecond: number;
}

/** Times the summary of one file: warms up for a third of `minMs`, then runs at least `minMs` and 5 iterations. */
export function timeParse(file: string, minMs: number): ParseTiming {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const once = () => summarizeMetadata(bytes, { pointer: 'file:/bench/chk-1' }).operators.length;
  let operators = 0;
  let warmup = 0;
  const warmEnd = performance.now() + minMs / 3;
  while (warmup < 3 || performance.now() < warmEnd) {
    operators = once();
    warmup++;
  }
  let iterations = 0;
  const start = performance.now();
  let now = start;
  while (iterations < 5 || now - start < minMs) {
    operators += once() > 0 ? 0 : 1;
    iterations++;
    now = performance.now();
  }
  const ms = now - start;
  return {
    file,
    bytes: bytes.length,
    operators,
    warmup,
    iterations,
    msPerOp: ms / iterations,
    bytesPerSecond: Math.round((bytes.length * iterations) / (ms / 1000)),
  };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const minIdx = args.indexOf('--min-ms');
  const minMs = minIdx >= 0 ? Number(args.splice(minIdx, 2)[1]) : 1500;
  const files = args.length > 0 ? args : realMetadataFiles().map((f) => f.file);
  for (const file of files) console.log(JSON.stringify(timeParse(file, minMs)));
}
