export { SstError, type SstErrorCode } from './errors';
export type { ChecksumType } from './checksum';
export { bytesSource, localFileSource, storeSource, type SstSource } from './source';
export {
  openSstFile,
  type IndexType,
  type RangeDeletion,
  type SstEntriesOptions,
  type SstEntry,
  type SstFile,
  type SstProperties,
  type SstReadOptions,
  type ValueType,
} from './table';
export {
  mergeSstBatches,
  mergeSstFiles,
  stringAppendOperator,
  type MergeOperator,
  type MergeOptions,
  type MergedEntry,
} from './merge';
