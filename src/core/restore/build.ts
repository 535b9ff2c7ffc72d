import { BuildContext } from './context';
import { RestoreError } from './errors';
import { FlinkVersion, isAtLeast, parseFlinkVersion } from './flinkVersion';
import {
  APPLICATION_TARGETS,
  CLAIM_MODES,
  InvocationStep,
  RESTORE_TARGETS,
  RestoreInvocation,
  RestoreOptions,
  RestoreRequest,
  RestoreTarget,
  UPGRADE_MODES,
} from './request';
import { isLocalPath, isRelativePath, pathScheme, sanitizeSnapshotPath, snapshotPointerKind } from './snapshotPath';
import { applicationSteps } from './targets/application';
import { cliSteps } from './targets/cli';
import { k8sSteps } from './targets/k8s';
import { jarRunRequest, restSteps } from './targets/rest';
import { sqlSteps } from './targets/sql';
import { ALL_RESTORE_CONFIG_KEYS, METADATA_VERSION_WRITERS, isLegacyClaimModeDeprecated } from './versionFacts';
import { restoreWarning } from './warnings';

/** The builder of each target: a target without one does not compile. */
const TARGET_STEPS: { readonly [T in RestoreTarget]: (ctx: BuildContext) => InvocationStep[] } = {
  cli: cliSteps,
  application: applicationSteps,
  k8s: k8sSteps,
  sql: sqlSteps,
  rest: restSteps,
};

/** RFC 1123 subdomain: what Kubernetes accepts as an object name or namespace. */
const KUBERNETES_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Builds the exact invocation(s) that start a job from a retained checkpoint or savepoint on `request.target`, for
 * the Flink line `request.flinkVersion` (1.15 .. 2.3), with warnings about what could go wrong. Each target's
 * builder (in `targets/`) documents its output; claim mode and allow-non-restored-state are always flags on command
 * lines, never `-D` (the Flink CLI overwrites those keys).
 *
 * A password in the snapshot URI is removed unless `options.includeCredentials` is set. Placeholders such as
 * `<job.jar>` stand in for values not given and are listed in a `placeholder` warning.
 *
 * @throws RestoreError for an unknown target, an unparseable or unsupported version, an invalid option value, or an
 *   unusable path.
 */
export function buildRestoreInvocation(request: RestoreRequest): RestoreInvocation {
  const version =
    typeof request.flinkVersion === 'string' ? parseFlinkVersion(request.flinkVersion) : request.flinkVersion;
  // The type says RestoreTarget, but requests also come from JSON, settings and command lines.
  if (!Object.hasOwn(TARGET_STEPS, request.target)) {
    throw new RestoreError(
      'invalid-option',
      `unknown restore target '${String(request.target)}': use one of ${RESTORE_TARGETS.join(', ')}`,
    );
  }
  const options = request.options ?? {};
  validateOptions(options);
  const sanitized = sanitizeSnapshotPath(request.snapshotPath, options.includeCredentials === true);
  const ctx: BuildContext = {
    version,
    path: sanitized.path,
    options,
    claimMode: options.claimMode ?? 'no_claim',
    configuration: [],
    warnings: [],
    placeholders: new Set(),
  };
  const withConfiguration: BuildContext = { ...ctx, configuration: userConfiguration(ctx) };

  if (sanitized.removed !== 'none') {
    withConfiguration.warnings.push(
      restoreWarning('credentials-removed', { removed: sanitized.removed, host: sanitized.host }),
    );
  }
  if (sanitized.keptPassword) withConfiguration.warnings.push(restoreWarning('credentials-included', {}));
  pathWarnings(withConfiguration, request.target);
  versionWarnings(withConfiguration);
  claimModeWarnings(withConfiguration, request.target);

  const steps = TARGET_STEPS[request.target](withConfiguration);
  const invocationRequest = request.target === 'rest' ? jarRunRequest(withConfiguration) : undefined;
  if (withConfiguration.placeholders.size > 0) {
    withConfiguration.warnings.push(
      restoreWarning('placeholder', { placeholders: [...withConfiguration.placeholders] }),
    );
  }
  return {
    target: request.target,
    flinkVersion: version,
    snapshotPath: withConfiguration.path,
    steps,
    warnings: withConfiguration.warnings,
    ...(invocationRequest ? { request: invocationRequest } : {}),
  };
}

