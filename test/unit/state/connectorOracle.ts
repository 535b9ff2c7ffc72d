import * as assert from 'node:assert/strict';
import { summarize, type CheckpointMetadata } from '../../../src/core/metadata';
import type { StateFileAccess } from '../../../src/core/state';
import { stateEntries, type EntryProblem, type StateValue } from '../../../src/core/state/values';

/** An entry of an operator's list state as the connector's own serializers read it. */
export interface ConnectorOracleEntry {
  state: string;
  subtask: number;
  index: number;
  value: StateValue;
}

/** `_metadata.connectors.json` beside a connector fixture's `_metadata` (scripts/fixtures-kafka.sh, fixtures-files.sh). */
export interface ConnectorOracle {
  operators: Record<string, { coordinator?: StateValue; entries?: ConnectorOracleEntry[] }>;
}

/**
 * Requires every operator the oracle names to read as it says: its coordinator state in the summary (through
 * `coordinatorAs`, where the oracle lists a set in another order) and each of its list-state entries, no more, with no
 * problem.
 */
export async function assertAgreesWithConnectorOracle(
  where: string,
  metadata: CheckpointMetadata,
  pointer: string,
  access: StateFileAccess,
  oracle: ConnectorOracle,
  coordinatorAs: (value: StateValue | undefined) => StateValue | undefined = (value) => value,
): Promise<void> {
  const summary = summarize(metadata);
  for (const [operatorId, expected] of Object.entries(oracle.operators)) {
    const op = metadata.operators.find((o) => o.operatorId === operatorId);
    assert.ok(op, `${where}: operator ${operatorId}`);
    const coordinator = summary.operators.find((o) => o.operatorId === operatorId)?.coordinatorState;
    assert.deepEqual(coordinatorAs(coordinator), expected.coordinator, `${where}: coordinator of ${operatorId}`);
    const problems: EntryProblem[] = [];
    const read = new Map<string, StateValue>();
    for await (const { entry } of stateEntries(op, pointer, access, {}, (p) => problems.push(p))) {
      read.set(`${entry.state}/${entry.subtask ?? '?'}/${String(entry.key)}`, entry.value);
    }
    assert.deepEqual(problems, [], where);
    for (const e of expected.entries ?? []) {
      assert.deepEqual(
        read.get(`${e.state}/${e.subtask}/${e.index}`),
        e.value,
        `${where}: ${e.state} ${e.subtask}/${e.index}`,
      );
    }
    assert.equal(read.size, (expected.entries ?? []).length, `${where}: entries of ${operatorId}`);
  }
}
