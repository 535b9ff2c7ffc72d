export { StateSchemaError } from './errors';
export type { StateSchemaErrorCode } from './errors';
export { DataInput } from './dataInput';
export { readKeyedProxy, readOperatorProxy } from './proxy';
export type { KeyedProxy, OperatorProxy, StateMetaInfo, BackendStateType } from './proxy';
export type { SerializerSnapshotNode } from './serializerSnapshot';
export { readSchemas } from './schema';
export type {
  StateFileAccess,
  StateSchema,
  StateKind,
  StateBackendKind,
  OperatorSchema,
  SchemaProblem,
} from './schema';
