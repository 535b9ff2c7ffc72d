import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseMetadata } from '../../../src/core/metadata';
import {
  DataInput,
  readKeyedProxy,
  readOperatorProxy,
  readSchemas,
  type OperatorSchema,
  type SerializerSnapshotNode,
  type StateMetaInfo,
} from '../../../src/core/state';
import { SKIP_NO_SHARED, repoRoot, sharedFixturesDir } from '../../support/repo';

/**
 * The shared fixtures hold `_metadata` files only; where Flink kept the state inline (small savepoints), the
 * serialization proxies are in the file itself. These read whole: every proxy, no problem, from Flink 1.3 on. Files
 * the fixtures do not carry become problems of their operator, never a failure; any other problem fails the test,
 * so a fixture with inline state that does not read whole cannot hide.
 */
const READ_WHOLE: Record<string, number> = {
  'v2-flink1.3-rocksdb-savepoint-stateful-udf': 4,
  'v2-flink1.3-savepoint-operatorstate-complexKeyed': 5,
  'v2-flink1.4-rocksdb-savepoint-type-serializer-snapshot': 2,
  'v2-flink1.5-memory-savepoint-broadcast-udf': 7,
  'v2-flink1.6-savepoint-state-evolution-e2e': 3,
  'v2-flink1.10-rocksdb-savepoint-type-serializer-snapshot': 2,
  'v2-flink1.7-rocksdb-savepoint-scala-udf': 12,
  'v2-flink1.8-rocksdb-savepoint-stateful-udf': 6,
  'v3-flink1.11-rocksdb-savepoint-stateful-udf': 10,
  'v3-flink1.11-savepoint-operatorstate-nonKeyed': 3,
  'v3-flink1.12-rocksdb-savepoint-legacy-raw-state-heap-timers': 3,
  'v3-flink1.13-jobmanager-savepoint-scala-broadcast-udf': 17,
  'v3-flink1.14-hashmap-savepoint-scala-broadcast-udf': 17,
  'v3-flink1.15-savepoint-unified-sink-migration': 4,
  'v4-flink1.19-savepoint-operatorstate-complexKeyed': 7,
  'v4-flink1.19dev-table-restore-expand': 12,
  'v4-flink1.20-kafka-source-savepoint-enum1': 1,
  'v4-flink1.20dev-table-restore-window-aggregate': 9,
  'v4-kafka-table-state-offsets-checkpoint': 1,
  'v5-flink2.0dev-state-processor-table-state-nulls': 12,
  'v5-flink2.x-kafka-source-savepoint-enum2': 1,
  'v5-flink2.x-kafka-source-savepoint-enum3': 1,
  'v6-flink2.1dev-table-restore-four-way-join': 14,
};

describe('state schemas of the shared fixtures', () => {
  const dir = sharedFixturesDir();

  it(
    'inline state reads whole; absent files are problems, never failures',
    { skip: dir ? false : SKIP_NO_SHARED },
    async () => {
      const root = dir!;
      let whole = 0;
      for (const name of fs.readdirSync(root).sort()) {
        const file = path.join(root, name, '_metadata');
        if (!fs.existsSync(file)) continue;
        const bytes = fs.readFileSync(file);
        let metadata;
        try {
          metadata = parseMetadata(new Uint8Array(bytes), { pointer: `file:/fixtures/${name}` });
        } catch {
          continue; // metadata no Flink can restore (V1): the metadata tests cover it
        }
        const operators = await readSchemas(metadata, {
          readMetadata: (offset, length) => Promise.resolve(new Uint8Array(bytes.subarray(offset, offset + length))),
          read: () => Promise.reject(new Error('the shared fixtures hold no state files')),
        });
        const states = operators.reduce((n, o) => n + o.states.length, 0);
        const problems = operators.flatMap((o) => o.problems);
        if (name in READ_WHOLE) {
          assert.deepEqual(problems, [], name);
          assert.equal(states, READ_WHOLE[name], name);
          whole++;
        }
        for (const p of problems) {
          assert.ok(p.message.length > 0 && p.file.length > 0, name);
          // Every fixture whose state is inline must be listed above.
          assert.match(p.message, /hold no state files/, `${name}: ${p.message}`);
        }
      }
      assert.equal(whole, Object.keys(READ_WHOLE).length);
    },
  );
});

/** A serializer tree in short: the class's simple name, `<type>`, `(nested…)` and `{POJO fields}`. */
function short(node: SerializerSnapshotNode | null): string {
  if (node === null) return '-';
  let s = node.class.slice(node.class.lastIndexOf('.') + 1);
  if (node.type !== undefined) s += `<${node.type.slice(node.type.lastIndexOf('.') + 1)}>`;
  if (node.nested) s += `(${node.nested.map(short).join(', ')})`;
  if (node.fields) s += `{${node.fields.map((f) => `${f.name}: ${short(f.serializer)}`).join(', ')}}`;
  return s;
}

