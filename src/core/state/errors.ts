import { ByteOffsetError } from '../byteOffsetError';

/** What went wrong reading a state file's serialization proxy. */
export type StateSchemaErrorCode = 'truncated' | 'not-a-proxy' | 'unsupported-version' | 'invalid';

/** The only error the state readers throw; `offset` is the byte position in the state file. */
export class StateSchemaError extends ByteOffsetError<StateSchemaErrorCode> {
  override readonly name = 'StateSchemaError';
}
