import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliCommand, CliIo, EXIT_FAILED, EXIT_OK, TIMEOUT_USAGE, UsageError, parseArgs, timeoutFlag } from './command';
import { CheckpointStore, StoreUri, externalLocation, openStore, parseStoreUri } from '../core/stores';
import { parentUri, storeOptionsFromEnv, withCliStore } from './lsStore';
import {
  CleanupPlan,
  CleanupResult,
  TRASH_DIR,
  analyseCleanup,
  purgeTrash,
  restoreTrash,
  runCleanup,
} from '../core/references/safety';
import { formatBytes } from '../viewModel/format';

const USAGE =
  'orphans <job directory or store URI> [--json] [--also <snapshot dir>]... [--job-stopped] [--delete --yes] [--timeout <seconds>] [--conf <flink configuration>]\n' +
  `       orphans --restore-trash <checkpoint base>/${TRASH_DIR}/<time> [--json]\n` +
  '       orphans <job directory or checkpoint base> --purge-trash --older-than <7d|12h|30m>\n\n' +
  `${TIMEOUT_USAGE}`;

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

function parseAge(text: string): number {
  const match = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  if (!match) throw new UsageError(`--older-than takes a number and a unit (s, m, h, d, w), e.g. 7d; got "${text}"`);
  return Number(match[1]) * UNITS[match[2]];
}

export function entries(n: number): string {
  return n === 1 ? '1 entry' : `${n} entries`;
}

/** `--also` may be given many times: taken out before the other flags are parsed. */
function takeRepeated(args: string[], name: string): { rest: string[]; values: string[] } {
  const rest: string[] = [];
  const values: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (arg === `--${name}`) {
      if (i + 1 >= args.length) throw new UsageError(`--${name} needs a value`);
      values.push(args[++i]);
    } else if (arg.startsWith(`--${name}=`)) values.push(arg.slice(name.length + 3));
    else rest.push(arg);
  }
  return { rest, values };
}

/** A local job directory given through a link is cleaned where it really lies, so its base is the real one. */
function realLocation(location: StoreUri): StoreUri {
  if (location.scheme !== 'file') return location;
  try {
    return { ...location, path: fs.realpathSync(location.path) };
  } catch {
    return location; // a missing path is reported by the store, with its advice
  }
}

function sameStoreRoot(root: StoreUri, other: StoreUri): string | undefined {
  if (root.scheme !== other.scheme || root.host !== other.host || root.port !== other.port) return undefined;
  const p = root.scheme === 'file' ? path : path.posix;
  const rel = p.relative(root.path, other.path);
  if (rel.startsWith('..') || p.isAbsolute(rel)) return undefined;
  return `/${rel.split(p.sep).filter(Boolean).join('/')}`;
}

/** The plan without the view it was made from (every entry of the job: large, and not a result). */
function planJson(plan: CleanupPlan): object {
  return {
    storeLabel: plan.storeLabel,
    basePath: plan.basePath,
    jobPath: plan.jobPath,
    retained: plan.retained.map((s) => s.external ?? s.path),
    referencedFiles: plan.referencedFiles,
    candidates: plan.candidates,
    totalBytes: plan.totalBytes,
    kept: plan.kept,
    ...(plan.sharedStateBlocked ? { sharedStateBlocked: plan.sharedStateBlocked } : {}),
    ...(plan.sharedStateKept ? { sharedStateKept: plan.sharedStateKept } : {}),
    reversible: plan.reversible,
  };
}

function printPlan(io: CliIo, plan: CleanupPlan, given: string, dryRun: boolean): void {
  io.out(
    `${plan.retained.length} retained snapshots in the checkpoint base of ${given} reference ${plan.referencedFiles} files\n`,
  );
  if (plan.sharedStateBlocked) io.out(`Shared state left alone: ${plan.sharedStateBlocked}\n`);
  if (plan.sharedStateKept) io.out(`Shared state kept: ${plan.sharedStateKept}\n`);
  for (const c of plan.candidates) {
    io.out(
      `${c.reason.padEnd(13)} ${formatBytes(c.size).padStart(10)}  ${c.path}${c.kind === 'link' ? ' (a link: only the link goes)' : ''}${c.location ? ` (entropy-injected: ${c.location})` : ''}\n`,
    );
  }
  for (const k of plan.kept) io.out(`kept          ${''.padStart(10)}  ${k.path}: ${k.why}\n`);
  const how = plan.reversible
    ? `dry run; --delete --yes moves them to ${TRASH_DIR}/<time>/ in the checkpoint base, from where --restore-trash puts them back`
    : 'dry run; this store cannot rename cheaply, so --delete --yes deletes them for good after a re-check';
  if (dryRun) io.out(`${entries(plan.candidates.length)}, ${formatBytes(plan.totalBytes)} could be removed (${how})\n`);
}

function printResult(io: CliIo, store: CheckpointStore, result: CleanupResult): void {
  for (const s of result.skipped) io.out(`skipped       ${s.candidate.path}: ${s.why}\n`);
  if (result.stopped) {
    io.out(`Stopped: ${result.stopped} since the dry run. Run orphans again to see what is safe now.\n`);
  }
  if (result.restored.length) {
    io.out(`Moved back from the trash because a new snapshot references them: ${result.restored.join(', ')}\n`);
  }
  const bytes = (list: readonly { size: number }[]) => formatBytes(list.reduce((n, c) => n + c.size, 0));
  if (result.trashPath) {
    const trash = externalLocation(store.uri, result.trashPath);
    io.out(`${entries(result.moved.length)} (${bytes(result.moved)}) moved to ${trash}\n`);
    io.out(
      `Undo: flink-checkpoints orphans --restore-trash ${trash}\nDelete for good later: flink-checkpoints orphans <job directory> --purge-trash --older-than 7d\n`,
    );
  }
  if (result.deleted.length) io.out(`${entries(result.deleted.length)} (${bytes(result.deleted)}) deleted for good\n`);
  if (!result.trashPath && !result.deleted.length) io.out('Nothing was moved or deleted.\n');
}

