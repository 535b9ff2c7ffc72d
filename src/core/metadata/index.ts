/** Reading Flink's checkpoint/savepoint `_metadata` files: parser, summary, diff and operator ids. */
export { MetadataError } from './errors';
export type { MetadataErrorCode } from './errors';
export { parseMetadata, scanMetadata, isMetadataComplete, METADATA_MAGIC, MAX_METADATA_VERSION } from './parser';
export type { ParseOptions, MetadataVisitor, OperatorHeader, ScannedMetadata } from './parser';
export type { ByteSource } from './byteReader';
export { summarize, summarizeMetadata, scanSummary } from './summary';
export type { MetadataSummary, OperatorSummary, StateSizeBreakdown, SummaryParts } from './summary';
export type { ReferencedFiles } from './referencedFiles';
export { operatorIdFromUid, murmur3x64_128 } from './operatorId';
export { flinkPathToString, flinkResolvePath } from './flinkPath';
export type * from './model';
export { diffSummaries } from './diff';
export { METADATA_VERSION_WRITERS, flinkLinesWriting } from './versions';
export type { SnapshotDiff, OperatorDelta, OperatorRef, SnapshotRef, Change } from './diff';
export { snapshotDetails } from './snapshotDetails';
export type { SnapshotDetails, MergedFile, FileSegment } from './snapshotDetails';
