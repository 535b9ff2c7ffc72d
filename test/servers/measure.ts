import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { CheckpointStore } from '../../src/core/stores';

/** What listing one directory through a store cost, as the UI would feel it. */
export interface ListingMeasurement {
  readonly entries: number;
  readonly pages: number;
  /** From the call to the first page, ms. */
  readonly firstPageMs: number;
  readonly totalMs: number;
  /** Longest time the event loop was blocked during the listing, ms (what freezes a UI). */
  readonly maxStallMs: number;
}

/** Lists `path` page by page and measures time to first page, total time and the longest event-loop stall. */
export async function measureListing(
  store: CheckpointStore,
  path: string,
  pageSize = 1000,
): Promise<ListingMeasurement> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const start = performance.now();
  let firstPageMs = -1;
  let entries = 0;
  let pages = 0;
  try {
    for await (const page of store.list(path, { pageSize })) {
      if (firstPageMs < 0) firstPageMs = performance.now() - start;
      entries += page.length;
      pages++;
    }
  } finally {
    histogram.disable();
  }
  return { entries, pages, firstPageMs, totalMs: performance.now() - start, maxStallMs: histogram.max / 1e6 };
}
