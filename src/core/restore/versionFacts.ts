import { METADATA_VERSION_WRITERS } from '../metadata/versions';
import { FlinkVersion, isAtLeast } from './flinkVersion';

/** Configuration keys that choose the snapshot to restore, for one Flink line. */
export interface RestoreConfigKeys {
  readonly path: string;
  readonly ignoreUnclaimedState: string;
  readonly claimMode: string;
}

/** Every key of either generation: they must never go through `-D` (the CLI overwrites them). */
export const ALL_RESTORE_CONFIG_KEYS: readonly string[] = [
  'execution.savepoint.path',
  'execution.savepoint.ignore-unclaimed-state',
  'execution.savepoint-restore-mode',
  'execution.state-recovery.path',
  'execution.state-recovery.ignore-unclaimed-state',
  'execution.state-recovery.claim-mode',
];

/** The keys Flink documents for `version` (renamed in 1.20 by FLINK-34255; the old ones stay as deprecated aliases). */
export function restoreConfigKeys(version: FlinkVersion): RestoreConfigKeys {
  return isAtLeast(version, 1, 20)
    ? {
        path: 'execution.state-recovery.path',
        ignoreUnclaimedState: 'execution.state-recovery.ignore-unclaimed-state',
        claimMode: 'execution.state-recovery.claim-mode',
      }
    : {
        path: 'execution.savepoint.path',
        ignoreUnclaimedState: 'execution.savepoint.ignore-unclaimed-state',
        claimMode: 'execution.savepoint-restore-mode',
      };
}

/** `--claimMode` from 1.20 (`-rm/--restoreMode` is a deprecated alias there), `--restoreMode` in 1.15 .. 1.19. */
export function claimModeFlag(version: FlinkVersion): '--claimMode' | '--restoreMode' {
  return isAtLeast(version, 1, 20) ? '--claimMode' : '--restoreMode';
}

/** `run-application` in 1.x; 2.0 removed it in favour of `run --target <x>-application`. */
export function applicationModeAction(version: FlinkVersion): 'run-application' | 'run' {
  return version.major >= 2 ? 'run' : 'run-application';
}

/** The container image key of native Kubernetes deployments (`.ref` from 1.17). */
export function kubernetesImageKey(version: FlinkVersion): string {
  return isAtLeast(version, 1, 17) ? 'kubernetes.container.image.ref' : 'kubernetes.container.image';
}

/** The body field of `POST /jars/:jarid/run` that carries the claim mode. */
export function restClaimModeField(version: FlinkVersion): 'claimMode' | 'restoreMode' {
  return isAtLeast(version, 1, 20) ? 'claimMode' : 'restoreMode';
}

/** `flinkConfiguration` in the jar-run body came with 1.17. */
export function restAcceptsFlinkConfiguration(version: FlinkVersion): boolean {
  return isAtLeast(version, 1, 17);
}

/** The `spec.flinkVersion` value of the Kubernetes operator's CRDs ("v1_20"). */
export function operatorFlinkVersion(version: FlinkVersion): string {
  return `v${version.major}_${version.minor}`;
}

/** LEGACY claim mode is deprecated from 1.19 (still accepted, with a warning, up to 2.3). */
export function isLegacyClaimModeDeprecated(version: FlinkVersion): boolean {
  return isAtLeast(version, 1, 19);
}

/** Which Flink lines write a `_metadata` format version: one table, kept with the metadata reader. */
export { METADATA_VERSION_WRITERS };

/**
 * Whether Flink `line` reads a `_metadata` of format `metadataVersion`: every line reads the versions of the lines
 * before it and its own (version 2 on), none reads a newer one ("Unrecognized checkpoint version number").
 * Undefined when the metadata version is not known.
 */
export function readsMetadataVersion(line: FlinkVersion, metadataVersion: number | undefined): boolean | undefined {
  if (metadataVersion === undefined) return undefined;
  const writers = METADATA_VERSION_WRITERS[metadataVersion];
  if (!writers) return false;
  const [major, minor] = writers.first.split('.').map(Number);
  return isAtLeast(line, major, minor);
}
