import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { findLatestCompleteCheckpoint, scanDirectory } from '../core/layout';
import { METADATA_MAGIC } from '../core/metadata';
import {
  APPLICATION_TARGETS,
  ApplicationTarget,
  CLAIM_MODES,
  ClaimMode,
  PathMapping,
  RESTORE_TARGETS,
  RestoreError,
  RestoreOptions,
  RestoreTarget,
  SnapshotProvenance,
  UpgradeMode,
  buildRestoreInvocation,
  formatInvocation,
  mapToClusterPath,
  pathScheme,
} from '../core/restore';
import { LocalStore } from '../core/stores/local';
import { prepareSubmission, submitRestore } from './clusterSubmit';
import { CliCommand, CliIo, EXIT_FAILED, EXIT_OK, UsageError, parseArgs } from './command';

const BOOLEANS = ['allow-non-restored-state', 'include-credentials', 'json', 'attached'];
const VALUED = [
  'target',
  'flink',
  'claim-mode',
  'parallelism',
  'entry-class',
  'jar',
  'application-target',
  'cluster-id',
  'image',
  'yarn-app-name',
  'deployment',
  'namespace',
  'upgrade-mode',
  'redeploy-nonce',
  'snapshot-name',
  'sql',
  'rest-url',
  'jar-id',
  'flink-command',
  'snapshot-flink',
  'snapshot-metadata-version',
  'submit',
];
/** Flags that may be given more than once; taken out before the one-value-per-flag parser sees the rest. */
const REPEATABLE = ['conf', 'path-map'];

const USAGE =
  'restore <snapshot> --target cli|application|k8s|sql|rest --flink <version> [options] [-- <program args>]\n\n' +
  'Prints the invocation that starts a job from a retained checkpoint or savepoint (warnings go to stderr).\n' +
  '<snapshot> is the chk-N / savepoint directory or its _metadata file, as the cluster sees it (or use --path-map);\n' +
  'a local job directory stands for its latest complete checkpoint.\n\n' +
  'Options:\n' +
  '  --claim-mode claim|no_claim|legacy     default no_claim\n' +
  '  --allow-non-restored-state             skip state of operators the job no longer has\n' +
  '  --parallelism N, --entry-class C, --jar J, --attached (cli: no --detached)\n' +
  '  --application-target kubernetes-application|yarn-application|standalone   (target application)\n' +
  '  --cluster-id ID, --image IMAGE, --yarn-app-name NAME\n' +
  '  --deployment NAME, --namespace NS, --upgrade-mode savepoint|last-state|stateless,\n' +
  "  --redeploy-nonce N (the deployment's current savepointRedeployNonce), --snapshot-name NAME   (target k8s)\n" +
  '  --sql "INSERT INTO ..."                (target sql)\n' +
  '  --rest-url URL, --jar-id ID            (target rest)\n' +
  '  --submit URL                           send the REST call to this cluster (implies --target rest; --flink\n' +
  "                                         defaults to the cluster's version; --jar PATH is uploaded first)\n" +
  '  --flink-command PATH                   how to call the Flink CLI (default ./bin/flink)\n' +
  '  --conf key=value                       further configuration (repeatable)\n' +
  "  --path-map STORE_PREFIX=CLUSTER_PREFIX map a store path to the cluster's path (repeatable)\n" +
  '  --snapshot-flink V, --snapshot-metadata-version N   who wrote the snapshot (read from a local _metadata)\n' +
  '  --include-credentials                  keep a password found in the snapshot URI\n' +
  '  --json                                 print the invocation as JSON';

function takeRepeatable(args: string[]): { rest: string[]; values: Map<string, string[]> } {
  const values = new Map<string, string[]>(REPEATABLE.map((name) => [name, []]));
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const name = REPEATABLE.find((n) => arg === `--${n}` || arg.startsWith(`--${n}=`));
    if (name === undefined) {
      rest.push(arg);
      continue;
    }
    const value = arg.includes('=') && arg.startsWith(`--${name}=`) ? arg.slice(name.length + 3) : args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    values.get(name)?.push(value);
  }
  return { rest, values };
}

function splitPair(text: string, flag: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--${flag} takes KEY=VALUE, got '${text}'`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--${flag} takes an integer, got '${value}'`);
  return Number(value);
}

