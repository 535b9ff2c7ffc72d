/**
 * Why a store call failed, in terms a caller can act on. The VS Code side maps these to `FileSystemError` in one
 * place; the CLI prints the message.
 */
export type StoreErrorCode =
  | 'not-found'
  | 'already-exists'
  | 'permission-denied'
  | 'auth-failed'
  | 'unavailable'
  | 'timeout'
  | 'cancelled'
  | 'invalid-uri'
  | 'invalid-path'
  | 'not-a-directory'
  | 'is-a-directory'
  | 'not-a-file'
  | 'not-empty'
  | 'too-large'
  | 'protocol';

/** Node socket error codes that mean the server could not be reached or the connection broke (not an answer). */
export const SOCKET_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
]);

/** What a reader should do next, per code; appended to every message that does not give a more precise hint. */
const ADVICE: Record<StoreErrorCode, string> = {
  'not-found': 'Check the path, or refresh: it may have been deleted (Flink removes subsumed checkpoints).',
  'already-exists': 'Choose another name or delete the existing entry first.',
  'permission-denied': 'Ask for read (and, to change things, write) permission on this path for the configured user.',
  'auth-failed': 'Check the user name and password (or token) of this store; it is not retried automatically.',
  unavailable: 'Check that the server is running and reachable, then retry.',
  timeout: 'The server did not answer in time; retry, or raise the store timeout if it is slow.',
  cancelled: 'The operation was cancelled.',
  'invalid-uri': 'Use a path, file://, ftp://, ftps://, hdfs://, webhdfs://, swebhdfs://, s3://, s3a:// or s3p:// URI.',
  'invalid-path': 'Use a path inside the store, without "..".',
  'not-a-directory': 'This is a file; open it instead of listing it.',
  'is-a-directory': 'This is a directory; list it instead of reading it.',
  'not-a-file':
    'Only regular files are read (never a FIFO, device or socket, which could block or never end); remove or rename it.',
  'not-empty': 'Delete recursively to remove a directory with contents.',
  'too-large': 'The file is larger than the size limit for reading it whole; read it in ranges instead.',
  protocol: 'The server answered in an unexpected way; this may be a server or proxy problem.',
};

/** The one error type every store operation rejects with. Messages name the store (redacted) and the path. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  /**
   * @param code what went wrong
   * @param store the store's redacted label (never contains a password)
   * @param path the store path concerned, if any
   * @param detail what happened, in a few words ("no such file", "530 Login incorrect")
   * @param advice what to do; defaults to a per-code hint
   */
  constructor(
    readonly code: StoreErrorCode,
    readonly store: string,
    readonly path: string | undefined,
    readonly detail: string,
    advice?: string,
    options?: { cause?: unknown },
  ) {
    super(`${where(store, path)}: ${detail}. ${advice ?? ADVICE[code]}`, options);
  }
}

/** The store label with the store path appended, as one location (`ftp://host/base` + `/chk-1` = `ftp://host/base/chk-1`). */
function where(store: string, path: string | undefined): string {
  if (path === undefined || path === '/') return store;
  return `${store.replace(/\/+$/, '')}${path}`;
}

/** True when `error` is a StoreError with one of the given codes. */
export function isStoreError(error: unknown, ...codes: StoreErrorCode[]): error is StoreError {
  return error instanceof StoreError && (codes.length === 0 || codes.includes(error.code));
}