/**
 * The proxies of Flink 1.3 to 1.6, as their bytes say (keyed proxy versions 3 to 5, operator proxy versions 2 and
 * 3): per operator (id prefix) each state's name, kind and backend, then its key, namespace and value serializers,
 * the classes Flink Java-serialized. Kinds are `StateDescriptor.Type` ordinals (LIST 2, REDUCING 3) and
 * `OperatorStateHandle.Mode` bytes (UNION 1, BROADCAST 2, with a key and a value serializer).
 */
const LEGACY: Record<string, string[]> = {
  'v2-flink1.3-rocksdb-savepoint-stateful-udf': [
    'b6f2d694 state-name value/keyed TupleSerializer<Tuple1>(LongSerializer) VoidNamespaceSerializer LongSerializer',
    'a4996af6 state-name value/keyed TupleSerializer<Tuple1>(LongSerializer) LongSerializer LongSerializer',
    '945350bc state-name value/keyed TupleSerializer<Tuple1>(LongSerializer) VoidNamespaceSerializer LongSerializer',
    '072c4efc state-name value/keyed TupleSerializer<Tuple1>(LongSerializer) VoidNamespaceSerializer LongSerializer',
  ],
  'v2-flink1.3-savepoint-operatorstate-complexKeyed': [
    '6730ef73 _default_ list/operator - - JavaSerializer',
    '01203aa9 values list/keyed TupleSerializer<Tuple1>(IntSerializer) VoidNamespaceSerializer ArrayListSerializer(IntSerializer)',
    '01203aa9 count reducing/keyed TupleSerializer<Tuple1>(IntSerializer) GlobalWindow$Serializer LongSerializer',
    '01203aa9 window-contents list/keyed TupleSerializer<Tuple1>(IntSerializer) GlobalWindow$Serializer ArrayListSerializer(TupleSerializer<Tuple2>(IntSerializer, IntSerializer))',
    'adf09065 _default_ list/operator - - JavaSerializer',
  ],
  'v2-flink1.4-rocksdb-savepoint-type-serializer-snapshot': [
    '20ba6b65 testState value/keyed TupleSerializer<Tuple1>(LongSerializer) VoidNamespaceSerializer TypeSerializerSnapshotMigrationITCase$TestSerializer(LongSerializer)',
    'bc764cd8 source-state list/operator - - StringSerializer',
  ],
  'v2-flink1.5-memory-savepoint-broadcast-udf': [
    '1f2b5df5 source-state union/operator - - StringSerializer',
    '56a26c4c broadcast-state-3 broadcast/broadcast StringSerializer - StringSerializer',
    '12d7d939 broadcast-state-2 broadcast/broadcast StringSerializer - StringSerializer',
    '12d7d939 broadcast-state-1 broadcast/broadcast LongSerializer - LongSerializer',
    '81afaf64 source-state list/operator - - StringSerializer',
    '69f32d31 source-state list/operator - - StringSerializer',
    '63dd9c79 source-state union/operator - - StringSerializer',
  ],
  'v2-flink1.6-savepoint-state-evolution-e2e': [
    '46fe65c2 either-state value/keyed IntSerializer VoidNamespaceSerializer EitherSerializer(StringSerializer, BooleanSerializer)',
    '46fe65c2 test-state value/keyed IntSerializer VoidNamespaceSerializer AvroSerializer<Address>',
    '46fe65c2 tuple-state value/keyed IntSerializer VoidNamespaceSerializer TupleSerializer<Tuple2>(StringSerializer, IntSerializer)',
  ],
};

async function inlineSchemas(root: string, name: string): Promise<OperatorSchema[]> {
  const bytes = fs.readFileSync(path.join(root, name, '_metadata'));
  return readSchemas(parseMetadata(new Uint8Array(bytes), { pointer: `file:/fixtures/${name}` }), {
    readMetadata: (offset, length) => Promise.resolve(new Uint8Array(bytes.subarray(offset, offset + length))),
    read: () => Promise.reject(new Error('the shared fixtures hold no state files')),
  });
}

