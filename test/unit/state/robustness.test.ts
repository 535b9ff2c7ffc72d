import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DataInput, StateSchemaError, readKeyedProxy, readOperatorProxy } from '../../../src/core/state';
import { findFiles, repoRoot } from '../../support/repo';
import { prng } from '../metadata/support';

/** A `DataOutputStream` in miniature, to write proxies the way Flink lays them out. */
class Out {
  private readonly parts: number[] = [];
  int(v: number): this {
    this.parts.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
    return this;
  }
  short(v: number): this {
    this.parts.push((v >>> 8) & 255, v & 255);
    return this;
  }
  byte(v: number): this {
    this.parts.push(v & 255);
    return this;
  }
  long(v: bigint): this {
    for (let i = 7; i >= 0; i--) this.parts.push(Number((v >> BigInt(i * 8)) & 255n));
    return this;
  }
  utf(s: string): this {
    const b = Buffer.from(s, 'utf8');
    this.short(b.length);
    for (const x of b) this.parts.push(x);
    return this;
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

const BASE = 'org.apache.flink.api.common.typeutils.base.';
const simple = (o: Out, t: string) => o.utf(`${BASE}${t}Serializer$${t}SerializerSnapshot`).int(3);
const COMPOSITE_MAGIC = 911108;
const NESTED_MAGIC = 1333245;
const OPTIONAL_MAP_HEADER = 0x4f2c69a3d70n;

function keyedState(o: Out, name: string, kind: string, value: (o: Out) => void): Out {
  o.utf(name).int(0).int(1).utf('KEYED_STATE_TYPE').utf(kind).int(2);
  o.utf('VALUE_SERIALIZER').int(2);
  value(o);
  o.utf('NAMESPACE_SERIALIZER')
    .int(2)
    .utf('org.apache.flink.runtime.state.VoidNamespaceSerializer$VoidNamespaceSerializerSnapshot')
    .int(3);
  return o;
}

function keyedProxy(states: ((o: Out) => void)[]): Uint8Array {
  const o = new Out().int(6).byte(0).int(2);
  simple(o, 'String');
  o.short(states.length);
  for (const s of states) s(o);
  return o.bytes(Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 7])).done();
}

function framed(o: Out, write: (o: Out) => void): void {
  const inner = new Out();
  write(inner);
  const b = inner.done();
  o.int(b.length).bytes(b);
}

