export {
  stateEntries,
  stateEntryBatches,
  parseResumePoint,
  formatResumePoint,
  entryRecord,
  plainEntry,
} from './entries';
export type { EntryQuery, PositionedEntry, ResumePoint } from './entries';
export type { StateEntry, EntryProblem } from './keyed';
export { canonicalEntry } from './keyed';
export type { StateValue, PlainValue } from './decode';
export { ByteArray, codecFor, decodeAll, plainValue } from './decode';
export {
  decodeSourceSplit,
  decodeSinkCommitterState,
  decodeSinkWriterState,
  decodeCoordinatorState,
  describeCoordinatorState,
} from './connectors';
export { keyLayout, decodeKey, javaHashCode, keyGroupOfHash, murmurHash } from './keyLayout';
export { decodeSnappyFramed } from './snappyFramed';
export { StateDiff, compareSchemas, fieldChanges, schemaOf } from './diff';
export type {
  ComparedState,
  DiffSide,
  DiffCounts,
  DiffProblem,
  FieldChange,
  StateChange,
  StateDiffOptions,
} from './diff';
