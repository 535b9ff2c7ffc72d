import { promises as fs } from 'node:fs';
import {
  CheckpointStatistics,
  CheckpointType,
  ClusterAuth,
  ClusterConnection,
  FlinkRestClient,
  SavepointFormatType,
  isClusterError,
} from '../core/cluster';
import { CliCommand, CliIo, EXIT_FAILED, EXIT_OK, UsageError, parseArgs } from './command';

const USAGE =
  'cluster <subcommand> <rest-url> [...]\n\n' +
  "Talks to a running Flink cluster through its REST API (the JobManager's Web UI address).\n\n" +
  'Subcommands:\n' +
  '  jobs <url>                                   jobs with state, start time, duration\n' +
  '  checkpoints <url> <job-id> [--json]          counts, latest completed / savepoint / failed / restored, history\n' +
  '  savepoint <url> <job-id> [--dir D] [--format canonical|native] [--stop [--drain]] [--wait]\n' +
  '                                               trigger a savepoint (or stop the job with one); --wait prints its path\n' +
  '  checkpoint <url> <job-id> [--type configured|full|incremental] [--wait]\n' +
  '                                               trigger a checkpoint (Flink 1.17+; configured from 1.19, which\n' +
  '                                               refuses an explicit incremental one: configured takes it then)\n' +
  '  cancel <url> <job-id>                        cancel the job without a savepoint\n' +
  '  dispose <url> <savepoint-path>               delete a savepoint through the cluster (waits until done)\n\n' +
  'Options: --timeout SECONDS (per request, default 30; --wait waits up to 10 minutes), --ca FILE (PEM to trust for https).\n' +
  "A gateway's credentials come from the environment: FLINK_REST_TOKEN (Bearer), or FLINK_REST_USER and\n" +
  'FLINK_REST_PASSWORD (Basic). They are never printed.';

const BOOLEANS = ['json', 'stop', 'drain', 'wait'];
const VALUED = ['dir', 'format', 'type', 'timeout', 'ca'];

/** The gateway credentials of the environment, if any. */
export function authFromEnv(env: NodeJS.ProcessEnv = process.env): ClusterAuth | undefined {
  if (env.FLINK_REST_TOKEN) return { kind: 'bearer', token: env.FLINK_REST_TOKEN };
  if (env.FLINK_REST_USER) return { kind: 'basic', user: env.FLINK_REST_USER, password: env.FLINK_REST_PASSWORD ?? '' };
  return undefined;
}

