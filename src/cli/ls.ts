import { CliCommand, CliIo, EXIT_OK, TIMEOUT_USAGE, parseArgs, timeoutFlag } from './command';
import {
  DirectoryLayout,
  SnapshotInfo,
  findLatestCompleteCheckpoint,
  inspectSnapshot,
  inspectSnapshots,
  scanDirectory,
  snapshotRefOf,
} from '../core/layout';
import { CheckpointStore, StoreEntry, externalLocation } from '../core/stores';
import { SNAPSHOT_HEADER, formatBytes, formatTime, snapshotJson, snapshotRow, table } from './lsFormat';
import { STORE_ENV_HELP, cliLocation, openCliStore, withCliStore } from './lsStore';

interface JobSummary {
  jobId: string;
  path: string;
  checkpoints: number;
  latest?: SnapshotInfo;
}

async function jobSummaries(store: CheckpointStore, layout: DirectoryLayout): Promise<JobSummary[]> {
  const out: JobSummary[] = [];
  for (const job of layout.jobs) {
    const jobLayout = await scanDirectory(store, job.path);
    const { latest } = await findLatestCompleteCheckpoint(store, job.path);
    out.push({ jobId: job.jobId, path: job.path, checkpoints: jobLayout.checkpoints.length, latest });
  }
  return out;
}

function latestId(snapshots: readonly SnapshotInfo[]): string | undefined {
  return snapshots.find((s) => s.kind === 'checkpoint' && s.status === 'complete')?.name;
}

export const lsCommand: CliCommand = {
  name: 'ls',
  summary: 'List a checkpoint store: jobs, checkpoints (complete, in progress, broken) and savepoints',
  usage: `ls <path or store URI> [--json] [--timeout <seconds>] [--conf <flink configuration>]\n\n${TIMEOUT_USAGE}\n${STORE_ENV_HELP}`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { positional, flags } = parseArgs(args, ['json'], ['timeout', 'conf']);
    const timeoutMs = timeoutFlag(flags);
    const conf = flags.get('conf');
    const location = cliLocation(positional, conf, 'one path or store URI');
    const json = flags.has('json');
    return withCliStore(
      'ls',
      io,
      () => openCliStore(location, timeoutMs, process.env, conf as string | undefined),
      async (store) => {
        const layout = await scanDirectory(store, '/');
        const location = (p: string): string => externalLocation(store.uri, p);
        const savepoints = await inspectSnapshots(store, layout.savepoints);
        let jobs: JobSummary[] = [];
        let checkpoints: SnapshotInfo[] = [];
        let snapshot: SnapshotInfo | undefined;
        let files: StoreEntry[] = [];
        if (layout.kind === 'checkpoints-base') jobs = await jobSummaries(store, layout);
        if (layout.kind === 'job') checkpoints = await inspectSnapshots(store, layout.checkpoints);
        if (layout.kind === 'snapshot') snapshot = await inspectSnapshot(store, snapshotRefOf('/'));
        if (layout.kind === 'snapshot' || layout.kind === 'unknown') {
          for await (const page of store.list('/')) files.push(...page);
          files = files.sort((a, b) => a.name.localeCompare(b.name));
        }
        if (json) {
          io.out(
            `${JSON.stringify({
              store: store.label,
              kind: layout.kind,
              jobs: jobs.map((j) => ({
                jobId: j.jobId,
                path: j.path,
                location: location(j.path),
                checkpoints: j.checkpoints,
                latest: j.latest ? snapshotJson(j.latest, location(j.latest.path)) : null,
              })),
              checkpoints: checkpoints.map((c) => snapshotJson(c, location(c.path))),
              latest: latestId(checkpoints) ?? null,
              savepoints: savepoints.map((s) => snapshotJson(s, location(s.path))),
              snapshot: snapshot ? snapshotJson(snapshot, location('/')) : null,
              shared: layout.hasShared,
              taskowned: layout.hasTaskOwned,
              entries: files.map((f) => ({ name: f.name, kind: f.kind, size: f.size, mtime: f.mtime ?? null })),
            })}\n`,
          );
          return EXIT_OK;
        }
        const parts: string[] = [`${store.label}: ${describeKind(layout)}`];
        if (jobs.length > 0) {
          parts.push(
            table(
              ['JOB', 'CHECKPOINTS', 'LATEST COMPLETE', 'STATE SIZE', 'MODIFIED'],
              jobs.map((j) => [
                j.jobId,
                String(j.checkpoints),
                j.latest?.name ?? '(none)',
                formatBytes(j.latest?.stateSize),
                formatTime(j.latest?.mtime),
              ]),
            ),
          );
        }
        if (checkpoints.length > 0) {
          const latest = latestId(checkpoints);
          parts.push(
            table(
              SNAPSHOT_HEADER,
              checkpoints.map((c) => snapshotRow(c, c.name === latest ? 'latest' : '')),
            ),
          );
          const extras = [layout.hasShared ? 'shared/' : '', layout.hasTaskOwned ? 'taskowned/' : ''].filter(Boolean);
          if (extras.length > 0) parts.push(`also: ${extras.join(', ')}`);
        }
        if (savepoints.length > 0) {
          parts.push(
            table(
              SNAPSHOT_HEADER,
              savepoints.map((s) => snapshotRow(s)),
            ),
          );
        }
        if (snapshot) parts.push(table(SNAPSHOT_HEADER, [snapshotRow({ ...snapshot, name: '.' })]));
        if (files.length > 0) {
          parts.push(
            table(
              ['NAME', 'KIND', 'SIZE', 'MODIFIED'],
              files.map((f) => [
                f.name,
                f.kind,
                f.kind === 'directory' ? '-' : formatBytes(f.size),
                formatTime(f.mtime),
              ]),
            ),
          );
        }
        io.out(`${parts.join('\n\n')}\n`);
        return EXIT_OK;
      },
    );
  },
};

function describeKind(layout: DirectoryLayout): string {
  switch (layout.kind) {
    case 'checkpoints-base':
      return `checkpoints directory with ${layout.jobs.length} job(s)${layout.savepoints.length ? ` and ${layout.savepoints.length} savepoint(s)` : ''}`;
    case 'job':
      return `job directory with ${layout.checkpoints.length} checkpoint(s)`;
    case 'savepoints':
      return `savepoints directory with ${layout.savepoints.length} savepoint(s)`;
    case 'snapshot':
      return 'a single checkpoint or savepoint';
    case 'empty':
      return 'empty directory';
    default:
      return 'no Flink checkpoint layout here; plain listing';
  }
}
