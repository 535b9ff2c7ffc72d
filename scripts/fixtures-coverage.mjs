#!/usr/bin/env node
// Which state-handle type tags each committed fixture contains, in every position (nested ones included), as a
// markdown table for test/fixtures/README.md. The top-level class names are Flink's own (the oracle's handleTypes);
// nested tags are read with the project's parser (bundled on the fly from src/core/metadata), whose agreement with
// Flink's reader on every fixture is checked by scripts/fixtures-compare.mjs.
//
//   node scripts/fixtures-coverage.mjs [fixtures dir]     default test/fixtures/flink
import { build } from 'esbuild';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(process.argv[2] ?? join(repo, 'test/fixtures/flink'));

const bundle = await build({
  entryPoints: [join(repo, 'src/core/metadata/index.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  write: false,
  logLevel: 'silent',
});
const module = { exports: {} };
new Function('module', 'exports', 'require', bundle.outputFiles[0].text)(
  module,
  module.exports,
  createRequire(import.meta.url),
);
const { parseMetadata } = module.exports;

/** Every `type` (with its `tag` when it has one) reachable from the parsed metadata. */
function handleKinds(value, found) {
  if (Array.isArray(value)) {
    value.forEach((v) => handleKinds(v, found));
  } else if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    if (typeof value.type === 'string' && /Handle/.test(value.type)) {
      found.add(typeof value.tag === 'number' ? `${value.tag} ${value.type}` : value.type);
    }
    Object.values(value).forEach((v) => handleKinds(v, found));
    // operators decode their subtasks on first access (a getter, not an own enumerable field)
    if ('subtasks' in value && !Object.prototype.propertyIsEnumerable.call(value, 'subtasks')) {
      handleKinds(value.subtasks, found);
    }
  }
  return found;
}

function* metadataFiles(dir) {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      yield* metadataFiles(path);
    } else if (entry === '_metadata') {
      yield path;
    }
  }
}

// fixture (line/scenario) -> { version, kinds }
const rows = new Map();
for (const file of metadataFiles(root)) {
  const parts = relative(root, file).split('/');
  const synthetic = parts[0] === 'synthetic';
  const line = synthetic ? parts[1] : parts[0];
  const scenario = synthetic ? `synthetic/${parts[2]}` : parts[1];
  const oracle = JSON.parse(readFileSync(`${file}.oracle.json`, 'utf8'));
  const parsed = parseMetadata(new Uint8Array(readFileSync(file)), { pointer: oracle.externalPointer });
  const key = `${scenario}\u0000${line}`;
  const row = rows.get(key) ?? { scenario, line, version: oracle.metadataVersion, files: 0, kinds: new Set() };
  row.files++;
  handleKinds(parsed, row.kinds);
  rows.set(key, row);
}

const byTag = (a, b) => (parseInt(a, 10) || 99) - (parseInt(b, 10) || 99) || a.localeCompare(b);
const byLine = (a, b) => a.localeCompare(b, undefined, { numeric: true });
// one table row per scenario and set of handle kinds: lines whose files hold the same kinds share a row
const groups = new Map();
for (const row of rows.values()) {
  const kinds = [...row.kinds].sort(byTag).join(', ');
  const key = `${row.scenario}\u0000${kinds}`;
  const group = groups.get(key) ?? { scenario: row.scenario, kinds, lines: [], files: 0 };
  group.lines.push(`${row.line} (V${row.version})`);
  group.files += row.files;
  groups.set(key, group);
}
console.log(
  '| fixture | Flink line (metadata version) | _metadata files | state-handle types: tag class, every position |',
);
console.log('|---|---|---|---|');
for (const group of [...groups.values()].sort(
  (a, b) => a.scenario.localeCompare(b.scenario) || byLine(a.lines[0], b.lines[0]),
)) {
  console.log(
    `| ${group.scenario} | ${group.lines.sort(byLine).join(', ')} | ${group.files} | ${group.kinds || '(none)'} |`,
  );
}
const all = new Set([...rows.values()].flatMap((r) => [...r.kinds]));
console.log(`\nAll handle kinds covered: ${[...all].sort(byTag).join(', ')}`);
