import { MetadataError, summarizeMetadata } from '../metadata';
import { METADATA_FILE, SHARED_DIR, TASK_OWNED_DIR } from '../layout/names';
import { isStoreError } from '../stores/errors';
import { baseName, joinStorePath, parentStorePath } from '../stores/paths';
import type { CallOptions, CheckpointStore } from '../stores/types';
import { StoreUri, externalLocation, isS3Uri } from '../stores/uri';
import { originalDirectory, resolveReference, tailOf } from './safety';

/** A snapshot directory to check, as the layout knows it. */
export interface SnapshotToCheck {
  readonly path: string;
  readonly kind: 'checkpoint' | 'savepoint';
  readonly checkpointId?: number;
}

export interface PresenceOptions extends CallOptions {
  /** Paths under which Flink sees the store's root (the store's "Path as the cluster sees it"). */
  readonly clusterPaths?: readonly string[];
}

/** Checks snapshots of one store; directory listings are shared between the snapshots it checks. */
export type MissingFilesCheck = (snapshot: SnapshotToCheck) => Promise<readonly string[]>;

/**
 * A check that lists the files a complete snapshot's `_metadata` references but the store does not hold, each as the
 * store path where it was looked for (Flink's own path when it resolves nowhere in the store). References are resolved
 * as the cleanup safety model resolves them: by where the checkpoint lay when Flink wrote it (files move along with it),
 * the store's location, the path the cluster sees it under, and the job-relative tail (`shared/…`, `taskowned/…`, `chk-N/…`) under the snapshot's own job directory, so a store mounted at
 * another path than Flink wrote still finds its files. Each directory is listed once per check, not each file stat'ed.
 * A `_metadata` this reader cannot parse yields no missing files (what it references is unknown).
 */
export function missingFilesCheck(store: CheckpointStore, options: PresenceOptions = {}): MissingFilesCheck {
  const listings = new Map<string, Promise<ReadonlySet<string>>>();
  const namesIn = (dir: string): Promise<ReadonlySet<string>> => {
    let listing = listings.get(dir);
    if (!listing) {
      listing = (async () => {
        const names = new Set<string>();
        try {
          for await (const page of store.list(dir, options)) {
            for (const entry of page) if (entry.kind !== 'directory') names.add(entry.name);
          }
        } catch (error) {
          if (!isStoreError(error, 'not-found', 'not-a-directory')) throw error;
        }
        return names;
      })();
      listings.set(dir, listing);
    }
    return listing;
  };
  const exists = async (path: string): Promise<boolean> => (await namesIn(parentStorePath(path))).has(baseName(path));

  return async (snapshot) => {
    let references: readonly string[];
    try {
      const bytes = await store.readAll(joinStorePath(snapshot.path, METADATA_FILE), options);
      references = summarizeMetadata(bytes, { pointer: externalLocation(store.uri, snapshot.path) }).referencedFiles;
    } catch (error) {
      if (error instanceof MetadataError || isStoreError(error, 'not-found')) return [];
      throw error;
    }
    const jobPath = parentStorePath(snapshot.path);
    const record = {
      path: snapshot.path,
      kind: snapshot.kind,
      checkpointId: snapshot.checkpointId,
      status: 'complete' as const,
      references,
    };
    const original = originalDirectory(record, store.uri);
    const originalBase = originalBaseDirectory(references);
    const missing: string[] = [];
    // Entropy-injected data files each lie under their own random prefix: one HeadObject each, all at once (the
    // store bounds the requests in flight).
    const entropy = store.entropy;
    const injected = entropy ? references.filter((r) => entropy.pathOf(r) !== undefined) : [];
    const present = await Promise.all(injected.map((r) => entropy!.exists(r, options)));
    const injectedPresent = new Set(injected.filter((_, i) => present[i]));
    for (const reference of references) {
      if (injectedPresent.has(reference)) continue;
      const tail = tailOf(reference);
      const moved =
        originalBase === undefined ? undefined : alongBase(originalBase, reference, parentStorePath(jobPath));
      const candidates = [
        ...resolveReference(reference, record, original, store.uri, options.clusterPaths ?? []),
        ...(moved ? [moved] : []),
        ...(tail ? [joinStorePath(jobPath, tail)] : []),
      ];
      let found = false;
      for (const candidate of candidates) {
        if (await exists(candidate)) {
          found = true;
          break;
        }
      }
      if (!found && !(entropy === undefined && entropyInjected(store.uri, reference))) {
        // An entropy-injected file is named where it was looked for: its object.
        missing.push(entropy?.pathOf(reference) ? reference : (candidates[candidates.length - 1] ?? reference));
      }
    }
    return missing;
  };
}

/**
 * Whether a reference looks like a data file Flink wrote with S3 entropy injection (`s3.entropy.key`) to a store not
 * configured with the key: the `_metadata` lies under the store root with the key removed, its data files in the same
 * bucket with random characters in place of the key, i.e. outside the root by one inserted path segment. Such a store
 * cannot tell where to look, so the file is not counted as missing (a store configured with the key checks it).
 */
function entropyInjected(root: StoreUri, reference: string): boolean {
  if (!isS3Uri(root)) return false;
  const location = /^(s3[ap]?):\/\/([^/]+)(\/.*)$/i.exec(reference);
  if (!location || location[2] !== root.host) return false;
  const base = root.path.replace(/\/+$/, '');
  // A bucket-root store sees every key, and a file under the root is the store's to find.
  if (base === '' || location[3].startsWith(`${base}/`)) return false;
  const segments = location[3].split('/').filter(Boolean);
  return segments.some(
    (_, i) =>
      `/${[...segments.slice(0, i), ...segments.slice(i + 1)].join('/')}`.startsWith(`${base}/`) &&
      i <= base.split('/').filter(Boolean).length,
  );
}

/** The path part of a Flink location (`file:/a`, `hdfs://nn/a`, `/a`). */
function pathOf(reference: string): string | undefined {
  const match = /^[a-zA-Z][a-zA-Z0-9+.-]*:(?:\/\/[^/]*)?(\/.*)$/.exec(reference);
  return match ? match[1] : reference.startsWith('/') ? reference : undefined;
}

/**
 * Where the checkpoint base (the directory holding the job directories) lay when Flink wrote the references: the
 * prefix before `/<job id>/shared/` or `/<job id>/taskowned/` in them. Everything Flink wrote below it (other jobs'
 * shared files, a changelog's `dstl/`) moved along with it.
 */
function originalBaseDirectory(references: readonly string[]): string | undefined {
  for (const reference of references) {
    const match = new RegExp(`^(.*)/[0-9a-f]{32}/(?:${SHARED_DIR}|${TASK_OWNED_DIR})/`).exec(pathOf(reference) ?? '');
    if (match) return match[1] || '/';
  }
  return undefined;
}

/** `reference` moved as the base moved from `from` to `to`; undefined when it climbs above the store root. */
function alongBase(from: string, reference: string, to: string): string | undefined {
  const path = pathOf(reference);
  if (path === undefined) return undefined;
  const a = from.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  const onto = to.split('/').filter(Boolean);
  const up = a.length - common;
  if ((common === 0 && a.length > 0) || up > onto.length) return undefined;
  return `/${[...onto.slice(0, onto.length - up), ...b.slice(common)].join('/')}`;
}
