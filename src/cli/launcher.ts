import * as nodeModule from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Where Node keeps the CLI's compiled code: a directory of the user's own, never a shared one such as the temporary
 * directory, since a cache holds code that runs. Null when Node's `NODE_DISABLE_COMPILE_CACHE` is set or there is no
 * such directory.
 */
export function compileCacheDirectory(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.NODE_DISABLE_COMPILE_CACHE) return null;
  const base =
    process.platform === 'win32'
      ? env.LOCALAPPDATA
      : env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), '.cache') : undefined);
  return base ? path.join(base, 'flink-checkpoints') : null;
}

/** `module.enableCompileCache` of Node 22.1 and later; Node 20 has none and compiles every run. */
type EnableCompileCache = (directory?: string) => unknown;

/**
 * The `flink-checkpoints` command (dist/cli.js). A short CLI process spends much of its time compiling the bundle;
 * Node's compile cache, turned on before the bundle loads, keeps that work between runs (bench/cli).
 */
if (require.main === module) {
  const directory = compileCacheDirectory();
  const enable = (nodeModule as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  if (directory !== null) enable?.(directory);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CLI bundle, loaded after the cache is on
  void (require('./cli-main.js') as typeof import('./main')).main();
}
