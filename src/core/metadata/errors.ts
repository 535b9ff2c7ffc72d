import { ByteOffsetError } from '../byteOffsetError';

/** What went wrong, in the words of the contract shared with the layout code and the CLI. */
export type MetadataErrorCode =
  'truncated' | 'not-metadata' | 'unsupported-version' | 'unknown-tag' | 'trailing-bytes' | 'invalid';

/**
 * The only error the metadata parser throws. `offset` is the byte position in the `_metadata` file where the
 * problem was found; the message says what was expected there.
 */
export class MetadataError extends ByteOffsetError<MetadataErrorCode> {
  override readonly name = 'MetadataError';
}
