import { StoreError } from './errors';
import { FtpStore } from './ftp';
import { HdfsStore } from './hdfs';
import { LocalStore } from './local';
import { S3Store } from './s3';
import type { CheckpointStore, StoreOptions } from './types';
import { StoreUri, parseStoreUri } from './uri';

export * from './errors';
export * from './paths';
export * from './types';
export * from './uri';
export { Deadline, DEFAULT_TIMEOUT_MS } from './deadline';
export { DEFAULT_PAGE_SIZE, DEFAULT_READ_ALL_MAX_BYTES } from './base';
export { LocalStore } from './local';
export { DEFAULT_FTP_POOL_SIZE, FtpStore } from './ftp';
export { HdfsStore } from './hdfs';
export { DEFAULT_S3_CONCURRENCY, S3Store } from './s3';

/**
 * Opens the store a URI names (see parseStoreUri). Nothing is contacted until the first call; the password comes
 * from `options.password` (secret storage, environment) or, failing that, from the URI itself.
 * @throws StoreError `invalid-uri` for a location that is not a supported URI.
 */
export function openStore(location: string | StoreUri, options: StoreOptions = {}): CheckpointStore {
  const uri = typeof location === 'string' ? parseStoreUri(location) : location;
  switch (uri.scheme) {
    case 'file':
      return new LocalStore(uri, options);
    case 'ftp':
    case 'ftps':
      return new FtpStore(uri, options);
    case 'hdfs':
    case 'webhdfs':
    case 'swebhdfs':
      return new HdfsStore(uri, options);
    case 's3':
    case 's3a':
    case 's3p':
      return new S3Store(uri, options);
    default:
      throw new StoreError('invalid-uri', uri.scheme, undefined, `${uri.scheme} stores are not available yet`);
  }
}
