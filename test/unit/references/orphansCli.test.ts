import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/main';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function jobWithLeftover(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orphans-cli-'));
  const fixtures = path.resolve(__dirname, '../../../../test/fixtures/flink/1.20.5/rocksdb-incremental');
  fs.cpSync(fixtures, dir, { recursive: true });
  const job = path.join(
    dir,
    fs.readdirSync(dir).find((n) => /^[0-9a-f]{32}$/.test(n))!,
  );
  const leftover = path.join(job, 'shared', 'leftover');
  fs.writeFileSync(leftover, 'x'.repeat(10));
  const old = new Date(Date.now() - 86_400_000);
  fs.utimesSync(leftover, old, old);
  return job;
}

const fixturesThere = fs.existsSync(
  path.resolve(__dirname, '../../../../test/fixtures/flink/1.20.5/rocksdb-incremental'),
);

test(
  'orphans --json reports a planted leftover and deletes nothing without --delete',
  { skip: !fixturesThere && 'no Flink 1.20 fixtures' },
  async () => {
    const job = jobWithLeftover();
    const { code, out } = await run(['orphans', job, '--json']);
    assert.equal(code, 0);
    const report = JSON.parse(out);
    assert.deepEqual(
      report.candidates.map((c: { path: string }) => c.path),
      [`/${path.basename(job)}/shared/leftover`],
    );
    assert.ok(fs.existsSync(path.join(job, 'shared', 'leftover')));
  },
);

test(
  'orphans --delete needs --yes, then moves only the leftover to the trash',
  { skip: !fixturesThere && 'no Flink 1.20 fixtures' },
  async () => {
    const job = jobWithLeftover();
    assert.equal((await run(['orphans', job, '--delete'])).code, 2);
    assert.ok(fs.existsSync(path.join(job, 'shared', 'leftover')));
    const { code, err } = await run(['orphans', job, '--delete', '--yes']);
    assert.equal(code, 0);
    assert.match(err, /moved .*shared\/leftover .* to \/\.flink-checkpoints-trash\//);
    assert.ok(!fs.existsSync(path.join(job, 'shared', 'leftover')));
    assert.equal((await run(['orphans', job, '--json'])).out.includes('"candidates":[]'), true);
  },
);

test('orphans names a missing job directory and exits 1', async () => {
  const { code, err } = await run([
    'orphans',
    path.join(os.tmpdir(), 'no-such-dir', '0123456789abcdef0123456789abcdef'),
  ]);
  assert.equal(code, 1);
  assert.match(err, /no-such-dir/);
});
