/** What went wrong reading an SST file. */
export type SstErrorCode = 'truncated' | 'not-an-sst' | 'corrupt' | 'checksum-mismatch' | 'unsupported';

/** The only error the SST reader throws; `offset` is the byte position in the file where the problem is. */
export class SstError extends Error {
  override readonly name = 'SstError';

  constructor(
    readonly code: SstErrorCode,
    readonly offset: number,
    message: string,
    readonly file = '',
  ) {
    super(`${file ? `${file}: ` : ''}${message} (at byte ${offset})`);
  }
}
