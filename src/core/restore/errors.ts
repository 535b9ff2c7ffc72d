/** Why a restore invocation could not be built. */
export type RestoreErrorCode = 'invalid-version' | 'unsupported-version' | 'invalid-option' | 'invalid-path';

/**
 * A request the builders cannot turn into a correct invocation. The message names the offending value and what to
 * do instead; callers show it as is (the CLI maps `invalid-path` to exit 1 and the others to a usage error).
 */
export class RestoreError extends Error {
  constructor(
    readonly code: RestoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RestoreError';
  }
}
