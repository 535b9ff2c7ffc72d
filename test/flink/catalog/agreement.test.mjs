// Agreement with real Flink (npm run test:conf-agreement): every corpus file is loaded by each release line's own
// GlobalConfiguration.loadConfiguration and by the extension's parser; the key -> value maps must be equal (or both
// must refuse the file). Then the extension's deprecated/unknown verdicts are compared with each line's own option
// lookup (CatalogTool lookup) for every catalog key, the corpus keys and some typos. Each corpus flink-conf.yaml
// migrated by the extension must load in Flink 1.20, 2.2 and 2.3 to the map Flink read from the original.
// Needs Java 17 and Maven; Flink jars are resolved into ~/.m2 once (first run downloads them).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LINES, runTool } from './run.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const require = createRequire(import.meta.url);
const config = require(path.join(repoRoot, 'out/src/core/config/index.js'));
const corpusDir = path.join(repoRoot, 'test/unit/config/corpus');
const corpus = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

const LEGACY_LINES = ['1.15', '1.18', '1.19', '1.20'];
const YAML_LINES = ['1.19', '1.20', '2.0', '2.2', '2.3'];

const work = mkdtempSync(path.join(tmpdir(), 'flink-conf-agreement-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** One conf dir per corpus file, holding it under the name Flink looks for. */
const dirs = new Map();
for (const file of corpus) {
  const legacy = file.endsWith('.flink-conf.yaml');
  const dir = path.join(work, file.replace(/\.yaml$/, ''));
  mkdirSync(dir);
  writeFileSync(path.join(dir, legacy ? 'flink-conf.yaml' : 'config.yaml'), readFileSync(path.join(corpusDir, file)));
  dirs.set(file, { dir, legacy });
}

function flinkMaps(line, files) {
  const out = runTool(line, ['load', ...files.map((f) => dirs.get(f).dir)]);
  const results = out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  return new Map(files.map((f, i) => [f, results[i]]));
}

function ourMap(file) {
  const { legacy } = dirs.get(file);
  const doc = config.parseConfig(readFileSync(path.join(corpusDir, file), 'utf8'), legacy ? 'legacy' : 'yaml');
  const map = config.effectiveMap(doc);
  return map === null ? null : Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const summary = {
  files: 0,
  agreeingMaps: 0,
  keysCompared: 0,
  verdicts: 0,
  verdictMismatches: 0,
  migrations: 0,
  migrationsEqual: 0,
  flinkScriptEqual: '',
  values: 0,
  valueMismatches: 0,
  forstKeys: 0,
  optionValues: 0,
};
after(() => {
  process.stdout.write(
    `agreement: ${summary.agreeingMaps}/${summary.files} file loads equal, ${summary.keysCompared} keys compared; ` +
      `${summary.verdicts} verdicts, ${summary.verdictMismatches} mismatches; migrations ${summary.migrationsEqual}/${summary.migrations} equal ` +
      `(Flink's own script: ${summary.flinkScriptEqual} equal); ${summary.values} values, ${summary.valueMismatches} mismatches; ` +
      `${summary.forstKeys} ForSt key verdicts; ${summary.optionValues} option values equal after renaming deprecated keys\n`,
  );
});

describe('every option class of every line loads completely', () => {
  // CatalogTool exits 3, naming the classes, when an *Options class cannot be initialised or yields no options.
  for (const [line] of LINES) {
    test(`Flink ${line}`, () => {
      const records = runTool(line, ['options'])
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      const classes = new Set(records.map((r) => r.class));
      assert.ok(
        records.length > 700 && classes.size > 50,
        `Flink ${line}: ${records.length} options from ${classes.size} classes`,
      );
      if ('flink-statebackend-forst' in config.CATALOG_MODULES[line]) {
        for (const c of ['ForStOptions', 'ForStConfigurableOptions', 'ForStNativeMetricOptions']) {
          assert.ok(
            [...classes].some((n) => n.endsWith(`.${c}`)),
            `Flink ${line}: no ${c}`,
          );
        }
      }
    });
  }
});

describe('configuration maps agree with Flink GlobalConfiguration', () => {
  for (const [lines, legacy] of [
    [LEGACY_LINES, true],
    [YAML_LINES, false],
  ]) {
    const files = corpus.filter((f) => dirs.get(f).legacy === legacy);
    for (const line of lines) {
      describe(`Flink ${line} (${legacy ? 'flink-conf.yaml' : 'config.yaml'})`, () => {
        const flink = flinkMaps(line, files);
        for (const file of files) {
          test(file, () => {
            summary.files++;
            const theirs = flink.get(file);
            const ours = ourMap(file);
            if (theirs.error !== undefined) {
              assert.equal(ours, null, `Flink refuses ${file} (${theirs.error}) but the parser accepted it`);
            } else {
              assert.notEqual(ours, null, `Flink loads ${file} but the parser refused it`);
              assert.deepEqual(ours, theirs.map);
              summary.keysCompared += Object.keys(theirs.map).length;
            }
            summary.agreeingMaps++;
          });
        }
      });
    }
  }
});

describe('migration to config.yaml keeps the configuration Flink loaded', () => {
  const legacyFiles = corpus.filter((f) => dirs.get(f).legacy);
  const oursDirs = legacyFiles.map((f) => {
    const dir = path.join(work, `migrated-${f.replace(/\.yaml$/, '')}`);
    mkdirSync(dir);
    const result = config.migrateToConfigYaml(readFileSync(path.join(corpusDir, f), 'utf8'));
    writeFileSync(path.join(dir, 'config.yaml'), result.text);
    return dir;
  });
  const legacyMaps = flinkMaps('1.20', legacyFiles);
  for (const line of ['1.20', '2.2', '2.3']) {
    test(`our config.yaml, loaded by Flink ${line}, equals Flink 1.20's map of the flink-conf.yaml`, () => {
      const loaded = runTool(line, ['load', ...oursDirs])
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      legacyFiles.forEach((f, i) => {
        summary.migrations++;
        assert.equal(loaded[i].error, undefined, `${f}: ${loaded[i].error}`);
        assert.deepEqual(loaded[i].map, legacyMaps.get(f).map, f);
        summary.migrationsEqual++;
      });
    });
  }
  // Renaming deprecated keys changes the map on purpose; what must stay is the value of every option the old keys fed
  // (state.backend.local-recovery: both execution.state-recovery.from-local and …local-backup.enabled), as the line's
  // own Configuration reads it. The reference is the same file migrated without renames (equal map, checked above).
  for (const line of ['1.20', '2.2', '2.3']) {
    test(`with deprecated keys renamed for ${line}, Flink ${line} reads every option they fed with the same value`, () => {
      const keys = new Set(['execution.state-recovery.from-local', 'execution.checkpointing.local-backup.enabled']);
      const pairs = legacyFiles.map((f) => {
        const legacy = readFileSync(path.join(corpusDir, f), 'utf8');
        for (const e of config.parseLegacyConfig(legacy).entries) {
          const info = config.lookupOption(e.key, line);
          if (info && info.status === 'current') keys.add(e.key);
          for (const r of info?.replacements ?? []) keys.add(r);
        }
        const pair = ['kept', 'renamed'].map((kind) => {
          const dir = path.join(work, `options-${line}-${kind}-${f.replace(/\.yaml$/, '')}`);
          mkdirSync(dir);
          writeFileSync(
            path.join(dir, 'config.yaml'),
            config.migrateToConfigYaml(legacy, { renameDeprecated: kind === 'renamed', version: line }).text,
          );
          return dir;
        });
        return [f, ...pair];
      });
      const keysFile = path.join(work, `option-keys-${line}.txt`);
      writeFileSync(keysFile, `${[...keys].join('\n')}\n`);
      const values = new Map(
        runTool(line, ['get', keysFile, ...pairs.flatMap(([, a, b]) => [a, b])])
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l))
          .map((r) => [r.dir, r.values]),
      );
      for (const [f, kept, renamed] of pairs) {
        const before = values.get(path.basename(kept));
        const after = values.get(path.basename(renamed));
        assert.deepEqual(after, before, f);
        summary.optionValues += Object.keys(before).length;
        if (f === 'deprecated.flink-conf.yaml') {
          assert.equal(
            after['execution.state-recovery.from-local'],
            'true',
            `${f}: local recovery off after migration`,
          );
          assert.equal(
            after['execution.checkpointing.local-backup.enabled'],
            'true',
            `${f}: local backup off after migration`,
          );
        }
      }
    });
  }

  test("Flink 1.20's own migration (migrate-config-file.sh) loses the prefix-key file", () => {
    let equal = 0;
    for (const f of legacyFiles) {
      const out = path.join(work, `flink-migrated-${f.replace(/\.yaml$/, '')}`);
      const result = JSON.parse(
        runTool('1.20', ['flinkmigrate', dirs.get(f).dir, out])
          .split('\n')
          .find((l) => l.startsWith('{')),
      );
      const same = result.error === undefined && JSON.stringify(result.map) === JSON.stringify(legacyMaps.get(f).map);
      if (same) equal++;
      if (f === 'duplicates-and-prefix.flink-conf.yaml')
        assert.equal(same, false, 'Flink migrated the prefix keys intact');
    }
    summary.flinkScriptEqual = `${equal}/${legacyFiles.length}`;
  });
});

/** Values per option type, from reference §3.5 and the usual mistakes. */
const VALUE_CASES = {
  Duration: [
    '10',
    '10 s',
    '10s',
    '10 S',
    '1 min',
    '1min',
    '1m',
    '1 h',
    '2 d',
    '3 days',
    '1 secs',
    '5 mins',
    '7 ms',
    '7 millis',
    '3 µs',
    '3 ns',
    '1h30m',
    '1.5 s',
    'PT1M',
    'PT1.5S',
    'P1D',
    '-1 s',
    '+1 s',
    ' 10 s ',
    '10 sec',
    '1 week',
    'ten seconds',
    '',
    '99999999999999999999 d',
    '106751991167300 d',
    '106751991167301 d',
    '9223372036854775807 ns',
  ],
  MemorySize: [
    '64',
    '64 mb',
    '64mb',
    '64 MB',
    '64m',
    '1 g',
    '1 gb',
    '1 gib',
    '1.5 gb',
    '10 kibibytes',
    '2 tebibytes',
    '1 t',
    '-1 mb',
    'mb',
    '64 bytes',
    '64 b',
    '1 pb',
    '8388607 tb',
    '8388608 tb',
    '99999999999999999999',
    '',
  ],
  Boolean: ['true', 'TRUE', 'True', 'false', 'yes', 'no', 'on', '1', '0', 'false ', ''],
  Integer: ['1', '+1', '-1', '1.0', '2147483647', '2147483648', ' 1', '0x10', '1_000', ''],
  Long: ['1', '-1', '9223372036854775807', '9223372036854775808', '1.5', '1L', ''],
  Double: ['0.1', '1', '1e3', 'NaN', 'Infinity', '-Infinity', '1f', '1d', '.5', '5.', ' 0.5 ', '0x1p3', 'one', ''],
  Float: ['0.1', '1', '1e3', '.5', '1f', 'half', ''],
  Enum: null,
  'List<Enum>': [
    'STATE',
    'state;total_time',
    'STATE; CURRENT_TIME',
    "'STATE';'TOTAL_TIME'",
    '[STATE, TOTAL_TIME]',
    '[state]',
    'STATE;;TOTAL_TIME',
    'STATE;BOGUS',
    "'STATE",
    "'STATE'x",
    '',
  ],
  Map: ['a:b,c:d', 'a:b', "'a:b':c", 'a', 'a:b:c', '{a: b, c: d}', '{a: b', 'a: b', "a:'b,c'", ',', ''],
  'List<Map>': ['key:a,operator:Equal', 'key:a;key:b,value:c', '[{key: a}, {key: b}]', 'a', '[a, b]', ''],
  'List<String>': ['a;b', "'a;b';c", "'a", "'a'b", '[a, b]', '[a, [b]]', ''],
};
const VALUE_KEYS = {
  Duration: ['execution.checkpointing.timeout', 'heartbeat.timeout'],
  MemorySize: ['taskmanager.memory.process.size'],
  Boolean: ['classloader.check-leaked-classloader'],
  Integer: ['parallelism.default'],
  Long: ['jobstore.cache-size'],
  Double: ['kubernetes.jobmanager.cpu.limit-factor'],
  Float: ['taskmanager.memory.managed.fraction'],
  Enum: ['execution.checkpointing.externalized-checkpoint-retention', 'execution.batch-shuffle-mode'],
  'List<Enum>': ['metrics.job.status.enable'],
  Map: ['kubernetes.jobmanager.annotations'],
  'List<Map>': ['kubernetes.jobmanager.tolerations'],
  'List<String>': ['pipeline.jars'],
};

describe("value syntax agrees with Flink's own conversion", () => {
  for (const [line] of LINES) {
    test(`Flink ${line}`, () => {
      const rows = [];
      for (const [type, keys] of Object.entries(VALUE_KEYS)) {
        for (const key of keys) {
          const info = config.lookupOption(key, line);
          const values = VALUE_CASES[type] ?? [
            ...info.enumValues,
            ...info.enumValues.map((v) => v.toLowerCase()),
            'retain-on-cancellation',
            'none',
            '',
          ];
          for (const value of values) rows.push(`${key}\t${value}`);
        }
      }
      const file = path.join(work, `values-${line}.txt`);
      writeFileSync(file, `${rows.join('\n')}\n`);
      const mismatches = [];
      for (const row of runTool(line, ['values', file])
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))) {
        const info = config.lookupOption(row.key, line);
        if (row.ok === null || !info || !info.type) continue;
        summary.values++;
        // new Configuration() is a standard-YAML configuration from 1.19 on (the legacy one only when loaded from flink-conf.yaml).
        const ours = config.checkValue(
          row.value,
          info.type,
          line,
          info.enumValues,
          ['1.15', '1.16', '1.17', '1.18'].includes(line) ? 'legacy' : 'yaml',
        ).ok;
        if (ours !== row.ok)
          mismatches.push(
            `${row.key} = ${JSON.stringify(row.value)} (${info.type}): Flink ${row.ok ? 'accepts' : `rejects (${row.error})`}, extension ${ours ? 'accepts' : 'rejects'}`,
          );
      }
      summary.valueMismatches += mismatches.length;
      assert.deepEqual(mismatches, []);
    });
  }
});