describe('keyed proxy: the serializer snapshots Flink ships', () => {
  it('decodes Tuple, Map, POJO field names, Enum constants and Kryo registrations', () => {
    const bytes = keyedProxy([
      (o) =>
        keyedState(o, 'pairs', 'MAP', (v) => {
          v.utf(`${BASE}MapSerializerSnapshot`).int(1).int(COMPOSITE_MAGIC).int(1).int(NESTED_MAGIC).int(1).int(2);
          simple(v, 'String');
          v.utf('org.apache.flink.api.java.typeutils.runtime.TupleSerializerSnapshot')
            .int(2)
            .int(COMPOSITE_MAGIC)
            .int(2)
            .utf('org.apache.flink.api.java.tuple.Tuple2');
          v.int(NESTED_MAGIC).int(1).int(2);
          simple(v, 'Long');
          simple(v, 'Integer');
        }),
      (o) =>
        keyedState(o, 'order', 'VALUE', (v) => {
          v.utf('org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot').int(2).utf('shop.Order');
          v.long(OPTIONAL_MAP_HEADER).int(2);
          for (const [field, type] of [
            ['id', 'Long'],
            ['status', 'enum'],
          ]) {
            v.utf(field).byte(1);
            framed(v, (k) => k.utf('shop.Order').utf(field));
            v.byte(1);
            framed(v, (s) => {
              if (type === 'enum') {
                s.utf(`${BASE}EnumSerializer$EnumSerializerSnapshot`)
                  .int(3)
                  .utf('shop.Status')
                  .int(2)
                  .utf('OPEN')
                  .utf('PAID');
              } else simple(s, type);
            });
          }
          v.long(OPTIONAL_MAP_HEADER).int(0).long(OPTIONAL_MAP_HEADER).int(0);
        }),
      (o) =>
        keyedState(o, 'blob', 'LIST', (v) => {
          v.utf('org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializerSnapshot').int(2).utf('shop.Blob');
          v.long(OPTIONAL_MAP_HEADER).int(1).utf('shop.Part').byte(0).byte(1);
          framed(v, (f) => f.byte(1).byte(2).byte(3));
          v.long(OPTIONAL_MAP_HEADER).int(0).long(OPTIONAL_MAP_HEADER).int(0);
        }),
    ]);
    const proxy = readKeyedProxy(new DataInput(bytes));
    assert.deepEqual(
      proxy.states.map((s) => [s.name, s.options.KEYED_STATE_TYPE]),
      [
        ['pairs', 'MAP'],
        ['order', 'VALUE'],
        ['blob', 'LIST'],
      ],
    );
    const [pairs, order, blob] = proxy.states.map((s) => s.serializers.VALUE_SERIALIZER);
    assert.equal(pairs.nested?.[1].type, 'org.apache.flink.api.java.tuple.Tuple2');
    assert.deepEqual(
      pairs.nested?.[1].nested?.map((n) => n.class),
      [`${BASE}LongSerializer$LongSerializerSnapshot`, `${BASE}IntegerSerializer$IntegerSerializerSnapshot`],
    );
    assert.equal(order.type, 'shop.Order');
    assert.deepEqual(
      order.fields?.map((f) => f.name),
      ['id', 'status'],
    );
    assert.deepEqual(order.fields?.[1].serializer?.constants, ['OPEN', 'PAID']);
    assert.equal(blob.type, 'shop.Blob');
    assert.deepEqual(blob.registrations, ['shop.Part']);
    assert.equal(
      proxy.states[2].serializers.NAMESPACE_SERIALIZER.class,
      'org.apache.flink.runtime.state.VoidNamespaceSerializer$VoidNamespaceSerializerSnapshot',
    );
  });

  it('keeps an unknown snapshot as raw bytes and reads the states after it', () => {
    const bytes = keyedProxy([
      (o) =>
        keyedState(o, 'custom', 'VALUE', (v) =>
          v.utf('com.example.MySerializer$Snapshot').int(7).int(42).utf('opaque payload'),
        ),
      (o) => keyedState(o, 'after', 'VALUE', (v) => simple(v, 'Long')),
    ]);
    const proxy = readKeyedProxy(new DataInput(bytes));
    const custom = proxy.states[0].serializers.VALUE_SERIALIZER;
    assert.equal(custom.class, 'com.example.MySerializer$Snapshot');
    assert.equal(custom.version, 7);
    assert.equal(custom.rawLength, 4 + 2 + 'opaque payload'.length);
    assert.deepEqual(
      proxy.states.map((s) => s.name),
      ['custom', 'after'],
    );
    assert.equal(proxy.states[1].serializers.VALUE_SERIALIZER.class, `${BASE}LongSerializer$LongSerializerSnapshot`);
  });
});

describe('keyed proxy: Java-serialized parts of serializer snapshots', () => {
  /** One `ObjectOutputStream`: an object of a class with an int and a String field and a `writeObject` block. */
  const javaObject = (o: Out, block: Uint8Array) =>
    o
      .short(0xaced)
      .short(5)
      .byte(0x73) // TC_OBJECT
      .byte(0x72) // TC_CLASSDESC
      .utf('com.example.Config')
      .long(42n)
      .byte(0x03) // SC_SERIALIZABLE | SC_WRITE_METHOD
      .short(2)
      .byte(0x49) // 'I'
      .utf('n')
      .byte(0x4c) // 'L'
      .utf('s')
      .byte(0x74) // TC_STRING: the field's class name
      .utf('Ljava/lang/String;')
      .byte(0x78) // end of the class annotation
      .byte(0x70) // no superclass
      .int(7)
      .byte(0x74)
      .utf('VALUE_SERIALIZER')
      .byte(0x77) // TC_BLOCKDATA
      .byte(block.length)
      .bytes(block)
      .byte(0x78);
  // What a naive search would take for the next serializer of the state: a key, then proxy version 2.
  const decoy = new Out().utf('VALUE_SERIALIZER').int(2).utf('bogus').done();

  it('walks a Java stream to its end, whatever its bytes look like, and reads the states after it', () => {
    const bytes = keyedProxy([
      (o) => keyedState(o, 'table', 'VALUE', (v) => javaObject(v.utf('com.example.TableSnapshot').int(1), decoy)),
      (o) => keyedState(o, 'after', 'VALUE', (v) => simple(v, 'Long')),
    ]);
    const proxy = readKeyedProxy(new DataInput(bytes));
    assert.deepEqual(
      proxy.states.map((s) => s.name),
      ['table', 'after'],
    );
    const table = proxy.states[0].serializers.VALUE_SERIALIZER;
    assert.equal(table.class, 'com.example.TableSnapshot');
    assert.ok(table.raw?.startsWith('aced0005'));
  });

  it('a stream that only looks like Java serialization is searched through; a cut one is truncated', () => {
    const broken = new Out().short(0xaced).short(5).byte(0x71).int(0x7e0009).utf('opaque').done();
    const bytes = keyedProxy([
      (o) => keyedState(o, 'odd', 'VALUE', (v) => v.utf('com.example.Odd').int(1).bytes(broken)),
      (o) => keyedState(o, 'after', 'VALUE', (v) => simple(v, 'Long')),
    ]);
    assert.deepEqual(
      readKeyedProxy(new DataInput(bytes)).states.map((s) => s.name),
      ['odd', 'after'],
    );
    const whole = keyedProxy([
      (o) => keyedState(o, 'table', 'VALUE', (v) => javaObject(v.utf('com.example.TableSnapshot').int(1), decoy)),
    ]);
    const at = Buffer.from(whole).indexOf(Buffer.from('Ljava/lang/String;'));
    assert.throws(
      () => readKeyedProxy(new DataInput(whole.subarray(0, at + 4), 0, false)),
      (e: unknown) => e instanceof StateSchemaError && e.code === 'truncated',
    );
  });
});

