#!/usr/bin/env node
// Checks the TypeScript parser against Flink's own reader: for every _metadata under the given directories that has
// a _metadata.oracle.json beside it, runs `node dist/cli.js inspect --json --pointer <externalPointer> <file>` and
// compares every key of the oracle's summary (the CLI may add keys). Exit 0 when all agree, 1 otherwise.
//
//   node scripts/fixtures-compare.mjs <dir>...
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(repo, 'dist', 'cli.js');

function* metadataFiles(dir) {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      yield* metadataFiles(path);
    } else if (entry === '_metadata' && existsSync(`${path}.oracle.json`)) {
      yield path;
    }
  }
}

/** The first place where `actual` does not carry `expected`'s value, or null. Extra keys in `actual` are fine. */
function difference(expected, actual, where) {
  if (expected === null || typeof expected !== 'object') {
    return Object.is(expected, actual)
      ? null
      : `${where}: oracle ${JSON.stringify(expected)}, parser ${JSON.stringify(actual)}`;
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(expected) !== Array.isArray(actual)) {
    return `${where}: oracle ${JSON.stringify(expected)}, parser ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(expected) && expected.length !== actual.length) {
    return `${where}: oracle has ${expected.length} entries, parser ${actual.length}`;
  }
  for (const key of Object.keys(expected)) {
    const found = difference(expected[key], actual[key], `${where}.${key}`);
    if (found) {
      return found;
    }
  }
  return null;
}

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node scripts/fixtures-compare.mjs <dir>...');
  process.exit(2);
}
if (!existsSync(cli)) {
  console.error(`fixtures-compare: ${cli} is missing; run npm run build first`);
  process.exit(2);
}
let agreed = 0;
const failures = [];
for (const dir of dirs) {
  for (const file of metadataFiles(dir)) {
    const oracle = JSON.parse(readFileSync(`${file}.oracle.json`, 'utf8'));
    let parsed;
    try {
      const out = execFileSync(
        process.execPath,
        [cli, 'inspect', '--json', '--pointer', oracle.externalPointer, file],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 30,
        },
      );
      parsed = JSON.parse(out);
    } catch (error) {
      failures.push(`${file}: the parser failed: ${String(error.stderr || error.message).trim()}`);
      continue;
    }
    const found = difference(oracle, parsed, 'summary');
    if (found) {
      failures.push(`${file}: ${found}`);
    } else {
      agreed++;
    }
  }
}
for (const failure of failures) {
  console.error(`DISAGREE ${failure}`);
}
console.log(`${agreed} passed, ${failures.length} failed (parser vs Flink's own reader)`);
process.exit(failures.length === 0 && agreed > 0 ? 0 : 1);
