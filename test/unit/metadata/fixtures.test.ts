import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetadataError, operatorIdFromUid, parseMetadata, summarize } from '../../../src/core/metadata';
import { SKIP_NO_SHARED, sharedFixture, sharedFixtures, sharedFixturesDir } from './support';

const skip = sharedFixturesDir() === undefined ? SKIP_NO_SHARED : false;
if (skip) console.log(`# skipping shared-fixture tests: ${skip}`);

function summaryOf(name: string) {
  return summarize(parseMetadata(sharedFixture(name), { pointer: `file:/checkpoints/${name}` }));
}

describe('the 40 real _metadata files in ../shared', { skip }, () => {
  it('has 40 files, and every one but the V1 file parses to the last byte', () => {
    const all = sharedFixtures();
    assert.equal(all.length, 40);
    let parsed = 0;
    for (const [name, bytes] of all) {
      const header = new DataView(bytes.buffer, bytes.byteOffset).getInt32(4);
      if (name.startsWith('v1-')) {
        assert.throws(
          () => parseMetadata(bytes),
          (e: unknown) =>
            e instanceof MetadataError &&
            e.code === 'unsupported-version' &&
            e.offset === 4 &&
            /Flink 1\.2 or older; no current Flink can restore it/.test(e.message),
        );
        continue;
      }
      const md = parseMetadata(bytes);
      assert.equal(md.metadataVersion, header, name);
      assert.equal(`v${md.metadataVersion}`, name.slice(0, 2), name);
      // parseMetadata refuses trailing bytes, so success means the body ended exactly at EOF; one more byte must fail.
      const longer = new Uint8Array(bytes.length + 1);
      longer.set(bytes);
      assert.throws(
        () => parseMetadata(longer),
        (e: unknown) => e instanceof MetadataError && e.code === 'trailing-bytes' && e.offset === bytes.length,
        name,
      );
      parsed++;
    }
    assert.equal(parsed, 39);
  });

  it('reads the null CheckpointProperties, master state and fully finished operator of the 2.0-SNAPSHOT state-processor file', () => {
    const md = parseMetadata(sharedFixture('v5-flink2.0dev-state-processor-table-state-nulls'));
    assert.equal(md.properties.status, 'null');
    assert.equal(md.checkpointId, 0n);
    assert.deepEqual(
      md.masterStates.map((m) => [m.name, m.version, m.size]),
      [['com.example.state.writer.job.masterstate.MasterTriggerRestoreHook', 1, 8]],
    );
    const finished = md.operators.filter((o) => o.fullyFinished);
    assert.equal(finished.length, 1);
    assert.equal(finished[0].uid, 'broadcast-source-uid');
    assert.equal(finished[0].subtasks.length, 0);
    const modes = md.operators
      .flatMap((o) => o.subtasks.flatMap((s) => (s.finished ? [] : [s.managedOperatorState, s.rawOperatorState])))
      .flatMap((h) => h?.states.map((st) => st.mode) ?? []);
    assert.ok(modes.includes('BROADCAST'));
    const keyedTags = new Set(
      md.operators.flatMap((o) =>
        o.subtasks.flatMap((s) => (s.finished || s.managedKeyedState === null ? [] : [s.managedKeyedState.tag])),
      ),
    );
    assert.deepEqual(
      [...keyedTags].sort((a, b) => a - b),
      [7, 12],
    );
    const s = summarize(md);
    assert.equal(s.kind, null);
    assert.equal(s.savepointFormat, null);
    assert.equal(s.properties, 'null');
  });

  it('tells checkpoints from savepoints and canonical from native by the properties, not the directory label', () => {
    const cases: [string, string | null, string | null, string | null][] = [
      ['v4-flink1.16-hashmap-savepoint-canonical-type-serializer-snapshot', 'savepoint', 'canonical', 'Savepoint'],
      ['v4-flink1.16-rocksdb-savepoint-native-broadcast-udf', 'savepoint', 'native', 'Savepoint'],
      ['v4-flink1.20-kafka-source-savepoint-enum1', 'savepoint', 'native', 'Suspend Savepoint'],
      ['v4-kafka-table-state-offsets-checkpoint', 'checkpoint', null, 'Checkpoint'],
      ['v6-flink2.3-rocksdb-checkpoint-broadcast-udf', 'checkpoint', null, 'Checkpoint'],
      ['v6-flink2.1dev-table-restore-four-way-join', 'savepoint', 'canonical', 'Suspend Savepoint'],
      ['v3-flink1.15-rocksdb-savepoint-native-stateful-udf', null, null, null],
    ];
    for (const [name, kind, format, type] of cases) {
      const s = summaryOf(name);
      assert.deepEqual([s.kind, s.savepointFormat, s.checkpointType], [kind, format, type], name);
    }
    // The "native" 1.15 savepoint's keyed state is canonical KeyGroupsSavepointStateHandle (tag 7).
    const native115 = summaryOf('v3-flink1.15-rocksdb-savepoint-native-stateful-udf');
    assert.ok(native115.operators.some((o) => o.handleTypes.KeyGroupsSavepointStateHandle === 4));
  });

  it('counts operators, versions and handle kinds as the INDEX notes describe', () => {
    const legacy = parseMetadata(sharedFixture('v2-flink1.3-rocksdb-savepoint-stateful-udf'));
    const legacyHandles = legacy.operators.flatMap((o) =>
      o.subtasks.flatMap((s) => (s.finished ? [] : s.legacyOperatorState)),
    );
    assert.equal(legacyHandles.length, 13);
    assert.equal(legacy.operators.length, 7);

    const kafka = parseMetadata(sharedFixture('v4-kafka-table-state-offsets-checkpoint'));
    const coordinators = kafka.operators.filter((o) => o.coordinatorState !== null);
    assert.equal(coordinators.length, 1);
    const coord = coordinators[0].coordinatorState;
    assert.ok(coord !== null && coord.tag === 1);
    assert.equal(coord.handleName, coordinators[0].operatorId);
    assert.deepEqual(summarize(kafka).referencedFiles, []);

    const unaligned = summaryOf('v3-flink1.15-rocksdb-checkpoint-unaligned-scala-udf');
    assert.equal(unaligned.operators.length, 3);
    assert.ok(unaligned.operators.some((o) => (o.handleTypes.ResultSubpartitionStateHandle ?? 0) > 0));

    const changelog = summaryOf('v4-flink1.16-rocksdb-checkpoint-changelog-scala-udf');
    assert.ok(changelog.operators.some((o) => o.handleTypes.ChangelogStateBackendHandleImpl === 3));

    const incremental = summaryOf('v4-flink1.20-rocksdb-checkpoint-stateful-udf');
    assert.equal(incremental.operators.length, 8);
    assert.equal(incremental.referencedFiles.length, 82);
    assert.ok(
      incremental.referencedFiles.every((f) =>
        f.startsWith('file:/checkpoints/v4-flink1.20-rocksdb-checkpoint-stateful-udf/'),
      ),
    );
    for (const o of incremental.operators) {
      const b = o.stateSizeBreakdown;
      assert.equal(b.inline + b.exclusiveFiles + b.sharedFiles, o.stateSize, o.operatorId);
    }
    assert.equal(
      incremental.stateSize,
      incremental.operators.reduce((n, o) => n + o.stateSize, 0),
    );
  });

  it('derives every stored operator id from its stored uid (V5+ files)', () => {
    let checked = 0;
    for (const [name, bytes] of sharedFixtures()) {
      if (!/^v[56]-/.test(name)) continue;
      for (const op of parseMetadata(bytes).operators) {
        if (op.uid === null) continue;
        assert.equal(operatorIdFromUid(op.uid), op.operatorId, `${name}: uid ${op.uid}`);
        checked++;
      }
    }
    assert.ok(checked >= 20, `only ${checked} uids checked`);
  });
});

describe('operator ids from uids', () => {
  it('matches the id Flink derives for the Kafka source uid', () => {
    assert.equal(operatorIdFromUid('kafka-source-operator-uid'), 'cb16aa5adb311e8ac72482def19accbe');
  });
  it('finds the Kafka source in the V4 savepoint, which stores no uids', { skip }, () => {
    const md = parseMetadata(sharedFixture('v4-flink1.20-kafka-source-savepoint-enum1'));
    assert.ok(md.operators.every((o) => o.uid === null));
    assert.ok(md.operators.some((o) => o.operatorId === operatorIdFromUid('kafka-source-operator-uid')));
  });
});