describe('proxy readers on bad input', () => {
  const realHeads = findFiles(path.join(repoRoot(), 'test', 'fixtures', 'flink', '2.2.1', 'savepoints'), '_metadata')
    .map((m) => path.dirname(m))
    .flatMap((d) =>
      fs
        .readdirSync(d)
        .filter((f) => !f.startsWith('_'))
        .map((f) => new Uint8Array(fs.readFileSync(path.join(d, f)).subarray(0, 4096))),
    );

  it('a file that is not a proxy is a typed error naming the offset', () => {
    assert.throws(
      () => readKeyedProxy(new DataInput(Buffer.from('PK\x03\x04 a zip file, not state'), 0)),
      (e: unknown) => e instanceof StateSchemaError && e.code === 'not-a-proxy' && e.offset === 0,
    );
    assert.throws(
      () => readOperatorProxy(new DataInput(new Out().int(9).done())),
      (e: unknown) => e instanceof StateSchemaError && e.code === 'not-a-proxy' && e.offset === 0,
    );
    // Version 2 is Flink 1.3's: read, not refused.
    assert.deepEqual(readOperatorProxy(new DataInput(new Out().int(2).short(0).done())), {
      version: 2,
      compressed: false,
      operatorStates: [],
      broadcastStates: [],
    });
  });

  it('every truncation of a real proxy is a truncated error inside the bytes', () => {
    const keyed = realHeads.find((b) => {
      try {
        return readKeyedProxy(new DataInput(b, 0, false)).states.length > 0;
      } catch {
        return false;
      }
    });
    assert.ok(keyed, 'no keyed state file among the fixtures');
    const full = keyed.length;
    let checked = 0;
    for (let cut = 0; cut < Math.min(full, 600); cut++) {
      try {
        readKeyedProxy(new DataInput(keyed.subarray(0, cut), 0, false));
      } catch (error) {
        assert.ok(error instanceof StateSchemaError, String(error));
        assert.ok(error.offset <= cut, `offset ${error.offset} past the cut ${cut}`);
        checked++;
      }
    }
    assert.ok(checked > 100);
  });

  it('a corrupt count is refused before any allocation', () => {
    const o = new Out().int(6).byte(0).int(2);
    simple(o, 'String');
    const bytes = o.short(1).utf('x').int(0).int(0x7fffffff).done();
    assert.throws(
      () => readKeyedProxy(new DataInput(bytes)),
      (e: unknown) => e instanceof StateSchemaError && e.code === 'invalid' && /0\.\.64/.test(e.message),
    );
  });

  it('random corruption of real proxies throws only StateSchemaError', () => {
    const random = prng(19);
    for (let round = 0; round < 3000; round++) {
      const head = Uint8Array.from(realHeads[round % realHeads.length]);
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) {
        head[Math.floor(random() * Math.min(head.length, 400))] = Math.floor(random() * 256);
      }
      for (const read of [readKeyedProxy, readOperatorProxy]) {
        try {
          read(new DataInput(head));
        } catch (error) {
          assert.ok(error instanceof StateSchemaError, `round ${round}: ${String(error)}`);
        }
      }
    }
  });
});
