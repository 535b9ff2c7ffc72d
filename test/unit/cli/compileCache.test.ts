import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compileCacheDirectory } from '../../../src/cli/compileCache';

/** A module with enough functions for a code cache to hold something, requiring a sibling file relative to itself. */
function writeModule(dir: string, name: string, factor: number): string {
  fs.writeFileSync(path.join(dir, 'sibling.js'), 'module.exports = { offset: 7 };\n');
  const file = path.join(dir, `${name}.js`);
  fs.writeFileSync(
    file,
    [
      "'use strict';",
      "const { offset } = require('./sibling');",
      `function scale(x) { return x * ${factor}; }`,
      'function sum(xs) { let s = 0; for (const x of xs) s += scale(x); return s + offset; }',
      'exports.sum = sum;',
      'exports.where = [__filename, __dirname];',
      '',
    ].join('\n'),
  );
  return file;
}


/**
 * Loads `file` in a fresh Node process (within one process V8 reuses what it compiled before and never looks at the
 * cache again), calls `sum(xs)`, saves the cache and reports what happened.
 */
function load(file: string, hash: string, tag: string, directory: string | null, xs: number[]): { cache: string; sum: number; where: [string, string] } {
  const script = `
    const { requireWithCompileCache } = require(${JSON.stringify(require.resolve('../../../src/cli/compileCache'))});
    const loaded = requireWithCompileCache(${JSON.stringify(file)}, ${JSON.stringify({ hash, tag, directory })});
    const result = { cache: loaded.cache, sum: loaded.exports.sum(${JSON.stringify(xs)}), where: loaded.exports.where };
    loaded.save();
    process.stdout.write(JSON.stringify(result));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { cache: string; sum: number; where: [string, string] };
}

describe('CLI code cache', () => {
  let root = '';
  let cacheDir = '';
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'compile-cache-'));
    cacheDir = path.join(root, 'cache', 'flink-checkpoints');
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('compiles without a cache first, writes it privately, then runs from it', () => {
    const file = writeModule(root, 'main', 3);
    const first = load(file, 'a'.repeat(64), 'inspect', cacheDir, [1, 2]);
    assert.deepEqual(first, { cache: 'missing', sum: 16, where: [file, root] });
    const files = fs.readdirSync(cacheDir);
    assert.deepEqual(files, [`main-${'a'.repeat(16)}-inspect-${process.version}-${process.arch}.v8cache`]);
    if (process.platform !== 'win32') {
      assert.equal(fs.statSync(cacheDir).mode & 0o777, 0o700);
      assert.equal(fs.statSync(path.join(cacheDir, files[0])).mode & 0o777, 0o600);
    }

    const before = fs.statSync(path.join(cacheDir, files[0])).mtimeMs;
    assert.deepEqual(load(file, 'a'.repeat(64), 'inspect', cacheDir, [1, 2]), { cache: 'used', sum: 16, where: [file, root] });
    assert.equal(fs.statSync(path.join(cacheDir, files[0])).mtimeMs, before, 'an accepted cache is not rewritten');
  });

  it('keeps one cache per command', () => {
    const file = writeModule(root, 'main', 3);
    assert.equal(load(file, 'a'.repeat(64), 'diff', cacheDir, []).cache, 'missing');
    assert.deepEqual(
      fs.readdirSync(cacheDir).map((f) => f.split('-')[2]).sort(),
      ['diff', 'inspect'],
    );
  });

  it('a new build gets its own cache and drops those of older builds', () => {
    const file = writeModule(root, 'main', 5);
    assert.equal(load(file, 'b'.repeat(64), 'inspect', cacheDir, [1, 2]).sum, 22);
    assert.deepEqual(fs.readdirSync(cacheDir), [`main-${'b'.repeat(16)}-inspect-${process.version}-${process.arch}.v8cache`]);
  });

  it('a corrupt cache is refused by V8, the module still runs, and the cache is rewritten', () => {
    const file = writeModule(root, 'main', 5);
    const cacheFile = path.join(cacheDir, fs.readdirSync(cacheDir)[0]);
    fs.writeFileSync(cacheFile, Buffer.from('not a code cache at all, just bytes'));
    assert.deepEqual(load(file, 'b'.repeat(64), 'inspect', cacheDir, [2]), { cache: 'rejected', sum: 17, where: [file, root] });
    assert.equal(load(file, 'b'.repeat(64), 'inspect', cacheDir, [2]).cache, 'used');
    assert.deepEqual(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file is left behind');
  });

  it("ignores a cache that belongs to another user", { skip: process.getuid?.() === 0 ? false : 'needs root to give a file to another user' }, () => {
    const file = writeModule(root, 'main', 5);
    const cacheFile = path.join(cacheDir, fs.readdirSync(cacheDir)[0]);
    fs.chownSync(cacheFile, 65534, 65534);
    assert.equal(load(file, 'b'.repeat(64), 'inspect', cacheDir, []).cache, 'missing');
    assert.equal(fs.statSync(cacheFile).uid, 0, 'replaced by one of our own');
  });

  it('a cache directory out of reach never fails the command', () => {
    const file = writeModule(root, 'main', 5);
    const blocked = path.join(root, 'a-file');
    fs.writeFileSync(blocked, '');
    assert.deepEqual(load(file, 'c'.repeat(64), 'inspect', path.join(blocked, 'cache'), [1]), { cache: 'missing', sum: 12, where: [file, root] });
    assert.deepEqual(load(file, 'c'.repeat(64), 'inspect', null, [1]), { cache: 'off', sum: 12, where: [file, root] });
    assert.equal(fs.readFileSync(blocked, 'utf8'), '', 'nothing was written over the file in the way');
  });

  it("lives in the user's cache directory unless NODE_DISABLE_COMPILE_CACHE is set", () => {
    if (process.platform !== 'win32') {
      assert.equal(compileCacheDirectory({ XDG_CACHE_HOME: '/somewhere' }), path.join('/somewhere', 'flink-checkpoints'));
      assert.equal(compileCacheDirectory({}), path.join(os.homedir(), '.cache', 'flink-checkpoints'));
    }
    assert.equal(compileCacheDirectory({ XDG_CACHE_HOME: '/somewhere', LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local', NODE_DISABLE_COMPILE_CACHE: '1' }), null);
  });
});
