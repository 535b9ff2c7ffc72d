import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import {
  allCatalogKeys,
  applyEdits,
  completeAt,
  describedKeys,
  effectiveMap,
  hoverAt,
  lookupOption,
  migrateToConfigYaml,
  parseLegacyConfig,
  parseYamlConfig,
  snippetsFor,
} from '../../../src/core/config';

const repoRoot = path.resolve(__dirname, '../../../..');

describe('completion', () => {
  test('keys under nested YAML parents complete the rest of the key', () => {
    const text = 'execution:\n  checkpointing:\n    inter\n';
    const items = completeAt(text, { line: 2, character: 9 }, { version: '1.20', format: 'yaml' });
    const interval = items.find((i) => i.label === 'interval');
    assert.ok(interval, 'interval offered');
    assert.equal(interval.insertText, 'interval: ');
    assert.deepEqual(interval.range, { start: { line: 2, character: 4 }, end: { line: 2, character: 9 } });
    assert.ok(items.every((i) => !i.label.startsWith('execution.')));
  });

  test('flat keys: deprecated ones are marked and sorted last; keys of later lines are not offered', () => {
    const items = completeAt('state.check', { line: 0, character: 11 }, { version: '1.20', format: 'legacy' });
    const old = items.find((i) => i.label === 'state.checkpoints.dir');
    assert.ok(old?.deprecated);
    assert.ok(old!.sortText.startsWith('2'));
    const for118 = completeAt(
      'execution.checkpointing.d',
      { line: 0, character: 25 },
      { version: '1.18', format: 'legacy' },
    );
    assert.ok(!for118.some((i) => i.label === 'execution.checkpointing.dir'));
  });

  test('values: enum constants with the deprecated one marked; examples for durations', () => {
    const items = completeAt(
      'execution.state-recovery.claim-mode: ',
      { line: 0, character: 37 },
      { version: '2.0', format: 'yaml' },
    );
    assert.deepEqual(items.map((i) => i.label).sort(), ['CLAIM', 'LEGACY', 'NO_CLAIM']);
    assert.equal(items.find((i) => i.label === 'LEGACY')!.deprecated, true);
    assert.equal(items.find((i) => i.label === 'NO_CLAIM')!.detail, 'default');
    const durations = completeAt(
      'execution.checkpointing.interval: ',
      { line: 0, character: 34 },
      { version: '1.20', format: 'legacy' },
    );
    assert.ok(durations.some((i) => i.label === '1 min'));
  });
});

describe('hover', () => {
  test('type, default, since, deprecation with replacement and a docs link', () => {
    const h = hoverAt(
      'state.checkpoints.num-retained: 3\n',
      { line: 0, character: 5 },
      { version: '2.0', format: 'yaml' },
    )!;
    assert.equal(h.key, 'state.checkpoints.num-retained');
    assert.match(h.markdown, /`Integer`/);
    assert.match(h.markdown, /default `1`/);
    assert.match(h.markdown, /Deprecated\*\* since 1\.20: use `execution\.checkpointing\.num-retained`/);
    assert.match(
      h.markdown,
      /flink-docs-release-2\.0\/docs\/deployment\/config\/#execution-checkpointing-num-retained/,
    );
  });

  test('shows where the type or default changed', () => {
    const h = hoverAt(
      'high-availability.zookeeper.client.session-timeout: 60000\n',
      { line: 0, character: 3 },
      { version: '1.20', format: 'legacy' },
    )!;
    assert.match(h.markdown, /1\.15: `Integer` = `60000` → 1\.20: `Duration` = `1 min`/);
  });

  test('works on nested keys and gives our description', () => {
    const h = hoverAt(
      'execution:\n  checkpointing:\n    interval: 1 min\n',
      { line: 2, character: 6 },
      { version: '1.20', format: 'yaml' },
    )!;
    assert.equal(h.key, 'execution.checkpointing.interval');
    assert.match(h.markdown, /bare number is milliseconds/);
  });
});

describe('catalog', () => {
  test('every description belongs to a key the catalog knows', () => {
    const known = new Set(allCatalogKeys());
    assert.deepEqual(
      describedKeys().filter((k) => !known.has(k)),
      [],
    );
  });

  test('an old key shares the description of the key that replaced it, also in lines where it is current', () => {
    assert.equal(
      lookupOption('state.checkpoints.dir', '1.19')!.description,
      lookupOption('execution.checkpointing.dir', '1.20')!.description,
    );
  });

  test('records renames, removals and types across lines', () => {
    const old = lookupOption('state.checkpoints.dir', '2.2')!;
    assert.equal(old.status, 'deprecated');
    assert.equal(old.deprecatedIn, '1.20');
    assert.equal(old.latestReplacement, 'execution.checkpointing.dir');
    assert.equal(lookupOption('state.checkpoints.dir', '1.19')!.status, 'current');
    const removed = lookupOption('fs.hdfs.hadoopconf', '2.0')!;
    assert.equal(removed.status, 'removed');
    assert.equal(removed.removedIn, '2.0');
    assert.equal(lookupOption('execution.checkpointing.interval', '1.15')!.type, 'Duration');
    assert.equal(lookupOption('execution.state-recovery.claim-mode', '1.19')!.status, 'not-yet');
  });
});

