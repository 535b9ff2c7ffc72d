import * as path from 'node:path';
import { CliCommand, CliIo, EXIT_OK, UsageError, parseArgs } from './command';
import { openStore, parseStoreUri } from '../core/stores';
import { parentUri, storeOptionsFromEnv, withCliStore } from './lsStore';
import { deleteOrphans, findOrphans } from '../core/references/orphans';
import { formatBytes } from '../viewModel/format';

export const orphansCommand: CliCommand = {
  name: 'orphans',
  summary: 'List what no retained snapshot of a job references (unreferenced shared state, abandoned chk-N); --delete removes it',
  usage: 'orphans <job directory or store URI> [--json] [--delete --yes]',
  async run(args: string[], io: CliIo): Promise<number> {
    const { positional, flags } = parseArgs(args, ['json', 'delete', 'yes']);
    if (positional.length !== 1) throw new UsageError('give exactly one job directory (<checkpoint dir>/<job id>)');
    if (flags.has('delete') && !flags.has('yes')) throw new UsageError('--delete deletes files: add --yes to confirm (run without --delete first to see what it would delete)');
    const location = parseStoreUri(positional[0]);
    const paths = location.scheme === 'file' ? path : path.posix;
    const jobPath = `/${paths.basename(location.path)}`;
    // The store is the directory above the job, so that the job's own path inside it is `/<job id>`.
    return withCliStore('orphans', io, () => openStore(parentUri(location), storeOptionsFromEnv()), async (store) => {
      const report = await findOrphans(store, jobPath);
      let deleted: string[] | undefined;
      if (flags.has('delete')) {
        deleted = [];
        const done = deleted;
        await deleteOrphans(store, jobPath, report.candidates, (c) => {
          done.push(c.path);
          io.err(`deleted ${c.path} (${formatBytes(c.size)})\n`);
        });
      }
      if (flags.has('json')) {
        io.out(`${JSON.stringify({ ...report, ...(deleted ? { deleted } : {}) })}\n`);
      } else {
        io.out(`${report.retained.length} retained snapshots reference ${report.referencedFiles} files in ${positional[0]}\n`);
        if (report.sharedStateBlocked) io.out(`Shared state left alone: ${report.sharedStateBlocked}\n`);
        for (const c of report.candidates) io.out(`${c.reason.padEnd(13)} ${formatBytes(c.size).padStart(10)}  ${c.path}\n`);
        for (const k of report.kept) io.out(`kept          ${''.padStart(10)}  ${k.path}: ${k.why}\n`);
        io.out(`${report.candidates.length} entries, ${formatBytes(report.totalBytes)} ${deleted ? 'deleted' : 'could be deleted (dry run; --delete --yes deletes them)'}\n`);
      }
      return EXIT_OK;
    });
  },
};
