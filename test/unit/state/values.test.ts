import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseMetadata } from '../../../src/core/metadata';
import type { StateFileAccess } from '../../../src/core/state';
import {
  javaHashCode,
  keyGroupOfHash,
  stateEntries,
  type EntryProblem,
  type StateEntry,
} from '../../../src/core/state/values';
import { findFiles, repoRoot } from '../../support/repo';

const FIXTURES = path.join(repoRoot(), 'test', 'fixtures', 'flink');
const LINES = ['1.15.4', '1.16.3', '1.17.2', '1.18.1', '1.19.3', '1.20.5', '2.0.2', '2.1.3', '2.2.1'];
/**
 * Every scenario but the changelog ones (whose logged changes after materialization are not applied): heap format,
 * RocksDB full and incremental (native SST files, shared between checkpoints), canonical and native savepoints,
 * file-merging segments.
 */
const SCENARIOS = ['hashmap', 'rocksdb-full', 'rocksdb-incremental', 'savepoints', 'unaligned', 'file-merging'];

/** The job's text (test/flink WordCountJob): every word the Counter can hold, and the stop words. */
const TEXT = [
  'to be or not to be that is the question',
  'whether tis nobler in the mind to suffer',
  'the slings and arrows of outrageous fortune',
  'or to take arms against a sea of troubles',
];
const VOCABULARY = new Set(TEXT.join(' ').split(' '));
const STOP_WORDS = ['the', 'a', 'of'];
const STRING_SERIALIZER = {
  class: 'org.apache.flink.api.common.typeutils.base.StringSerializer$StringSerializerSnapshot',
  version: 3,
  offset: 0,
};

import { entriesOf, openFixture, operatorIdOf, type Opened } from './fixtureAccess';

export { entriesOf, openFixture, type Opened };

/** Whether the snapshot's Counter holds keyed state in a key-group stream or in RocksDB SST files. */
function readable(snapshot: Opened): boolean {
  const op = snapshot.operators.find((o) => o.operatorId === operatorIdOf('counter'));
  return (op?.subtasks ?? []).some((s) => !s.finished && s.managedKeyedState !== null);
}

describe('state entries of the real Flink fixtures', () => {
  for (const version of LINES) {
    it(`${version}: the Counter's counts, the operator lists and the broadcast stop words, in every heap, full, incremental, canonical and native snapshot`, async () => {
      const files = SCENARIOS.flatMap((s) => findFiles(path.join(FIXTURES, version, s), '_metadata')).sort();
      let read = 0;
      for (const file of files) {
        const snapshot = openFixture(file);
        if (!readable(snapshot)) continue;
        read++;
        const { entries, problems } = await entriesOf(snapshot, 'counter');
        assert.deepEqual(problems, [], snapshot.where);
        const counts = entries.filter((e) => e.state === 'count');
        assert.ok(counts.length > 0, `${snapshot.where}: no counts`);
        assert.equal(new Set(counts.map((e) => e.key)).size, counts.length, `${snapshot.where}: a key twice`);
        for (const e of counts) {
          assert.ok(
            typeof e.key === 'string' && VOCABULARY.has(e.key),
            `${snapshot.where}: key ${JSON.stringify(e.key)}`,
          );
          assert.equal(e.namespace, null);
          assert.ok(
            typeof e.value === 'number' && e.value > 0 && Number.isInteger(e.value),
            `${snapshot.where}: ${e.key}`,
          );
          // Flink put the key in the key group its hash assigns: the key bytes were decoded right.
          assert.equal(e.keyGroup, keyGroupOfHash(javaHashCode(STRING_SERIALIZER, e.key) ?? NaN, 128), `${e.key}`);
        }
        const lines = await entriesOf(snapshot, 'lines');
        assert.deepEqual(lines.problems, []);
        assert.ok(lines.entries.length >= 1);
        for (const e of lines.entries) assert.ok(typeof e.value === 'number' && e.value >= 0);
        const filter = await entriesOf(snapshot, 'stop-word-filter');
        assert.deepEqual(filter.problems, []);
        const subtasks = new Set(filter.entries.map((e) => e.subtask));
        for (const s of subtasks) {
          const words = filter.entries.filter((e) => e.subtask === s);
          assert.deepEqual(words.map((e) => [e.key, e.value]).sort(), STOP_WORDS.map((w) => [w, true]).sort());
        }
      }
      assert.ok(read >= 10, `${version}: only ${read} snapshots with keyed state`);
    });
  }
});

