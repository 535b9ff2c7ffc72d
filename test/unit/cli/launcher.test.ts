import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

const root = path.resolve(__dirname, '../../../..');
const cli = path.join(root, 'dist', 'cli.js');
const fixture = path.join(root, 'test', 'fixtures', 'flink', 'synthetic', '1.20.5', 'unicode', '_metadata');
const built = fs.existsSync(cli) && fs.existsSync(path.join(root, 'dist', 'cli-main.js'));

describe('flink-checkpoints launcher (dist/cli.js)', { skip: built ? false : 'dist/cli.js is not built: run npm run build' }, () => {
  let cacheHome = '';
  let cacheDir = '';
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome, NODE_DISABLE_COMPILE_CACHE: '', ...env }, timeout: 60_000 });
  const cacheFiles = () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).sort() : []);

  before(() => {
    cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), 'launcher-cache-'));
    cacheDir = path.join(cacheHome, 'flink-checkpoints');
  });
  after(() => fs.rmSync(cacheHome, { recursive: true, force: true }));

  it('writes a code cache for the command on its first successful run, and runs from it unchanged after', () => {
    const first = run(['inspect', '--json', fixture]);
    assert.equal(first.status, 0, first.stderr);
    const files = cacheFiles();
    assert.equal(files.length, 1);
    assert.match(files[0], new RegExp(`^cli-main-[0-9a-f]{16}-inspect-${process.version.replace(/\./g, '\\.')}-${process.arch}\\.v8cache$`));
    const written = fs.statSync(path.join(cacheDir, files[0]));

    const second = run(['inspect', '--json', fixture]);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    const after = fs.statSync(path.join(cacheDir, files[0]));
    // Rewritten only when V8 refused it: a cache made under other V8 flags would be refused on every run.
    assert.equal(after.ino, written.ino, 'the cache was accepted, not replaced');
    assert.equal(after.mtimeMs, written.mtimeMs);
  });

  it('writes nothing for a run that fails, or when NODE_DISABLE_COMPILE_CACHE is set', () => {
    const failed = run(['diff', fixture, path.join(cacheHome, 'missing')]);
    assert.equal(failed.status, 1);
    assert.ok(!cacheFiles().some((f) => f.includes('-diff-')), 'no cache from a failed run');

    const disabled = run(['diff', fixture, fixture], { NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.equal(disabled.status, 0, disabled.stderr);
    assert.ok(!cacheFiles().some((f) => f.includes('-diff-')));

    const ok = run(['diff', fixture, fixture]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.ok(cacheFiles().some((f) => f.includes('-diff-')));
  });

  it('keeps exit codes and output of usage errors and --version', () => {
    const usage = run(['inspect']);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /Usage: flink-checkpoints inspect/);
    const version = run(['--version']);
    assert.equal(version.status, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});
