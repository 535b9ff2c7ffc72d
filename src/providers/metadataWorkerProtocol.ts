import type { MetadataSummary, SnapshotDetails } from '../core/metadata';
import type { SubtaskRow } from '../../media/protocol';

/** Extension host → metadata worker. */
export type MetadataWorkerRequest =
  | { readonly type: 'parse'; readonly bytes: ArrayBuffer; readonly pointer: string }
  | { readonly type: 'subtasks'; readonly operatorId: string };

/** Metadata worker → extension host, one reply per request, in order. */
export type MetadataWorkerReply =
  | { readonly type: 'summary'; readonly summary: MetadataSummary; readonly details: SnapshotDetails }
  | { readonly type: 'error'; readonly code: string; readonly message: string; readonly offset: number }
  | { readonly type: 'subtasks'; readonly operatorId: string; readonly rows: readonly SubtaskRow[] };
