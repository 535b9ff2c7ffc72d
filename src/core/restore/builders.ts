import { RestoreError } from './errors';
import { FlinkVersion, isAtLeast, parseFlinkVersion } from './flinkVersion';
import { shellCommand, sqlString, yamlString } from './quoting';
import {
  APPLICATION_TARGETS,
  ApplicationTarget,
  CLAIM_MODES,
  ClaimMode,
  InvocationStep,
  JarRunRequest,
  JarRunRequestBody,
  RESTORE_TARGETS,
  RestoreInvocation,
  RestoreOptions,
  RestoreRequest,
  UpgradeMode,
} from './request';
import { isLocalPath, isRelativePath, pathScheme, sanitizeSnapshotPath, snapshotPointerKind } from './snapshotPath';
import {
  ALL_RESTORE_CONFIG_KEYS,
  METADATA_VERSION_WRITERS,
  applicationModeAction,
  claimModeFlag,
  isLegacyClaimModeDeprecated,
  kubernetesImageKey,
  operatorFlinkVersion,
  restAcceptsFlinkConfiguration,
  restClaimModeField,
  restoreConfigKeys,
} from './versionFacts';
import { RestoreWarning } from './warnings';

const PLACEHOLDER = {
  jar: '<job.jar>',
  clusterId: '<cluster-id>',
  image: '<image>',
  deployment: '<deployment>',
  jarId: '<jarid>',
  sinkTable: '<sink_table>',
  sourceTable: '<source_table>',
} as const;

const UPGRADE_MODES: readonly UpgradeMode[] = ['savepoint', 'last-state', 'stateless'];
/** RFC 1123 subdomain: what Kubernetes accepts as an object name or namespace. */
const KUBERNETES_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** The state every target builder reads: the validated request plus the warnings collected so far. */
interface BuildContext {
  readonly version: FlinkVersion;
  readonly path: string;
  readonly options: RestoreOptions;
  readonly claimMode: ClaimMode;
  readonly configuration: ReadonlyArray<readonly [string, string]>;
  readonly warnings: RestoreWarning[];
  readonly placeholders: Set<string>;
}

/**
 * Builds the exact invocation(s) that start a job from a retained checkpoint or savepoint on `request.target`, for
 * the Flink line `request.flinkVersion` (1.15 .. 2.3), with warnings about what could go wrong.
 *
 * - `cli`: `flink run --detached --fromSavepoint <path> [--allowNonRestoredState] --claimMode|--restoreMode <mode>
 *   [-c class] [-p n] <jar> [args]`; claim mode and allow-non-restored are always flags, never `-D` (the CLI
 *   overwrites those keys).
 * - `application`: `flink run-application --target kubernetes-application|yarn-application` (1.x) or
 *   `flink run --target …` (2.x); `standalone`: `standalone-job.sh` and container arguments, which accept only
 *   `--fromSavepoint` and `--allowNonRestoredState`.
 * - `k8s`: a `FlinkDeployment` merge patch (YAML and a `kubectl patch` line) and a `FlinkStateSnapshot` with
 *   `alreadyExists: true`.
 * - `sql`: `SET` lines with the line's keys, the DML, then `RESET` of every key set.
 * - `rest`: the `POST /jars/:jarid/run` body, an upload `curl` line when a jar is given, and the run `curl` line;
 *   `invocation.request` carries the call for `fetch`.
 *
 * A password in the snapshot URI is removed unless `options.includeCredentials` is set. Placeholders such as
 * `<job.jar>` stand in for values not given and are listed in a `placeholder` warning.
 *
 * @throws RestoreError for an unparseable or unsupported version, an invalid option value, or an unusable path.
 */
