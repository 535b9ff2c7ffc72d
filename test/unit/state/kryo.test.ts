import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseMetadata } from '../../../src/core/metadata';
import type { StateFileAccess } from '../../../src/core/state';
import { stateEntries, type EntryProblem } from '../../../src/core/state/values';
import { findFiles, repoRoot } from '../../support/repo';
import { DataInput } from '../../../src/core/state/dataInput';
import { StateSchemaError } from '../../../src/core/state/errors';
import type { KryoGeneration } from '../../../src/core/state/serializerSnapshot';
import { KryoStop, readKryo } from '../../../src/core/state/values/kryo';

/**
 * Kryo values as Flink's KryoSerializer wrote them in the serializer-zoo fixtures (Flink 1.20, Kryo 2.24): a POJO's
 * `Map` field (a TreeMap by class name, its comparator, a String key, an Integer value) and `List` field (an
 * ArrayList), and the zoo's Kryo-only class (registration id 85, a FieldSerializer). Then the zoo's `k-list` and
 * `k-map` values for n = 1 (`ZooJob.kryoList(1)`, `kryoMap(1)`) as Flink 1.20.5 (Kryo 2.24) and Flink 2.2.1 (Kryo 5)
 * serialize them, and its `k-basket` user class as 2.2.1 does.
 */
const TREE_MAP = '01006a6176612e7574696c2e547265654d61f001000103016461696cf9029e01';
const ARRAY_LIST = '01006a6176612e7574696c2e41727261794c6973f40101030174b2';
const OPAQUE = '570112';
/** k-list, Flink 1.20.5. */
const LIST_KRYO2 =
  '570113030178b102020980c0a8ca9a3a09feffffffffffffffff0a3fd0000000000000043f00000008ffff07006306010500' +
  '00030183c3a93101006a6176612e7574696c2e4c696e6b65644c6973f40102020202024b010203030182700301827101016a' +
  '6176612e7574696c2e436f6c6c656374696f6e7324456d7074794c6973f40101026a6176612e7574696c2e436f6c6c656374' +
  '696f6e732453696e676c65746f6e4c6973f40103016f6ee501036a6176612e7574696c2e547265655365f4010002030174b1' +
  '030174b25701010301736861726564b1570f';
/** k-map, Flink 1.20.5. */
const MAP_KRYO2 =
  '5701070301826102020301826201006a6176612e7574696c2e41727261794c6973f40102030162b1030162b1030182630003' +
  '01826401016a6176612e7574696c2e547265654d61f00100020301827809020301827909010301826501026a6176612e7574' +
  '696c2e486173685365f401030202020402080301826601036a6176612e7574696c2e4c696e6b6564486173684d61f0010209' +
  '0403017477ef03016f6ee50a3ff80000000000000301826701000103031300030167b1';
/** k-list, Flink 2.2.1: collections of one element class write it once. */
const LIST_KRYO5 =
  '570114030178b102020980c0a8ca9a3a09feffffffffffffffff0a000000000000d03f040000003f08ffff07630006010500' +
  '00030183c3a93101006a6176612e7574696c2e4c696e6b65644c6973f40183020002024b0183030001827001827101016a61' +
  '76612e7574696c2e436f6c6c656374696f6e7324456d7074794c6973f40101026a6176612e7574696c2e436f6c6c65637469' +
  '6f6e732453696e676c65746f6e4c6973f40103016f6ee501036a6176612e7574696c2e547265655365f401830003000174b1' +
  '0174b2570182030001736861726564b1570f';
/** k-map, Flink 2.2.1. */
const MAP_KRYO5 =
  '5701080301826102020301826201006a6176612e7574696c2e41727261794c6973f4018303000162b10162b1030182630003' +
  '01826401016a6176612e7574696c2e547265654d61f00103000301827809020301827909010301826501026a6176612e7574' +
  '696c2e486173685365f4018402000204080301826601036a6176612e7574696c2e4c696e6b6564486173684d61f001030904' +
  '03017477ef03016f6ee50a000000000000f83f0301826701000184030113000167b1';
/** k-basket, Flink 2.2.1: FieldSerializer fields. */
const BASKET_KRYO5 =
  '57010181e2cfaa0600010201006a6176612e7574696c2e486173684d61f00102018261010201e80f0102016261736b65742d' +
  'b101016a6176612e7574696c2e41727261794c6973f401030169b101826a010200';

/** What `kryoList(1)` holds, as this reader renders it (Character as a string, Long.MAX_VALUE as text). */
const LIST_VALUE = [
  'x1',
  1,
  1_000_000_000_000,
  '9223372036854775807',
  0.25,
  0.5,
  -1,
  'c',
  1,
  false,
  null,
  'é1',
  [1, 1],
  ['p', 'q'],
  [],
  ['one'],
  ['t1', 't2'],
  ['shared1'],
  ['shared1'],
];
/** What `kryoMap(1)` holds, in the HashMap's order. */
const MAP_VALUE = [
  { key: 'a', value: 1 },
  { key: 'b', value: ['b1', 'b1'] },
  { key: 'c', value: null },
  {
    key: 'd',
    value: [
      { key: 'x', value: 1 },
      { key: 'y', value: -1 },
    ],
  },
  { key: 'e', value: [1, 2, 4] },
  {
    key: 'f',
    value: [
      { key: 2, value: 'two' },
      { key: 'one', value: 1.5 },
    ],
  },
  { key: 'g', value: ['g', null, 'g1'] },
];

function read(hex: string, registrations: string[] = ['java.util.Map'], generation: KryoGeneration = 2) {
  return readKryo(new DataInput(Buffer.from(hex, 'hex')), registrations[0], registrations, generation);
}