describe('state schemas of Flink 1.3 to 1.6 (serialization proxies before 1.7)', () => {
  const dir = sharedFixturesDir();

  it('every state with its kind and Java-serialized serializers', { skip: dir ? false : SKIP_NO_SHARED }, async () => {
    for (const [name, expected] of Object.entries(LEGACY)) {
      const rows = (await inlineSchemas(dir!, name)).flatMap((o) =>
        o.states.map(
          (s) =>
            `${o.operatorId.slice(0, 8)} ${s.name} ${s.kind}/${s.backend} ${short(s.keySerializer)} ${short(s.namespaceSerializer)} ${short(s.valueSerializer)}`,
        ),
      );
      assert.deepEqual(rows, expected, name);
    }
  });

  it('full class names, config snapshots and the Avro schema', { skip: dir ? false : SKIP_NO_SHARED }, async () => {
    const [states] = (await inlineSchemas(dir!, 'v2-flink1.6-savepoint-state-evolution-e2e'))
      .filter((o) => o.states.length > 0)
      .map((o) => o.states);
    const avro = states.find((s) => s.name === 'test-state')!.valueSerializer!;
    assert.equal(avro.class, 'org.apache.flink.formats.avro.typeutils.AvroSerializer');
    assert.equal(avro.type, 'org.apache.flink.avro.generated.Address');
    assert.equal(
      avro.configSnapshot,
      'org.apache.flink.formats.avro.typeutils.AvroSerializer$AvroSchemaSerializerConfigSnapshot',
    );
    assert.match(
      avro.schema ?? '',
      /^\{"type":"record","name":"Address","namespace":"org\.apache\.flink\.avro\.generated"/,
    );
    const tuple = states.find((s) => s.name === 'tuple-state')!;
    assert.equal(tuple.keySerializer!.class, 'org.apache.flink.api.common.typeutils.base.IntSerializer');
    assert.equal(
      tuple.keySerializer!.configSnapshot,
      'org.apache.flink.api.common.typeutils.ParameterlessTypeSerializerConfig',
    );
    assert.equal(tuple.valueSerializer!.class, 'org.apache.flink.api.java.typeutils.runtime.TupleSerializer');
    assert.equal(
      tuple.valueSerializer!.configSnapshot,
      'org.apache.flink.api.java.typeutils.runtime.TupleSerializerConfigSnapshot',
    );
    assert.equal(tuple.namespaceSerializer!.class, 'org.apache.flink.runtime.state.VoidNamespaceSerializer');
  });
});

interface OracleSerializer {
  serializer: string | null;
  snapshot: string;
}
interface OracleProxy {
  offset: number;
  kind: 'keyed' | 'operator';
  version: number;
  key?: OracleSerializer;
  states: {
    name: string;
    backendStateType: string;
    options: Record<string, string>;
    serializers: Record<string, OracleSerializer>;
  }[];
}

const ORACLE = path.join(repoRoot(), 'test', 'fixtures', 'legacy-proxy-oracle');

describe("state schemas of Flink 1.3 to 1.6 against Flink's own readers", () => {
  const dir = sharedFixturesDir();
  const asOracle = (node: SerializerSnapshotNode): OracleSerializer => ({
    serializer: node.class,
    snapshot: node.configSnapshot ?? '',
  });

  it(
    'every proxy as Flink 1.7.2 reads it: version, key serializer, states, options, serializers and config snapshots',
    { skip: dir ? false : SKIP_NO_SHARED },
    () => {
      let proxies = 0;
      for (const name of Object.keys(LEGACY)) {
        const bytes = new Uint8Array(fs.readFileSync(path.join(dir!, name, '_metadata')));
        const lines = fs
          .readFileSync(path.join(ORACLE, `${name}.jsonl`), 'utf8')
          .trim()
          .split('\n');
        for (const oracle of lines.map((l) => JSON.parse(l) as OracleProxy)) {
          const input = new DataInput(bytes.subarray(oracle.offset), oracle.offset, true);
          const at = `${name} at ${oracle.offset}`;
          let version: number;
          let infos: StateMetaInfo[];
          if (oracle.kind === 'keyed') {
            const proxy = readKeyedProxy(input);
            version = proxy.version;
            infos = [...proxy.states];
            assert.deepEqual(asOracle(proxy.keySerializer), oracle.key, at);
          } else {
            const proxy = readOperatorProxy(input);
            version = proxy.version;
            infos = [...proxy.operatorStates, ...proxy.broadcastStates];
          }
          assert.equal(version, oracle.version, at);
          assert.deepEqual(
            infos.map((s) => ({
              name: s.name,
              backendStateType: s.backendStateType,
              options: s.options,
              serializers: Object.fromEntries(Object.entries(s.serializers).map(([k, v]) => [k, asOracle(v)])),
            })),
            oracle.states,
            at,
          );
          proxies++;
        }
      }
      assert.equal(proxies, 39);
    },
  );
});
