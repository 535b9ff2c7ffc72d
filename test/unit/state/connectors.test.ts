import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { inspectCommand } from '../../../src/cli/inspect';
import { stateCommand } from '../../../src/cli/state';
import { parseMetadata, summarize } from '../../../src/core/metadata';
import {
  decodeCoordinatorState,
  decodeSinkCommitterState,
  decodeSinkWriterState,
  decodeSourceSplit,
  describeCoordinatorState,
  stateEntries,
  type StateValue,
} from '../../../src/core/state/values';
import { sharedFixture, sharedFixturesDir } from '../metadata/support';
import { findFiles, repoRoot } from '../../support/repo';
import { entriesOf, openFixture, operatorIdOf } from './fixtureAccess';

const FIXTURES = path.join(repoRoot(), 'test', 'fixtures', 'flink');
const LINES = ['1.15.4', '1.16.3', '1.17.2', '1.18.1', '1.19.3', '1.20.5', '2.0.2', '2.1.3', '2.2.1'];

/** What `java.io.DataOutputStream` writes, to build split bytes the way the connectors' serializers do. */
class Out {
  private readonly parts: number[] = [];
  int(v: number): this {
    this.parts.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
    return this;
  }
  long(v: bigint): this {
    for (let s = 56n; s >= 0n; s -= 8n) this.parts.push(Number((BigInt.asUintN(64, v) >> s) & 255n));
    return this;
  }
  utf(s: string): this {
    const b = Buffer.from(s, 'utf8');
    this.parts.push(b.length >> 8, b.length & 255, ...b);
    return this;
  }
  bool(v: boolean): this {
    this.parts.push(v ? 1 : 0);
    return this;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** `SimpleVersionedSerialization.writeVersionAndSerialize`. */
function framed(version: number, payload: Uint8Array): Uint8Array {
  return Uint8Array.from([...new Out().int(version).int(payload.length).bytes(), ...payload]);
}

function kafkaSplit(topic: string, partition: number, start: bigint, stop: bigint): Uint8Array {
  return new Out().utf(topic).int(partition).long(start).long(stop).bytes();
}

const NO_STOPPING_OFFSET = -(1n << 63n);

/** `NumberSequenceSource#splitNumberRange` of [0, Long.MAX_VALUE] into one split per subtask: split k ends at k·size − 1. */
const RANGE = 1n << 63n;

describe('FLIP-27 source reader state of the word-count fixtures (NumberSequenceSource)', () => {
  for (const version of LINES) {
    it(`${version}: every SourceReaderState element is a number-sequence split inside the range Flink gave it`, async () => {
      const files = findFiles(path.join(FIXTURES, version), '_metadata')
        .filter((f) => !/changelog/.test(f))
        .sort();
      let splits = 0;
      for (const file of files) {
        const snapshot = openFixture(file);
        for (const uid of ['numbers', 'stop-word-feed']) {
          const { entries, problems } = await entriesOf(snapshot, uid, { states: new Set(['SourceReaderState']) });
          assert.deepEqual(problems, [], snapshot.where);
          const parallelism = snapshot.operators.find((o) => o.operatorId === operatorIdOf(uid))?.parallelism ?? 0;
          const size = RANGE / BigInt(parallelism);
          for (const e of entries) {
            const v = e.value as { [k: string]: StateValue };
            assert.equal(v.split, 'number-sequence', `${snapshot.where} ${uid}: ${JSON.stringify(v)}`);
            const k = BigInt(v.splitId as string);
            const from = BigInt(v.from as number | string);
            const to = BigInt(v.to as number | string);
            assert.ok(k >= 1n && k <= BigInt(parallelism), `${snapshot.where}: split id ${k}`);
            assert.equal(to, k * size - 1n, `${snapshot.where}: split ${k} ends at ${to}`);
            assert.ok(from >= (k - 1n) * size && from <= to + 1n, `${snapshot.where}: split ${k} at ${from}`);
            splits++;
          }
        }
      }
      assert.ok(splits >= 8, `${version}: only ${splits} splits`);
    });
  }

  it('shows the number-sequence enumerator of every word-count snapshot in the summary', () => {
    const file = findFiles(path.join(FIXTURES, '2.2.1', 'savepoints'), '_metadata')[0];
    const s = summarize(parseMetadata(new Uint8Array(fs.readFileSync(file))));
    const states = s.operators.flatMap((o) => (o.coordinatorState === undefined ? [] : [o.coordinatorState]));
    assert.equal(states.length, 2);
    for (const c of states) {
      assert.deepEqual(c, { enumerator: 'number-sequence', serializerVersion: 1, remainingSplits: [] });
      assert.equal(describeCoordinatorState(c), 'number-sequence enumerator, 0 splits not yet assigned');
    }
  });
});

const skipShared = sharedFixturesDir() === undefined ? 'the shared Flink metadata fixtures are not here' : false;

describe("the Kafka connector's own savepoints (shared fixtures)", { skip: skipShared }, () => {
  const coordinator = (name: string) => {
    const s = summarize(parseMetadata(sharedFixture(name)));
    const states = s.operators.flatMap((o) => (o.coordinatorState === undefined ? [] : [o.coordinatorState]));
    assert.equal(states.length, 1, name);
    return states[0] as { [k: string]: StateValue };
  };
  const partitions = (v: { [k: string]: StateValue }) =>
    (v.partitions as { [k: string]: StateValue }[]).map((p) => `${String(p.topic)}-${String(p.partition)}`).sort();
  const TOPIC = Array.from({ length: 10 }, (_, i) => `topic-${i}`).sort();

  it('reads enumerator states of versions 1, 2 and 3 of KafkaSourceEnumStateSerializer', () => {
    const v1 = coordinator('v4-flink1.20-kafka-source-savepoint-enum1');
    assert.equal(v1.enumerator, 'kafka');
    assert.equal(v1.serializerVersion, 1);
    assert.deepEqual(partitions(v1), TOPIC);
    assert.equal(v1.initialDiscoveryFinished, undefined);
    const v2 = coordinator('v5-flink2.x-kafka-source-savepoint-enum2');
    assert.equal(v2.serializerVersion, 2);
    assert.deepEqual(partitions(v2), TOPIC);
    assert.equal(v2.initialDiscoveryFinished, true);
    const v3 = coordinator('v5-flink2.x-kafka-source-savepoint-enum3');
    assert.equal(v3.serializerVersion, 3);
    assert.deepEqual(partitions(v3), TOPIC);
    for (const p of v3.partitions as { [k: string]: StateValue }[]) {
      assert.deepEqual([p.assignment, p.startingOffset, p.stoppingOffset], ['assigned', 'earliest', null]);
    }
    const table = coordinator('v4-kafka-table-state-offsets-checkpoint');
    assert.deepEqual(partitions(table), ['test1-0', 'test1-1']);
  });

  it('reads the splits of their SourceReaderState: every partition once, at its offset', async () => {
    for (const name of ['v4-flink1.20-kafka-source-savepoint-enum1', 'v5-flink2.x-kafka-source-savepoint-enum3']) {
      const bytes = sharedFixture(name);
      const md = parseMetadata(bytes);
      const op = md.operators.find((o) => o.coordinatorState !== null);
      assert.ok(op);
      const access = {
        readMetadata: (o: number, l: number) => Promise.resolve(bytes.subarray(o, o + l)),
        read: () => Promise.reject(new Error('these savepoints keep their state inline')),
      };
      const splits: StateValue[] = [];
      const problems: unknown[] = [];
      for await (const { entry } of stateEntries(op, null, access, {}, (p) => problems.push(p))) {
        splits.push(entry.value);
      }
      assert.deepEqual(problems, [], name);
      assert.deepEqual(
        splits
          .map((s) => `${String((s as { topic: string }).topic)}-${String((s as { partition: number }).partition)}`)
          .sort(),
        TOPIC,
        name,
      );
      for (const s of splits) {
        assert.deepEqual(
          { ...(s as object), partition: 0 },
          { split: 'kafka', topic: 'topic', partition: 0, startingOffset: 10, stoppingOffset: null },
          name,
        );
      }
    }
  });
  it('reads the committer state of the unified sink migration savepoint (Flink 1.14’s Sink V1 committer state)', async () => {
    const bytes = sharedFixture('v3-flink1.15-savepoint-unified-sink-migration');
    const md = parseMetadata(bytes);
    const access = {
      readMetadata: (o: number, l: number) => Promise.resolve(bytes.subarray(o, o + l)),
      read: () => Promise.reject(new Error('this savepoint keeps its state inline')),
    };
    const committers: StateValue[] = [];
    for (const op of md.operators) {
      for await (const { entry } of stateEntries(op, null, access, {}, () => assert.fail('no problem expected'))) {
        if (entry.state === 'streaming_committer_raw_states') committers.push(entry.value);
      }
    }
    // The test sink's committables are a String and an Integer in their own serializers: shown as their bytes.
    assert.deepEqual(
      committers.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      [
        {
          committer: 'sink',
          serializerVersion: 1,
          committables: [{ committable: 'unknown', serializerVersion: 0, hex: '00000002' }],
        },
        {
          committer: 'sink',
          serializerVersion: 1,
          committables: [{ committable: 'unknown', serializerVersion: 0, hex: '000133' }],
        },
      ],
    );
  });
});

describe('connector state from bytes that are not what they should be', () => {
  const split = framed(0, kafkaSplit('orders', 3, 42n, NO_STOPPING_OFFSET));

  it('reads a Kafka split with its offset markers as KafkaPartitionSplit names them', () => {
    assert.deepEqual(decodeSourceSplit(split), {
      split: 'kafka',
      topic: 'orders',
      partition: 3,
      startingOffset: 42,
      stoppingOffset: null,
    });
    const markers = decodeSourceSplit(framed(0, kafkaSplit('t', 0, -2n, -3n)));
    assert.deepEqual(markers, {
      split: 'kafka',
      topic: 't',
      partition: 0,
      startingOffset: 'earliest',
      stoppingOffset: 'committed',
    });
    const bounded = decodeSourceSplit(framed(0, kafkaSplit('t', 0, -3n, 1n << 60n)));
    assert.deepEqual(bounded, {
      split: 'kafka',
      topic: 't',
      partition: 0,
      startingOffset: 'committed',
      stoppingOffset: '1152921504606846976',
    });
  });

  it('shows a split of a serializer version no known source writes as its version and hex', () => {
    const payload = kafkaSplit('orders', 3, 42n, 7n);
    assert.deepEqual(decodeSourceSplit(framed(7, payload)), {
      split: 'unknown',
      serializerVersion: 7,
      hex: Buffer.from(payload).toString('hex'),
    });
  });

  it('never throws on any truncation of a split, and says what is wrong with the frame', () => {
    for (let n = 0; n < split.length; n++) {
      const v = decodeSourceSplit(split.subarray(0, n)) as { [k: string]: StateValue };
      assert.equal(v.split, 'unknown', `prefix of ${n} bytes`);
      assert.equal(v.hex, Buffer.from(split.subarray(0, n)).toString('hex'));
      assert.match(String(v.problem), /not a versioned split state/, `prefix of ${n} bytes`);
    }
    const v = decodeSourceSplit(split.subarray(0, 12)) as { problem: string };
    assert.match(v.problem, /the frame says 28 bytes, 4 follow/);
  });

  it('shows a frame whose bytes no known split serializer takes exactly (cut inside, or bytes left over) as hex', () => {
    const payload = kafkaSplit('orders', 3, 42n, 7n);
    for (const bytes of [payload.subarray(0, payload.length - 1), Uint8Array.from([...payload, 0])]) {
      const v = decodeSourceSplit(framed(0, bytes)) as { [k: string]: StateValue };
      assert.deepEqual(v, { split: 'unknown', serializerVersion: 0, hex: Buffer.from(bytes).toString('hex') });
    }
  });

  it('reads KafkaSink writer states of versions 1 and 2', () => {
    assert.deepEqual(decodeSinkWriterState(framed(1, new Out().utf('orders-tx').bytes())), {
      writer: 'kafka',
      transactionalIdPrefix: 'orders-tx',
    });
    const v2 = new Out().utf('orders-tx').int(1).int(4).int(1).int(1).utf('orders-tx-1-7').long(7n).bytes();
    assert.deepEqual(decodeSinkWriterState(framed(2, v2)), {
      writer: 'kafka',
      transactionalIdPrefix: 'orders-tx',
      ownedSubtaskId: 1,
      totalNumberOfOwnedSubtasks: 4,
      transactionOwnership: 'EXPLICIT_BY_WRITER_STATE',
      precommittedTransactionalIds: [{ transactionalId: 'orders-tx-1-7', checkpointId: 7 }],
    });
    assert.deepEqual(decodeSinkWriterState(framed(3, v2)), {
      writer: 'unknown',
      serializerVersion: 3,
      hex: Buffer.from(v2).toString('hex'),
    });
  });

  const enumerator = new Out().int(1).utf('orders').int(0).int(0).bool(true).bytes();
  const coordinator = Uint8Array.from([...new Out().int(1).int(2).int(enumerator.length).bytes(), ...enumerator]);

  it('reads a source coordinator state and tells other coordinators and unknown enumerators apart', () => {
    assert.deepEqual(decodeCoordinatorState(coordinator), {
      enumerator: 'kafka',
      serializerVersion: 2,
      partitions: [{ topic: 'orders', partition: 0, assignment: 'assigned' }],
      initialDiscoveryFinished: true,
    });
    const other = Uint8Array.from([0xac, 0xed, 0, 5, 0x70]);
    assert.deepEqual(decodeCoordinatorState(other), {
      coordinator: 'unknown',
      hex: 'aced000570',
      problem: 'not a source coordinator (serde version -1393754107)',
    });
    const unknown = Uint8Array.from([...new Out().int(1).int(9).int(3).bytes(), 1, 2, 3]);
    assert.deepEqual(decodeCoordinatorState(unknown), { enumerator: 'unknown', serializerVersion: 9, hex: '010203' });
    assert.match(
      describeCoordinatorState(decodeCoordinatorState(unknown)),
      /an enumerator not known here \(serializer version 9\), 3 bytes/,
    );
  });

  it('never throws on any truncation or corruption of a coordinator state', () => {
    for (let n = 0; n < coordinator.length; n++) {
      const v = decodeCoordinatorState(coordinator.subarray(0, n)) as { [k: string]: StateValue };
      assert.ok(
        v.coordinator === 'unknown' || v.enumerator === 'unknown',
        `prefix of ${n} bytes: ${JSON.stringify(v)}`,
      );
    }
    // An assignment status Flink does not have, and a partition count far beyond the bytes there are.
    const badStatus = Uint8Array.from(coordinator);
    badStatus[badStatus.length - 2] = 9;
    assert.equal((decodeCoordinatorState(badStatus) as { enumerator: string }).enumerator, 'unknown');
    const huge = Uint8Array.from(coordinator);
    huge.set([0x7f, 0xff, 0xff, 0xff], 12);
    assert.equal((decodeCoordinatorState(huge) as { enumerator: string }).enumerator, 'unknown');
  });

  it('survives random bytes and random corruptions (fuzz, fixed seed)', () => {
    let seed = 20;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    let readable = 0;
    for (let round = 0; round < 5000; round++) {
      const base = round % 2 === 0 ? split : coordinator;
      const bytes = Uint8Array.from(base);
      for (let k = 0; k < 1 + Math.floor(random() * 3); k++) {
        bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
      const cut = bytes.subarray(0, Math.floor(random() * (bytes.length + 1)));
      for (const v of [decodeSourceSplit(cut), decodeCoordinatorState(cut), decodeSinkWriterState(cut)]) {
        assert.doesNotThrow(() => JSON.stringify(v));
        if ((v as { split?: string }).split === 'kafka') readable++;
      }
    }
    assert.ok(readable > 0, 'some corrupted splits still read as Kafka splits');
  });
});

describe('state --operator <source uid> prints the splits readably', () => {
  it('one JSON line per split of the savepoint, and the enumerator in inspect', async () => {
    const dir = path.dirname(findFiles(path.join(FIXTURES, '2.2.1', 'savepoints'), '_metadata').sort()[0]);
    let out = '';
    let err = '';
    const code = await stateCommand.run([dir, '--operator', 'numbers', '--json'], {
      out: (t) => (out += t),
      err: (t) => (err += t),
    });
    assert.equal(err, '');
    assert.equal(code, 0);
    const splits = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { state: string; subtask: number; value: { split: string; splitId: string } });
    assert.equal(splits.length, 4);
    assert.deepEqual(splits.map((s) => s.value.splitId).sort(), ['1', '2', '3', '4']);
    assert.ok(splits.every((s) => s.state === 'SourceReaderState' && s.value.split === 'number-sequence'));
    let text = '';
    await inspectCommand.run([dir], { out: (t) => (text += t), err: () => undefined });
    assert.match(text, /coordinator of numbers: number-sequence enumerator, 0 splits not yet assigned/);
  });
});

describe('Sink V2 committer state and file splits from bytes built as Flink writes them', () => {
  /** `SimpleVersionedSerialization.writeVersionAndSerializeList`. */
  const list = (version: number, items: Uint8Array[]) =>
    Uint8Array.from([
      ...new Out().int(version).int(items.length).bytes(),
      ...items.flatMap((b) => [...new Out().int(b.length).bytes(), ...b]),
    ]);
  const kafka = Uint8Array.from([0, 3, ...new Out().long(1234n).utf('orders-tx-1-7').bytes()]);
  const request = (version: number, bytes: Uint8Array, state = 0) =>
    Uint8Array.from([...framed(version, bytes), ...new Out().int(0).int(state).bytes()]);
  const collector = (subtaskVersion: number, requestBytes: Uint8Array) => {
    const subtask = Uint8Array.from([
      ...new Out().int(1).bytes(),
      ...list(0, [requestBytes]),
      ...(subtaskVersion === 1 ? new Out().int(1).int(0).int(0) : new Out().int(1).int(0)).bytes(),
    ]);
    const checkpoint = Uint8Array.from([...new Out().long(7n).int(2).bytes(), ...list(subtaskVersion, [subtask])]);
    return framed(2, Uint8Array.from([...new Out().int(0xb91f252c | 0).bytes(), ...list(1, [checkpoint])]));
  };

  it('reads a KafkaSink committable: producer id, epoch and transactional id, with the drained count of 1.x', () => {
    const expected = (drained: object) => ({
      committer: 'sink',
      serializerVersion: 2,
      checkpoints: [
        {
          checkpointId: 7,
          numberOfSubtasks: 2,
          subtasks: [
            {
              subtaskId: 1,
              requests: [
                {
                  committable: {
                    committable: 'kafka',
                    producerId: 1234,
                    epoch: 3,
                    transactionalId: 'orders-tx-1-7',
                  },
                  numberOfRetries: 0,
                  state: 'RECEIVED',
                },
              ],
              numCommittables: 1,
              ...drained,
              numFailed: 0,
            },
          ],
        },
      ],
    });
    assert.deepEqual(decodeSinkCommitterState(collector(2, request(1, kafka))), expected({}));
    assert.deepEqual(decodeSinkCommitterState(collector(1, request(1, kafka))), expected({ numDrained: 0 }));
  });

  it('shows a committable no known sink writes as its version and hex, and a broken collector as unknown', () => {
    const v = decodeSinkCommitterState(collector(2, request(5, kafka))) as {
      checkpoints: { subtasks: { requests: { committable: StateValue }[] }[] }[];
    };
    assert.deepEqual(v.checkpoints[0].subtasks[0].requests[0].committable, {
      committable: 'unknown',
      serializerVersion: 5,
      hex: Buffer.from(kafka).toString('hex'),
    });
    const badState = decodeSinkCommitterState(collector(2, request(1, kafka, 9))) as { committer: string };
    assert.equal(badState.committer, 'unknown');
    const whole = collector(2, request(1, kafka));
    for (let n = 0; n < whole.length; n++) {
      const t = decodeSinkCommitterState(whole.subarray(0, n)) as { committer: string };
      assert.equal(t.committer, 'unknown', `prefix of ${n} bytes`);
    }
  });

  it('reads a file split written before Flink kept the file modification time and size', () => {
    const path = Uint8Array.from([
      1,
      1,
      5,
      ...Buffer.from('file'),
      0,
      0,
      ...new Out().int(-1).bytes(),
      1,
      5,
      ...Buffer.from('/a/b'),
      0,
      0,
    ]);
    const split = Uint8Array.from([
      ...new Out().utf('0000000001').bytes(),
      ...path,
      ...new Out().long(0n).long(100n).int(1).utf('host-1').bool(true).long(-1n).long(12n).bytes(),
    ]);
    assert.deepEqual(decodeSourceSplit(framed(1, split)), {
      split: 'file',
      splitId: '0000000001',
      path: 'file:/a/b',
      offset: 0,
      length: 100,
      hostnames: ['host-1'],
      readerPosition: { offset: -1, recordsAfterOffset: 12 },
    });
  });
});
