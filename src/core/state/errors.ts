/** What went wrong reading a state file's serialization proxy. */
export type StateSchemaErrorCode = 'truncated' | 'not-a-proxy' | 'unsupported-version' | 'invalid';

/** The only error the state readers throw; `offset` is the byte position in the state file. */
export class StateSchemaError extends Error {
  override readonly name = 'StateSchemaError';

  constructor(
    readonly code: StateSchemaErrorCode,
    readonly offset: number,
    message: string,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}