export const orphansCommand: CliCommand = {
  name: 'orphans',
  summary:
    'List what no retained snapshot of the checkpoint base references (shared state, abandoned chk-N); --delete moves it to a trash you can restore from',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { rest, values: also } = takeRepeated(args, 'also');
    const { positional, flags } = parseArgs(
      rest,
      ['json', 'delete', 'yes', 'job-stopped', 'purge-trash'],
      ['restore-trash', 'older-than', 'timeout', 'conf'],
    );
    const journal = (line: string) => io.err(`${line}\n`);
    const conf = flags.get('conf');
    if (conf === true) throw new UsageError('--conf needs a Flink configuration file');
    // A Flink configuration's s3.* keys (endpoint, path style, access key) apply to the stores this command opens.
    const options = storeOptionsFromEnv(process.env, timeoutFlag(flags), conf);

    const restoreFrom = flags.get('restore-trash');
    if (typeof restoreFrom === 'string') {
      if (positional.length > 0 || flags.has('delete') || flags.has('purge-trash')) {
        throw new UsageError('--restore-trash takes only the trash directory');
      }
      const location = parseStoreUri(restoreFrom);
      const paths = location.scheme === 'file' ? path : path.posix;
      const baseUri = parentUri(parentUri(location));
      const trashPath = `/${TRASH_DIR}/${paths.basename(location.path)}`;
      if (paths.basename(paths.dirname(location.path)) !== TRASH_DIR) {
        throw new UsageError(
          `--restore-trash takes a directory in ${TRASH_DIR} (<checkpoint base>/${TRASH_DIR}/<time>)`,
        );
      }
      return withCliStore(
        'orphans',
        io,
        () => openStore(baseUri, options),
        async (store) => {
          const result = await restoreTrash(store, trashPath, { journal });
          if (flags.has('json')) io.out(`${JSON.stringify(result)}\n`);
          else {
            for (const s of result.skipped) io.out(`skipped       ${s.path}: ${s.why}\n`);
            io.out(
              `${entries(result.restored.length)} put back${result.skipped.length ? `, ${entries(result.skipped.length)} left in the trash` : ''}\n`,
            );
          }
          return result.skipped.length ? EXIT_FAILED : EXIT_OK;
        },
      );
    }

    if (positional.length !== 1) throw new UsageError('give exactly one job directory (<checkpoint dir>/<job id>)');
    const location = realLocation(parseStoreUri(positional[0]));
    const paths = location.scheme === 'file' ? path : path.posix;

    if (flags.has('purge-trash')) {
      const age = flags.get('older-than');
      if (typeof age !== 'string') {
        throw new UsageError('--purge-trash needs --older-than <age>, e.g. 7d (what is younger stays restorable)');
      }
      const olderThan = parseAge(age);
      const byName = paths.basename(location.path) === TRASH_DIR;
      const baseUri = byName ? parentUri(location) : location;
      return withCliStore(
        'orphans',
        io,
        () => openStore(baseUri, options),
        async (first) => {
          let store = first;
          try {
            // The checkpoint base holds the trash; a job directory's base is the directory above it.
            if (
              !byName &&
              !(await store.stat(`/${TRASH_DIR}`).then(
                () => true,
                () => false,
              ))
            ) {
              store = openStore(parentUri(location), options);
            }
            const purged = await purgeTrash(store, '/', olderThan, { journal });
            io.out(`${entries(purged.length)} of the trash deleted for good (older than ${age})\n`);
            return EXIT_OK;
          } finally {
            if (store !== first) await store.close();
          }
        },
      );
    }
    if (flags.has('older-than')) throw new UsageError('--older-than goes with --purge-trash');
    if (flags.has('delete') && !flags.has('yes')) {
      throw new UsageError(
        '--delete removes files: add --yes to confirm (run without --delete first to see what it would remove)',
      );
    }

    const jobPath = `/${paths.basename(location.path)}`;
    const storeRoot = parentUri(location);
    const extra: CheckpointStore[] = [];
    // The store is the checkpoint base (the directory above the job), so every job beside it is read too.
    return withCliStore(
      'orphans',
      io,
      () => openStore(storeRoot, options),
      async (store) => {
        try {
          const alsoDirs = also.map((dir) => {
            const uri = realLocation(parseStoreUri(dir));
            const inside = sameStoreRoot(store.uri, uri);
            if (inside !== undefined) return { store, path: inside };
            const other = openStore(uri, options);
            extra.push(other);
            return { store: other, path: '/' };
          });
          const safety = { also: alsoDirs, jobStopped: flags.has('job-stopped') };
          const plan = await analyseCleanup(store, jobPath, safety);
          if (!flags.has('delete')) {
            if (flags.has('json')) io.out(`${JSON.stringify(planJson(plan))}\n`);
            else printPlan(io, plan, positional[0], true);
            return EXIT_OK;
          }
          const result = await runCleanup(store, plan, { ...safety, journal });
          if (flags.has('json')) io.out(`${JSON.stringify({ ...planJson(plan), result })}\n`);
          else {
            printPlan(io, plan, positional[0], false);
            printResult(io, store, result);
          }
          return result.stopped ? EXIT_FAILED : EXIT_OK;
        } finally {
          for (const other of extra) await other.close();
        }
      },
    );
  },
};
