import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EXIT_USAGE, UsageError } from '../../../src/cli/command';
import { stateCommand } from '../../../src/cli/state';
import { fieldChanges } from '../../../src/core/state/values';
import { parseMetadata } from '../../../src/core/metadata';
import { findFiles, repoRoot } from '../../support/repo';
import * as fs from 'node:fs';
import * as os from 'node:os';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  try {
    const code = await stateCommand.run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { code: EXIT_USAGE, out, err: error.message };
  }
}

/** The 2.2.1 job's savepoints whose keyed state is canonical (relative handles: readable where they lie). */
const canonical = findFiles(path.join(repoRoot(), 'test', 'fixtures', 'flink', '2.2.1', 'savepoints'), '_metadata')
  .filter((f) => {
    const op = parseMetadata(new Uint8Array(fs.readFileSync(f))).operators.find((o) => o.uid === 'counter');
    return op?.subtasks.some((s) => !s.finished && s.managedKeyedState?.type === 'KeyGroupsSavepointStateHandle');
  })
  .map((f) => path.dirname(f))
  .sort();

interface Line {
  state: string;
  keyGroup: number | null;
  key: unknown;
  namespace: unknown;
  value: unknown;
  subtask?: number;
}

const lines = (out: string): Line[] =>
  out
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);

describe('flink-checkpoints state', () => {
  it('two canonical savepoints of the 2.2.1 job are here', () => {
    assert.equal(canonical.length, 2);
  });

  it('usage errors exit 2', async () => {
    const [sp] = canonical;
    assert.equal((await run()).code, 2);
    assert.equal((await run(sp)).code, 2, 'no --operator');
    assert.equal((await run(sp, '--operator', 'counter', '--key', 'a', '--key-prefix', 'b')).code, 2);
    assert.equal((await run(sp, '--operator', 'counter', '--limit', 'ten')).code, 2);
    assert.equal((await run(sp, '--operator', 'counter', '--after', 'x')).code, 2);
    assert.equal((await run('diff', sp, '--operator', 'counter')).code, 2);
    assert.equal((await run('diff', sp, sp)).code, 2);
  });

  it('an unknown operator or a missing snapshot exits 1 naming it', async () => {
    const r = await run(canonical[0], '--operator', 'no-such-uid');
    assert.equal(r.code, 1);
    assert.match(r.err, /no operator with uid or id 'no-such-uid'/);
    const missing = await run(path.join(canonical[0], 'nowhere'), '--operator', 'counter');
    assert.equal(missing.code, 1);
  });

  it('--json: one line per entry in the contract shape, keys in the key groups Flink assigned', async () => {
    const r = await run(canonical[0], '--operator', 'counter', '--json');
    assert.equal(r.code, 0, r.err);
    const entries = lines(r.out);
    assert.equal(entries.length, 26);
    for (const e of entries) {
      assert.deepEqual(Object.keys(e), ['state', 'keyGroup', 'key', 'namespace', 'value']);
      assert.equal(e.state, 'count');
    }
    const groups = entries.map((e) => e.keyGroup ?? -1);
    assert.deepEqual(
      groups,
      [...groups].sort((a, b) => a - b),
      'in key-group order',
    );
  });

  it('--key finds one key (its key group only), --key-prefix the keys starting with it', async () => {
    const r = await run(canonical[0], '--operator', 'counter', '--key', 'sea', '--json');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      lines(r.out).map((e) => [e.key, e.keyGroup]),
      [['sea', 42]],
    );
    const prefix = await run(canonical[0], '--operator', 'counter', '--key-prefix', 'th', '--json');
    assert.deepEqual(
      lines(prefix.out)
        .map((e) => e.key)
        .sort(),
      ['that', 'the'],
    );
    const none = await run(canonical[0], '--operator', 'counter', '--key', 'absent');
    assert.equal(none.out, 'no entries\n');
  });

  it('--limit pages through every entry with --after, none twice, none lost', async () => {
    const all = lines((await run(canonical[0], '--operator', 'stop-word-filter', '--json')).out);
    assert.equal(all.length, 12, 'three stop words in each of four subtasks');
    const seen: Line[] = [];
    let after: string | undefined;
    for (let page = 0; page < 20; page++) {
      const r = await run(
        canonical[0],
        '--operator',
        'stop-word-filter',
        '--json',
        '--limit',
        '5',
        ...(after ? ['--after', after] : []),
      );
      seen.push(...lines(r.out));
      after = /resume with --after (\S+)/.exec(r.err)?.[1];
      if (after === undefined) break;
    }
    assert.deepEqual(seen, all);
    const counts = lines((await run(canonical[0], '--operator', 'counter', '--json')).out);
    const paged: Line[] = [];
    after = undefined;
    for (let page = 0; page < 30; page++) {
      const r = await run(
        canonical[0],
        '--operator',
        'counter',
        '--json',
        '--limit',
        '4',
        ...(after ? ['--after', after] : []),
      );
      paged.push(...lines(r.out));
      after = /resume with --after (\S+)/.exec(r.err)?.[1];
      if (after === undefined) break;
    }
    assert.deepEqual(paged, counts);
  });

  it("state diff: every count but the stop words' grew between the two savepoints; a snapshot against itself has no changes", async () => {
    const r = await run('diff', canonical[0], canonical[1], '--operator', 'counter', '--state', 'count', '--json');
    assert.equal(r.code, 0, r.err);
    const changes = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { change: string; key: string; before: number; after: number; fields: unknown[] })
      .filter((l) => l.change !== undefined);
    const [older, newer] = changes[0].before < changes[0].after ? [0, 1] : [1, 0];
    assert.ok(older !== newer);
    // The stop words stopped counting once the filter had them, before either savepoint.
    const unchanged = lines((await run(canonical[0], '--operator', 'counter', '--json')).out)
      .map((e) => e.key as string)
      .filter((k) => !changes.some((c) => c.key === k));
    assert.deepEqual(unchanged.sort(), ['a', 'of', 'the']);
    for (const c of changes) {
      assert.equal(c.change, 'changed');
      assert.ok(c.after > c.before, JSON.stringify(c));
    }
    const same = await run('diff', canonical[0], canonical[0], '--operator', 'counter');
    assert.equal(same.out, `0 added, 0 removed, 0 changed, ${changes.length + 3} unchanged\n`);
  });

  it('field-level changes by path', () => {
    assert.deepEqual(fieldChanges({ a: 1, b: [1, 2] }, { a: 1, b: [1, 3], c: 'x' }), [
      { path: '.b[1]', before: 2, after: 3 },
      { path: '.c', after: 'x' },
    ]);
  });
});

