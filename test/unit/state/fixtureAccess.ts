import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { operatorIdFromUid, parseMetadata, type OperatorState } from '../../../src/core/metadata';
import type { StateFileAccess } from '../../../src/core/state';
import { stateEntries, type EntryProblem, type EntryQuery, type StateEntry } from '../../../src/core/state/values';
import { repoRoot } from '../../support/repo';

/** Opening the real-Flink fixtures for state reads: the snapshot's files where Flink wrote them map to the fixture tree. */

const FIXTURES = path.join(repoRoot(), 'test', 'fixtures');

export interface Opened {
  readonly where: string;
  readonly pointer: string;
  readonly operators: readonly OperatorState[];
  readonly access: StateFileAccess;
  readonly reads: { bytes: number };
}

/** A fixture snapshot; absolute paths inside name the directory Flink wrote it in (the oracle's pointer root). */
export function openFixture(metadataFile: string): Opened {
  const oracle = JSON.parse(fs.readFileSync(`${metadataFile}.oracle.json`, 'utf8')) as { externalPointer: string };
  const scenario = path.relative(FIXTURES, metadataFile).split(path.sep).slice(1, 3);
  const tree = path.relative(FIXTURES, metadataFile).split(path.sep)[0];
  const writtenRoot = `/tmp/flink-fixtures/${scenario.join('/')}`;
  const fixtureRoot = path.join(FIXTURES, tree, ...scenario);
  const metadata = new Uint8Array(fs.readFileSync(metadataFile));
  const reads = { bytes: 0 };
  const access: StateFileAccess = {
    readMetadata: (offset, length) => Promise.resolve(metadata.subarray(offset, offset + length)),
    read: (p, offset, length) => {
      const fd = fs.openSync(p.replace(/^file:/, '').replace(writtenRoot, fixtureRoot), 'r');
      try {
        const target = new Uint8Array(length);
        const n = fs.readSync(fd, target, 0, length, offset);
        reads.bytes += n;
        return Promise.resolve(target.subarray(0, n));
      } finally {
        fs.closeSync(fd);
      }
    },
  };
  const parsed = parseMetadata(metadata, { pointer: oracle.externalPointer });
  return {
    where: path.relative(path.join(FIXTURES, tree), metadataFile),
    pointer: oracle.externalPointer,
    operators: parsed.operators,
    access,
    reads,
  };
}

export async function entriesOf(
  snapshot: Opened,
  uid: string,
  query: EntryQuery = {},
): Promise<{ entries: StateEntry[]; problems: EntryProblem[] }> {
  const op = snapshot.operators.find((o) => o.uid === uid || o.operatorId === operatorIdOf(uid));
  assert.ok(op, `${snapshot.where}: operator ${uid}`);
  const entries: StateEntry[] = [];
  const problems: EntryProblem[] = [];
  for await (const { entry } of stateEntries(op, snapshot.pointer, snapshot.access, query, (p) => problems.push(p))) {
    entries.push(entry);
  }
  return { entries, problems };
}

export function operatorIdOf(uid: string): string {
  return operatorIdFromUid(uid);
}