/** The whole value read, and nothing left over. */
function readAll(hex: string, type: string, generation: KryoGeneration) {
  const input = new DataInput(Buffer.from(hex, 'hex'));
  const value = readKryo(input, type, [type], generation);
  assert.equal(input.remaining, 0, `${input.remaining} bytes left after the value`);
  return value;
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

  it('JDK collections and maps of Kryo 2.24 (Flink 1.x) and Kryo 5 (Flink 2.x), a shared list shown twice', () => {
    assert.deepEqual(readAll(LIST_KRYO2, 'java.util.ArrayList', 2), LIST_VALUE);
    assert.deepEqual(readAll(LIST_KRYO5, 'java.util.ArrayList', 5), LIST_VALUE);
    assert.deepEqual(readAll(MAP_KRYO2, 'java.util.HashMap', 2), MAP_VALUE);
    assert.deepEqual(readAll(MAP_KRYO5, 'java.util.HashMap', 5), MAP_VALUE);
    // The other generation's reading of the same bytes is not the value: the snapshot must say which Kryo wrote it.
    for (const [hex, type, generation, value] of [
      [LIST_KRYO5, 'java.util.ArrayList', 2, LIST_VALUE],
      [MAP_KRYO5, 'java.util.HashMap', 2, MAP_VALUE],
      [LIST_KRYO2, 'java.util.ArrayList', 5, LIST_VALUE],
      [MAP_KRYO2, 'java.util.HashMap', 5, MAP_VALUE],
    ] as const) {
      let read: unknown;
      try {
        read = readKryo(new DataInput(Buffer.from(hex, 'hex')), type, [type], generation);
      } catch (error) {
        assert.ok(error instanceof StateSchemaError, String(error));
        continue;
      }
      assert.notDeepEqual(read, value, `${type} read as Kryo ${generation}`);
    }
  });

  it('a Kryo reference to an object still being read (a cycle) shows its id; an unknown one is a typed error', () => {
    // an ArrayList (registration 85, new object 0) of one element: an ArrayList that is object 0, itself
    assert.deepEqual(read('5701015702', ['java.util.ArrayList']), [{ reference: 0 }]);
    assert.throws(
      () => read('5701015703', ['java.util.ArrayList']),
      (e: unknown) => e instanceof StateSchemaError && e.offset === 4 && /Kryo reference 1 is unknown/.test(e.message),
    );
  });

  it('a user class (FieldSerializer) stops where its fields begin, naming the class', () => {
    assert.throws(
      () => read(BASKET_KRYO5, ['flinkfixtures.ZooJob$Basket'], 5),
      (e: unknown) => e instanceof KryoStop && e.valueStart === 0 && e.className === 'flinkfixtures.ZooJob$Basket',
    );
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
    const inputs = [TREE_MAP, ARRAY_LIST, OPAQUE, LIST_KRYO2, MAP_KRYO2, LIST_KRYO5, MAP_KRYO5].map((h) =>
      Buffer.from(h, 'hex'),
    );
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
        read(b.toString('hex'), ['java.util.Map', 'org.apache.avro.generic.GenericData$Array'], random(2) ? 5 : 2);
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

describe('heap key groups with Kryo values under mutation', () => {
  /** The zoo's heap checkpoint of Flink 2.2.1: its keyed state file holds v-kryo, k-list, k-map and k-basket values. */
  const dir = path.dirname(
    findFiles(path.join(repoRoot(), 'test', 'fixtures', 'flink-zoo', '2.2.1', 'hashmap'), '_metadata')[0],
  );

  it('300 seeded mutations of the keyed state file: entries and problems, never a crash or a hang', async () => {
    const metadata = new Uint8Array(fs.readFileSync(path.join(dir, '_metadata')));
    const pointer = (
      JSON.parse(fs.readFileSync(path.join(dir, '_metadata.oracle.json'), 'utf8')) as { externalPointer: string }
    ).externalPointer;
    const files = fs.readdirSync(dir).filter((f) => !f.startsWith('_metadata'));
    const largest = files.sort((a, b) => fs.statSync(path.join(dir, b)).size - fs.statSync(path.join(dir, a)).size)[0];
    const original = new Uint8Array(fs.readFileSync(path.join(dir, largest)));
    const zoo = parseMetadata(metadata, { pointer }).operators.find((o) => o.uid === 'zoo');
    assert.ok(zoo);
    let seed = 5;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let withProblems = 0;
    let kryoEntries = 0;
    const started = Date.now();
    for (let round = 0; round < 300; round++) {
      const bytes = Uint8Array.from(original);
      for (let k = 1 + random(3); k > 0; k--) bytes[random(bytes.length)] = random(256);
      const access: StateFileAccess = {
        readMetadata: (offset, length) => Promise.resolve(metadata.subarray(offset, offset + length)),
        read: (p, offset, length) => {
          const file = path.basename(p);
          const data = file === largest ? bytes : new Uint8Array(fs.readFileSync(path.join(dir, file)));
          return Promise.resolve(data.subarray(offset, offset + length));
        },
      };
      const problems: EntryProblem[] = [];
      for await (const { entry } of stateEntries(zoo, pointer, access, {}, (p) => problems.push(p))) {
        if (entry.state.startsWith('k-')) kryoEntries++;
      }
      if (problems.length > 0) withProblems++;
    }
    assert.ok(withProblems > 0 && kryoEntries > 0, `${withProblems} rounds with problems, ${kryoEntries} Kryo entries`);
    console.log(`300 mutations: ${withProblems} rounds with problems, ${kryoEntries} Kryo entries read`);
    assert.ok(Date.now() - started < 60_000, 'mutations took over a minute');
  });
});
