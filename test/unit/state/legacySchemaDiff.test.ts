import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { CliCommand } from '../../../src/cli/command';
import { schemaCommand } from '../../../src/cli/schema';
import { parseMetadata } from '../../../src/core/metadata';
import { parseFlinkVersion } from '../../../src/core/restore/flinkVersion';
import type { OperatorSchema, SerializerSnapshotNode, StateSchema } from '../../../src/core/state';
import { preflight } from '../../../src/core/state/preflight';
import { diffSerializers, serializerClassOf } from '../../../src/core/state/schemaDiff';
import { jobOfSnapshot } from '../../../src/core/state/storeSnapshot';
import { SKIP_NO_SHARED, findFiles, repoRoot, sharedFixturesDir } from '../../support/repo';

/**
 * The proxies of Flink 1.3–1.6 name a state's serializer class (`…base.LongSerializer`, with its config snapshot
 * beside); Flink 1.7+ names snapshot classes (`…LongSerializer$LongSerializerSnapshot`). Schema diff and pre-flight
 * compare the serializer both stand for, so a state that did not change diffs as unchanged across the two forms.
 */
async function run(command: CliCommand, ...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await command.run(argv, { out: (t) => (out += t), err: () => undefined });
  return { code, out };
}

interface DiffJson {
  operators: {
    operatorId: string;
    change: string;
    states: { name: string; change: string; serializers: { what: string; before: string; after: string }[] }[];
  }[];
}

/** Each changed state of a `schema diff --json`, as `name: change [what before → after, …]`. */
function changes(diff: DiffJson): string[] {
  return diff.operators.flatMap((o) =>
    o.states.map(
      (s) => `${s.name}: ${s.change} [${s.serializers.map((c) => `${c.what} ${c.before} → ${c.after}`).join(', ')}]`,
    ),
  );
}

async function schemas(file: string): Promise<OperatorSchema[]> {
  const r = await run(schemaCommand, file, '--json');
  assert.equal(r.code, 0, r.out);
  return (JSON.parse(r.out) as { operators: OperatorSchema[] }).operators;
}

const ZOO = path.join(repoRoot(), 'test', 'fixtures', 'flink-zoo', '2.2.1', 'hashmap');
const KRYO = 'org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer';

