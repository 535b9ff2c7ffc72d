/**
 * What Flink's REST API answers, field names as Flink writes them (see Flink's "REST API" reference and the
 * `org.apache.flink.runtime.rest.messages` classes). Only the fields this product reads are typed; Flink adds more.
 */

/** `GET /config` (DashboardConfiguration). */
export interface DashboardConfiguration {
  readonly 'refresh-interval': number;
  readonly 'timezone-name'?: string;
  readonly 'flink-version': string;
  readonly 'flink-revision'?: string;
  readonly features?: {
    readonly 'web-submit'?: boolean;
    readonly 'web-cancel'?: boolean;
    readonly 'web-history'?: boolean;
  };
}

/** `GET /overview` (ClusterOverviewWithVersion). */
export interface ClusterOverview {
  readonly taskmanagers: number;
  readonly 'slots-total': number;
  readonly 'slots-available': number;
  readonly 'jobs-running': number;
  readonly 'jobs-finished': number;
  readonly 'jobs-cancelled': number;
  readonly 'jobs-failed': number;
  readonly 'flink-version': string;
  readonly 'flink-commit'?: string;
}

/** Flink's JobStatus. */
export type JobState =
  | 'INITIALIZING'
  | 'CREATED'
  | 'RUNNING'
  | 'FAILING'
  | 'FAILED'
  | 'CANCELLING'
  | 'CANCELED'
  | 'FINISHED'
  | 'RESTARTING'
  | 'SUSPENDED'
  | 'RECONCILING';

/** Job states after which a job does nothing more (JobStatus#isGloballyTerminalState, plus SUSPENDED). */
export const TERMINAL_JOB_STATES: readonly JobState[] = ['FAILED', 'CANCELED', 'FINISHED', 'SUSPENDED'];

/** One entry of `GET /jobs/overview` (JobDetails). */
export interface JobOverview {
  readonly jid: string;
  readonly name: string;
  readonly state: JobState;
  readonly 'start-time': number;
  /** -1 while the job runs. */
  readonly 'end-time': number;
  readonly duration: number;
  readonly 'last-modification': number;
  readonly tasks: Readonly<Record<string, number>>;
}

/** A vertex of `GET /jobs/:jobid`. */
export interface JobVertexDetails {
  readonly id: string;
  readonly name: string;
  readonly parallelism: number;
  readonly status: string;
}

/** `GET /jobs/:jobid` (JobDetailsInfo). */
export interface JobDetails {
  readonly jid: string;
  readonly name: string;
  readonly isStoppable: boolean;
  readonly state: JobState;
  readonly 'start-time': number;
  readonly 'end-time': number;
  readonly duration: number;
  readonly maxParallelism?: number;
  readonly now: number;
  readonly vertices: readonly JobVertexDetails[];
}

/** `status` of a checkpoint in the statistics. */
export type CheckpointStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/**
 * One checkpoint of `GET /jobs/:jobid/checkpoints` or `.../checkpoints/details/:checkpointid` (CheckpointStatistics;
 * `@class` tells completed, failed and in-progress apart).
 */
export interface CheckpointStatistics {
  readonly '@class'?: 'completed' | 'failed' | 'in_progress';
  readonly id: number;
  readonly status: CheckpointStatus;
  readonly is_savepoint: boolean;
  /** CANONICAL or NATIVE for savepoints (1.15+). */
  readonly savepointFormat?: string | null;
  readonly trigger_timestamp: number;
  readonly latest_ack_timestamp: number;
  /** The bytes this checkpoint wrote: for an incremental checkpoint, the increment (1.15+). */
  readonly checkpointed_size?: number;
  /** The full size of the state the checkpoint references. */
  readonly state_size: number;
  readonly end_to_end_duration: number;
  readonly num_subtasks: number;
  readonly num_acknowledged_subtasks: number;
  /** CHECKPOINT, UNALIGNED_CHECKPOINT, SAVEPOINT, SYNC_SAVEPOINT, ... */
  readonly checkpoint_type: string;
  /** Completed only: where the checkpoint's `_metadata` directory is. */
  readonly external_path?: string;
  /** Completed only: the checkpoint was subsumed and removed. */
  readonly discarded?: boolean;
  /** Failed only. */
  readonly failure_timestamp?: number;
  readonly failure_message?: string | null;
}

/** `latest.restored` of the statistics (RestoredCheckpointStatistics). */
export interface RestoredCheckpointStatistics {
  readonly id: number;
  readonly restore_timestamp: number;
  readonly is_savepoint: boolean;
  readonly external_path: string;
}

/** min/max/avg of one measure in the summary. */
export interface MinMaxAvg {
  readonly min: number;
  readonly max: number;
  readonly avg: number;
}

/** `GET /jobs/:jobid/checkpoints` (CheckpointingStatistics). */
export interface CheckpointingStatistics {
  readonly counts: {
    readonly restored: number;
    readonly total: number;
    readonly in_progress: number;
    readonly completed: number;
    readonly failed: number;
  };
  readonly summary: {
    readonly checkpointed_size?: MinMaxAvg;
    readonly state_size: MinMaxAvg;
    readonly end_to_end_duration: MinMaxAvg;
  };
  readonly latest: {
    readonly completed: CheckpointStatistics | null;
    readonly savepoint: CheckpointStatistics | null;
    readonly failed: CheckpointStatistics | null;
    readonly restored: RestoredCheckpointStatistics | null;
  };
  /** The newest first; as many as `web.checkpoints.history` (default 10). */
  readonly history: readonly CheckpointStatistics[];
}

/** `GET /jobs/:jobid/checkpoints/config` (CheckpointConfigInfo). */
export interface CheckpointConfigInfo {
  readonly mode: string;
  readonly interval: number;
  readonly timeout: number;
  readonly externalization: { readonly enabled: boolean; readonly delete_on_cancellation: boolean };
  readonly state_backend?: string;
  readonly checkpoint_storage?: string;
  readonly unaligned_checkpoints?: boolean;
  readonly tolerable_failed_checkpoints?: number;
}

/** How a savepoint is written: Flink's canonical format (portable across state backends) or the backend's native one. */
export type SavepointFormatType = 'CANONICAL' | 'NATIVE';

/** `checkpointType` of `POST /jobs/:jobid/checkpoints`. */
export type CheckpointType = 'CONFIGURED' | 'FULL' | 'INCREMENTAL';

/** Flink's serialized exception in an asynchronous operation's result (SerializedThrowable as JSON). */
export interface FailureCause {
  readonly class?: string;
  readonly 'stack-trace'?: string;
  readonly 'serialized-throwable'?: string;
}

/** One jar of `GET /jars`. */
export interface JarFileInfo {
  readonly id: string;
  readonly name: string;
  readonly uploaded: number;
  readonly entry: readonly { readonly name: string; readonly description?: string | null }[];
}

/** `GET /jars`. */
export interface JarListInfo {
  readonly address: string;
  readonly files: readonly JarFileInfo[];
}
