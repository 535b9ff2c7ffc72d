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

/** Set (to 1) by `.ci/run`: a test that would skip because something it needs is missing fails instead. */
export const REQUIRE_ALL = 'FLINK_CHECKPOINTS_REQUIRE_ALL';

/**
 * Passes through why a test cannot run here (undefined when it can). Where every test must run (CI sets
 * REQUIRE_ALL), a missing prerequisite throws instead, so the suite fails with the reason rather than skipping.
 */
export function prerequisite(missing: string | undefined): string | undefined {
  if (missing !== undefined && process.env[REQUIRE_ALL] === '1') {
    throw new Error(`${missing} (${REQUIRE_ALL}=1: no test may skip)`);
  }
  return missing;
}

/** Why tests that read the shared fixtures are skipped. */
export const SKIP_NO_SHARED =
  'needs ../shared/flink-metadata-fixtures beside the repository (40 real Flink _metadata files)';

/** `../shared/flink-metadata-fixtures` beside the repository, or undefined when this checkout has none. */
export function sharedFixturesDir(): string | undefined {
  const dir = path.resolve(repoRoot(), '..', 'shared', 'flink-metadata-fixtures');
  if (fs.existsSync(dir)) return dir;
  prerequisite(SKIP_NO_SHARED);
  return undefined;
}

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
