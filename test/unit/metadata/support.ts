import * as fs from 'node:fs';
import * as path from 'node:path';
import { SKIP_NO_SHARED, sharedFixturesDir } from '../../support/repo';

export { SKIP_NO_SHARED, findFiles, repoRoot, sharedFixturesDir } from '../../support/repo';

/** Every shared fixture as [name, bytes], in name order; empty when ../shared is absent. */
export function sharedFixtures(): [string, Uint8Array][] {
  const dir = sharedFixturesDir();
  if (dir === undefined) return [];
  return fs
    .readdirSync(dir)
    .filter((d) => fs.existsSync(path.join(dir, d, '_metadata')))
    .sort()
    .map((d) => [d, new Uint8Array(fs.readFileSync(path.join(dir, d, '_metadata')))]);
}

/** One shared fixture's bytes; the caller skips when ../shared is absent. */
export function sharedFixture(name: string): Uint8Array {
  const dir = sharedFixturesDir();
  if (dir === undefined) throw new Error(SKIP_NO_SHARED);
  return new Uint8Array(fs.readFileSync(path.join(dir, name, '_metadata')));
}

/** A small seeded PRNG (mulberry32): mutation runs are the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