describe("deprecated/unknown verdicts agree with each line's option lookup", () => {
  const keys = new Set(config.allCatalogKeys());
  for (const file of corpus) {
    const { legacy } = dirs.get(file);
    const doc = config.parseConfig(readFileSync(path.join(corpusDir, file), 'utf8'), legacy ? 'legacy' : 'yaml');
    for (const e of doc.entries) keys.add(e.key);
  }
  for (const typo of [
    'state.checkpoint.dir',
    'execution.checkpointing.intervall',
    'high-availability.storagedir',
    'no.such.key',
  ])
    keys.add(typo);
  const keysFile = path.join(work, 'keys.txt');
  writeFileSync(keysFile, `${[...keys].filter((k) => !/[\r\n]/.test(k)).join('\n')}\n`);
  for (const [line] of LINES) {
    test(`Flink ${line}`, () => {
      const out = runTool(line, ['lookup', keysFile]);
      const mismatches = [];
      let forst = 0;
      for (const row of out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))) {
        const module = config.optionModule(row.key);
        // A key of a module the registry did not have for this line cannot be asked of Flink.
        if (module && !(module in config.CATALOG_MODULES[line])) continue;
        summary.verdicts++;
        const ours = config.optionVerdict(row.key, line);
        if (ours !== row.verdict) mismatches.push(`${row.key}: Flink ${row.verdict}, extension ${ours}`);
        if (row.key.startsWith('state.backend.forst.') && row.verdict !== 'unknown') forst++;
        if (row.verdict === 'deprecated' || row.verdict === 'fallback') {
          assert.ok(row.containsSeesIt, `Flink ${line}: setting ${row.key} does not set ${row.option}`);
          const info = config.lookupOption(row.key, line);
          if (info.replacement !== row.option)
            mismatches.push(`${row.key}: Flink reads it for ${row.option}, extension says ${info.replacement}`);
          // Every option the key feeds (state.backend.local-recovery feeds two from 1.20 on).
          // Flink lists live readers only; a key read by a @Deprecated option alone has that one.
          const theirs = row.readers.length ? row.readers : [row.option];
          const ours = [...info.replacements].sort();
          if (JSON.stringify(ours) !== JSON.stringify(theirs))
            mismatches.push(`${row.key}: Flink reads it for ${theirs.join(', ')}, extension says ${ours.join(', ')}`);
        }
      }
      summary.verdictMismatches += mismatches.length;
      summary.forstKeys += forst;
      assert.deepEqual(mismatches, []);
      // The ForSt option classes need ForSt's own JNI types; a class path without them once hid every ForSt key.
      if ('flink-statebackend-forst' in config.CATALOG_MODULES[line])
        assert.ok(forst >= 40, `Flink ${line} knows only ${forst} ForSt keys`);
    });
  }
});
