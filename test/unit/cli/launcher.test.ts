import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compileCacheDirectory } from '../../../src/cli/launcher';

const root = path.resolve(__dirname, '../../../..');
const cli = path.join(root, 'dist', 'cli.js');
const fixture = path.join(root, 'test', 'fixtures', 'flink', 'synthetic', '1.20.5', 'unicode', '_metadata');
const built = fs.existsSync(cli) && fs.existsSync(path.join(root, 'dist', 'cli-main.js'));
const hasCompileCache = Number(process.versions.node.split('.')[0]) >= 22;

describe(
  'flink-checkpoints launcher (dist/cli.js)',
  { skip: built ? false : 'dist/cli.js is not built: run npm run build' },
  () => {
    let cacheHome = '';
    // NODE_DISABLE_COMPILE_CACHE is removed, not emptied: Node 24 turns its cache off when the variable is set at all.
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
      const inherited = { ...process.env };
      delete inherited.NODE_DISABLE_COMPILE_CACHE;
      return spawnSync(process.execPath, [cli, ...args], {
        encoding: 'utf8',
        env: { ...inherited, XDG_CACHE_HOME: cacheHome, ...env },
        timeout: 60_000,
      });
    };
    const cacheEntries = () =>
      fs.existsSync(path.join(cacheHome, 'flink-checkpoints'))
        ? fs.readdirSync(path.join(cacheHome, 'flink-checkpoints'), { recursive: true })
        : [];

    before(() => {
      cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), 'launcher-cache-'));
    });
    after(() => fs.rmSync(cacheHome, { recursive: true, force: true }));

    it('gives the same output with and without the compile cache, which it keeps in the user cache directory', () => {
      const off = run(['inspect', '--json', fixture], { NODE_DISABLE_COMPILE_CACHE: '1' });
      assert.equal(off.status, 0, off.stderr);
      assert.deepEqual(cacheEntries(), []);
      const first = run(['inspect', '--json', fixture]);
      const second = run(['inspect', '--json', fixture]);
      assert.equal(first.status, 0, first.stderr);
      assert.equal(second.stdout, off.stdout);
      assert.equal(first.stdout, off.stdout);
      assert.equal(cacheEntries().length > 0, hasCompileCache, `Node ${process.version}: ${cacheEntries().join(', ')}`);
    });

    it('keeps exit codes and output of usage errors and --version', () => {
      const usage = run(['inspect']);
      assert.equal(usage.status, 2);
      assert.match(usage.stderr, /Usage: flink-checkpoints inspect/);
      const version = run(['--version']);
      assert.equal(version.status, 0);
      assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    });

    it("caches in the user's cache directory unless NODE_DISABLE_COMPILE_CACHE is set", () => {
      if (process.platform !== 'win32') {
        assert.equal(
          compileCacheDirectory({ XDG_CACHE_HOME: '/somewhere' }),
          path.join('/somewhere', 'flink-checkpoints'),
        );
        assert.equal(compileCacheDirectory({}), path.join(os.homedir(), '.cache', 'flink-checkpoints'));
      }
      assert.equal(
        compileCacheDirectory({
          XDG_CACHE_HOME: '/somewhere',
          LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local',
          NODE_DISABLE_COMPILE_CACHE: '1',
        }),
        null,
      );
    });
  },
);
