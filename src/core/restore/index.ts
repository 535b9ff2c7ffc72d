export { RestoreError } from './errors';
export type { RestoreErrorCode } from './errors';
export { SUPPORTED_FLINK_LINES, isAtLeast, parseFlinkVersion } from './flinkVersion';
export type { FlinkLine, FlinkVersion } from './flinkVersion';
export { shellCommand, shellCommandLines, shellQuote, sqlString, yamlString } from './quoting';
export * from './request';
export type {
  ClusterPath,
  PathMapping,
  RemovedCredentials,
  SanitizedSnapshotPath,
  SnapshotPointerKind,
} from './snapshotPath';
export {
  isLocalPath,
  isRelativePath,
  mapToClusterPath,
  pathScheme,
  sanitizeSnapshotPath,
  snapshotPointerKind,
} from './snapshotPath';
export {
  ALL_RESTORE_CONFIG_KEYS,
  METADATA_VERSION_WRITERS,
  applicationModeAction,
  claimModeFlag,
  kubernetesImageKey,
  operatorFlinkVersion,
  readsMetadataVersion,
  restClaimModeField,
  restoreConfigKeys,
} from './versionFacts';
export type { RestoreConfigKeys } from './versionFacts';
export type { RestoreWarning, RestoreWarningCode } from './warnings';
export { buildRestoreInvocation } from './build';
export { formatInvocation, formatSteps, stepText } from './format';
export type { FormatOptions } from './format';
export { flinkVersionNamedIn } from './jobVersion';
export type { NamedFlinkVersion } from './jobVersion';