describe('state entries of damaged state files', () => {
  /** Reads of the fixture with the state files' bytes altered by `damage` (offset in the file → new byte, or the end). */
  function damaged(snapshot: Opened, damage: { at: number; xor?: number; truncate?: boolean }): Opened {
    const access: StateFileAccess = {
      readMetadata: snapshot.access.readMetadata,
      read: async (p, offset, length) => {
        const bytes = new Uint8Array(await snapshot.access.read(p, offset, length));
        if (damage.truncate) return bytes.subarray(0, Math.max(0, Math.min(bytes.length, damage.at - offset)));
        const i = damage.at - offset;
        if (i >= 0 && i < bytes.length) bytes[i] ^= damage.xor ?? 0xff;
        return bytes;
      },
    };
    return { ...snapshot, access };
  }

  for (const scenario of ['hashmap', 'savepoints']) {
    it(`2.2.1 ${scenario}: any flipped byte or truncation gives entries and problems, never an exception or a hang`, async () => {
      const file = findFiles(path.join(FIXTURES, '2.2.1', scenario), '_metadata')
        .sort()
        .find((f) => readable(openFixture(f)));
      assert.ok(file);
      const snapshot = openFixture(file);
      const whole = await entriesOf(snapshot, 'counter');
      // The Counter's state files are a few hundred bytes each: damage some 150 positions of the first one.
      const op = snapshot.operators.find((o) => o.uid === 'counter');
      const sub = op?.subtasks.find((s) => !s.finished && s.managedKeyedState !== null);
      assert.ok(sub && !sub.finished);
      const handle = sub.managedKeyedState;
      assert.ok(handle !== null && 'delegate' in handle && handle.delegate !== null && 'size' in handle.delegate);
      const size = handle.delegate.size;
      assert.ok(size > 0 && size < 10000, `size ${size}`);
      let withProblems = 0;
      let tried = 0;
      const step = Math.ceil(size / 150);
      for (let at = 0; at < size; at += step) {
        tried += 2;
        for (const damage of [{ at }, { at, truncate: true }]) {
          const r = await entriesOf(damaged(snapshot, damage), 'counter');
          if (r.problems.length > 0) withProblems++;
          assert.ok(r.entries.length <= whole.entries.length + 1000);
        }
      }
      assert.ok(withProblems > tried / 2, `only ${withProblems} of ${tried} damaged files reported a problem`);
    });
  }
});

describe('the same job read in all its formats', () => {
  for (const version of LINES) {
    it(`${version}: canonical savepoint, native savepoint, stop-with-savepoint: every count only grows from one to the next`, async () => {
      const counts: Map<string, number>[] = [];
      for (const file of findFiles(path.join(FIXTURES, version, 'savepoints'), '_metadata')) {
        const { entries, problems } = await entriesOf(openFixture(file), 'counter', { states: new Set(['count']) });
        assert.deepEqual(problems, []);
        counts.push(new Map(entries.map((e) => [e.key as string, e.value as number])));
        // One key reads its key group only, in key-group streams and SST files alike, and finds the same entry.
        const one = await entriesOf(openFixture(file), 'counter', { states: new Set(['count']), key: 'sea' });
        assert.deepEqual(
          one.entries,
          entries.filter((e) => e.key === 'sea'),
        );
      }
      assert.equal(counts.length, 3);
      const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
      counts.sort((a, b) => total(a) - total(b));
      for (let i = 1; i < counts.length; i++) {
        assert.deepEqual([...counts[i].keys()].sort(), [...counts[i - 1].keys()].sort());
        for (const [word, n] of counts[i - 1]) assert.ok((counts[i].get(word) ?? 0) >= n, `${word}`);
      }
    });
  }
});