/** A client for `url` with the environment's credentials, `--ca` and `--timeout`. */
export async function clusterClient(url: string, flags: Map<string, string | true>): Promise<FlinkRestClient> {
  const text = (name: string): string | undefined => {
    const value = flags.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const timeout = text('timeout');
  if (timeout !== undefined && !/^\d+(\.\d+)?$/.test(timeout)) {
    throw new UsageError(`--timeout takes seconds, got '${timeout}'`);
  }
  const caFile = text('ca');
  let ca: Buffer | undefined;
  if (caFile !== undefined) {
    try {
      ca = await fs.readFile(caFile);
    } catch (error) {
      throw new UsageError(`--ca ${caFile} cannot be read: ${(error as Error).message}`);
    }
  }
  const auth = authFromEnv();
  const connection: ClusterConnection = {
    url,
    ...(auth ? { auth } : {}),
    ...(ca ? { ca } : {}),
    ...(timeout !== undefined ? { timeoutMs: Number(timeout) * 1000 } : {}),
  };
  return new FlinkRestClient(connection);
}

function time(ms: number | undefined): string {
  return ms === undefined || ms <= 0 ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function duration(ms: number | undefined): string {
  if (ms === undefined || ms < 0) return '-';
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 120 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function bytes(n: number | undefined): string {
  if (n === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return (
    rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n') +
    '\n'
  );
}

/** One line per checkpoint of the statistics, newest first. */
function checkpointRow(c: CheckpointStatistics, marks: string): string[] {
  const completed = c.status === 'COMPLETED' ? c.trigger_timestamp + c.end_to_end_duration : undefined;
  return [
    String(c.id),
    c.status,
    c.is_savepoint ? `SAVEPOINT${c.savepointFormat ? ` (${c.savepointFormat})` : ''}` : c.checkpoint_type,
    time(c.trigger_timestamp),
    time(completed),
    duration(c.end_to_end_duration),
    bytes(c.state_size),
    bytes(c.checkpointed_size),
    marks,
    c.external_path ?? (c.failure_message ? `failed: ${c.failure_message}` : '-'),
  ];
}

async function jobs(client: FlinkRestClient, io: CliIo): Promise<number> {
  const list = await client.jobs();
  if (list.length === 0) {
    io.out(`no jobs on ${client.label}\n`);
    return EXIT_OK;
  }
  io.out(
    table([
      ['JOB ID', 'STATE', 'STARTED', 'DURATION', 'NAME'],
      ...list.map((j) => [j.jid, j.state, time(j['start-time']), duration(j.duration), j.name]),
    ]),
  );
  return EXIT_OK;
}

async function checkpoints(client: FlinkRestClient, jobId: string, json: boolean, io: CliIo): Promise<number> {
  const stats = await client.checkpoints(jobId);
  if (json) {
    io.out(`${JSON.stringify(stats, null, 2)}\n`);
    return EXIT_OK;
  }
  const { counts, latest } = stats;
  io.out(
    `job ${jobId} on ${client.label}: ${counts.completed} completed, ${counts.failed} failed, ${counts.in_progress} in progress, ` +
      `${counts.restored} restored (${counts.total} triggered)\n`,
  );
  if (latest.restored) {
    io.out(
      `restored from ${latest.restored.is_savepoint ? 'savepoint' : 'checkpoint'} ${latest.restored.id} at ${time(latest.restored.restore_timestamp)}: ${latest.restored.external_path}\n`,
    );
  }
  const byId = new Map<number, CheckpointStatistics>();
  for (const c of [...stats.history, latest.completed, latest.savepoint, latest.failed]) {
    if (c) byId.set(c.id, byId.get(c.id) ?? c);
  }
  const marks = (c: CheckpointStatistics): string =>
    [
      c.id === latest.completed?.id ? 'latest' : '',
      c.id === latest.savepoint?.id ? 'latest-savepoint' : '',
      c.id === latest.failed?.id ? 'latest-failed' : '',
    ]
      .filter(Boolean)
      .join(',') || '-';
  const rows = [...byId.values()].sort((a, b) => b.id - a.id).map((c) => checkpointRow(c, marks(c)));
  if (rows.length === 0) {
    io.out('no checkpoints yet\n');
    return EXIT_OK;
  }
  io.out(
    table([
      ['ID', 'STATUS', 'TYPE', 'TRIGGERED', 'COMPLETED', 'DURATION', 'FULL SIZE', 'INCR SIZE', 'MARK', 'PATH'],
      ...rows,
    ]),
  );
  return EXIT_OK;
}

function choose<T extends string>(
  value: string | true | undefined,
  allowed: readonly T[],
  flag: string,
): T | undefined {
  if (value === undefined) return undefined;
  const upper = String(value).toUpperCase();
  if (!(allowed as readonly string[]).includes(upper)) {
    throw new UsageError(`--${flag} must be one of ${allowed.map((a) => a.toLowerCase()).join(', ')}`);
  }
  return upper as T;
}

async function savepoint(
  client: FlinkRestClient,
  jobId: string,
  flags: Map<string, string | true>,
  io: CliIo,
): Promise<number> {
  const dir = flags.get('dir');
  const targetDirectory = typeof dir === 'string' ? dir : undefined;
  const formatType = choose<SavepointFormatType>(flags.get('format'), ['CANONICAL', 'NATIVE'], 'format');
  const stop = flags.get('stop') === true;
  if (flags.get('drain') === true && !stop) throw new UsageError('--drain applies to --stop only');
  const options = {
    ...(targetDirectory !== undefined ? { targetDirectory } : {}),
    ...(formatType ? { formatType } : {}),
  };
  const what = stop ? `stop of job ${jobId} with a savepoint` : `savepoint of job ${jobId}`;
  if (flags.get('wait') !== true) {
    const triggerId = stop
      ? await client.triggerStop(jobId, { ...options, drain: flags.get('drain') === true })
      : await client.triggerSavepoint(jobId, options);
    io.err(
      `${what} triggered on ${client.label}; poll GET /jobs/${jobId}/savepoints/${triggerId}, or trigger with --wait\n`,
    );
    io.out(`${triggerId}\n`);
    return EXIT_OK;
  }
  io.err(`waiting for the ${what} on ${client.label} ...\n`);
  const location = stop
    ? await client.stopWithSavepoint(jobId, { ...options, drain: flags.get('drain') === true })
    : await client.savepoint(jobId, options);
  io.out(`${location}\n`);
  return EXIT_OK;
}

async function checkpoint(
  client: FlinkRestClient,
  jobId: string,
  flags: Map<string, string | true>,
  io: CliIo,
): Promise<number> {
  const type = choose<CheckpointType>(flags.get('type'), ['CONFIGURED', 'FULL', 'INCREMENTAL'], 'type');
  if (flags.get('wait') !== true) {
    const triggerId = await client.triggerCheckpoint(jobId, type);
    io.err(
      `checkpoint of job ${jobId} triggered on ${client.label}; poll GET /jobs/${jobId}/checkpoints/${triggerId}\n`,
    );
    io.out(`${triggerId}\n`);
    return EXIT_OK;
  }
  const id = await client.checkpoint(jobId, type);
  io.out(`${id}\n`);
  return EXIT_OK;
}

export const clusterCommand: CliCommand = {
  name: 'cluster',
  summary:
    'List jobs and checkpoints of a running Flink cluster; trigger savepoints and checkpoints, stop, cancel, dispose (REST API).',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { positional, flags } = parseArgs(args, BOOLEANS, VALUED);
    const [sub, url, arg] = positional;
    const arity: Record<string, number> = {
      jobs: 2,
      checkpoints: 3,
      savepoint: 3,
      checkpoint: 3,
      cancel: 3,
      dispose: 3,
    };
    if (sub === undefined || !(sub in arity)) {
      throw new UsageError(sub === undefined ? 'give a subcommand' : `unknown subcommand '${sub}'`);
    }
    if (positional.length !== arity[sub]) {
      throw new UsageError(
        arity[sub] === 2
          ? `${sub} takes the REST URL`
          : `${sub} takes the REST URL and ${sub === 'dispose' ? 'a savepoint path' : 'a job ID'}`,
      );
    }
    let client: FlinkRestClient;
    try {
      client = await clusterClient(url, flags);
    } catch (error) {
      if (isClusterError(error)) throw new UsageError(error.message);
      throw error;
    }
    try {
      switch (sub) {
        case 'jobs':
          return await jobs(client, io);
        case 'checkpoints':
          return await checkpoints(client, arg, flags.get('json') === true, io);
        case 'savepoint':
          return await savepoint(client, arg, flags, io);
        case 'checkpoint':
          return await checkpoint(client, arg, flags, io);
        case 'cancel':
          await client.cancelJob(arg);
          io.err(`cancellation of job ${arg} requested on ${client.label}\n`);
          return EXIT_OK;
        default:
          await client.disposeSavepoint(arg);
          io.err(`disposed savepoint ${arg} through ${client.label}\n`);
          return EXIT_OK;
      }
    } catch (error) {
      if (!isClusterError(error)) throw error;
      io.err(`flink-checkpoints cluster ${sub}: ${error.message}\n`);
      return EXIT_FAILED;
    } finally {
      client.close();
    }
  },
};
