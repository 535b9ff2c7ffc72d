import { CliCommand, CliIo, EXIT_FAILED, EXIT_OK, TIMEOUT_USAGE, parseArgs, timeoutFlag } from './command';
import { SnapshotInfo, findLatestCompleteCheckpoint, missingFilesReason, scanDirectory } from '../core/layout';
import { externalLocation } from '../core/stores';
import { snapshotJson } from './lsFormat';
import { STORE_ENV_HELP, cliLocation, openCliStore, withCliStore } from './lsStore';

interface JobLatest {
  jobId: string | null;
  latest?: SnapshotInfo;
  skipped: SnapshotInfo[];
}

export const latestCommand: CliCommand = {
  name: 'latest',
  summary:
    'Print the latest restorable checkpoint of a job: complete, with every referenced file in the store (exit 1 when there is none)',
  usage:
    `latest <job directory or checkpoints directory, path or store URI> [--json] [--timeout <seconds>] [--conf <flink configuration>]\n\n` +
    `Prints the checkpoint's location, ready for 'flink run -s'. A checkpoints directory gives one line per job.\n${TIMEOUT_USAGE}\n${STORE_ENV_HELP}`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { positional, flags } = parseArgs(args, ['json'], ['timeout', 'conf']);
    const timeoutMs = timeoutFlag(flags);
    const conf = flags.get('conf');
    const location = cliLocation(
      positional,
      conf,
      'one job directory (or checkpoints directory), as a path or store URI',
    );
    const json = flags.has('json');
    return withCliStore(
      'latest',
      io,
      () => openCliStore(location, timeoutMs, process.env, conf as string | undefined),
      async (store) => {
        const layout = await scanDirectory(store, '/');
        const results: JobLatest[] = [];
        if (layout.kind === 'job') {
          results.push({ jobId: null, ...(await findLatestCompleteCheckpoint(store, '/')) });
        } else if (layout.kind === 'checkpoints-base') {
          for (const job of layout.jobs) {
            results.push({ jobId: job.jobId, ...(await findLatestCompleteCheckpoint(store, job.path)) });
          }
        } else {
          io.err(
            `flink-checkpoints latest: ${store.label} is not a job directory (no chk-N, shared/ or taskowned/ inside) ` +
              'nor a checkpoints directory (no job-id folders). Give the directory Flink writes chk-N into.\n',
          );
          return EXIT_FAILED;
        }
        const location = (p: string): string => externalLocation(store.uri, p);
        if (json) {
          for (const r of results) {
            io.out(
              `${JSON.stringify({
                store: store.label,
                jobId: r.jobId,
                latest: r.latest ? snapshotJson(r.latest, location(r.latest.path)) : null,
                skipped: r.skipped.map((s) => snapshotJson(s, location(s.path))),
              })}\n`,
            );
          }
        } else {
          for (const r of results) {
            const prefix = r.jobId ? `${r.jobId}  ` : '';
            if (r.latest) io.out(`${prefix}${location(r.latest.path)}\n`);
            else {
              io.err(
                `${prefix}no restorable checkpoint in ${store.label}${r.jobId ? `/${r.jobId}` : ''}${r.skipped.length ? ` (${r.skipped.length} in progress, broken or missing referenced files)` : ''}\n`,
              );
            }
            // A newer complete checkpoint passed over: say which of its files are missing.
            for (const s of r.skipped.filter((x) => x.missingFiles?.length)) {
              io.err(
                `${prefix}${s.name} is not restorable: ${missingFilesReason((s.missingFiles ?? []).map((f) => (f.startsWith('/') ? location(f) : f)))}\n`,
              );
            }
          }
        }
        return results.some((r) => r.latest) ? EXIT_OK : EXIT_FAILED;
      },
    );
  },
};
