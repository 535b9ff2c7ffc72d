import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root: the nearest folder with a package.json above this file (compiled under out/ or not). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** `../shared/flink-metadata-fixtures` beside the repository, or undefined when this checkout has none. */
export function sharedFixturesDir(): string | undefined {
  const dir = path.resolve(repoRoot(), '..', 'shared', 'flink-metadata-fixtures');
  return fs.existsSync(dir) ? dir : undefined;
}

/** Why tests that read the shared fixtures are skipped. */
export const SKIP_NO_SHARED = 'needs ../shared/flink-metadata-fixtures beside the repository (40 real Flink _metadata files)';

/** Every file named `name` below `dir`, sorted; empty when `dir` does not exist. */
export function findFiles(dir: string, name: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findFiles(full, name));
    else if (entry.name === name) found.push(full);
  }
  return found.sort();
}
