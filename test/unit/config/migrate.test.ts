import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applyEdits,
  checkConfig,
  effectiveMap,
  hoverAt,
  keyForLine,
  lookupOption,
  migrateToConfigYaml,
  parseLegacyConfig,
  parseYamlConfig,
} from '../../../src/core/config';

describe('migration keeps comments with what they describe', () => {
  test('a header comment right above the first key stays at the top, above the block it opens', () => {
    const legacy =
      '# Production cluster, owned by the data team\nstate.backend.type: rocksdb\nstate.backend.incremental: true\n';
    const { text } = migrateToConfigYaml(legacy);
    assert.equal(
      text,
      '# Production cluster, owned by the data team\nstate:\n  backend:\n    type: rocksdb\n    incremental: true\n',
    );
  });

  test('a comment above a key that starts a block goes above the block; one inside a block stays above its key', () => {
    const legacy = [
      '# JobManager address',
      'jobmanager.rpc.address: jm',
      '',
      '# Checkpoints',
      'execution.checkpointing.interval: 1 min',
      '# keep three',
      'execution.checkpointing.num-retained: 3',
      'jobmanager.rpc.port: 6123 # the default',
      '',
    ].join('\n');
    const { text } = migrateToConfigYaml(legacy);
    assert.equal(
      text,
      [
        '# JobManager address',
        'jobmanager:',
        '  rpc:',
        '    address: jm',
        '    port: 6123 # the default',
        '',
        '# Checkpoints',
        'execution:',
        '  checkpointing:',
        '    interval: 1 min',
        '    # keep three',
        '    num-retained: 3',
        '',
      ].join('\n'),
    );
    assert.deepEqual(effectiveMap(parseYamlConfig(text)), effectiveMap(parseLegacyConfig(legacy)));
  });
});

describe('migration lists what needs attention', () => {
  const legacy = [
    'execution.checkpointing.intervall: 10 s',
    'execution.checkpointing.timeout: 10 minuts',
    'execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELATION',
    'state.backend.type: rocksdb',
    "pipeline.name: 'job'",
    '',
  ].join('\n');

  test('misspelt keys and bad values are in the result, with their line, and marked in the file above their key', () => {
    const result = migrateToConfigYaml(legacy, { version: '2.2' });
    assert.deepEqual(
      result.attention.map((a) => [a.line, a.key, a.code]),
      [
        [0, 'execution.checkpointing.intervall', 'unknown-key'],
        [1, 'execution.checkpointing.timeout', 'invalid-value'],
        [2, 'execution.checkpointing.externalized-checkpoint-retention', 'invalid-value'],
        [4, 'pipeline.name', 'legacy-quoted-value'],
      ],
    );
    assert.match(result.attention[0].message, /Did you mean "execution\.checkpointing\.interval"/);
    const lines = result.text.split('\n');
    for (const key of ['intervall', 'timeout', 'externalized-checkpoint-retention', 'name']) {
      const at = lines.findIndex((l) => l.trimStart().startsWith(`${key}:`));
      assert.match(lines[at - 1], /^\s*# ATTENTION: /, key);
    }
    // Still exactly what Flink read: the migration marks, it does not change values.
    assert.deepEqual(effectiveMap(parseYamlConfig(result.text)), effectiveMap(parseLegacyConfig(legacy)));
  });

  test('a clean file needs no attention', () => {
    assert.deepEqual(
      migrateToConfigYaml('execution.checkpointing.interval: 1 min\nstate.backend.type: rocksdb\n', { version: '2.2' })
        .attention,
      [],
    );
  });
});

describe('migration of state.backend.local-recovery keeps local recovery on', () => {
  test('from 1.20 the old key feeds two options, and the migration writes both', () => {
    const info = lookupOption('state.backend.local-recovery', '1.20')!;
    assert.deepEqual([...info.replacements].sort(), [
      'execution.checkpointing.local-backup.enabled',
      'execution.state-recovery.from-local',
    ]);
    for (const version of ['1.20', '2.0', '2.2', '2.3']) {
      const result = migrateToConfigYaml('state.backend.local-recovery: true\n', { renameDeprecated: true, version });
      const map = effectiveMap(parseYamlConfig(result.text))!;
      assert.deepEqual(
        Object.fromEntries(map),
        { 'execution.checkpointing.local-backup.enabled': 'true', 'execution.state-recovery.from-local': 'true' },
        version,
      );
      assert.equal(result.renamed.length, 2);
    }
  });

  test("with one of the two already set, the old key stays as it is (what it feeds depends on Flink's fallback order)", () => {
    const legacy = 'state.backend.local-recovery: true\nexecution.state-recovery.from-local: false\n';
    const result = migrateToConfigYaml(legacy, { renameDeprecated: true, version: '2.2' });
    assert.deepEqual(effectiveMap(parseYamlConfig(result.text)), effectiveMap(parseLegacyConfig(legacy)));
    assert.ok(result.notes.some((n) => /kept: Flink 2\.2 reads it for/.test(n.message)));
  });

  test('the deprecated-key fix writes both keys too', () => {
    const text = 'state.backend.local-recovery: true\nparallelism.default: 2\n';
    const d = checkConfig(text, { version: '2.2', format: 'yaml', fileName: 'config.yaml' }).find(
      (x) => x.code === 'deprecated-key',
    )!;
    assert.match(
      d.message,
      /use "execution\.checkpointing\.local-backup\.enabled" and "execution\.state-recovery\.from-local"/,
    );
    assert.equal(
      d.fixes[0].title,
      'Replace with "execution.checkpointing.local-backup.enabled" and "execution.state-recovery.from-local"',
    );
    assert.equal(
      applyEdits(text, d.fixes[0].edits),
      'execution.checkpointing.local-backup.enabled: true\nparallelism.default: 2\nexecution.state-recovery.from-local: true\n',
    );
  });

  test('the hover names both keys, and 1.19 snippets and fixes find the old key for either new one', () => {
    const hover = hoverAt(
      'state.backend.local-recovery: true\n',
      { line: 0, character: 3 },
      { version: '2.2', format: 'yaml' },
    )!;
    assert.match(
      hover.markdown,
      /use `execution\.checkpointing\.local-backup\.enabled` and `execution\.state-recovery\.from-local`/,
    );
    assert.equal(keyForLine('execution.state-recovery.from-local', '1.19'), 'state.backend.local-recovery');
    assert.equal(keyForLine('execution.checkpointing.local-backup.enabled', '1.19'), 'state.backend.local-recovery');
    const d = checkConfig('execution.state-recovery.from-local: true\n', {
      version: '1.19',
      format: 'legacy',
      fileName: 'flink-conf.yaml',
    });
    assert.match(d.find((x) => x.code === 'key-not-yet')!.message, /Use "state\.backend\.local-recovery" for 1\.19/);
  });

  test('1.19 reads the old key itself: nothing to rename', () => {
    const result = migrateToConfigYaml('state.backend.local-recovery: true\n', {
      renameDeprecated: true,
      version: '1.19',
    });
    assert.deepEqual(result.renamed, []);
  });
});
