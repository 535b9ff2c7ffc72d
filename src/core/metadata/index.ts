/** Reading Flink's checkpoint/savepoint `_metadata` files: parser, summary, diff and operator ids. */
export { MetadataError } from './errors';
export type { MetadataErrorCode } from './errors';
export { parseMetadata, isMetadataComplete, METADATA_MAGIC, MAX_METADATA_VERSION } from './parser';
export type { ParseOptions } from './parser';
export { summarize } from './summary';
export type { MetadataSummary, OperatorSummary, StateSizeBreakdown } from './summary';
export { operatorIdFromUid, murmur3x64_128 } from './operatorId';
export { flinkPathToString, flinkResolvePath } from './flinkPath';
export type * from './model';
export { diffSummaries } from './diff';
export type { SnapshotDiff, OperatorDelta, OperatorRef, SnapshotRef, Change } from './diff';
