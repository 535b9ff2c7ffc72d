import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './workbench';

const FIXTURES = path.join(repoRoot, 'test/fixtures/flink');

/** A job directory of the committed fixtures: its store root, job id and newest `chk-N`. */
export interface FixtureJob {
  root: string;
  jobId: string;
  newest: string;
}

/** The newest Flink line the fixtures hold, e.g. "2.2.1". */
export function newestLine(): string {
  const versions = fs
    .readdirSync(FIXTURES)
    .filter((v) => /^\d/.test(v))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return versions[versions.length - 1];
}

/**
 * The job of a fixture scenario, e.g. ("2.2.1", "hashmap"). With `copyAs`, a copy in a fresh temp folder named after
 * it, for flows that change files or times; without, the committed tree itself, read only.
 */
export function fixtureJob(version: string, scenario: string, copyAs?: string): FixtureJob {
  const source = path.join(FIXTURES, version, scenario);
  let root = source;
  if (copyAs !== undefined) {
    root = fs.mkdtempSync(path.join(os.tmpdir(), `e2e-${copyAs}-`));
    fs.cpSync(source, root, { recursive: true });
  }
  const jobId = fs.readdirSync(root).find((n) => /^[0-9a-f]{32}$/.test(n));
  if (jobId === undefined) throw new Error(`no job directory in the fixture ${version}/${scenario}`);
  const newest = fs
    .readdirSync(path.join(root, jobId))
    .filter((n) => n.startsWith('chk-'))
    .sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)))[0];
  if (newest === undefined) throw new Error(`no chk-N in the fixture ${version}/${scenario}`);
  return { root, jobId, newest };
}
