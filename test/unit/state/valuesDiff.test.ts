import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EXIT_FAILED, EXIT_OK } from '../../../src/cli/command';
import { stateCommand } from '../../../src/cli/state';
import { operatorIdFromUid, parseMetadata, type CheckpointMetadata } from '../../../src/core/metadata';
import type { StateFileAccess } from '../../../src/core/state';
import {
  StateDiff,
  fieldChanges,
  stateEntries,
  type DiffSide,
  type StateChange,
  type StateEntry,
  type StateValue,
} from '../../../src/core/state/values';
import { findFiles, repoRoot } from '../../support/repo';

const FIXTURES = path.join(repoRoot(), 'test', 'fixtures');

/**
 * A fixture snapshot as a diff side. Flink wrote absolute paths (under `/tmp/flink-fixtures/…`, the oracle's pointer
 * root); they are read from where the fixture lies now, and the snapshot's own files from `readFrom` (a copy).
 */
function side(dir: string, uid: string, readFrom = dir): DiffSide {
  const file = path.join(dir, '_metadata');
  const scenarioDir = path.basename(dir).startsWith('savepoint-') ? path.dirname(dir) : path.dirname(path.dirname(dir));
  const [tree, line, scenario] = path.relative(FIXTURES, scenarioDir).split(path.sep);
  const writtenRoot = `/tmp/flink-fixtures/${tree === 'flink-zoo' ? 'zoo/' : ''}${line}/${scenario}`;
  const oracle = JSON.parse(fs.readFileSync(`${file}.oracle.json`, 'utf8')) as { externalPointer: string };
  const own = oracle.externalPointer.replace(/^file:/, '');
  const bytes = new Uint8Array(fs.readFileSync(path.join(readFrom, '_metadata')));
  const metadata: CheckpointMetadata = parseMetadata(bytes, { pointer: oracle.externalPointer });
  const access: StateFileAccess = {
    readMetadata: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
    read: (p, offset, length) => {
      const written = p.replace(/^file:/, '');
      const local = written.startsWith(`${own}/`)
        ? path.join(readFrom, written.slice(own.length + 1))
        : written.replace(writtenRoot, scenarioDir);
      const fd = fs.openSync(local, 'r');
      try {
        const target = new Uint8Array(length);
        const n = fs.readSync(fd, target, 0, length, offset);
        return Promise.resolve(target.subarray(0, n));
      } finally {
        fs.closeSync(fd);
      }
    },
  };
  const operator = metadata.operators.find((o) => o.uid === uid || o.operatorId === operatorIdFromUid(uid));
  assert.ok(operator, `${dir} has an operator ${uid}`);
  return { label: path.relative(FIXTURES, dir), metadata, operator, access };
}

async function all(diff: StateDiff): Promise<StateChange[]> {
  const out: StateChange[] = [];
  for await (const c of diff.changes()) out.push(c);
  return out;
}

/** The same difference computed the obvious way (both sides whole in memory), to check the streaming one against. */
async function inMemoryDiff(a: DiffSide, b: DiffSide): Promise<string[]> {
  const read = async (s: DiffSide) => {
    const m = new Map<string, StateEntry>();
    for await (const { entry } of stateEntries(s.operator, s.metadata.pointer, s.access, {}, () => undefined)) {
      m.set(
        JSON.stringify([entry.state, entry.key, entry.namespace, entry.userKey ?? null, entry.subtask ?? null]),
        entry,
      );
    }
    return m;
  };
  const [x, y] = [await read(a), await read(b)];
  const out: string[] = [];
  for (const [id, e] of x) {
    const f = y.get(id);
    if (f === undefined) out.push(`removed ${id}`);
    else if (fieldChanges(e.value, f.value).length > 0) {
      out.push(`changed ${id} ${JSON.stringify(fieldChanges(e.value, f.value))}`);
    }
  }
  for (const id of y.keys()) if (!x.has(id)) out.push(`added ${id}`);
  return out.sort();
}

function described(changes: readonly StateChange[]): string[] {
  return changes
    .map((c) => {
      const e = c.change === 'changed' ? c.after : c.entry;
      const id = JSON.stringify([e.state, e.key, e.namespace, e.userKey ?? null, e.subtask ?? null]);
      return c.change === 'changed' ? `changed ${id} ${JSON.stringify(c.fields)}` : `${c.change} ${id}`;
    })
    .sort();
}

const wordCount = (line: string, scenario: string) =>
  findFiles(path.join(FIXTURES, 'flink', line, scenario), '_metadata')
    .map((f) => path.dirname(f))
    .filter((d) => /chk-\d+$/.test(d))
    .sort((p, q) => Number(/\d+$/.exec(p)![0]) - Number(/\d+$/.exec(q)![0]));