/** The `_metadata` format version from a file's 8-byte header; undefined when it is not a readable `_metadata`. */
async function metadataVersionOf(file: string): Promise<number | undefined> {
  try {
    const handle = await fs.open(file, 'r');
    try {
      const header = Buffer.alloc(8);
      const { bytesRead } = await handle.read(header, 0, 8, 0);
      if (bytesRead < 8 || header.readInt32BE(0) !== METADATA_MAGIC) return undefined;
      return header.readInt32BE(4);
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

/** The snapshot the invocation will name, after looking at a local path. */
interface ResolvedSnapshot {
  readonly path: string;
  readonly metadataVersion?: number;
  /** Said on stderr when the path was replaced (a job directory → its latest complete checkpoint). */
  readonly note?: string;
}

class SnapshotNotFound extends Error {}

/**
 * A local snapshot directory or `_metadata` file is used as given, with its metadata version read from the header. A
 * local job directory is replaced by its newest complete `chk-N` (Flink cannot restore from a job directory); with
 * none complete this fails. Anything else (remote URIs, other directories) is used as given.
 */
async function resolveSnapshot(given: string): Promise<ResolvedSnapshot> {
  const scheme = pathScheme(given);
  if (scheme !== null && scheme !== 'file') return { path: given };
  const local = scheme === 'file' ? given.replace(/^file:(\/\/(localhost)?)?/, '') : given;
  let stat;
  try {
    stat = await fs.stat(local);
  } catch {
    return { path: given };
  }
  if (!stat.isDirectory()) {
    const metadataVersion = path.basename(local) === '_metadata' ? await metadataVersionOf(local) : undefined;
    return metadataVersion === undefined ? { path: given } : { path: given, metadataVersion };
  }
  const own = await metadataVersionOf(path.join(local, '_metadata'));
  if (own !== undefined) return { path: given, metadataVersion: own };
  const store = new LocalStore({ scheme: 'file', host: '', path: path.resolve(local) });
  const layout = await scanDirectory(store, '/');
  if (layout.kind !== 'job') return { path: given };
  const { latest, skipped } = await findLatestCompleteCheckpoint(store, '/');
  const skippedText = skipped.map((s) => `${s.name}: ${s.status}${s.reason ? ` (${s.reason})` : ''}`).join(', ');
  if (!latest) {
    throw new SnapshotNotFound(
      `${given} is a job directory without a complete checkpoint${skippedText ? ` (${skippedText})` : ''}: give a chk-N or savepoint directory`,
    );
  }
  const chosen = path.join(local, latest.name);
  return {
    path: scheme === 'file' ? `file://${chosen}` : chosen,
    ...(latest.metadataVersion !== undefined ? { metadataVersion: latest.metadataVersion } : {}),
    note: `${given} is a job directory: using its latest complete checkpoint ${latest.name}${skippedText ? `, skipping ${skippedText}` : ''}`,
  };
}

export const restoreCommand: CliCommand = {
  name: 'restore',
  summary:
    'Print the invocation that restores a job from a checkpoint or savepoint (CLI, application mode, Kubernetes operator, SQL, REST).',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const dashDash = args.indexOf('--');
    const programArgs = dashDash < 0 ? [] : args.slice(dashDash + 1);
    const { rest, values } = takeRepeatable(dashDash < 0 ? args : args.slice(0, dashDash));
    const { positional, flags } = parseArgs(rest, BOOLEANS, VALUED);
    if (positional.length !== 1) throw new UsageError('give exactly one snapshot path (program arguments go after --)');
    const text = (name: string): string | undefined => {
      const value = flags.get(name);
      return typeof value === 'string' ? value : undefined;
    };
    const submit = text('submit');
    const target = oneOf<RestoreTarget>(
      text('target') ?? (submit !== undefined ? 'rest' : undefined),
      RESTORE_TARGETS,
      'target',
    );
    if (target === undefined) throw new UsageError('--target is required');
    if (submit !== undefined && target !== 'rest') {
      throw new UsageError('--submit sends the REST call: use it with --target rest');
    }
    if (submit !== undefined && text('jar') === undefined && text('jar-id') === undefined) {
      throw new UsageError(
        '--submit needs the job: --jar PATH (uploaded first) or --jar-id ID (already on the cluster)',
      );
    }
    const submission =
      submit === undefined
        ? undefined
        : await prepareSubmission(submit, text('jar'), text('jar-id'), text('flink'), io);
    if (submission === null) return EXIT_FAILED;
    const flink = text('flink') ?? submission?.flinkVersion;
    if (flink === undefined) throw new UsageError('--flink is required (e.g. --flink 1.20)');

    const mappings: PathMapping[] = (values.get('path-map') ?? []).map((pair) => {
      const [storePrefix, clusterPrefix] = splitPair(pair, 'path-map');
      return { storePrefix, clusterPrefix };
    });
    let resolved: ResolvedSnapshot;
    try {
      resolved = await resolveSnapshot(positional[0]);
    } catch (error) {
      if (!(error instanceof SnapshotNotFound)) throw error;
      io.err(`flink-checkpoints restore: ${error.message}\n`);
      return EXIT_FAILED;
    }
    const snapshotPath = mapToClusterPath(resolved.path, mappings).path;
    const metadataVersion =
      integer(text('snapshot-metadata-version'), 'snapshot-metadata-version') ?? resolved.metadataVersion;
    const writerVersion = text('snapshot-flink');
    const snapshot: SnapshotProvenance | undefined =
      writerVersion !== undefined || metadataVersion !== undefined
        ? {
            ...(writerVersion !== undefined ? { writerVersion } : {}),
            ...(metadataVersion !== undefined ? { metadataVersion } : {}),
          }
        : undefined;

    const configuration = Object.fromEntries((values.get('conf') ?? []).map((pair) => splitPair(pair, 'conf')));
    const options: RestoreOptions = {
      claimMode: oneOf<ClaimMode>(text('claim-mode'), CLAIM_MODES, 'claim-mode'),
      allowNonRestoredState: flags.get('allow-non-restored-state') === true,
      parallelism: integer(text('parallelism'), 'parallelism'),
      entryClass: text('entry-class'),
      jar: text('jar'),
      programArgs,
      flinkConfiguration: configuration,
      detached: flags.get('attached') !== true,
      flinkCommand: text('flink-command'),
      applicationTarget: oneOf<ApplicationTarget>(
        text('application-target'),
        APPLICATION_TARGETS,
        'application-target',
      ),
      clusterId: text('cluster-id'),
      image: text('image'),
      yarnApplicationName: text('yarn-app-name'),
      deploymentName: text('deployment'),
      namespace: text('namespace'),
      upgradeMode: oneOf<UpgradeMode>(text('upgrade-mode'), ['savepoint', 'last-state', 'stateless'], 'upgrade-mode'),
      currentRedeployNonce: integer(text('redeploy-nonce'), 'redeploy-nonce'),
      snapshotResourceName: text('snapshot-name'),
      sqlStatement: text('sql'),
      restUrl: submission?.client.label ?? text('rest-url'),
      jarId: submission?.jarId ?? text('jar-id'),
      snapshot,
      includeCredentials: flags.get('include-credentials') === true,
    };

    let invocation;
    try {
      invocation = buildRestoreInvocation({ snapshotPath, target, flinkVersion: flink, options });
    } catch (error) {
      if (!(error instanceof RestoreError)) throw error;
      if (error.code !== 'invalid-path') throw new UsageError(error.message);
      io.err(`flink-checkpoints restore: ${error.message}\n`);
      return EXIT_FAILED;
    }
    if (submission !== undefined) {
      if (resolved.note) io.err(`note: ${resolved.note}\n`);
      for (const warning of invocation.warnings) io.err(`warning (${warning.code}): ${warning.message}\n`);
      return submitRestore(submission, invocation, flags.get('json') === true, io);
    }
    if (flags.get('json') === true) {
      io.out(`${JSON.stringify(invocation, null, 2)}\n`);
    } else {
      io.out(formatInvocation(invocation));
    }
    if (resolved.note) io.err(`note: ${resolved.note}\n`);
    for (const warning of invocation.warnings) io.err(`warning (${warning.code}): ${warning.message}\n`);
    return EXIT_OK;
  },
};
