import type { SnapshotRef } from '../layout';
import type { CheckpointStatistics, CheckpointingStatistics } from './types';

/** One checkpoint of a job as the cluster and the storage know it together. */
export interface HistoryEntry {
  readonly id: number;
  /** The cluster's statistics, when the checkpoint is still in its history window. */
  readonly rest?: CheckpointStatistics;
  /** The `chk-N` directory in storage, when the job's checkpoint directory was scanned and has it. */
  readonly stored?: SnapshotRef;
  readonly latestCompleted: boolean;
  readonly latestSavepoint: boolean;
  readonly latestFailed: boolean;
  /** The job was restored from this snapshot (id and path match `latest.restored`). */
  readonly restoredFrom: boolean;
  /**
   * In storage only, with an ID above every ID the cluster answered with: it completed after that answer (the two
   * reads are not one snapshot), not before the history window.
   */
  readonly newerThanHistory: boolean;
}

/**
 * A job's checkpoint history beyond the REST window: the cluster keeps only the last `web.checkpoints.history`
 * entries (10 by default, reset on failover), storage keeps every retained `chk-N`. Entries are merged by checkpoint
 * ID, newest first; the latest completed / savepoint / failed / restored of the statistics are marked, even when
 * the history window no longer holds them.
 */
export function mergeHistory(stats: CheckpointingStatistics, stored: readonly SnapshotRef[] = []): HistoryEntry[] {
  const rest = new Map<number, CheckpointStatistics>();
  for (const c of [...stats.history, stats.latest.completed, stats.latest.savepoint, stats.latest.failed]) {
    if (c && !rest.has(c.id)) rest.set(c.id, c);
  }
  const storedById = new Map<number, SnapshotRef>();
  for (const ref of stored) {
    if (ref.kind === 'checkpoint' && ref.checkpointId !== undefined) storedById.set(ref.checkpointId, ref);
  }
  const restored = stats.latest.restored;
  const newestRest = Math.max(-1, ...rest.keys());
  const ids = [...new Set([...rest.keys(), ...storedById.keys()])].sort((a, b) => b - a);
  return ids.map((id) => {
    const fromRest = rest.get(id);
    const fromStorage = storedById.get(id);
    return {
      id,
      ...(fromRest ? { rest: fromRest } : {}),
      ...(fromStorage ? { stored: fromStorage } : {}),
      latestCompleted: stats.latest.completed?.id === id,
      latestSavepoint: stats.latest.savepoint?.id === id,
      latestFailed: stats.latest.failed?.id === id,
      restoredFrom:
        restored !== null &&
        restored.id === id &&
        (fromRest?.external_path === undefined || samePath(fromRest.external_path, restored.external_path)),
      newerThanHistory: !fromRest && id > newestRest,
    };
  });
}

/** The job's checkpoint directory (`<checkpoints dir>/<job id>`), from its latest completed checkpoint's path. */
export function jobCheckpointDirectory(stats: CheckpointingStatistics): string | undefined {
  const candidates = [stats.latest.completed, ...stats.history].filter(
    (c): c is CheckpointStatistics => !!c && !c.is_savepoint && !!c.external_path,
  );
  const path = candidates[0]?.external_path;
  if (path === undefined) return undefined;
  const match = /^(.*)\/chk-\d+\/?$/.exec(path);
  return match ? match[1] : undefined;
}

function samePath(a: string, b: string): boolean {
  const strip = (p: string): string => p.replace(/^file:(\/\/)?/, '').replace(/\/+$/, '');
  return strip(a) === strip(b);
}
