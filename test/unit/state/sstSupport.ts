import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { prerequisite, repoRoot } from '../../support/repo';

/** Why the SST tests cannot run here: RocksDB writes their tables through Java 17 and Maven (undefined when they can). */
export function sstOracleMissing(): string | undefined {
  const missing = ['java', 'mvn'].filter((tool) => spawnSync(tool, ['-version'], { stdio: 'ignore' }).status !== 0);
  return prerequisite(
    missing.length > 0
      ? `needs ${missing.join(' and ')} on PATH: RocksDB's JNI builds write the SST files (test/rocksdb)`
      : undefined,
  );
}

/**
 * The directory of the property-test cases one JNI build wrote (test/rocksdb/generate.sh, cached by seed): `cases`
 * (tables of every option) or `chains` (files of consecutive key ranges, and some that reach into another's).
 */
export function generateCases(
  jni: string,
  seed: number,
  cases: number,
  entries: number,
  command: 'cases' | 'chains' = 'cases',
): string {
  return execFileSync(
    'bash',
    [path.join(repoRoot(), 'test/rocksdb/generate.sh'), jni, String(seed), String(cases), String(entries), command],
    { encoding: 'utf8', timeout: 15 * 60_000, stdio: ['ignore', 'pipe', 'inherit'] },
  ).trim();
}