function validateOptions(options: RestoreOptions): void {
  if (options.claimMode !== undefined && !CLAIM_MODES.includes(options.claimMode)) {
    throw new RestoreError(
      'invalid-option',
      `unknown claim mode '${options.claimMode}': use claim, no_claim or legacy`,
    );
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
    throw new RestoreError(
      'invalid-option',
      `unknown upgrade mode '${options.upgradeMode}': use ${UPGRADE_MODES.join(', ')}`,
    );
  }
  if (options.currentRedeployNonce !== undefined && !Number.isSafeInteger(options.currentRedeployNonce)) {
    throw new RestoreError(
      'invalid-option',
      `the current savepointRedeployNonce must be an integer, not ${options.currentRedeployNonce}`,
    );
  }
  for (const [label, name] of [
    ['deployment name', options.deploymentName],
    ['namespace', options.namespace],
    ['FlinkStateSnapshot name', options.snapshotResourceName],
  ] as const) {
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
      ctx.warnings.push(restoreWarning('restore-key-dropped', { key }));
      continue;
    }
    entries.push([key, value]);
  }
  return entries;
}

function pathWarnings(ctx: BuildContext, target: RestoreTarget): void {
  const scheme = pathScheme(ctx.path);
  if (scheme === 'ftp') {
    const host = /^ftp:\/\/(?:[^@/]*@)?([^:/?#]+)/i.exec(ctx.path)?.[1] ?? '<host>';
    ctx.warnings.push(restoreWarning('ftp-file-system', { host }));
  } else if (scheme === 'ftps' || scheme === 'sftp') {
    ctx.warnings.push(restoreWarning('ftps-unsupported', { scheme }));
  }
  if (isRelativePath(ctx.path)) {
    ctx.warnings.push(restoreWarning('relative-path', { path: ctx.path }));
  } else if ((target === 'application' || target === 'k8s') && isLocalPath(ctx.path)) {
    ctx.warnings.push(restoreWarning('local-path-in-application-mode', { path: ctx.path }));
  }
  if (snapshotPointerKind(ctx.path) === 'unknown') {
    ctx.warnings.push(restoreWarning('unrecognised-pointer', { path: ctx.path }));
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
      ctx.warnings.push(restoreWarning('cross-major-restore', { writer: `Flink ${major}.${minor}`, target }));
    } else if (!isAtLeast(target, major, minor)) {
      ctx.warnings.push(
        restoreWarning('snapshot-too-new', { writer: `Flink ${major}.${minor}`, first: `${major}.${minor}`, target }),
      );
    }
    return;
  }
  if (provenance.metadataVersion === undefined) return;
  const writers = METADATA_VERSION_WRITERS[provenance.metadataVersion];
  if (!writers) {
    ctx.warnings.push(restoreWarning('snapshot-version-unreadable', { metadataVersion: provenance.metadataVersion }));
    return;
  }
  const [firstMajor, firstMinor] = writers.first.split('.').map(Number);
  const lastMajor = Number(writers.last.split('.')[0]);
  const range = writers.first === writers.last ? `Flink ${writers.first}` : `Flink ${writers.first} – ${writers.last}`;
  if (!isAtLeast(target, firstMajor, firstMinor)) {
    ctx.warnings.push(
      restoreWarning('snapshot-too-new', {
        writer: range,
        first: writers.first,
        target,
        metadataVersion: provenance.metadataVersion,
      }),
    );
  } else if (lastMajor < 2 && target.major >= 2) {
    ctx.warnings.push(
      restoreWarning('cross-major-restore', {
        writer: `${range} (_metadata format version ${provenance.metadataVersion})`,
        target,
      }),
    );
  }
}

function claimModeWarnings(ctx: BuildContext, target: RestoreTarget): void {
  if (ctx.claimMode === 'legacy' && isLegacyClaimModeDeprecated(ctx.version)) {
    ctx.warnings.push(restoreWarning('legacy-claim-mode-deprecated', { target: ctx.version }));
  }
  const standalone = target === 'application' && ctx.options.applicationTarget === 'standalone';
  if (ctx.claimMode === 'claim' && !standalone) ctx.warnings.push(restoreWarning('claim-mode-ownership', {}));
  if (target === 'k8s' && ctx.claimMode !== 'no_claim') ctx.warnings.push(restoreWarning('claim-mode-native-only', {}));
  if (standalone && ctx.claimMode !== 'no_claim') {
    ctx.warnings.push(restoreWarning('claim-mode-not-settable', { claimMode: ctx.claimMode }));
  }
}
