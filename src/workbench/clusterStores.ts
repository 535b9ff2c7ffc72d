import { storePathOf } from '../core/references/locate';
import { parseStoreUri } from '../core/stores/uri';
import { StoreRegistry } from './storeRegistry';

/** A path Flink reported (a checkpoint's `external_path`) found inside a configured store. */
export interface StoreLocation {
  readonly storeId: string;
  readonly storePath: string;
}

/**
 * The configured store that holds `flinkPath` (`file:/…`, `hdfs://…`, `s3://…`), the one with the deepest root when
 * several do; undefined when none does (the UI then offers to add a store for the location).
 */
export function findInStores(stores: StoreRegistry, flinkPath: string): StoreLocation | undefined {
  let best: (StoreLocation & { depth: number }) | undefined;
  for (const config of stores.configs()) {
    let root;
    try {
      root = parseStoreUri(config.uri);
    } catch {
      continue;
    }
    const storePath = storePathOf(root, flinkPath);
    if (storePath === undefined) continue;
    const depth = root.path.split('/').filter(Boolean).length;
    if (!best || depth > best.depth) best = { storeId: config.id, storePath, depth };
  }
  return best && { storeId: best.storeId, storePath: best.storePath };
}
