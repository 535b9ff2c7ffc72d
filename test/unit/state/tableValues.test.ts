import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseMetadata } from '../../../src/core/metadata';
import type { StateFileAccess } from '../../../src/core/state';
import { stateEntries, type EntryProblem, type StateValue } from '../../../src/core/state/values';
import { findFiles, repoRoot } from '../../support/repo';

/**
 * The Table API / SQL fixtures (scripts/fixtures-table.sh): the SQL job's GROUP BY aggregation, deduplications,
 * Top-N, regular join and window aggregation keep RowData keys and values in every checkpoint and savepoint, and its
 * retracting aggregates and Top-N keep data views (MapView/ListView states of their own) and a SortedMap, which
 * `table.expected.json` lists as the job's rows leave them (computed from the rows by the job's own code). Every entry
 * of those states must decode to exactly the expected ones: keys, namespaces, map keys and values, field by field.
 */
const TABLE = path.join(repoRoot(), 'test', 'fixtures', 'flink-table');
const LINES = ['1.19.3', '1.20.5', '2.1.3', '2.2.1'];

interface ExpectedEntry {
  key: StateValue;
  namespace?: StateValue;
  userKey?: StateValue;
  value: StateValue;
}

function access(metadataFile: string, writtenRoot: string, fixtureRoot: string): StateFileAccess {
  const metadata = new Uint8Array(fs.readFileSync(metadataFile));
  return {
    readMetadata: (offset, length) => Promise.resolve(metadata.subarray(offset, offset + length)),
    read: (p, offset, length) => {
      const fd = fs.openSync(p.replace(/^file:/, '').replace(writtenRoot, fixtureRoot), 'r');
      try {
        const target = new Uint8Array(length);
        return Promise.resolve(target.subarray(0, fs.readSync(fd, target, 0, length, offset)));
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

const isObject = (v: StateValue): v is { [key: string]: StateValue } =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** A map's entries in a stable order: BinaryMapData keeps them in the order the writer hashed them. */
function canonical(v: StateValue): StateValue {
  if (Array.isArray(v)) {
    const items = v.map(canonical);
    const isMap = items.length > 0 && items.every((e) => isObject(e) && Object.keys(e).join() === 'key,value');
    return isMap ? items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : items;
  }
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, canonical(x)]));
  return v;
}

/** A serializer's top-level RowData (fields `f0`, `f1`, …) as its column values; the row kind is not compared. */
function columns(v: StateValue): StateValue {
  if (!isObject(v)) return v;
  return Object.entries(v)
    .filter(([k]) => k !== '$rowKind')
    .map(([, x]) => canonical(x));
}

/** A map's entry (a SortedMap's among them): its key and value each as columns. */
const isEntry = (v: StateValue): v is { key: StateValue; value: StateValue } =>
  isObject(v) && Object.keys(v).join() === 'key,value';

function comparable(e: ExpectedEntry): string {
  const value = Array.isArray(e.value)
    ? canonical(e.value.map((v) => (isEntry(v) ? { key: columns(v.key), value: columns(v.value) } : columns(v))))
    : columns(e.value);
  return JSON.stringify({
    key: columns(e.key),
    namespace: e.namespace ?? null,
    userKey: e.userKey === undefined ? null : columns(e.userKey),
    value,
  });
}

function expectedComparable(e: ExpectedEntry): string {
  const value =
    Array.isArray(e.value) && e.value.every(Array.isArray) ? e.value.map((r) => canonical(r)) : canonical(e.value);
  return JSON.stringify({
    key: canonical(e.key),
    namespace: e.namespace ?? null,
    userKey: e.userKey === undefined ? null : canonical(e.userKey),
    value,
  });
}

describe('RowData state values agree with what the SQL job’s rows leave in every Table API snapshot', () => {
  let total = 0;
  for (const version of LINES) {
    it(`Flink ${version}: aggregation, deduplication, Top-N, join, window and data view state on every backend`, async (t) => {
      let agreeing = 0;
      const expected = JSON.parse(fs.readFileSync(path.join(TABLE, version, 'table.expected.json'), 'utf8')) as {
        states: Record<string, ExpectedEntry[]>;
      };
      const files = findFiles(path.join(TABLE, version), '_metadata').sort();
      assert.ok(files.length >= 6, `${version}: ${files.length} snapshots`);
      for (const file of files) {
        const where = path.relative(TABLE, file);
        const scenario = where.split(path.sep).slice(0, 2);
        const { externalPointer } = JSON.parse(fs.readFileSync(`${file}.oracle.json`, 'utf8')) as {
          externalPointer: string;
        };
        const metadata = parseMetadata(new Uint8Array(fs.readFileSync(file)), { pointer: externalPointer });
        const files = access(file, `/tmp/flink-fixtures/table/${scenario.join('/')}`, path.join(TABLE, ...scenario));
        const actual = new Map<string, string[]>();
        const problems: EntryProblem[] = [];
        for (const op of metadata.operators) {
          for await (const { entry } of stateEntries(op, externalPointer, files, {}, (p) => problems.push(p))) {
            if (!(entry.state in expected.states)) continue;
            const list = actual.get(entry.state) ?? [];
            list.push(comparable(entry as ExpectedEntry));
            actual.set(entry.state, list);
          }
        }
        assert.deepEqual(problems, [], where);
        for (const [state, entries] of Object.entries(expected.states)) {
          assert.deepEqual(
            (actual.get(state) ?? []).sort(),
            entries.map(expectedComparable).sort(),
            `${where}: ${state}`,
          );
          total += entries.length;
          agreeing += entries.length;
        }
      }
      t.diagnostic(
        `${version}: ${agreeing} entries of ${Object.keys(expected.states).length} states agree in ${files.length} snapshots`,
      );
    });
  }
  it('compares every state of the job', () => {
    assert.ok(total >= LINES.length * 6 * 250, `${total} entries compared`);
  });
});
