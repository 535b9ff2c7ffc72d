import * as path from 'node:path';
import type { JarRunRequestBody } from '../restore';
import { ClusterError } from './errors';
import { ClusterCallOptions, ClusterConnection, ClusterHttp, rootCause } from './http';
import {
  CheckpointConfigInfo,
  CheckpointStatistics,
  CheckpointType,
  CheckpointingStatistics,
  ClusterOverview,
  DashboardConfiguration,
  FailureCause,
  JarListInfo,
  JobDetails,
  JobOverview,
  SavepointFormatType,
} from './types';

/** The Flink release a cluster runs, from `GET /config`. */
export interface ClusterVersion {
  readonly major: number;
  readonly minor: number;
  /** As the cluster reports it ("1.20.1", "2.2.0"). */
  readonly text: string;
}

/** Parses a `flink-version` ("1.20.1", "2.2-SNAPSHOT"); undefined when it is not one. */
export function parseClusterVersion(text: string): ClusterVersion | undefined {
  const match = /^(\d+)\.(\d+)/.exec(text.trim());
  return match ? { major: Number(match[1]), minor: Number(match[2]), text: text.trim() } : undefined;
}

function atLeast(version: ClusterVersion, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

/**
 * The checkpoint types a cluster of `version` takes over REST: CONFIGURED (the job's own type, so incremental when its
 * state backend is) and FULL on 1.19+, which refuses an explicit INCREMENTAL (FLINK-33723); FULL and INCREMENTAL on
 * 1.17 and 1.18; none before.
 */
export function checkpointTypesOf(version: ClusterVersion): CheckpointType[] {
  if (atLeast(version, 1, 19)) return ['CONFIGURED', 'FULL'];
  return atLeast(version, 1, 17) ? ['FULL', 'INCREMENTAL'] : [];
}

/** `POST /jobs/:jobid/savepoints`. */
export interface SavepointOptions {
  /** Default: the cluster's `execution.checkpointing.savepoint-dir` (`state.savepoints.dir`). */
  readonly targetDirectory?: string;
  readonly formatType?: SavepointFormatType;
  /** Cancel the job once the savepoint is complete. */
  readonly cancelJob?: boolean;
}

/** `POST /jobs/:jobid/stop`. */
export interface StopOptions {
  readonly targetDirectory?: string;
  /** Emit MAX_WATERMARK before stopping: event-time timers fire and windows close (for a job that will not resume). */
  readonly drain?: boolean;
  readonly formatType?: SavepointFormatType;
}

/** Waiting for an asynchronous operation (savepoint, stop, checkpoint, disposal). */
export interface WaitOptions {
  readonly signal?: AbortSignal;
  /** Overall limit, ms (default 10 minutes: a savepoint of large state takes a while). */
  readonly timeoutMs?: number;
  /** Between polls, ms (default 500). */
  readonly pollMs?: number;
  /** Called once per poll that found the operation still running. */
  readonly onPoll?: (elapsedMs: number) => void;
}

/** Where an asynchronous operation is and what it produced. */
interface OperationResult {
  readonly status?: { readonly id?: string };
  readonly operation?: Record<string, unknown> & { readonly 'failure-cause'?: FailureCause };
}

const DEFAULT_WAIT_MS = 600_000;
const JOB_ID = /^[0-9a-f]{32}$/;

/**
 * A typed client of one Flink cluster's REST API (the dispatcher's, as the Web UI and `flink` CLI use it). Every
 * method rejects with a {@link ClusterError}. Version-dependent calls ask `GET /config` once for `flink-version`.
 */
export class FlinkRestClient {
  private readonly http: ClusterHttp;
  private versionPromise: Promise<ClusterVersion> | undefined;

  constructor(connection: ClusterConnection) {
    this.http = new ClusterHttp(connection);
  }

  /** The cluster's URL without credentials: how messages and the UI name it. */
  get label(): string {
    return this.http.label;
  }

  /** Releases pooled connections. */
  close(): void {
    this.http.close();
  }

  private async get<T>(route: string, what: string, options?: ClusterCallOptions): Promise<T> {
    return (await this.http.send({ method: 'GET', route, what }, options)).json as T;
  }

  private async post<T>(route: string, json: unknown, what: string, options?: ClusterCallOptions): Promise<T> {
    return (await this.http.send({ method: 'POST', route, json, what }, options)).json as T;
  }

  private jobRoute(jobId: string): string {
    if (!JOB_ID.test(jobId)) {
      throw this.http.error(
        'not-found',
        `'${jobId}' is not a Flink job ID`,
        'A job ID is 32 hexadecimal digits, as `cluster jobs` lists them.',
      );
    }
    return `/jobs/${jobId}`;
  }

  /** `GET /config`: the dashboard configuration, with `flink-version`. */
  async config(options?: ClusterCallOptions): Promise<DashboardConfiguration> {
    return this.get<DashboardConfiguration>('/config', 'reading the cluster configuration', options);
  }

  /** The cluster's Flink version (asked once, then remembered; a failed ask is asked again next time). */
  version(options?: ClusterCallOptions): Promise<ClusterVersion> {
    this.versionPromise ??= this.config(options).then((config) => {
      const version = parseClusterVersion(String(config['flink-version'] ?? ''));
      if (!version) {
        throw this.http.error(
          'not-flink',
          `GET /config has no Flink version (flink-version: ${JSON.stringify(config['flink-version'])})`,
        );
      }
      return version;
    });
    const pending = this.versionPromise;
    pending.catch(() => {
      if (this.versionPromise === pending) this.versionPromise = undefined;
    });
    return pending;
  }

  /** `GET /overview`. */
  async overview(options?: ClusterCallOptions): Promise<ClusterOverview> {
    return this.get<ClusterOverview>('/overview', 'reading the cluster overview', options);
  }

  /** `GET /jobs/overview`: every job the dispatcher knows, running or archived, newest first. */
  async jobs(options?: ClusterCallOptions): Promise<JobOverview[]> {
    const answer = await this.get<{ jobs?: JobOverview[] }>('/jobs/overview', 'listing jobs', options);
    if (!Array.isArray(answer.jobs)) throw this.http.error('not-flink', 'GET /jobs/overview has no "jobs" list');
    return [...answer.jobs].sort((a, b) => b['start-time'] - a['start-time']);
  }

  /** `GET /jobs/:jobid`. */
  async job(jobId: string, options?: ClusterCallOptions): Promise<JobDetails> {
    return this.get<JobDetails>(this.jobRoute(jobId), `reading job ${jobId}`, options);
  }

  /** `GET /jobs/:jobid/checkpoints`: counts, latest completed / savepoint / failed / restored, history, summary. */
  async checkpoints(jobId: string, options?: ClusterCallOptions): Promise<CheckpointingStatistics> {
    const stats = await this.get<CheckpointingStatistics>(
      `${this.jobRoute(jobId)}/checkpoints`,
      `reading the checkpoints of job ${jobId}`,
      options,
    );
    if (stats.counts === undefined || !Array.isArray(stats.history)) {
      throw this.http.error('not-flink', `GET /jobs/${jobId}/checkpoints has no counts or history`);
    }
    return stats;
  }

  /** `GET /jobs/:jobid/checkpoints/config`. */
  async checkpointConfig(jobId: string, options?: ClusterCallOptions): Promise<CheckpointConfigInfo> {
    return this.get<CheckpointConfigInfo>(
      `${this.jobRoute(jobId)}/checkpoints/config`,
      `reading the checkpoint configuration of job ${jobId}`,
      options,
    );
  }

  /** `GET /jobs/:jobid/checkpoints/details/:checkpointid`. */
  async checkpointDetails(
    jobId: string,
    checkpointId: number,
    options?: ClusterCallOptions,
  ): Promise<CheckpointStatistics> {
    return this.get<CheckpointStatistics>(
      `${this.jobRoute(jobId)}/checkpoints/details/${checkpointId}`,
      `reading checkpoint ${checkpointId} of job ${jobId}`,
      options,
    );
  }

  /** `POST /jobs/:jobid/savepoints`; resolves with the trigger ID to poll ({@link savepointStatus}). */
  async triggerSavepoint(
    jobId: string,
    savepoint: SavepointOptions = {},
    options?: ClusterCallOptions,
  ): Promise<string> {
    const body: Record<string, unknown> = { 'cancel-job': savepoint.cancelJob === true };
    if (savepoint.targetDirectory !== undefined) body['target-directory'] = savepoint.targetDirectory;
    if (savepoint.formatType !== undefined) body.formatType = await this.formatType(savepoint.formatType, options);
    return this.triggerId(
      await this.post(`${this.jobRoute(jobId)}/savepoints`, body, `triggering a savepoint of job ${jobId}`, options),
    );
  }

  /** `POST /jobs/:jobid/stop`: stop with a savepoint; poll it with {@link savepointStatus}. */
  async triggerStop(jobId: string, stop: StopOptions = {}, options?: ClusterCallOptions): Promise<string> {
    const body: Record<string, unknown> = { drain: stop.drain === true };
    if (stop.targetDirectory !== undefined) body.targetDirectory = stop.targetDirectory;
    if (stop.formatType !== undefined) body.formatType = await this.formatType(stop.formatType, options);
    return this.triggerId(
      await this.post(`${this.jobRoute(jobId)}/stop`, body, `stopping job ${jobId} with a savepoint`, options),
    );
  }

  /** `GET /jobs/:jobid/savepoints/:triggerid` (savepoint and stop-with-savepoint alike). */
  async savepointStatus(jobId: string, triggerId: string, options?: ClusterCallOptions): Promise<OperationResult> {
    return this.get<OperationResult>(
      `${this.jobRoute(jobId)}/savepoints/${encodeURIComponent(triggerId)}`,
      `polling the savepoint of job ${jobId}`,
      options,
    );
  }

  /**
   * `POST /jobs/:jobid/checkpoints` (Flink 1.17+); resolves with the trigger ID to poll. `CONFIGURED` (the job's own
   * type, Flink 1.19+) is the default there; 1.17 and 1.18 take FULL or INCREMENTAL.
   */
  async triggerCheckpoint(
    jobId: string,
    checkpointType?: CheckpointType,
    options?: ClusterCallOptions,
  ): Promise<string> {
    const version = await this.version(options);
    if (!atLeast(version, 1, 17)) {
      throw this.http.error(
        'unsupported',
        `Flink ${version.text} cannot trigger a checkpoint over REST (that came with 1.17)`,
      );
    }
    if (checkpointType === 'CONFIGURED' && !atLeast(version, 1, 19)) {
      throw this.http.error(
        'unsupported',
        `Flink ${version.text} has no CONFIGURED checkpoint type (1.19+)`,
        'Use FULL or INCREMENTAL.',
      );
    }
    const body = checkpointType === undefined ? {} : { checkpointType };
    return this.triggerId(
      await this.post(`${this.jobRoute(jobId)}/checkpoints`, body, `triggering a checkpoint of job ${jobId}`, options),
    );
  }

  /** `GET /jobs/:jobid/checkpoints/:triggerid`. */
  async checkpointStatus(jobId: string, triggerId: string, options?: ClusterCallOptions): Promise<OperationResult> {
    return this.get<OperationResult>(
      `${this.jobRoute(jobId)}/checkpoints/${encodeURIComponent(triggerId)}`,
      `polling the checkpoint of job ${jobId}`,
      options,
    );
  }

  /** `PATCH /jobs/:jobid?mode=cancel`: cancels the job without a savepoint. */
  async cancelJob(jobId: string, options?: ClusterCallOptions): Promise<void> {
    await this.http.send(
      { method: 'PATCH', route: `${this.jobRoute(jobId)}?mode=cancel`, what: `cancelling job ${jobId}` },
      options,
    );
  }

  /** `POST /savepoint-disposal`: deletes a savepoint's files through the cluster; poll with {@link disposalStatus}. */
  async triggerDisposal(savepointPath: string, options?: ClusterCallOptions): Promise<string> {
    return this.triggerId(
      await this.post(
        '/savepoint-disposal',
        { 'savepoint-path': savepointPath },
        `disposing savepoint ${savepointPath}`,
        options,
      ),
    );
  }

  /** `GET /savepoint-disposal/:triggerid`. */
  async disposalStatus(triggerId: string, options?: ClusterCallOptions): Promise<OperationResult> {
    return this.get<OperationResult>(
      `/savepoint-disposal/${encodeURIComponent(triggerId)}`,
      'polling a savepoint disposal',
      options,
    );
  }

  /** `GET /jars`: jars uploaded to this cluster. */
  async jars(options?: ClusterCallOptions): Promise<JarListInfo> {
    return this.get<JarListInfo>('/jars', 'listing uploaded jars', options);
  }

  /** `POST /jars/upload` (multipart, field `jarfile`); resolves with the jar ID `/jars/:jarid/run` takes. */
  async uploadJar(fileName: string, bytes: Buffer, options?: ClusterCallOptions): Promise<string> {
    const boundary = `----flink-checkpoints-${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
    const name = path.basename(fileName).replace(/["\r\n]/g, '_');
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="jarfile"; filename="${name}"\r\nContent-Type: application/x-java-archive\r\n\r\n`,
        'utf8',
      ),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'),
    ]);
    const answer = await this.http.send(
      {
        method: 'POST',
        route: '/jars/upload',
        body: { contentType: `multipart/form-data; boundary=${boundary}`, bytes: body },
        what: `uploading ${name}`,
      },
      { timeoutMs: Math.max(120_000, options?.timeoutMs ?? 0), ...(options?.signal ? { signal: options.signal } : {}) },
    );
    const uploaded = answer.json as { filename?: string; status?: string };
    if (uploaded.status !== 'success' || typeof uploaded.filename !== 'string') {
      throw this.http.error('rejected', `uploading ${name} answered ${JSON.stringify(uploaded).slice(0, 200)}`);
    }
    return path.posix.basename(uploaded.filename.replace(/\\/g, '/'));
  }

  /**
   * `POST /jars/:jarid/run` with the body the restore builder makes (`buildRestoreInvocation(...).request.body`), so
   * a submitted restore and a generated one are the same request. Resolves with the new job's ID.
   */
  async runJar(
    jarId: string,
    body: JarRunRequestBody | Omit<JarRunRequestBody, 'savepointPath' | 'allowNonRestoredState'>,
    options?: ClusterCallOptions,
  ): Promise<string> {
    const answer = await this.post<{ jobid?: string }>(
      `/jars/${encodeURIComponent(jarId)}/run`,
      body,
      `running jar ${jarId}`,
      { timeoutMs: Math.max(120_000, options?.timeoutMs ?? 0), ...(options?.signal ? { signal: options.signal } : {}) },
    );
    if (typeof answer.jobid !== 'string') {
      throw this.http.error('not-flink', `POST /jars/${jarId}/run answered without a jobid`);
    }
    return answer.jobid;
  }

  /** Triggers a savepoint and waits for it; resolves with its location (the savepoint directory). */
  async savepoint(jobId: string, savepoint: SavepointOptions = {}, wait: WaitOptions = {}): Promise<string> {
    const triggerId = await this.triggerSavepoint(jobId, savepoint, wait);
    const done = await this.waitFor(
      `the savepoint of job ${jobId}`,
      (o) => this.savepointStatus(jobId, triggerId, o),
      wait,
    );
    return this.location(done, `the savepoint of job ${jobId}`);
  }

  /** Stops the job with a savepoint and waits for it; resolves with the savepoint's location. */
  async stopWithSavepoint(jobId: string, stop: StopOptions = {}, wait: WaitOptions = {}): Promise<string> {
    const triggerId = await this.triggerStop(jobId, stop, wait);
    const done = await this.waitFor(
      `stopping job ${jobId} with a savepoint`,
      (o) => this.savepointStatus(jobId, triggerId, o),
      wait,
    );
    return this.location(done, `stopping job ${jobId}`);
  }

  /** Triggers a checkpoint and waits for it; resolves with its checkpoint ID. */
  async checkpoint(jobId: string, checkpointType?: CheckpointType, wait: WaitOptions = {}): Promise<number> {
    const triggerId = await this.triggerCheckpoint(jobId, checkpointType, wait);
    const done = await this.waitFor(
      `the checkpoint of job ${jobId}`,
      (o) => this.checkpointStatus(jobId, triggerId, o),
      wait,
    );
    const id = done.checkpointId;
    if (typeof id !== 'number') {
      throw this.http.error('not-flink', `the checkpoint of job ${jobId} completed without a checkpointId`);
    }
    return id;
  }

  /** Disposes a savepoint through the cluster and waits until its files are deleted. */
  async disposeSavepoint(savepointPath: string, wait: WaitOptions = {}): Promise<void> {
    const triggerId = await this.triggerDisposal(savepointPath, wait);
    await this.waitFor(`disposing savepoint ${savepointPath}`, (o) => this.disposalStatus(triggerId, o), wait);
  }

  private async formatType(format: SavepointFormatType, options?: ClusterCallOptions): Promise<SavepointFormatType> {
    const version = await this.version(options);
    if (!atLeast(version, 1, 15)) {
      throw this.http.error(
        'unsupported',
        `Flink ${version.text} writes only canonical savepoints (the format type came with 1.15)`,
        'Leave the format out.',
      );
    }
    return format;
  }

  private triggerId(answer: unknown): string {
    const id = (answer as { 'request-id'?: unknown })['request-id'];
    if (typeof id !== 'string') {
      throw this.http.error(
        'not-flink',
        `the trigger answered without a request-id: ${JSON.stringify(answer).slice(0, 200)}`,
      );
    }
    return id;
  }

  private location(operation: Record<string, unknown>, what: string): string {
    const location = operation.location;
    if (typeof location !== 'string') throw this.http.error('not-flink', `${what} completed without a location`);
    return location;
  }

  /**
   * Polls an asynchronous operation until `status.id` is COMPLETED; resolves with its `operation`, or rejects with
   * `operation-failed` carrying Flink's root cause when it has a `failure-cause`.
   */
  private async waitFor(
    what: string,
    poll: (options: ClusterCallOptions) => Promise<OperationResult>,
    wait: WaitOptions,
  ): Promise<Record<string, unknown>> {
    const started = Date.now();
    const limit = wait.timeoutMs ?? DEFAULT_WAIT_MS;
    const pollMs = wait.pollMs ?? 500;
    for (;;) {
      const result = await poll(wait.signal ? { signal: wait.signal } : {});
      if (result.status?.id === 'COMPLETED') {
        const operation = result.operation ?? {};
        const failure = operation['failure-cause'];
        if (failure !== undefined && failure !== null) {
          const trace = failure['stack-trace'] ?? failure.class ?? 'no stack trace';
          throw this.http.error('operation-failed', `${what} failed: ${rootCause(trace) ?? trace}`);
        }
        return operation;
      }
      if (result.status?.id !== 'IN_PROGRESS') {
        throw this.http.error('not-flink', `${what}: unexpected status ${JSON.stringify(result.status)}`);
      }
      const elapsed = Date.now() - started;
      if (elapsed > limit) {
        throw this.http.error(
          'timeout',
          `${what} did not complete within ${Math.round(limit / 1000)} s`,
          "It may still complete: look at the job's checkpoints.",
        );
      }
      wait.onPoll?.(elapsed);
      await sleep(pollMs, wait.signal, () =>
        this.http.error('cancelled', `waiting for ${what} was cancelled (the operation itself goes on in the cluster)`),
      );
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined, cancelled: () => ClusterError): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