describe('state on an incremental RocksDB checkpoint copied away from where Flink wrote it', () => {
  const zoo = path.join(repoRoot(), 'test', 'fixtures', 'flink-zoo', '2.2.1', 'rocksdb-incremental');

  /** A copy of the job's base in a fresh folder: `_metadata` still names Flink's absolute `shared/` paths. */
  function copyBase(): { base: string; checkpoint: string } {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'state-cli-copy-'));
    fs.cpSync(zoo, base, { recursive: true });
    return { base, checkpoint: fixtureCheckpoint(base) };
  }

  it('reads the shared files where the copy holds them, as in the tree Flink wrote', async () => {
    const { base, checkpoint } = copyBase();
    try {
      const original = fixtureCheckpoint(zoo);
      const here = await run(checkpoint, '--operator', 'zoo', '--state', 'v-pojo', '--json');
      const there = await run(original, '--operator', 'zoo', '--state', 'v-pojo', '--json');
      assert.equal(here.code, 0, here.err);
      assert.equal(here.out.trim().split('\n').length, 8, 'the zoo holds eight keys');
      assert.equal(here.out, there.out);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });

  it('names each missing shared file and where it was looked for, exits 1, and counts what it does not name', async () => {
    const { base, checkpoint } = copyBase();
    try {
      const shared = path.join(path.dirname(checkpoint), 'shared');
      for (const f of fs.readdirSync(shared)) fs.rmSync(path.join(shared, f));
      const result = await run(checkpoint, '--operator', 'zoo', '--state', 'v-pojo');
      assert.equal(result.code, 1);
      assert.doesNotMatch(result.err, /internal error|at async/);
      const lines = result.err.trim().split('\n');
      assert.equal(lines.filter((l) => l.startsWith('cannot read ')).length, 20);
      assert.match(lines[0], new RegExp(`${shared.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[0-9a-f-]+: no such file`));
      assert.match(lines[lines.length - 1], /^… and \d+ more files that cannot be read \(--json lists every one\)$/);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});

/** The newest `chk-N` of a fixture base's one job. */
function fixtureCheckpoint(base: string): string {
  const job = fs.readdirSync(base).find((n) => /^[0-9a-f]{32}$/.test(n))!;
  const newest = fs
    .readdirSync(path.join(base, job))
    .filter((n) => n.startsWith('chk-'))
    .sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)))[0];
  return path.join(base, job, newest);
}