describe('pre-1.7 serializer classes against 1.7+ snapshot classes', () => {
  const shared = sharedFixturesDir();
  const skip = shared ? false : SKIP_NO_SHARED;
  const fixture = (name: string) => path.join(shared ?? '', name);

  it('a snapshot class stands for the serializer it is nested in or named after', () => {
    const cases: [string, string][] = [
      [
        'org.apache.flink.api.common.typeutils.base.LongSerializer$LongSerializerSnapshot',
        'org.apache.flink.api.common.typeutils.base.LongSerializer',
      ],
      [
        'org.apache.flink.api.java.typeutils.runtime.TupleSerializerSnapshot',
        'org.apache.flink.api.java.typeutils.runtime.TupleSerializer',
      ],
      [
        'org.apache.flink.streaming.api.windowing.windows.GlobalWindow$Serializer$GlobalWindowSerializerSnapshot',
        'org.apache.flink.streaming.api.windowing.windows.GlobalWindow$Serializer',
      ],
      [
        'org.apache.flink.runtime.state.ttl.TtlStateFactory$TtlSerializerSnapshot',
        'org.apache.flink.runtime.state.ttl.TtlStateFactory$TtlSerializer',
      ],
      [`${KRYO}Snapshot`, KRYO],
      [`${KRYO}$KryoSerializerConfigSnapshot`, KRYO],
      [
        'org.apache.flink.api.java.typeutils.runtime.JavaEitherSerializerSnapshot',
        'org.apache.flink.api.java.typeutils.runtime.EitherSerializer',
      ],
      // a pre-1.7 serializer class is itself
      [
        'org.apache.flink.api.common.typeutils.base.LongSerializer',
        'org.apache.flink.api.common.typeutils.base.LongSerializer',
      ],
      [
        'org.apache.flink.streaming.api.windowing.windows.GlobalWindow$Serializer',
        'org.apache.flink.streaming.api.windowing.windows.GlobalWindow$Serializer',
      ],
    ];
    for (const [snapshot, serializer] of cases) {
      assert.equal(serializerClassOf({ class: snapshot, version: 1, offset: 0 }), serializer, snapshot);
    }
  });

  it('Flink 1.3 → 1.19 and 1.4 → 1.10 of the same jobs: only real serializer changes show', { skip }, async () => {
    const complexKeyed = await run(
      schemaCommand,
      'diff',
      fixture('v2-flink1.3-savepoint-operatorstate-complexKeyed'),
      fixture('v4-flink1.19-savepoint-operatorstate-complexKeyed'),
      '--json',
    );
    // The heap list state's ArrayListSerializer of 1.3 is another class than 1.19's ListSerializer; the Tuple keys,
    // window namespaces, Long and String values and Java-serialized operator state are the same serializers.
    assert.deepEqual(changes(JSON.parse(complexKeyed.out) as DiffJson).sort(), [
      '_timer_state/event_window-timers: added []',
      '_timer_state/processing_window-timers: added []',
      'values: changed [class ArrayListSerializer → ListSerializer]',
      'window-contents: changed [class ArrayListSerializer → ListSerializer]',
    ]);
    const typeSerializer = await run(
      schemaCommand,
      'diff',
      fixture('v2-flink1.4-rocksdb-savepoint-type-serializer-snapshot'),
      fixture('v2-flink1.10-rocksdb-savepoint-type-serializer-snapshot'),
      '--json',
    );
    assert.deepEqual(changes(JSON.parse(typeSerializer.out) as DiffJson), []);
  });

  it('a changed serializer, type or arity still shows between a pre-1.7 state and a 2.2 one', { skip }, async () => {
    const legacy = (await schemas(fixture('v2-flink1.3-savepoint-operatorstate-complexKeyed'))).flatMap(
      (o) => o.states,
    );
    const zoo = (await schemas(path.dirname(findFiles(ZOO, '_metadata')[0]))).flatMap((o) => o.states);
    const count = legacy.find((s) => s.name === 'count') as StateSchema;
    const byName = (name: string) => zoo.find((s) => s.name === name) as StateSchema;
    assert.deepEqual(diffSerializers('value', count.valueSerializer, byName('r-sum').valueSerializer), []);
    assert.deepEqual(
      diffSerializers('value', count.valueSerializer, byName('v-string').valueSerializer).map((c) => [
        c.what,
        c.before,
        c.after,
      ]),
      [['class', 'LongSerializer', 'StringSerializer']],
    );
    // Tuple1<Integer> keys of 1.3 against the zoo's Tuple3<String, Long, Double> values
    assert.deepEqual(
      diffSerializers('value', count.keySerializer, byName('v-tuple').valueSerializer).map((c) => [
        c.what,
        c.before,
        c.after,
      ]),
      [
        ['type', 'org.apache.flink.api.java.tuple.Tuple1', 'org.apache.flink.api.java.tuple.Tuple3'],
        ['arity', '1', '3'],
      ],
    );
  });

  it('pre-flight flags a Kryo serializer of Flink 1.3–1.6 as it does a Kryo snapshot', { skip }, async () => {
    const file = path.join(fixture('v2-flink1.3-savepoint-operatorstate-complexKeyed'), '_metadata');
    const metadata = parseMetadata(new Uint8Array(fs.readFileSync(file)));
    const original = await schemas(path.dirname(file));
    const legacyKryo: SerializerSnapshotNode = {
      class: KRYO,
      version: 1,
      offset: 0,
      configSnapshot: `${KRYO}$KryoSerializerConfigSnapshot`,
    };
    const withKryo = original.map((o) => ({
      ...o,
      states: o.states.map((s) => (s.name === 'count' ? { ...s, valueSerializer: legacyKryo } : s)),
    }));
    const check = (schemas: OperatorSchema[], flink: string) =>
      preflight({
        metadata,
        pointer: file,
        stateSizes: new Map(),
        schemas,
        kind: 'savepoint',
        savepointFormat: 'canonical',
        target: jobOfSnapshot('the same job', metadata),
        targetSchemas: schemas,
        flink: parseFlinkVersion(flink),
      }).problems.filter((p) => p.code.startsWith('kryo-'));
    assert.deepEqual(check(original, '2.2'), []);
    assert.deepEqual(
      check(withKryo, '2.2').map((p) => [p.code, p.severity, p.state]),
      [['kryo-across-major', 'warning', 'count']],
    );
    assert.deepEqual(
      check(withKryo, '1.19').map((p) => [p.code, p.state]),
      [['kryo-unchecked', 'count']],
    );
  });
});
