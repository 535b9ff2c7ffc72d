import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { operatorIdFromUid, parseMetadata } from '../../../src/core/metadata';
import type { StateFileAccess } from '../../../src/core/state';
import { stateEntries, type EntryProblem, type StateEntry, type StateValue } from '../../../src/core/state/values';
import { findFiles, repoRoot } from '../../support/repo';

/**
 * The State Processor API as the oracle of state values: beside each serializer-zoo snapshot,
 * `_metadata.values.json` (scripts/fixtures-values-oracle.sh, test/flink src/spa) holds every entry Flink's own reader
 * gives for the zoo job's keyed state and timers, operator list/union state and broadcast state, rendered the way
 * this reader renders values. The reader must give exactly the same entries, state by state, on every snapshot the
 * State Processor API could read; what it could not read is listed in the oracle file and counted here.
 */
const ZOO = path.join(repoRoot(), 'test', 'fixtures', 'flink-zoo');
const ZOO_OPERATORS = ['zoo', 'operator-states', 'broadcast'];
/** The word-count fixtures (scripts/fixtures.sh): the Counter's value state, list, union and broadcast state. */
const WORD_COUNT = path.join(repoRoot(), 'test', 'fixtures', 'flink');
const WORD_COUNT_OPERATORS = ['counter', 'lines', 'tokenizer', 'stop-word-filter'];
/**
 * The zoo's Kryo-serialized states: JDK collections and maps Kryo writes with its own serializers are decoded on
 * Kryo 2.24 (1.x) and Kryo 5 (2.x); user classes (FieldSerializer: no field names in the snapshot) are shown as
 * their class and bytes, which the oracle renders the same way.
 */
const KRYO_DECODED = new Set(['k-list', 'k-map']);
const KRYO_OPAQUE = new Set(['v-kryo', 'k-basket']);

interface ValuesOracle {
  flinkVersion: string;
  stateProcessorApi: string;
  unreadable: { operator: string; reason: string }[];
  entries: Record<string, StateValue>[];
}

interface SchemaOracle {
  operators: { operatorId: string; states: { name: string; kind: string; ttl: boolean }[] }[];
}

/** JSON with object keys sorted, so two renderings compare as text whatever the order of fields. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Where the scenario was written (absolute paths inside its checkpoints point there), from scenarios.json. */
function writtenRoot(root: string, version: string, scenario: string): string {
  const index = JSON.parse(fs.readFileSync(path.join(root, version, 'scenarios.json'), 'utf8')) as {
    scenarios: Record<string, { configuration: Record<string, string> }>;
  };
  const conf = index.scenarios[scenario]?.configuration ?? {};
  const dir = conf['execution.checkpointing.dir'] ?? conf['state.checkpoints.dir'];
  return dir === undefined ? `/tmp/flink-fixtures/zoo/${version}/${scenario}` : dir.replace(/^file:/, '');
}

function open(root: string, file: string) {
  const where = path.relative(root, file);
  const [version, scenario] = where.split(path.sep);
  const pointerOracle = JSON.parse(fs.readFileSync(`${file}.oracle.json`, 'utf8')) as { externalPointer: string };
  const metadata = new Uint8Array(fs.readFileSync(file));
  const from = writtenRoot(root, version, scenario);
  const to = path.join(root, version, scenario);
  const access: StateFileAccess = {
    readMetadata: (offset, length) => Promise.resolve(metadata.subarray(offset, offset + length)),
    read: (p, offset, length) => {
      const fd = fs.openSync(p.replace(/^file:/, '').replace(from, to), 'r');
      try {
        const target = new Uint8Array(length);
        return Promise.resolve(target.subarray(0, fs.readSync(fd, target, 0, length, offset)));
      } finally {
        fs.closeSync(fd);
      }
    },
  };
  const snapshot = parseMetadata(metadata, { pointer: pointerOracle.externalPointer });
  return { where, version, pointer: pointerOracle.externalPointer, operators: snapshot.operators, access };
}

