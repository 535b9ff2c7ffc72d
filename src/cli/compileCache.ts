import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

/** A CommonJS file run from its V8 code cache when one is there; `save` stores the cache for the next run. */
export interface CachedModule {
  readonly exports: unknown;
  /** `used`: compiled from the cache; `rejected`: V8 refused the cache (another Node, flags or build). */
  readonly cache: 'off' | 'missing' | 'used' | 'rejected';
  /** Writes the code cache (with every function compiled so far) unless the one used was accepted as it is. */
  save(): void;
}

/**
 * Where the CLI keeps its code caches: a directory of the user's own, never a shared one, since a cache holds code
 * that runs. Null when Node's `NODE_DISABLE_COMPILE_CACHE` is set or there is no such directory.
 */
export function compileCacheDirectory(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.NODE_DISABLE_COMPILE_CACHE) return null;
  const base = process.platform === 'win32' ? env.LOCALAPPDATA : env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), '.cache') : undefined);
  return base ? path.join(base, 'flink-checkpoints') : null;
}

/**
 * Loads `file` like `require` does, compiling it from a code cache in `directory` when there is one for this very
 * content (`hash`), Node and flags: a short-lived CLI process otherwise spends much of its time compiling. `tag`
 * keeps one cache per command, each holding the functions that command runs. A missing, foreign, stale or
 * unreadable cache only means compiling as usual; nothing here ever fails the load.
 */
export function requireWithCompileCache(file: string, options: { hash: string; tag: string; directory: string | null }): CachedModule {
  const source = fs.readFileSync(file, 'utf8');
  const name = `${path.basename(file, '.js')}-`;
  const prefix = `${name}${options.hash.slice(0, 16)}-`;
  const cacheFile = options.directory === null ? null : path.join(options.directory, `${prefix}${options.tag}-${process.version}-${process.arch}.v8cache`);
  const cachedData = cacheFile === null ? undefined : readOwnFile(cacheFile);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;
  const mod = { exports: {} as unknown };
  run.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
  const cache = cacheFile === null ? 'off' : cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used';
  return {
    exports: mod.exports,
    cache,
    save() {
      if (cacheFile !== null && cache !== 'used') writeCache(cacheFile, script.createCachedData(), name, prefix);
    },
  };
}

/** The file's bytes if it exists and belongs to this user; undefined otherwise. */
function readOwnFile(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const uid = process.getuid?.();
    if (uid !== undefined && fs.fstatSync(fd).uid !== uid) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes the cache whole or not at all (a temporary file renamed into place), and drops caches of older builds. */
function writeCache(cacheFile: string, data: Buffer, name: string, current: string): void {
  const directory = path.dirname(cacheFile);
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
    fs.writeFileSync(temporary, data, { mode: 0o600 });
    fs.renameSync(temporary, cacheFile);
    for (const entry of fs.readdirSync(directory)) {
      if (entry.startsWith(name) && !entry.startsWith(current) && entry.endsWith('.v8cache')) fs.rmSync(path.join(directory, entry), { force: true });
    }
  } catch {
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      // The directory itself is out of reach: there is nothing of ours in it to clean up.
    }
  }
}
