import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { compileCacheDirectory, requireWithCompileCache } from './compileCache';

/** The content hash of dist/cli-main.js, set by the build; null in watch builds, which then run without a cache. */
declare const __CLI_MAIN_HASH__: string | null;

/**
 * Node can hang at exit when a background compile job needs a garbage collection just as the event loop drains: the
 * main thread waits for the job and the job for the main thread (nodejs/node#54918). One full collection once the
 * command is done gives such jobs the room they need.
 */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

const command = process.argv[2] ?? '';
const loaded = requireWithCompileCache(path.join(__dirname, 'cli-main.js'), {
  hash: __CLI_MAIN_HASH__ ?? '',
  tag: /^[a-z]{1,16}$/.test(command) ? command : 'cli',
  directory: __CLI_MAIN_HASH__ === null ? null : compileCacheDirectory(),
});
void (loaded.exports as typeof import('./main')).main().then(() => {
  // Before the collection: --expose-gc changes V8's flags, and a cache made under other flags is refused.
  if (!process.exitCode) loaded.save();
  collectGarbage();
});
