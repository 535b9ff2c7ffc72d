/**
 * `fn` over every item with at most `limit` calls in flight, results in the order of the items. The first rejection
 * rejects the whole (calls already running finish on their own; no new one starts).
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(0, Math.min(Math.floor(limit), items.length)) }, worker));
  return out;
}

/** What a cancellation token offers (VS Code's CancellationToken has this shape; core never imports vscode). */
export interface CancellationTokenLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => unknown): { dispose(): unknown };
}

/** An AbortSignal that aborts when the token is cancelled, for the store and layout calls that take a `signal`. */
export function abortSignalOf(token: CancellationTokenLike): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