export function buildRestoreInvocation(request: RestoreRequest): RestoreInvocation {
  const version = typeof request.flinkVersion === 'string' ? parseFlinkVersion(request.flinkVersion) : request.flinkVersion;
  if (!RESTORE_TARGETS.includes(request.target)) {
    throw new RestoreError('invalid-option', `unknown restore target '${request.target}': use one of ${RESTORE_TARGETS.join(', ')}`);
  }
  const options = request.options ?? {};
  validateOptions(options);
  const sanitized = sanitizeSnapshotPath(request.snapshotPath, options.includeCredentials === true);
  const context: BuildContext = {
    version,
    path: sanitized.path,
    options,
    claimMode: options.claimMode ?? 'no_claim',
    configuration: [],
    warnings: [],
    placeholders: new Set(),
  };
  const configuration = userConfiguration(context);
  const ctx: BuildContext = { ...context, configuration };

  if (sanitized.removed !== 'none') ctx.warnings.push(credentialsRemovedWarning(sanitized.removed, sanitized.host));
  if (sanitized.keptPassword) {
    ctx.warnings.push({
      code: 'credentials-included',
      message: 'The snapshot path still holds a password, as asked: the invocation shows it to anyone who sees the command, the shell history or the job configuration.',
    });
  }
  pathWarnings(ctx, request.target);
  versionWarnings(ctx);
  claimModeWarnings(ctx, request.target);

  const steps = buildSteps(ctx, request.target);
  let invocationRequest: JarRunRequest | undefined;
  if (request.target === 'rest') invocationRequest = jarRunRequest(ctx);
  if (ctx.placeholders.size > 0) {
    ctx.warnings.push({
      code: 'placeholder',
      message: `Replace ${[...ctx.placeholders].join(', ')} before running: the value was not given.`,
    });
  }
  return {
    target: request.target,
    flinkVersion: version,
    snapshotPath: ctx.path,
    steps,
    warnings: ctx.warnings,
    ...(invocationRequest ? { request: invocationRequest } : {}),
  };
}

function validateOptions(options: RestoreOptions): void {
  if (options.claimMode !== undefined && !CLAIM_MODES.includes(options.claimMode)) {
    throw new RestoreError('invalid-option', `unknown claim mode '${options.claimMode}': use claim, no_claim or legacy`);
  }
  if (options.parallelism !== undefined && (!Number.isInteger(options.parallelism) || options.parallelism < 1)) {
    throw new RestoreError('invalid-option', `parallelism must be a positive integer, not ${options.parallelism}`);
  }
  if (options.applicationTarget !== undefined && !APPLICATION_TARGETS.includes(options.applicationTarget)) {
    throw new RestoreError(
      'invalid-option',
      `unknown application target '${options.applicationTarget}': use ${APPLICATION_TARGETS.join(', ')}`,
    );
  }
  if (options.upgradeMode !== undefined && !UPGRADE_MODES.includes(options.upgradeMode)) {
    throw new RestoreError('invalid-option', `unknown upgrade mode '${options.upgradeMode}': use ${UPGRADE_MODES.join(', ')}`);
  }
  if (options.currentRedeployNonce !== undefined && !Number.isSafeInteger(options.currentRedeployNonce)) {
    throw new RestoreError('invalid-option', `the current savepointRedeployNonce must be an integer, not ${options.currentRedeployNonce}`);
  }
  for (const [label, name] of [['deployment name', options.deploymentName], ['namespace', options.namespace],
    ['FlinkStateSnapshot name', options.snapshotResourceName]] as const) {
    if (name !== undefined && name !== '' && !KUBERNETES_NAME.test(name)) {
      throw new RestoreError(
        'invalid-option',
        `${JSON.stringify(name)} is not a Kubernetes ${label}: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`,
      );
    }
  }
  for (const key of Object.keys(options.flinkConfiguration ?? {})) {
    if (key.trim() === '' || /\s/.test(key)) {
      throw new RestoreError('invalid-option', `'${key}' is not a Flink configuration key`);
    }
  }
}

/** The user's extra configuration without the restore keys, which the invocation sets itself. */
function userConfiguration(ctx: BuildContext): Array<readonly [string, string]> {
  const entries: Array<readonly [string, string]> = [];
  for (const [key, value] of Object.entries(ctx.options.flinkConfiguration ?? {})) {
    if (ALL_RESTORE_CONFIG_KEYS.includes(key)) {
      ctx.warnings.push({
        code: 'restore-key-dropped',
        message: `'${key}' was left out of the configuration: the invocation sets the snapshot path, claim mode and allow-non-restored-state itself (and the Flink CLI overwrites these keys when given with -D).`,
      });
      continue;
    }
    entries.push([key, value]);
  }
  return entries;
}