/**
 * This reader's entry as the oracle renders it: the operator's uid added; list and union elements without their
 * index (the State Processor API gives none); TTL values as their user value (it hides the timestamps).
 */
function asOracle(
  operator: string,
  entry: StateEntry,
  kinds: Map<string, { kind: string; ttl: boolean }>,
  listed: ReadonlySet<string>,
): string {
  const meta = kinds.get(entry.state);
  const unwrap = (v: StateValue): StateValue =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && 'userValue' in v ? v.userValue : v;
  let value = entry.value;
  if (meta?.ttl === true) value = Array.isArray(value) ? value.map(unwrap) : unwrap(value);
  const out: Record<string, StateValue> = {
    operator,
    state: entry.state,
    keyGroup: entry.keyGroup,
    key: entry.keyGroup === null && listed.has(entry.state) ? null : entry.key,
    namespace: entry.namespace,
    value,
  };
  if (entry.userKey !== undefined) out.userKey = entry.userKey;
  return canonical(out);
}

interface Counts {
  snapshots: number;
  states: number;
  /** Entries equal to the oracle's. */
  entries: number;
  unreadableBySpa: string[];
}

async function agree(root: string, operators: string[], file: string, counts: Counts): Promise<void> {
  const oracle = JSON.parse(fs.readFileSync(`${file}.values.json`, 'utf8')) as ValuesOracle;
  // The word-count fixtures have no schema oracle: none of their states has TTL.
  const schema = fs.existsSync(`${file}.schema.json`)
    ? (JSON.parse(fs.readFileSync(`${file}.schema.json`, 'utf8')) as SchemaOracle)
    : { operators: [] };
  const snapshot = open(root, file);
  // List and union elements: the State Processor API gives them without an index (the oracle's key is null).
  const listed = new Set(
    oracle.entries.filter((e) => e.keyGroup === null && e.key === null).map((e) => String(e.state)),
  );
  const skipped = new Set(oracle.unreadable.map((u) => u.operator));
  for (const u of oracle.unreadable) counts.unreadableBySpa.push(`${snapshot.where} ${u.operator}: ${u.reason}`);
  if (skipped.has('*')) return;
  counts.snapshots++;
  for (const uid of operators) {
    if (skipped.has(uid)) continue;
    const op = snapshot.operators.find((o) => o.uid === uid || o.operatorId === operatorIdFromUid(uid));
    assert.ok(op, `${snapshot.where}: no operator ${uid}`);
    const kinds = new Map(
      (schema.operators.find((o) => o.operatorId === op.operatorId)?.states ?? []).map((s) => [s.name, s]),
    );
    const ours: string[] = [];
    const problems: EntryProblem[] = [];
    for await (const { entry } of stateEntries(op, snapshot.pointer, snapshot.access, {}, (p) => problems.push(p))) {
      ours.push(asOracle(uid, entry, kinds, listed));
    }
    const theirs = oracle.entries.filter((e) => e.operator === uid).map(canonical);
    const byState = (lines: string[]) => {
      const m = new Map<string, string[]>();
      for (const l of lines) {
        const state = (JSON.parse(l) as { state: string }).state;
        m.set(state, [...(m.get(state) ?? []), l]);
      }
      for (const v of m.values()) v.sort();
      return m;
    };
    // Every subtask keeps a copy of broadcast state, which the State Processor API reads once.
    const broadcast = new Set(
      oracle.entries.filter((e) => e.operator === uid && e.keyGroup === null && e.key !== null).map((e) => e.state),
    );
    const a = byState(ours.filter((l, k) => !broadcast.has(JSON.parse(l).state) || ours.indexOf(l) === k));
    const b = byState(theirs);
    const context = `${snapshot.where} ${uid}`;
    assert.deepEqual(
      problems.map((p) => p.message),
      [],
      `${context}: the reader reported problems`,
    );
    assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort(), `${context}: states`);
    for (const [state, expected] of b) {
      assert.deepEqual(a.get(state), expected, `${context}: state ${state}`);
      counts.entries += expected.length;
    }
    counts.states += b.size;
  }
}

