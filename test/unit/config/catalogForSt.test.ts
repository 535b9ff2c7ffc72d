import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CATALOG_LINES, CATALOG_MODULES, checkConfig, keysFor, lookupOption } from '../../../src/core/config';

// The ForSt option classes need ForSt's own JNI types on the generator's class path; without them every ForSt key of
// the 2.x lines went missing (marked removed in 2.0) and the 2.x-only ones were unknown.
describe('ForSt options in the catalog', () => {
  const lines2x = CATALOG_LINES.filter((l) => l.startsWith('2.'));

  test('the catalog covers Flink 1.15 to 2.3, and reads the ForSt module wherever Maven Central has it', () => {
    assert.deepEqual([CATALOG_LINES[0], CATALOG_LINES[CATALOG_LINES.length - 1]], ['1.15', '2.3']);
    for (const line of ['1.20', '2.0', '2.2', '2.3']) {
      assert.ok('flink-statebackend-forst' in CATALOG_MODULES[line], line);
    }
  });

  test('block, write buffer, compaction, thread, files, log, bloom filter, write batch and metrics keys are current in every 2.x line', () => {
    const keys = [
      'state.backend.forst.block.blocksize',
      'state.backend.forst.block.cache-size',
      'state.backend.forst.writebuffer.size',
      'state.backend.forst.writebuffer.count',
      'state.backend.forst.compaction.style',
      'state.backend.forst.thread.num',
      'state.backend.forst.files.open',
      'state.backend.forst.log.level',
      'state.backend.forst.bloom-filter.bits-per-key',
      'state.backend.forst.use-bloom-filter',
      'state.backend.forst.write-batch-size',
      'state.backend.forst.metrics.num-running-compactions',
    ];
    for (const line of lines2x) {
      for (const key of keys) assert.equal(lookupOption(key, line)?.status, 'current', `${key} in ${line}`);
      const forst = keysFor(line).filter((k) => k.startsWith('state.backend.forst.'));
      assert.ok(forst.length >= 85, `${line}: ${forst.length} ForSt keys`);
      assert.ok(forst.filter((k) => k.startsWith('state.backend.forst.metrics.')).length >= 39, line);
    }
  });

  test('2.x-only keys are known from 2.0 and not before', () => {
    assert.equal(lookupOption('state.backend.forst.use-ingest-db-restore-mode', '1.20')?.status, 'not-yet');
    for (const line of lines2x) {
      assert.equal(lookupOption('state.backend.forst.use-ingest-db-restore-mode', line)?.status, 'current', line);
    }
  });

  test('a valid 2.x ForSt configuration gets no unknown or removed keys', () => {
    const text = [
      'state.backend.type: forst',
      'state.backend.forst.block.blocksize: 16 kb',
      'state.backend.forst.writebuffer.size: 128 mb',
      'state.backend.forst.compaction.style: LEVEL',
      'state.backend.forst.thread.num: 4',
      'state.backend.forst.metrics.block-cache-usage: true',
      'state.backend.forst.use-ingest-db-restore-mode: true',
      '',
    ].join('\n');
    for (const version of lines2x) {
      const found = checkConfig(text, { version, format: 'yaml', fileName: 'config.yaml' }).filter(
        (d) => d.severity === 'error' || /key/.test(d.code),
      );
      assert.deepEqual(
        found.map((d) => `${d.code} ${d.key ?? ''}`),
        [],
        version,
      );
    }
  });
});
