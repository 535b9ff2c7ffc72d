#!/usr/bin/env node
// Drives the Maven module: resolves each Flink release line's jars, runs CatalogTool against them.
//   node test/flink/catalog/run.mjs catalog            -> regenerates src/core/config/catalog.json
//   node test/flink/catalog/run.mjs load <line> <dir>... -> Flink's own key -> value map of each conf dir (JSON lines)
//   node test/flink/catalog/run.mjs lookup <line> <keysFile> -> Flink's own verdict for each key (JSON lines)
// Maven downloads go to ~/.m2 and are reused; resolved class paths are cached under target/.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const target = path.join(here, 'target');

/** The release lines and their newest patch on the registry. */
export const LINES = [
  ['1.15', '1.15.4'],
  ['1.16', '1.16.3'],
  ['1.17', '1.17.2'],
  ['1.18', '1.18.1'],
  ['1.19', '1.19.3'],
  ['1.20', '1.20.5'],
  ['2.0', '2.0.2'],
  ['2.1', '2.1.3'],
  ['2.2', '2.2.1'],
  ['2.3', '2.3.0'],
];

/** Optional modules: profile id -> artifact. Not every patch of every module is on the registry. */
const OPTIONAL = {
  tableapi: 'flink-table-api-java',
  kubernetes: 'flink-kubernetes',
  yarn: 'flink-yarn',
  dstl: 'flink-dstl-dfs',
  forst: 'flink-statebackend-forst',
};
const REQUIRED = [
  'flink-core',
  'flink-runtime',
  'flink-streaming-java',
  'flink-clients',
  'flink-statebackend-rocksdb',
  'flink-table-common',
];

