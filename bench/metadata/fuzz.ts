/**
 * Long mutation run of the metadata parser over every real `_metadata` file in reach (see corpus.ts).
 *
 *   node out/bench/metadata/fuzz.js [--inputs N] [--seed S] [--hang-ms MS]
 *
 * Prints the figures (inputs tried, parsed, rejected by error code, crashes, hangs) and exits 1 on any crash or
 * hang, listing the seeds so each case can be replayed with the same mutation.
 */
import * as fs from 'node:fs';
import { fuzz } from '../../test/unit/metadata/mutation';
import { realMetadataFiles } from './corpus';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const inputs = option('inputs', 200000);
const seed = option('seed', 1);
const hangMs = option('hang-ms', 1000);
const files = realMetadataFiles().map((f): [string, Uint8Array] => [f.name, new Uint8Array(fs.readFileSync(f.file))]);
if (files.length === 0) {
  console.error('no _metadata files found: needs ../shared/flink-metadata-fixtures or test/fixtures/flink');
  process.exit(2);
}
const t0 = Date.now();
const figures = fuzz(files, inputs, seed, hangMs);
const seconds = (Date.now() - t0) / 1000;
console.log(
  JSON.stringify(
    {
      corpus: files.length,
      inputs: figures.inputs,
      parsed: figures.parsed,
      rejected: figures.rejected,
      crashes: figures.crashes.length,
      hangs: figures.hangs.length,
      slowestMs: Number(figures.slowestMs.toFixed(2)),
      seconds,
      seed,
    },
    null,
    2,
  ),
);
for (const c of figures.crashes.slice(0, 20)) console.log(`crash: ${JSON.stringify(c)}`);
for (const h of figures.hangs.slice(0, 20)) console.log(`hang: ${JSON.stringify(h)}`);
process.exitCode = figures.crashes.length + figures.hangs.length > 0 ? 1 : 0;