describe('the serializer zoo (test/fixtures/flink-zoo): every type the zoo job writes, on every backend', () => {
  const ZOO = path.join(repoRoot(), 'test', 'fixtures', 'flink-zoo');
  /** What must decode to a plain value (never {class, hex}) in every snapshot that holds it. */
  const DECODED = [
    'v-int',
    'v-string',
    'v-decimal',
    'v-instant',
    'v-int-array',
    'v-tuple',
    'v-row',
    'v-enum',
    'v-either',
  ];
  for (const version of fs.existsSync(ZOO) ? fs.readdirSync(ZOO).sort() : []) {
    it(`${version}: values by type, Avro by its schema, Kryo as {class, hex}, problems only where Flink wrote no lengths`, async () => {
      for (const file of findFiles(path.join(ZOO, version), '_metadata').sort()) {
        const where = path.relative(ZOO, file);
        const scenario = where.split(path.sep).slice(0, 2);
        const oracle = JSON.parse(fs.readFileSync(`${file}.oracle.json`, 'utf8')) as { externalPointer: string };
        const metadata = new Uint8Array(fs.readFileSync(file));
        const writtenRoot = `/tmp/flink-fixtures/zoo/${scenario.join('/')}`;
        const access: StateFileAccess = {
          readMetadata: (offset, length) => Promise.resolve(metadata.subarray(offset, offset + length)),
          read: (p, offset, length) => {
            const fd = fs.openSync(p.replace(/^file:/, '').replace(writtenRoot, path.join(ZOO, ...scenario)), 'r');
            try {
              const target = new Uint8Array(length);
              return Promise.resolve(target.subarray(0, fs.readSync(fd, target, 0, length, offset)));
            } finally {
              fs.closeSync(fd);
            }
          },
        };
        const zoo = parseMetadata(metadata, { pointer: oracle.externalPointer }).operators.find(
          (o) => o.uid === 'zoo' || o.operatorId === operatorIdOf('zoo'),
        );
        assert.ok(zoo, where);
        const entries: StateEntry[] = [];
        const problems: EntryProblem[] = [];
        for await (const { entry } of stateEntries(zoo, oracle.externalPointer, access, {}, (p) => problems.push(p))) {
          entries.push(entry);
        }
        for (const p of problems) {
          assert.match(
            p.message,
            /not applied|uses a serializer not known here|not read yet/,
            `${where}: ${p.message}`,
          );
        }
        const isOpaque = (v: unknown) => typeof v === 'object' && v !== null && 'hex' in v;
        for (const name of DECODED) {
          const values = entries.filter((e) => e.state === name);
          assert.ok(values.length > 0 || problems.length > 0, `${where}: no ${name}`);
          for (const e of values) assert.ok(!isOpaque(e.value), `${where} ${name}: ${JSON.stringify(e.value)}`);
        }
        for (const e of entries.filter((x) => x.state === 'v-kryo' || x.state === 'k-basket')) {
          assert.ok(isOpaque(e.value), `${where} ${e.state}`);
        }
        for (const e of entries.filter((x) => x.state === 'k-list' || x.state === 'k-map')) {
          assert.ok(Array.isArray(e.value), `${where} ${e.state}: ${JSON.stringify(e.value)}`);
        }
        for (const e of entries.filter((x) => x.state === 'v-avro-generic')) {
          assert.deepEqual(Object.keys(e.value as object), ['sensor', 'value'], where);
        }
        for (const e of entries.filter((x) => x.state === 'ttl-v-string')) {
          assert.match((e.value as { userValue: string }).userValue, /^ttl\d+$/, where);
        }
      }
    });
  }
});