function mvn(args, options = {}) {
  const r = spawnSync('mvn', ['-B', '-q', ...args], { cwd: here, encoding: 'utf8', ...options });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Newest patch of the line with which the optional module (and its parent poms) resolves, or null. */
function resolvePatch(profile, patch) {
  const [major, minor, newest] = patch.split('.').map(Number);
  for (let p = newest; p >= 0; p--) {
    const version = `${major}.${minor}.${p}`;
    const probe = path.join(target, `probe-${profile}-${version}.txt`);
    if (
      mvn([
        'dependency:build-classpath',
        `-Dflink.version=${patch}`,
        `-D${profile}.version=${version}`,
        `-Dmdep.outputFile=${probe}`,
      ]).ok
    )
      return version;
  }
  return null;
}

let compiled = false;
function compileTool() {
  if (compiled) return;
  const r = mvn(['compile']);
  if (!r.ok) throw new Error(`mvn compile failed:\n${r.output}`);
  compiled = true;
}

/** The module versions the committed catalog was generated from, so checks resolve them without probing. */
function pinnedModules(line) {
  const file = path.join(repoRoot, 'src/core/config/catalog.json');
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')).modules?.[line] ?? null;
}

/**
 * Resolves the class path of a line (cached in target/cp-<line>.json) and which module versions it holds. With
 * `probe`, optional modules are looked for on the registry (newest patch of the line first); otherwise the versions
 * recorded in the committed catalog are used, which keeps a CI run to one Maven call per line.
 */
export function classPath(line, { probe = false } = {}) {
  mkdirSync(target, { recursive: true });
  const cacheFile = path.join(target, `cp-${line}.json`);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8'));
  const patch = LINES.find(([l]) => l === line)?.[1];
  if (!patch) throw new Error(`unknown Flink line ${line}`);
  const props = [`-Dflink.version=${patch}`];
  const modules = Object.fromEntries(REQUIRED.map((a) => [a, patch]));
  const pinned = probe ? null : pinnedModules(line);
  for (const [profile, artifact] of Object.entries(OPTIONAL)) {
    const version = pinned ? (pinned[artifact] ?? null) : resolvePatch(profile, patch);
    if (version) {
      props.push(`-D${profile}.version=${version}`);
      modules[artifact] = version;
    }
  }
  const outFile = path.join(target, `cp-${line}.txt`);
  const r = mvn(['dependency:build-classpath', ...props, `-Dmdep.outputFile=${outFile}`]);
  if (!r.ok) throw new Error(`could not resolve Flink ${patch}:\n${r.output}`);
  const result = { line, patch, modules, classPath: readFileSync(outFile, 'utf8').trim() };
  writeFileSync(cacheFile, JSON.stringify(result, null, 1));
  return result;
}

/** Runs CatalogTool against a line's jars; returns stdout. */
export function runTool(line, args) {
  compileTool();
  const cp = classPath(line);
  return execFileSync(
    'java',
    [
      '-Dfile.encoding=UTF-8',
      '-cp',
      `${path.join(target, 'classes')}:${cp.classPath}`,
      'flinkcheckpoints.catalog.CatalogTool',
      ...args,
    ],
    { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

function moduleOf(jar) {
  return jar.replace(/-\d+\.\d+(\.\d+)?(-[A-Za-z0-9.]+)?\.jar$/, '');
}

/** Per line: key -> { status, type, default, enumValues, deprecatedEnumValues, replacement, documented, module }. */
function lineView(records) {
  const byKey = new Map();
  const defs = new Map();
  for (const r of records) {
    if (!defs.has(r.key)) defs.set(r.key, []);
    defs.get(r.key).push(r);
  }
  const live = (r) => !r.fieldDeprecated && !r.classDeprecated;
  for (const [key, list] of defs) {
    const chosen = list.find(live) ?? list[0];
    byKey.set(key, {
      status: list.some(live) ? 'c' : 'o',
      type: chosen.type,
      default: chosen.default,
      enumValues: chosen.enumValues,
      deprecatedEnumValues: chosen.deprecatedEnumValues?.length ? chosen.deprecatedEnumValues : null,
      replacement: null,
      documented: list.some((r) => !r.excludedFromDocs),
      module: moduleOf(chosen.jar),
    });
  }
  // Aliases: a key listed as a fallback/deprecated key of an option. A live option beats a deprecated one, a
  // deprecated key beats a plain fallback; a key that is itself a live option stays current.
  const aliasRank = new Map();
  for (const r of records) {
    for (const fb of r.fallbackKeys) {
      const rank = (live(r) ? 2 : 0) + (fb.deprecated ? 1 : 0);
      if ((aliasRank.get(fb.key) ?? -1) >= rank) continue;
      const own = byKey.get(fb.key);
      if (own && own.status === 'c' && !aliasRank.has(fb.key)) continue;
      aliasRank.set(fb.key, rank);
      const base =
        own && own.status === 'c'
          ? own
          : {
              type: r.type,
              default: r.default,
              enumValues: r.enumValues,
              deprecatedEnumValues: r.deprecatedEnumValues?.length ? r.deprecatedEnumValues : null,
              documented: false,
              module: moduleOf(r.jar),
            };
      byKey.set(fb.key, { ...base, status: fb.deprecated ? 'd' : 'f', replacement: r.key });
    }
  }
  // A key several live options read (state.backend.local-recovery from 1.20: execution.state-recovery.from-local and
  // execution.checkpointing.local-backup.enabled) records the others too: renaming it to one changes the rest.
  for (const r of records) {
    if (!live(r)) continue;
    for (const fb of r.fallbackKeys) {
      const view = byKey.get(fb.key);
      if (!view || view.replacement === null || view.replacement === r.key || aliasRank.get(fb.key) < 2) continue;
      view.alsoReplacements = [...new Set([...(view.alsoReplacements ?? []), r.key])].sort();
    }
  }
  return byKey;
}

function generateCatalog() {
  const perLine = [];
  for (const [line] of LINES) {
    const cp = classPath(line, { probe: true });
    const out = runTool(line, ['options']);
    const records = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    const modules = Object.keys(cp.modules);
    perLine.push({
      line,
      patch: cp.patch,
      modules: cp.modules,
      moduleNames: modules,
      view: lineView(records),
      count: records.length,
    });
    process.stderr.write(`${line} (${cp.patch}): ${records.length} option fields, modules ${modules.join(', ')}\n`);
  }
  const keys = new Set();
  for (const l of perLine) for (const k of l.view.keys()) keys.add(k);
  const options = [];
  for (const key of [...keys].sort()) {
    // States per line; where the key's module could not be read for a line (not on the registry), the previous
    // line's state carries over. Before the module's first readable line the key counts as absent.
    const states = perLine.map((l) => l.view.get(key) ?? null);
    const module = states.find((s) => s)?.module;
    for (let i = 1; i < states.length; i++) {
      if (!states[i] && !perLine[i].moduleNames.includes(module)) states[i] = states[i - 1];
    }
    const segments = [];
    let last = '';
    states.forEach((s, i) => {
      const seg = s
        ? [
            perLine[i].line,
            s.status,
            s.type,
            s.default,
            s.enumValues,
            s.deprecatedEnumValues,
            s.replacement,
            s.documented ? 1 : 0,
            ...(s.alsoReplacements ? [s.alsoReplacements] : []),
          ]
        : [perLine[i].line, 'x'];
      const sig = JSON.stringify(seg.slice(1));
      if (sig !== last) segments.push(seg);
      last = sig;
    });
    const present = states.map((s) => s !== null);
    const firstIdx = present.indexOf(true);
    const lastIdx = present.lastIndexOf(true);
    const since = perLine[firstIdx].line;
    const removed = lastIdx < perLine.length - 1 ? perLine[lastIdx + 1].line : null;
    const depIdx = states.findIndex((s) => s && (s.status === 'd' || s.status === 'o'));
    const deprecated = depIdx >= 0 ? perLine[depIdx].line : null;
    const replacement = [...states].reverse().find((s) => s && s.status === 'd')?.replacement ?? null;
    options.push([key, since, deprecated, replacement, removed, segments, module]);
  }
  const catalog = {
    about:
      "Generated by `npm run catalog` (test/flink/catalog) from each Flink line's own ConfigOption fields. Option: [key, since, deprecatedIn, replacement, removedIn, segments, module]; segment: [fromLine, status c=current|d=deprecated key|o=deprecated option|f=fallback key|x=absent, type, default, enumValues, deprecatedEnumValues, replacement, documented, alsoReplacements (only when other live options read the key too)].",
    lines: perLine.map((l) => l.line),
    patches: Object.fromEntries(perLine.map((l) => [l.line, l.patch])),
    modules: Object.fromEntries(perLine.map((l) => [l.line, l.modules])),
    options,
  };
  const file = path.join(repoRoot, 'src/core/config/catalog.json');
  // One option a line keeps diffs of a regenerated catalog readable.
  const head = JSON.stringify({ ...catalog, options: [] }).slice(0, -3);
  writeFileSync(file, `${head}[\n${options.map((o) => JSON.stringify(o)).join(',\n')}\n]}\n`);
  process.stderr.write(`wrote ${options.length} keys to src/core/config/catalog.json\n`);
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'catalog') {
  generateCatalog();
} else if (mode === 'load') {
  process.stdout.write(runTool(rest[0], ['load', ...rest.slice(1)]));
} else if (mode === 'lookup') {
  process.stdout.write(runTool(rest[0], ['lookup', rest[1]]));
} else if (mode === 'classpath') {
  for (const [line] of LINES) process.stdout.write(`${JSON.stringify(classPath(line).modules)}\n`);
} else if (mode !== undefined) {
  process.stderr.write('usage: run.mjs catalog | load <line> <dir>... | lookup <line> <keysFile> | classpath\n');
  process.exit(2);
}
