import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataInput } from '../../../src/core/state/dataInput';
import { StateSchemaError } from '../../../src/core/state/errors';
import { KryoStop, readKryo } from '../../../src/core/state/values/kryo';

/**
 * Kryo values as Flink's KryoSerializer wrote them in the serializer-zoo fixtures (Flink 1.20, Kryo 2.24): a POJO's
 * `Map` field (a TreeMap by class name, its comparator, a String key, an Integer value) and `List` field (an
 * ArrayList), and the zoo's Kryo-only class (registration id 85, a FieldSerializer).
 */
const TREE_MAP = '01006a6176612e7574696c2e547265654d61f001000103016461696cf9029e01';
const ARRAY_LIST = '01006a6176612e7574696c2e41727261794c6973f40101030174b2';
const OPAQUE = '570112';

function read(hex: string, registrations: string[] = ['java.util.Map']) {
  return readKryo(new DataInput(Buffer.from(hex, 'hex')), registrations[0], registrations, 2);
}

describe('Kryo values as Flink writes them', () => {
  it('JDK maps and collections by class name, with Kryo strings, boxed ints and reference markers', () => {
    assert.deepEqual(read(TREE_MAP), [{ key: 'daily', value: 79 }]);
    assert.deepEqual(read(ARRAY_LIST, ['java.util.List']), ['t2']);
    // null; a String that is not ASCII (flagged UTF-8 length + 1); a Long (id 7) zigzag varlong
    assert.equal(read('00'), null);
    assert.equal(read('030182c3a9'), 'é');
    assert.equal(read('0903'), -2);
  });

  it('a user class (FieldSerializer) stops where its fields begin, naming the class', () => {
    assert.throws(
      () => read(OPAQUE, ['flinkfixtures.ZooJob$Opaque']),
      (e: unknown) =>
        e instanceof KryoStop &&
        e.offset === 2 &&
        e.valueStart === 0 &&
        e.className === 'flinkfixtures.ZooJob$Opaque' &&
        /FieldSerializer.*stops here/.test(e.message),
    );
    assert.throws(
      () => read('6501'),
      (e: unknown) => e instanceof KryoStop && /registration id 99/.test(e.message),
    );
  });

  it('3,000 seeded mutations and every cut: a value or a typed error with an offset inside the bytes, no hang', () => {
    let seed = 20;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const inputs = [TREE_MAP, ARRAY_LIST, OPAQUE].map((h) => Buffer.from(h, 'hex'));
    const cases: Buffer[] = [];
    for (const b of inputs) for (let cut = 0; cut < b.length; cut++) cases.push(b.subarray(0, cut));
    for (let round = 0; round < 3000; round++) {
      const b = Buffer.from(inputs[random(inputs.length)]);
      for (let k = 1 + random(3); k > 0; k--) b[random(b.length)] = random(256);
      cases.push(random(4) === 0 ? Buffer.concat([b, Buffer.from([random(256), random(256)])]) : b);
    }
    const started = Date.now();
    let errors = 0;
    for (const b of cases) {
      try {
        read(b.toString('hex'), ['java.util.Map', 'org.apache.avro.generic.GenericData$Array']);
      } catch (error) {
        assert.ok(error instanceof StateSchemaError, String(error));
        assert.ok(error.offset >= 0 && error.offset <= b.length, `offset ${error.offset} of ${b.length} bytes`);
        errors++;
      }
    }
    assert.ok(errors > cases.length / 4, `${errors} errors of ${cases.length}`);
    assert.ok(Date.now() - started < 10_000, 'mutations took over 10 s');
  });
});
