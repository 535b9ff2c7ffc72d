import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findLatestCompleteCheckpoint, inspectSnapshots, scanDirectory } from '../../../../src/core/layout';
import type { CheckpointStore } from '../../../../src/core/stores';
import { repoRoot } from '../../stores/support/checkpointTree';

/** test/fixtures/flink/<version>/scenarios.json, as the real-Flink bench writes it. */
export interface Scenarios {
  flinkVersion: string;
  scenarios: Record<string, { jobId: string; checkpoints?: string[]; savepoints?: Record<string, string> }>;
}

interface OracleSummary {
  checkpointId: number;
  kind: 'checkpoint' | 'savepoint' | null;
  stateSize: number;
}

export const FIXTURES = path.join(repoRoot(), 'test', 'fixtures', 'flink');
export const versions = fs.existsSync(FIXTURES)
  ? fs
      .readdirSync(FIXTURES)
      .filter((v) => fs.existsSync(path.join(FIXTURES, v, 'scenarios.json')))
      .sort()
  : [];

/** Reads one version's scenarios.json. */
export function readScenarios(version: string): Scenarios {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, version, 'scenarios.json'), 'utf8')) as Scenarios;
}

function oracle(dir: string): OracleSummary {
  return JSON.parse(fs.readFileSync(path.join(dir, '_metadata.oracle.json'), 'utf8')) as OracleSummary;
}

/**
 * What the layout code makes of one scenario directory, compared with what the bench recorded (scenarios.json) and
 * what Flink's own reader said about each `_metadata` (the oracle JSON beside it). Returns the facts for comparing
 * transports.
 */
export async function checkScenario(
  store: CheckpointStore,
  localDir: string,
  scenario: Scenarios['scenarios'][string],
): Promise<unknown> {
  const root = await scanDirectory(store, '/');
  if (scenario.checkpoints) {
    assert.equal(root.kind, 'checkpoints-base');
    assert.deepEqual(
      root.jobs.map((j) => j.jobId),
      [scenario.jobId],
    );
    const job = await scanDirectory(store, `/${scenario.jobId}`);
    assert.equal(job.kind, 'job');
    const expected = [...scenario.checkpoints].sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)));
    const infos = await inspectSnapshots(store, job.checkpoints);
    // Flink may leave a chk-N with state files but no _metadata (cancelled mid-checkpoint): in progress, not listed
    // among the bench's completed checkpoints.
    const unfinished = infos.filter((i) => !expected.includes(i.name));
    for (const info of unfinished) {
      assert.equal(info.status, 'in-progress', info.name);
      assert.ok(!fs.existsSync(path.join(localDir, scenario.jobId, info.name, '_metadata')));
    }
    assert.deepEqual(
      infos.filter((i) => expected.includes(i.name)).map((c) => c.name),
      expected,
    );
    for (const info of infos.filter((i) => expected.includes(i.name))) {
      const truth = oracle(path.join(localDir, scenario.jobId, info.name));
      assert.equal(info.status, 'complete', `${info.name}: ${info.reason}`);
      assert.equal(info.stateSize, truth.stateSize, info.name);
      assert.equal(info.metadataCheckpointId, truth.checkpointId, info.name);
      assert.equal(info.snapshotKind, truth.kind, info.name);
    }
    const { latest, skipped } = await findLatestCompleteCheckpoint(store, `/${scenario.jobId}`);
    assert.equal(latest?.name, expected[0]);
    assert.deepEqual(
      skipped.map((i) => i.name),
      unfinished.filter((i) => i.checkpointId! > latest!.checkpointId!).map((i) => i.name),
    );
    return infos.map((i) => [i.name, i.status, i.stateSize, i.metadataSize, i.metadataCheckpointId]);
  }
  const names = Object.values(scenario.savepoints ?? {}).sort();
  assert.equal(root.kind, 'savepoints');
  assert.deepEqual(root.savepoints.map((s) => s.name).sort(), names);
  const infos = await inspectSnapshots(store, root.savepoints);
  for (const info of infos) {
    const truth = oracle(path.join(localDir, info.name));
    assert.equal(info.status, 'complete', `${info.name}: ${info.reason}`);
    assert.equal(info.stateSize, truth.stateSize, info.name);
    assert.equal(info.snapshotKind, truth.kind, info.name);
  }
  return infos.map((i) => [i.name, i.status, i.stateSize, i.metadataSize]).sort();
}
