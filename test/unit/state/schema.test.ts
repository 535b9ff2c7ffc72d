import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { operatorIdFromUid, parseMetadata } from '../../../src/core/metadata';
import {
  readSchemas,
  type OperatorSchema,
  type SerializerSnapshotNode,
  type StateFileAccess,
} from '../../../src/core/state';
import { describeSerializer } from '../../../src/cli/schema';
import { findFiles, repoRoot } from '../../support/repo';

const FIXTURES = path.join(repoRoot(), 'test', 'fixtures', 'flink');
const LINES = ['1.15.4', '1.16.3', '1.17.2', '1.18.1', '1.19.3', '1.20.5', '2.0.2', '2.1.3', '2.2.1'];

/**
 * What the scenario job (test/flink WordCountJob) declares, written out by hand: per uid, each state as
 * `name kind backend key | namespace | value`. The Counter's two timer queues are Flink's own (its timer service
 * registers them for every keyed operator with timers enabled), with `TimerSerializer(key, namespace)`.
 */
const EXPECTED: Record<string, string[]> = {
  numbers: ['SourceReaderState list operator  |  | BytePrimitiveArraySerializer'],
  'stop-word-feed': ['SourceReaderState list operator  |  | BytePrimitiveArraySerializer'],
  lines: ['emitted-lines list operator  |  | LongSerializer'],
  tokenizer: ['words-seen union operator  |  | LongSerializer'],
  'stop-word-filter': ['stop-words broadcast broadcast StringSerializer |  | BooleanSerializer'],
  counter: [
    '_timer_state/event_user-timers priority-queue keyed StringSerializer |  | TimerSerializer(StringSerializer, VoidNamespaceSerializer)',
    '_timer_state/processing_user-timers priority-queue keyed StringSerializer |  | TimerSerializer(StringSerializer, VoidNamespaceSerializer)',
    'count value keyed StringSerializer | VoidNamespaceSerializer | LongSerializer',
  ],
  'stop-word-maker': [],
};

/** Local reads of a fixture tree; absolute paths name the directory Flink wrote it in (the oracle's pointer root). */
function fixtureAccess(
  metadataFile: string,
  writtenRoot: string,
  fixtureRoot: string,
  reads: { bytes: number },
): StateFileAccess {
  const metadata = fs.readFileSync(metadataFile);
  return {
    readMetadata: (offset, length) => Promise.resolve(new Uint8Array(metadata.subarray(offset, offset + length))),
    read: (p, offset, length) => {
      const local = p.replace(/^file:/, '').replace(writtenRoot, fixtureRoot);
      const fd = fs.openSync(local, 'r');
      try {
        const target = new Uint8Array(length);
        const n = fs.readSync(fd, target, 0, length, offset);
        reads.bytes += n;
        return Promise.resolve(target.subarray(0, n));
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

async function schemasOf(metadataFile: string, reads = { bytes: 0 }): Promise<OperatorSchema[]> {
  const oracle = JSON.parse(fs.readFileSync(`${metadataFile}.oracle.json`, 'utf8')) as { externalPointer: string };
  const scenario = path.relative(FIXTURES, metadataFile).split(path.sep).slice(0, 2);
  const writtenRoot = `/tmp/flink-fixtures/${scenario.join('/')}`;
  const metadata = parseMetadata(new Uint8Array(fs.readFileSync(metadataFile)), { pointer: oracle.externalPointer });
  return readSchemas(metadata, fixtureAccess(metadataFile, writtenRoot, path.join(FIXTURES, ...scenario), reads));
}

function line(s: OperatorSchema['states'][number]): string {
  const d = (n: SerializerSnapshotNode | null) => describeSerializer(n);
  return `${s.name} ${s.kind} ${s.backend} ${d(s.keySerializer)} | ${d(s.namespaceSerializer)} | ${d(s.valueSerializer)}`;
}

describe('state schemas of the real Flink fixtures', () => {
  for (const version of LINES) {
    const files = findFiles(path.join(FIXTURES, version), '_metadata').sort();
    it(`${version}: every snapshot of every scenario has the states the job declares (${files.length} snapshots)`, async () => {
      assert.ok(files.length >= 8, `fixtures of ${version} missing`);
      for (const file of files) {
        const where = path.relative(FIXTURES, file);
        const reads = { bytes: 0 };
        const operators = await schemasOf(file, reads);
        for (const op of operators) assert.deepEqual(op.problems, [], `${where} ${op.operatorId}`);
        for (const [uid, expected] of Object.entries(EXPECTED)) {
          // Metadata before V5 records no uid: the operator id Flink derives from it identifies the operator.
          const op = operators.find((o) => o.operatorId === operatorIdFromUid(uid));
          assert.ok(op, `${where}: operator ${uid}`);
          if (op.uid !== null) assert.equal(op.uid, uid);
          assert.deepEqual(op.states.map(line).sort(), expected, `${where} ${uid}`);
        }
        const discard = operators.filter(
          (o) => !Object.keys(EXPECTED).some((uid) => operatorIdFromUid(uid) === o.operatorId),
        );
        assert.deepEqual(
          discard.map((o) => o.states.length),
          [0],
          `${where}: the operator without uid holds no state`,
        );
        // Heads only: 4 KiB per state file at most, whatever the state files hold.
        const stateFiles = operators.length * 4;
        assert.ok(reads.bytes <= stateFiles * 4096, `${where}: read ${reads.bytes} bytes`);
      }
    });
  }

  it('reports the serializer tree with Flink class names and versions (2.2.1 savepoint, Counter)', async () => {
    const file = findFiles(path.join(FIXTURES, '2.2.1', 'savepoints'), '_metadata').sort()[0];
    const counter = (await schemasOf(file)).find((o) => o.uid === 'counter');
    const timers = counter?.states.find((s) => s.name === '_timer_state/event_user-timers');
    assert.equal(timers?.valueSerializer?.class, 'org.apache.flink.streaming.api.operators.TimerSerializerSnapshot');
    assert.deepEqual(
      timers?.valueSerializer?.nested?.map((n) => [n.class, n.version]),
      [
        ['org.apache.flink.api.common.typeutils.base.StringSerializer$StringSerializerSnapshot', 3],
        ['org.apache.flink.runtime.state.VoidNamespaceSerializer$VoidNamespaceSerializerSnapshot', 3],
      ],
    );
  });
});