const ZOO_SAVEPOINTS = path.join(FIXTURES, 'flink-zoo', '2.2.1', 'savepoints');
const zooSavepoints = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'flink-zoo', '2.2.1', 'scenarios.json'), 'utf8'))
  .scenarios.savepoints.savepoints as { canonical: string; native: string };

describe('state diff (key level, bounded memory)', () => {
  for (const [line, scenario] of [
    ['2.2.1', 'hashmap'],
    ['2.2.1', 'rocksdb-incremental'],
    ['2.2.1', 'rocksdb-full'],
    ['1.15.4', 'hashmap'],
    ['1.20.5', 'rocksdb-incremental'],
  ] as const) {
    it(`word count ${line} ${scenario}: chk-N → chk-M agrees with the whole-in-memory diff; every counted word grew`, async () => {
      const [older, newer] = wordCount(line, scenario);
      assert.ok(older && newer, 'two retained checkpoints');
      const a = side(older, 'counter');
      const b = side(newer, 'counter');
      const diff = new StateDiff(a, b);
      const changes = await all(diff);
      assert.deepEqual(diff.problems, []);
      assert.deepEqual(described(changes), await inMemoryDiff(a, b));
      const counted = changes.filter((c) => c.change === 'changed');
      assert.ok(counted.length > 0);
      for (const c of changes) {
        assert.equal(c.change, 'changed', JSON.stringify(c));
        if (c.change !== 'changed') continue;
        assert.equal(c.after.state, 'count');
        assert.deepEqual(
          c.fields.map((f) => f.path),
          ['.'],
        );
        assert.ok((c.after.value as number) > (c.before.value as number));
      }
      const count = diff.counts.get('count')!;
      assert.equal(count.changed, counted.length);
      assert.equal(count.added + count.removed + count.notCompared, 0);
    });
  }

  it('a key group larger than the memory budget is sorted through runs on disk, with the same result', async () => {
    const [older, newer] = wordCount('2.2.1', 'hashmap');
    const a = side(older, 'counter');
    const b = side(newer, 'counter');
    const inMemory = new StateDiff(a, b);
    const expected = described(await all(inMemory));
    // A directory of its own: the system's temporary directory also holds the runs of diffs running beside this one.
    const spillDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'statediff-spill-'));
    try {
      const spilling = new StateDiff(a, b, { spillBytes: 1, spillDirectory });
      assert.deepEqual(described(await all(spilling)), expected);
      assert.equal(inMemory.spilledRuns, 0);
      assert.ok(spilling.spilledRuns > 0);
      assert.deepEqual(spilling.counts, inMemory.counts);
      assert.deepEqual(fs.readdirSync(spillDirectory), [], 'the sorted runs are removed');
    } finally {
      fs.rmSync(spillDirectory, { recursive: true, force: true });
    }
  });

  it('zoo: canonical savepoint → native (RocksDB) savepoint: exactly the fields the job changes, per key', async () => {
    const a = side(path.join(ZOO_SAVEPOINTS, zooSavepoints.canonical), 'zoo');
    const b = side(path.join(ZOO_SAVEPOINTS, zooSavepoints.native), 'zoo');
    const diff = new StateDiff(a, b);
    const changes = (await all(diff)).filter((c) => c.change === 'changed');
    assert.deepEqual(diff.problems, []);
    const of = (state: string) =>
      new Map(
        changes
          .filter((c) => c.change === 'changed' && c.after.state === state)
          .map((c) => [c.change === 'changed' ? (c.after.key as number) : -1, c]),
      );
    // Zoo.processElement: the element n of bucket n % 8 sets v-int to n, v-string to "s"+n, v-pojo to account(n).
    const ints = of('v-int');
    assert.deepEqual([...ints.keys()].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
    for (const [key, c] of ints) {
      assert.ok(c.change === 'changed');
      const [n1, n2] = [c.before.value as number, c.after.value as number];
      assert.equal(n1 % 8, key);
      assert.equal(n2 % 8, key);
      assert.ok(n2 > n1, 'the native savepoint was taken later');
      assert.deepEqual(of('v-string').get(key)?.fields, [{ path: '.', before: `s${n1}`, after: `s${n2}` }]);
      const pojo = of('v-pojo').get(key);
      assert.ok(pojo?.change === 'changed');
      const expected: Record<string, [StateValue, StateValue]> = {
        '.balance': [n1, n2],
        '.id': [`account-${n1}`, `account-${n2}`],
      };
      if (n1 % 100 !== n2 % 100) expected['.limits[0].value'] = [n1 % 100, n2 % 100];
      if (n1 % 3 !== n2 % 3) expected['.tags[0]'] = [`t${n1 % 3}`, `t${n2 % 3}`];
      assert.deepEqual(
        Object.fromEntries(pojo.fields.map((f) => [f.path, [f.before, f.after]])),
        expected,
        `v-pojo of key ${key}`,
      );
      // Either.Left("even") for even buckets stays the same; Right(n) of odd ones changes with n.
      const either = of('v-either').get(key);
      if (key % 2 === 0) assert.equal(either, undefined);
      else assert.ok(either !== undefined);
    }
    assert.equal(diff.counts.get('v-either')!.unchanged, 4);
    assert.equal(diff.counts.get('v-either')!.changed, 4);
  });

  it('a snapshot against itself: no change, every entry unchanged', async () => {
    const [, newer] = wordCount('2.2.1', 'hashmap');
    const diff = new StateDiff(side(newer, 'counter'), side(newer, 'counter'));
    assert.deepEqual(await all(diff), []);
    assert.deepEqual(diff.problems, []);
    const count = diff.counts.get('count')!;
    assert.ok(count.unchanged > 0);
    assert.equal(count.added + count.removed + count.changed, 0);
  });

  it('states of one name whose serializers differ: named, with why, and not compared', async () => {
    const [, newer] = wordCount('2.2.1', 'hashmap');
    const zoo = path.join(FIXTURES, 'flink-zoo', '2.2.1', 'hashmap');
    const [zooCheckpoint] = findFiles(zoo, '_metadata').map((f) => path.dirname(f));
    // Both have timers: of String keys (the word count) and of Long keys (the zoo).
    const diff = new StateDiff(side(newer, 'counter'), side(zooCheckpoint, 'zoo'), {
      states: new Set(['_timer_state/event_user-timers']),
    });
    assert.deepEqual(await all(diff), []);
    assert.deepEqual(diff.problems, [
      {
        side: null,
        state: '_timer_state/event_user-timers',
        message:
          "'_timer_state/event_user-timers' cannot be compared key by key: its key serializer differs (StringSerializer$StringSerializerSnapshot vs LongSerializer$LongSerializerSnapshot), so its keys are of different types",
      },
    ]);
  });

  it('one side truncated: the problem names the side and file; keys missing there are not reported as removed', async () => {
    const [older, newer] = wordCount('2.2.1', 'hashmap');
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'statediff-truncated-'));
    try {
      const broken = path.join(copy, path.basename(newer));
      fs.cpSync(newer, broken, { recursive: true });
      const b = side(newer, 'counter', broken);
      const keyedFile = b.operator.subtasks
        .map((s) => (s.finished ? null : s.managedKeyedState))
        .find((h) => h !== null && 'delegate' in h && h.delegate !== null);
      assert.ok(keyedFile && 'delegate' in keyedFile && keyedFile.delegate && 'relativePath' in keyedFile.delegate);
      const file = path.join(broken, keyedFile.delegate.relativePath as string);
      fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
      const diff = new StateDiff(side(older, 'counter'), b);
      const changes = await all(diff);
      assert.ok(diff.problems.length > 0);
      assert.ok(diff.problems.every((p) => p.side === 'b'));
      assert.match(diff.problems[0].message, /cannot read .*(ends|truncated|key group)/);
      assert.equal(changes.filter((c) => c.change === 'removed').length, 0);
      assert.ok(diff.counts.get('count')!.notCompared > 0);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('CLI: JSON lines, one per change, then the summary; --limit stops early; exit codes as diff', async () => {
    const [older, newer] = wordCount('2.2.1', 'hashmap');
    const run = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await stateCommand.run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
      return {
        code,
        out,
        err,
        lines: out
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      };
    };
    const full = await run('diff', older, newer, '--operator', 'counter', '--json');
    assert.equal(full.code, EXIT_OK, full.err);
    const summary = full.lines.at(-1)!;
    assert.equal(summary.complete, true);
    const changes = full.lines.slice(0, -1);
    assert.ok(changes.length > 3);
    assert.deepEqual(Object.keys(changes[0]), [
      'change',
      'state',
      'keyGroup',
      'key',
      'namespace',
      'before',
      'after',
      'fields',
    ]);
    assert.equal((summary.summary as Record<string, { changed: number }>).count.changed, changes.length);
    const limited = await run('diff', older, newer, '--operator', 'counter', '--json', '--limit', '2');
    assert.equal(limited.code, EXIT_OK);
    assert.deepEqual(limited.lines.slice(0, -1), changes.slice(0, 2));
    assert.equal(limited.lines.at(-1)!.complete, false);
    assert.match(limited.err, /stopped after 2 changes/);
    let err = '';
    const missing = await stateCommand.run(
      ['diff', older, path.join(older, 'no-such-checkpoint'), '--operator', 'counter'],
      {
        out: () => undefined,
        err: (t) => (err += t),
      },
    );
    assert.equal(missing, EXIT_FAILED);
    assert.match(err, /no-such-checkpoint/);
  });
});
