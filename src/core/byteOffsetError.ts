/**
 * An error at a byte position of a binary file (a `_metadata` file, a state file): a code a caller can act on, the
 * offset where the problem was found, and a message that says what was expected there.
 */
export abstract class ByteOffsetError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    readonly offset: number,
    message: string,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}
