export { stateEntries, parseResumePoint, formatResumePoint, entryRecord } from './entries';
export type { EntryQuery, ResumePoint } from './entries';
export type { StateEntry, EntryProblem } from './keyed';
export { canonicalEntry } from './keyed';
export type { StateValue } from './decode';
export { codecFor, decodeAll } from './decode';
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