function credentialsRemovedWarning(removed: string, host: string | null): RestoreWarning {
  const where = host ?? '<host>';
  if (removed === 'password') {
    return {
      code: 'credentials-removed',
      message: 'The password was removed from the snapshot path. Give the file system its credentials through the Flink configuration or a secret mounted into the cluster, not the command line.',
    };
  }
  return {
    code: 'credentials-removed',
    message:
      `The ${removed === 'user' ? 'user was' : 'user and password were'} removed from the snapshot path: Hadoop's FTP file system ` +
      `takes them from flink.hadoop.fs.ftp.user.${where} and flink.hadoop.fs.ftp.password.${where} in the Flink configuration ` +
      '(keep the password in a secret). A user in the URI without its password makes it log in with no password.',
  };
}

function pathWarnings(ctx: BuildContext, target: string): void {
  const scheme = pathScheme(ctx.path);
  if (scheme === 'ftp') {
    const host = /^ftp:\/\/(?:[^@/]*@)?([^:/?#]+)/i.exec(ctx.path)?.[1] ?? '<host>';
    ctx.warnings.push({
      code: 'ftp-file-system',
      message:
        'Flink has no FTP file system of its own: ftp:// paths go through Hadoop\'s FTPFileSystem, so Hadoop must be on the ' +
        'JobManager\'s and TaskManagers\' classpath (HADOOP_CLASSPATH; no Flink plugin provides it). Its defaults fail against ' +
        'most servers: ACTIVE data connections (blocked by NAT, pod networks and firewalls), block transfer mode (MODE B, ' +
        'which most servers reject) and no credentials. Configure instead: ' +
        'flink.hadoop.fs.ftp.data.connection.mode: PASSIVE_LOCAL_DATA_CONNECTION_MODE, ' +
        `flink.hadoop.fs.ftp.transfer.mode: STREAM_TRANSFER_MODE, flink.hadoop.fs.ftp.user.${host} and ` +
        `flink.hadoop.fs.ftp.password.${host} (from a secret). A copy on a shared volume, HDFS or S3 is more reliable; ` +
        'a savepoint directory can be moved as a whole, a retained checkpoint cannot (its _metadata holds absolute paths).',
    });
  } else if (scheme === 'ftps' || scheme === 'sftp') {
    ctx.warnings.push({
      code: 'ftps-unsupported',
      message:
        `Flink cannot read ${scheme}:// snapshots: it has no such file system (Hadoop's ${scheme === 'sftp' ? 'SFTPFileSystem is not wired into Flink\'s loaders by default' : 'FTP file system speaks plain FTP only'}). ` +
        'Copy the snapshot to storage the cluster reads (a shared volume, HDFS, S3) and restore from there.',
    });
  }
  if (isRelativePath(ctx.path)) {
    ctx.warnings.push({
      code: 'relative-path',
      message: `'${ctx.path}' is relative: the JobManager resolves it against its own working directory. Give an absolute path or a URI.`,
    });
  } else if ((target === 'application' || target === 'k8s') && isLocalPath(ctx.path)) {
    ctx.warnings.push({
      code: 'local-path-in-application-mode',
      message:
        `The JobManager opens '${ctx.path}' inside the cluster, not on this machine: it must be a volume mounted at this ` +
        'same path in the JobManager and TaskManager pods (ReadWriteMany), or use a shared URI (hdfs://, s3://).',
    });
  }
  if (snapshotPointerKind(ctx.path) === 'unknown') {
    ctx.warnings.push({
      code: 'unrecognised-pointer',
      message:
        `'${ctx.path}' does not end in chk-<n>, savepoint-… or _metadata. Flink needs the directory holding _metadata ` +
        '(or the file itself); a job directory or the checkpoint root fails with "Cannot find meta data file \'_metadata\'".',
    });
  }
}

function versionWarnings(ctx: BuildContext): void {
  const provenance = ctx.options.snapshot;
  if (!provenance) return;
  const target = ctx.version;
  if (provenance.writerVersion !== undefined) {
    let writer: FlinkVersion | undefined;
    try {
      writer = parseFlinkVersion(provenance.writerVersion);
    } catch {
      writer = undefined;
    }
    const match = /^(\d+)\.(\d+)/.exec(provenance.writerVersion.replace(/^v/, '').replace('_', '.'));
    const major = writer?.major ?? (match ? Number(match[1]) : NaN);
    const minor = writer?.minor ?? (match ? Number(match[2]) : NaN);
    if (Number.isNaN(major)) return;
    if (major < 2 && target.major >= 2) {
      ctx.warnings.push(crossMajorWarning(`Flink ${major}.${minor}`, target));
    } else if (!isAtLeast(target, major, minor)) {
      ctx.warnings.push({
        code: 'snapshot-too-new',
        message: `The snapshot was written by Flink ${major}.${minor}; Flink ${target.line} is older and is not guaranteed to read it. Restore with Flink ${major}.${minor} or newer.`,
      });
    }
    return;
  }
  if (provenance.metadataVersion === undefined) return;
  const writers = METADATA_VERSION_WRITERS[provenance.metadataVersion];
  if (!writers) {
    ctx.warnings.push({
      code: 'snapshot-version-unreadable',
      message: `No Flink from 1.15 to 2.3 reads _metadata format version ${provenance.metadataVersion} ("Unrecognized checkpoint version number").`,
    });
    return;
  }
  const [firstMajor, firstMinor] = writers.first.split('.').map(Number);
  const lastMajor = Number(writers.last.split('.')[0]);
  const range = writers.first === writers.last ? `Flink ${writers.first}` : `Flink ${writers.first} – ${writers.last}`;
  if (!isAtLeast(target, firstMajor, firstMinor)) {
    ctx.warnings.push({
      code: 'snapshot-too-new',
      message:
        `_metadata format version ${provenance.metadataVersion} is written by ${range}; Flink ${target.line} cannot read it ` +
        `("Unrecognized checkpoint version number: ${provenance.metadataVersion}"). Restore with ${writers.first} or newer.`,
    });
  } else if (lastMajor < 2 && target.major >= 2) {
    ctx.warnings.push(crossMajorWarning(`${range} (_metadata format version ${provenance.metadataVersion})`, target));
  }
}

function crossMajorWarning(writer: string, target: FlinkVersion): RestoreWarning {
  return {
    code: 'cross-major-restore',
    message:
      `The snapshot was written by ${writer} and is restored with Flink ${target.line}: state compatibility between 1.x and ` +
      '2.x is not guaranteed (Flink 2.0 release notes; e.g. the Kryo 5 upgrade). Try the restore on a copy and keep the snapshot until the 2.x job has checkpointed.',
  };
}

function claimModeWarnings(ctx: BuildContext, target: string): void {
  if (ctx.claimMode === 'legacy' && isLegacyClaimModeDeprecated(ctx.version)) {
    ctx.warnings.push({
      code: 'legacy-claim-mode-deprecated',
      message: `LEGACY claim mode is deprecated since Flink 1.19 (Flink ${ctx.version.line} still accepts it with a warning): new incremental checkpoints may reference the snapshot's files, so nobody can safely delete it. Prefer NO_CLAIM.`,
    });
  }
  const standalone = target === 'application' && ctx.options.applicationTarget === 'standalone';
  if (ctx.claimMode === 'claim' && !standalone) {
    ctx.warnings.push({
      code: 'claim-mode-ownership',
      message: 'CLAIM hands the snapshot to the new job: Flink deletes it once a newer checkpoint subsumes it. Do not start a second job from it.',
    });
  }
  if (target === 'k8s' && ctx.claimMode !== 'no_claim') {
    ctx.warnings.push({
      code: 'claim-mode-native-only',
      message: 'The claim mode in flinkConfiguration is honoured by native deployments only: for a FlinkDeployment with spec.mode: standalone the operator passes --fromSavepoint to the standalone entrypoint, whose command line resets it to NO_CLAIM.',
    });
  }
  if (standalone && ctx.claimMode !== 'no_claim') {
    ctx.warnings.push({
      code: 'claim-mode-not-settable',
      message: `A standalone application cluster takes only --fromSavepoint and --allowNonRestoredState: claim mode ${ctx.claimMode.toUpperCase()} cannot be set there (a --claimMode token silently ends its option parsing, and -D is overwritten), so it restores with NO_CLAIM.`,
    });
  }
}

function buildSteps(ctx: BuildContext, target: string): InvocationStep[] {
  switch (target) {
    case 'cli':
      return [cliStep(ctx)];
    case 'application':
      return applicationSteps(ctx);
    case 'k8s':
      return operatorSteps(ctx);
    case 'sql':
      return [sqlStep(ctx)];
    default:
      return restSteps(ctx);
  }
}

function orPlaceholder(ctx: BuildContext, value: string | undefined, placeholder: string): string {
  if (value !== undefined && value !== '') return value;
  ctx.placeholders.add(placeholder);
  return placeholder;
}

function shellStep(title: string, argv: string[]): InvocationStep {
  return { title, language: 'shellscript', text: shellCommand(argv), argv };
}

function flinkCommand(ctx: BuildContext): string {
  return ctx.options.flinkCommand ?? './bin/flink';
}

function restoreFlags(ctx: BuildContext): string[] {
  const flags = ['--fromSavepoint', ctx.path];
  if (ctx.options.allowNonRestoredState) flags.push('--allowNonRestoredState');
  flags.push(claimModeFlag(ctx.version), ctx.claimMode);
  return flags;
}

function programFlags(ctx: BuildContext): string[] {
  const flags: string[] = [];
  if (ctx.options.entryClass) flags.push('-c', ctx.options.entryClass);
  if (ctx.options.parallelism !== undefined) flags.push('-p', String(ctx.options.parallelism));
  return flags;
}

function dynamicProperties(entries: ReadonlyArray<readonly [string, string]>): string[] {
  return entries.map(([key, value]) => `-D${key}=${value}`);
}

function cliStep(ctx: BuildContext): InvocationStep {
  const argv = [flinkCommand(ctx), 'run'];
  if (ctx.options.detached !== false) argv.push('--detached');
  argv.push(
    ...dynamicProperties(ctx.configuration),
    ...restoreFlags(ctx),
    ...programFlags(ctx),
    orPlaceholder(ctx, ctx.options.jar, PLACEHOLDER.jar),
    ...(ctx.options.programArgs ?? []),
  );
  return shellStep('Submit the job to a running session cluster from the snapshot', argv);
}

function applicationSteps(ctx: BuildContext): InvocationStep[] {
  const deployment: ApplicationTarget = ctx.options.applicationTarget ?? 'kubernetes-application';
  if (deployment === 'standalone') return standaloneSteps(ctx);
  const deploymentProperties: Array<readonly [string, string]> = [];
  if (deployment === 'kubernetes-application') {
    deploymentProperties.push(['kubernetes.cluster-id', orPlaceholder(ctx, ctx.options.clusterId, PLACEHOLDER.clusterId)]);
    deploymentProperties.push([kubernetesImageKey(ctx.version), orPlaceholder(ctx, ctx.options.image, PLACEHOLDER.image)]);
  } else if (ctx.options.yarnApplicationName) {
    deploymentProperties.push(['yarn.application.name', ctx.options.yarnApplicationName]);
  }
  const argv = [
    flinkCommand(ctx),
    applicationModeAction(ctx.version),
    '--target',
    deployment,
    ...dynamicProperties([...deploymentProperties, ...ctx.configuration]),
    ...restoreFlags(ctx),
    ...programFlags(ctx),
    orPlaceholder(ctx, ctx.options.jar, PLACEHOLDER.jar),
    ...(ctx.options.programArgs ?? []),
  ];
  const where = deployment === 'kubernetes-application' ? 'native Kubernetes' : 'YARN';
  return [shellStep(`Start a ${where} application cluster that runs the job from the snapshot`, argv)];
}

function standaloneScript(ctx: BuildContext): string {
  const flink = flinkCommand(ctx);
  const slash = flink.lastIndexOf('/');
  return slash < 0 ? 'standalone-job.sh' : `${flink.slice(0, slash + 1)}standalone-job.sh`;
}

function standaloneSteps(ctx: BuildContext): InvocationStep[] {
  const args: string[] = [];
  if (ctx.options.entryClass) args.push('--job-classname', ctx.options.entryClass);
  args.push('--fromSavepoint', ctx.path);
  if (ctx.options.allowNonRestoredState) args.push('--allowNonRestoredState');
  const configuration: Array<readonly [string, string]> = [...ctx.configuration];
  if (ctx.options.parallelism !== undefined) configuration.push(['parallelism.default', String(ctx.options.parallelism)]);
  args.push(...dynamicProperties(configuration), ...(ctx.options.programArgs ?? []));
  const containerArgs = ['standalone-job', ...args];
  return [
    shellStep('Start a standalone application cluster from the snapshot (the job jar in lib/ or usrlib/)', [standaloneScript(ctx), 'start', ...args]),
    {
      title: 'The same as container arguments of the Flink image (Docker, Kubernetes standalone)',
      language: 'yaml',
      text: `args:\n${containerArgs.map((arg) => `  - ${yamlString(arg)}`).join('\n')}\n`,
    },
  ];
}

/** A Kubernetes object name (RFC 1123 subdomain) from free text. */
function kubernetesName(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return name.slice(0, 253).replace(/[^a-z0-9]+$/, '') || 'restore';
}

function operatorSteps(ctx: BuildContext): InvocationStep[] {
  const name = orPlaceholder(ctx, ctx.options.deploymentName, PLACEHOLDER.deployment);
  const namespace = ctx.options.namespace;
  const nonce =
    ctx.options.currentRedeployNonce !== undefined
      ? ctx.options.currentRedeployNonce + 1
      : Math.floor((ctx.options.now ?? Date.now)() / 1000);
  const keys = restoreConfigKeys(ctx.version);
  const flinkConfiguration: Record<string, string> = { [keys.claimMode]: ctx.claimMode.toUpperCase() };
  for (const [key, value] of ctx.configuration) flinkConfiguration[key] = value;
  const job: Record<string, unknown> = {};
  if (ctx.options.jar) job.jarURI = ctx.options.jar;
  if (ctx.options.entryClass) job.entryClass = ctx.options.entryClass;
  if (ctx.options.programArgs && ctx.options.programArgs.length > 0) job.args = [...ctx.options.programArgs];
  if (ctx.options.parallelism !== undefined) job.parallelism = ctx.options.parallelism;
  job.initialSavepointPath = ctx.path;
  job.upgradeMode = ctx.options.upgradeMode ?? 'savepoint';
  job.allowNonRestoredState = ctx.options.allowNonRestoredState === true;
  job.savepointRedeployNonce = nonce;

  const metadata = [`  name: ${yamlString(name)}`];
  if (namespace) metadata.push(`  namespace: ${yamlString(namespace)}`);
  const yaml = [
    `# A merge patch: ${shellCommand(['kubectl', 'patch', 'flinkdeployment', name, ...(namespace ? ['--namespace', namespace] : []), '--type', 'merge'])} --patch-file <this file>`,
    'apiVersion: flink.apache.org/v1beta1',
    'kind: FlinkDeployment',
    'metadata:',
    ...metadata,
    'spec:',
    `  # The operator never sets a claim mode itself; ${keys.claimMode} is the Flink ${ctx.version.line} key (spec.flinkVersion ${operatorFlinkVersion(ctx.version)})`,
    '  flinkConfiguration:',
    ...Object.entries(flinkConfiguration).map(([key, value]) => `    ${yamlString(key)}: ${yamlString(value)}`),
    '  job:',
    ...yamlJobFields(job),
  ].join('\n');
  const patch = JSON.stringify({ spec: { flinkConfiguration, job } });
  const kubectl = ['kubectl', 'patch', 'flinkdeployment', name];
  if (namespace) kubectl.push('--namespace', namespace);
  kubectl.push('--type', 'merge', '--patch', patch);

  const snapshotName = kubernetesName(
    ctx.options.snapshotResourceName ??
      `${ctx.options.deploymentName ?? 'restore'}-${ctx.path.replace(/[\\/]_metadata$/, '').split(/[\\/]/).pop() ?? 'snapshot'}`,
  );
  const snapshot = [
    '# Registers the existing snapshot with the operator (1.10+); disposeOnDelete: false keeps the files when this resource is deleted',
    'apiVersion: flink.apache.org/v1beta1',
    'kind: FlinkStateSnapshot',
    'metadata:',
    `  name: ${yamlString(snapshotName)}`,
    ...(namespace ? [`  namespace: ${yamlString(namespace)}`] : []),
    'spec:',
    '  jobReference:',
    '    kind: FlinkDeployment',
    `    name: ${yamlString(name)}`,
    '  savepoint:',
    `    path: ${yamlString(ctx.path)}`,
    '    alreadyExists: true',
    '    disposeOnDelete: false',
  ].join('\n');
  return [
    { title: 'FlinkDeployment patch: re-deploy the job from the snapshot', language: 'yaml', text: `${yaml}\n` },
    shellStep('The same patch applied with kubectl', kubectl),
    { title: 'FlinkStateSnapshot for the existing snapshot', language: 'yaml', text: `${snapshot}\n` },
  ];
}

function yamlJobFields(job: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(job)) {
    if (Array.isArray(value)) {
      lines.push(`    ${key}:`, ...value.map((item: string) => `      - ${yamlString(item)}`));
    } else if (typeof value === 'string') {
      lines.push(`    ${key}: ${yamlString(value)}`);
    } else {
      const comment = key === 'savepointRedeployNonce' ? '  # changed: re-deploy from initialSavepointPath (operator 1.8+)' : '';
      lines.push(`    ${key}: ${String(value)}${comment}`);
    }
  }
  return lines;
}

function sqlStep(ctx: BuildContext): InvocationStep {
  const keys = restoreConfigKeys(ctx.version);
  const settings: Array<readonly [string, string]> = [[keys.path, ctx.path]];
  if (ctx.options.allowNonRestoredState) settings.push([keys.ignoreUnclaimedState, 'true']);
  settings.push([keys.claimMode, ctx.claimMode.toUpperCase()]);
  if (ctx.options.parallelism !== undefined) settings.push(['parallelism.default', String(ctx.options.parallelism)]);
  settings.push(...ctx.configuration);
  let statement = ctx.options.sqlStatement?.trim();
  if (!statement) {
    ctx.placeholders.add(PLACEHOLDER.sinkTable).add(PLACEHOLDER.sourceTable);
    statement =
      '-- every DML submitted while the path is set restores from it\n' +
      `INSERT INTO ${PLACEHOLDER.sinkTable} SELECT * FROM ${PLACEHOLDER.sourceTable};`;
  } else if (!statement.endsWith(';')) {
    statement = `${statement};`;
  }
  const lines = [
    ...settings.map(([key, value]) => `SET ${sqlString(key)} = ${sqlString(value)};`),
    statement,
    ...settings.map(([key]) => `RESET ${sqlString(key)};`),
  ];
  return { title: 'SQL client / SQL gateway: run the statement from the snapshot', language: 'sql', text: `${lines.join('\n')}\n` };
}

function restUrl(ctx: BuildContext): string {
  return (ctx.options.restUrl ?? 'http://localhost:8081').replace(/\/+$/, '');
}

function jarRunRequest(ctx: BuildContext): JarRunRequest {
  const jarId = ctx.options.jarId ? encodeURIComponent(ctx.options.jarId) : PLACEHOLDER.jarId;
  const body: Record<string, unknown> = {};
  if (ctx.options.entryClass) body.entryClass = ctx.options.entryClass;
  if (ctx.options.programArgs && ctx.options.programArgs.length > 0) body.programArgsList = [...ctx.options.programArgs];
  if (ctx.options.parallelism !== undefined) body.parallelism = ctx.options.parallelism;
  body.savepointPath = ctx.path;
  body.allowNonRestoredState = ctx.options.allowNonRestoredState === true;
  body[restClaimModeField(ctx.version)] = ctx.claimMode.toUpperCase();
  if (ctx.configuration.length > 0 && restAcceptsFlinkConfiguration(ctx.version)) {
    body.flinkConfiguration = Object.fromEntries(ctx.configuration);
  }
  return { method: 'POST', url: `${restUrl(ctx)}/jars/${jarId}/run`, body: body as unknown as JarRunRequestBody };
}

function restSteps(ctx: BuildContext): InvocationStep[] {
  if (ctx.configuration.length > 0 && !restAcceptsFlinkConfiguration(ctx.version)) {
    ctx.warnings.push({
      code: 'rest-flink-configuration-unsupported',
      message: `The jar-run REST body of Flink ${ctx.version.line} has no flinkConfiguration (it came with 1.17): ${ctx.configuration.map(([key]) => key).join(', ')} left out; set them in the cluster's configuration.`,
    });
  }
  if (!ctx.options.jarId) ctx.placeholders.add(PLACEHOLDER.jarId);
  const request = jarRunRequest(ctx);
  const steps: InvocationStep[] = [];
  if (ctx.options.jar) {
    steps.push(
      shellStep('Upload the job jar (the jar id is the last segment of the returned "filename")', [
        'curl', '-sS', '-X', 'POST', '-H', 'Expect:', '-F', `jarfile=@${ctx.options.jar}`, `${restUrl(ctx)}/jars/upload`,
      ]),
    );
  }
  steps.push(
    { title: `POST ${request.url.slice(restUrl(ctx).length)} body`, language: 'json', text: `${JSON.stringify(request.body, null, 2)}\n` },
    shellStep('Run the uploaded jar from the snapshot', [
      'curl', '-sS', '-X', 'POST', '-H', 'Content-Type: application/json', '-d', JSON.stringify(request.body), request.url,
    ]),
  );
  return steps;
}