describe('state values agree with the State Processor API on every entry of the serializer-zoo fixtures', () => {
  const lines = fs.existsSync(ZOO) ? fs.readdirSync(ZOO).sort() : [];
  const total: Counts = { snapshots: 0, states: 0, entries: 0, unreadableBySpa: [] };
  for (const [root, operators, job] of [
    [ZOO, ZOO_OPERATORS, 'zoo'],
    [WORD_COUNT, WORD_COUNT_OPERATORS, 'word count'],
  ] as const) {
    for (const version of fs.existsSync(root) ? fs.readdirSync(root).sort() : []) {
      const files = findFiles(path.join(root, version), '_metadata')
        .filter((f) => fs.existsSync(`${f}.values.json`))
        .sort();
      if (files.length === 0) continue;
      it(`${job} ${version}: every entry of every state the State Processor API reads, in ${files.length} snapshots`, async () => {
        const counts: Counts = { snapshots: 0, states: 0, entries: 0, unreadableBySpa: [] };
        for (const file of files) await agree(root, [...operators], file, counts);
        console.log(
          `${job} ${version}: ${counts.snapshots} snapshots, ${counts.states} states: ${counts.entries} entries agree;` +
            ` parts the State Processor API could not read: ${counts.unreadableBySpa.length}`,
        );
        assert.ok(counts.entries > 0, `${version}: nothing compared`);
        total.snapshots += counts.snapshots;
        total.states += counts.states;
        total.entries += counts.entries;
        total.unreadableBySpa.push(...counts.unreadableBySpa);
      });
    }
  }
  it('the oracle covers the zoo: every kind of state, timers, operator and broadcast state', () => {
    const seen = new Set<string>();
    /** Kryo values: JDK collections and maps decoded, user classes as {class, hex}, per line. */
    const kryo = new Map<string, { decoded: number; opaque: number }>();
    for (const version of lines) {
      for (const f of findFiles(path.join(ZOO, version), '_metadata.values.json')) {
        for (const e of (JSON.parse(fs.readFileSync(f, 'utf8')) as ValuesOracle).entries) {
          seen.add(String(e.state));
          const opaque = e.value !== null && typeof e.value === 'object' && 'hex' in e.value;
          const counts = kryo.get(version) ?? { decoded: 0, opaque: 0 };
          if (KRYO_DECODED.has(String(e.state))) {
            assert.ok(!opaque, `${f}: ${String(e.state)} is not decoded`);
            counts.decoded++;
          } else if (KRYO_OPAQUE.has(String(e.state))) {
            assert.ok(opaque, `${f}: ${String(e.state)} is not shown as class and bytes`);
            counts.opaque++;
          }
          kryo.set(version, counts);
        }
      }
    }
    // The zoo's JDK collections and maps through Kryo exist from the regeneration that added them (2.x and 1.20).
    for (const version of ['1.20.5', '2.2.1']) {
      if (!lines.includes(version)) continue;
      assert.ok((kryo.get(version)?.decoded ?? 0) > 0, `${version}: no decoded Kryo value`);
    }
    console.log(
      `Kryo values (${[...KRYO_DECODED].join(', ')} decoded; ${[...KRYO_OPAQUE].join(', ')} as class + hex): ` +
        [...kryo].map(([v, c]) => `${v} ${c.decoded}/${c.opaque}`).join(', '),
    );
    if (seen.size === 0) return;
    for (const state of [
      'v-kryo',
      'k-list',
      'k-map',
      'k-basket',
      'l-pojo',
      'm-row',
      'r-sum',
      'a-average',
      'ttl-m-string-long',
      '_timer_state/event_user-timers',
      'split-tuples',
      'union-accounts',
      'colors',
    ]) {
      assert.ok(seen.has(state), `no oracle entry of ${state}`);
    }
    console.log(
      `all lines: ${total.snapshots} snapshots, ${total.states} states: ${total.entries} entries agree;` +
        ` parts the State Processor API could not read: ${total.unreadableBySpa.length}`,
    );
  });
});