describe('migration to config.yaml', () => {
  test('keeps a prefix key and its children, comments, and the exact map', () => {
    const legacy = readFileSync(
      path.join(repoRoot, 'test/unit/config/corpus/duplicates-and-prefix.flink-conf.yaml'),
      'utf8',
    );
    const result = migrateToConfigYaml(`# header\n\n${legacy}`);
    const expected = effectiveMap(parseLegacyConfig(legacy))!;
    assert.deepEqual(effectiveMap(parseYamlConfig(result.text)), expected);
    assert.match(result.text, /^# header\n/);
    assert.match(result.text, /^high-availability: zookeeper$/m);
    assert.match(result.text, /^high-availability\.storageDir: /m);
    assert.ok(result.notes.some((n) => /prefix of other keys/.test(n.message)));
  });

  test('nests keys, quotes values that would change type, renames deprecated keys on request', () => {
    const legacy =
      'state.checkpoints.dir: s3://b/cp # where\nstate.checkpoints.num-retained: 007\npipeline.name: true\nstate.backend.type: rocksdb\n';
    const plain = migrateToConfigYaml(legacy);
    assert.equal(
      plain.text,
      "state:\n  checkpoints:\n    dir: s3://b/cp # where\n    num-retained: '007'\n  backend:\n    type: rocksdb\npipeline:\n  name: true\n",
    );
    const renamed = migrateToConfigYaml(legacy, { renameDeprecated: true, version: '2.0' });
    assert.deepEqual(renamed.renamed, [
      ['state.checkpoints.dir', 'execution.checkpointing.dir'],
      ['state.checkpoints.num-retained', 'execution.checkpointing.num-retained'],
    ]);
    assert.equal(effectiveMap(parseYamlConfig(renamed.text))!.get('execution.checkpointing.num-retained'), '007');
  });

  test('every corpus flink-conf.yaml migrates to the same map', () => {
    const dir = path.join(repoRoot, 'test/unit/config/corpus');
    const files = readdirSync(dir).filter((f) => f.endsWith('.flink-conf.yaml'));
    assert.ok(files.length >= 7);
    for (const file of files) {
      const legacy = readFileSync(path.join(dir, file), 'utf8');
      const result = migrateToConfigYaml(legacy);
      assert.deepEqual(effectiveMap(parseYamlConfig(result.text)), effectiveMap(parseLegacyConfig(legacy)), file);
    }
  });
});

describe('snippets', () => {
  test('use the keys of the target line', () => {
    const old = snippetsFor('1.19').find((s) => s.id === 'checkpoints-hdfs')!;
    const now = snippetsFor('1.20').find((s) => s.id === 'checkpoints-hdfs')!;
    assert.ok(old.keys.includes('state.checkpoints.dir'));
    assert.ok(now.keys.includes('execution.checkpointing.dir'));
    assert.ok(
      snippetsFor('1.16')
        .find((s) => s.id === 'rocksdb-incremental')!
        .keys.includes('state.backend'),
    );
    for (const version of ['1.15', '1.16', '1.17', '1.18', '1.19', '1.20', '2.0', '2.1', '2.2', '2.3']) {
      for (const s of snippetsFor(version)) {
        for (const key of s.keys) {
          if (key.startsWith('flink.hadoop.')) continue;
          assert.equal(lookupOption(key, version)?.status, 'current', `${s.id} ${key} for ${version}`);
        }
      }
    }
  });

  test('FTP snippet keeps credentials out of the URI', () => {
    const ftp = snippetsFor('2.0').find((s) => s.id === 'checkpoints-ftp')!;
    const dir = ftp.body.find((l) => l.startsWith('execution.checkpointing.dir'))!;
    assert.ok(!/@/.test(dir));
    assert.ok(ftp.body.some((l) => l.startsWith('flink.hadoop.fs.ftp.password.')));
  });

  test('a snippet body with placeholders removed is a clean configuration', () => {
    for (const s of snippetsFor('2.2')) {
      const text = `${s.body.join('\n').replace(/\$\{\d+:([^}]*)\}/g, '$1')}\n`;
      assert.equal(parseYamlConfig(text).fatal, false, s.id);
      assert.equal(applyEdits(text, []), text);
    }
  });
});
