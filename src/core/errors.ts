import { ClusterError } from './cluster/errors';
import { StoreError } from './stores/errors';

/** The message of anything thrown: an Error's message, else the value as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * True for a failure that only says the user (or a deadline they set) stopped the operation: nothing to report.
 * Covers the store contract's and the cluster client's `cancelled`, an aborted `AbortSignal` and VS Code's `CancellationError` (named "Canceled").
 */
export function isCancellation(error: unknown): boolean {
  if (error instanceof StoreError || error instanceof ClusterError) return error.code === 'cancelled';
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'Canceled');
}

/**
 * The message and its causes, one per line, for a log: a store error names the store and path, its cause says what
 * the transport saw (errno, server reply). Errors that are not the product's own carry their stack, which points at a bug.
 */
export function errorDetail(error: unknown): string {
  const lines: string[] = [];
  const seen = new Set<unknown>();
  for (let current: unknown = error, depth = 0; current !== undefined && !seen.has(current) && depth < 8; depth++) {
    seen.add(current);
    const text = current instanceof Error ? `${current.name}: ${current.message}` : String(current);
    lines.push(depth === 0 ? text : `caused by ${text}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  if (error instanceof Error && error.stack && !isProductError(error)) {
    lines.push(error.stack.split('\n').slice(1).join('\n'));
  }
  return lines.join('\n');
}

/**
 * Error types (by `name`) whose message is written for the user: it names the thing (a store path, a byte offset, a
 * version) and what to do. Other errors are bugs or surprises of a library; the log gets their stack.
 */
const PRODUCT_ERRORS: ReadonlySet<string> = new Set([
  'StoreError',
  'MetadataError',
  'RestoreError',
  'FlinkVersionError',
  'MigrationError',
  'UsageError',
  'ClusterError',
]);

/** True when the error's message is written for the user (see `PRODUCT_ERRORS`). */
export function isProductError(error: unknown): boolean {
  return error instanceof Error && PRODUCT_ERRORS.has(error.name);
}
