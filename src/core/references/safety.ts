/**
 * The one safety model for deleting anything from a checkpoint store. Every front end (CLI `orphans`, the Clean Up
 * view) goes through it. The rules, in the order they are applied:
 *
 * 1. The reference set is the whole checkpoint base (the directory above the job): every complete checkpoint and
 *    savepoint of every job there, savepoints beside the jobs, and the snapshot directories the user names (`also`).
 *    A `_metadata` that cannot be read (permissions, a format newer than this reader) blocks every deletion.
 * 2. A reference resolves by where the snapshot lies, never by a job-id name: relative handles against the snapshot's
 *    own directory, absolute ones by the store's location (and the path the cluster sees it under), and a relocated
 *    tree by the path of the `_metadata` naming it. A reference that resolves nowhere still protects every file whose
 *    job-relative tail (`shared/…`, `taskowned/…`, `chk-N/…`) it names.
 * 3. Links are never followed: a link is an entry of its own, removable as a link; before each move or delete the real
 *    path of its directory must still lie inside the job directory the user gave.
 * 4. While a checkpoint of the job is in progress (a `chk-N` above the latest complete one), shared files are kept,
 *    as are files younger than the newest `_metadata` minus the store's time granularity and a margin, unless the user
 *    says the job is stopped.
 * 5. Right before each batch the base is read again; when a snapshot appeared or completed, the run stops, and any
 *    quarantined entry the new snapshot references is moved back.
 * 6. Where the store renames cheaply, "delete" moves entries into `<base>/.flink-checkpoints-trash/<time>/` with their
 *    paths kept and a manifest; restoreTrash puts them back, purgeTrash deletes old ones for good. Other stores delete
 *    only after the re-check. Every move and deletion goes to the journal.
 */
import { mapLimit } from '../concurrency';
import { MetadataError, summarizeMetadata } from '../metadata';
import { CHECKPOINT_DIR_PATTERN, METADATA_FILE, SHARED_DIR, TASK_OWNED_DIR, checkpointIdOf } from '../layout/names';
import { StoreError, isStoreError } from '../stores/errors';
import { baseName, joinStorePath, parentStorePath } from '../stores/paths';
import type { CallOptions, CheckpointStore, StoreEntry } from '../stores/types';
import { StoreUri, externalLocation } from '../stores/uri';
import { storePathOf } from './locate';

/** The quarantine directory in the checkpoint base. */
export const TRASH_DIR = '.flink-checkpoints-trash';
export const MANIFEST_FILE = 'manifest.json';
/** Added to the store's time granularity when a file's age decides whether a running checkpoint may own it. */
export const TIME_MARGIN_MS = 2000;
/** Entries moved or deleted between two re-checks. */
export const DEFAULT_BATCH_SIZE = 100;

/**
 * `_metadata` errors that prove a snapshot never completed (Flink writes it last and whole). Any other error may be a
 * Flink newer than this reader, so the snapshot's references are unknown.
 */
const BROKEN_CODES = new Set(['truncated', 'not-metadata', 'trailing-bytes']);
const READ_CONCURRENCY = 8;
/** How deep below the base snapshot directories are looked for (`<base>/<dir>/<job>/chk-N` at most). */
const MAX_DEPTH = 4;

export type SnapshotStatus = 'complete' | 'in-progress' | 'broken' | 'unreadable';

/** One snapshot directory found in the base (or in a directory the user named). */
export interface SnapshotRecord {
  readonly path: string;
  /** A directory the user named outside the base, in its own store: its paths are not this store's. */
  readonly external?: string;
  readonly kind: 'checkpoint' | 'savepoint';
  /** From `_metadata` when complete, else from the `chk-N` name. */
  readonly checkpointId?: number;
  readonly status: SnapshotStatus;
  readonly why?: string;
  /** When `_metadata` was written (ms), if the store reports it. */
  readonly metadataMtime?: number;
  /** Every file `_metadata` names, relative handles already resolved against the snapshot's own location. */
  readonly references: readonly string[];
}

/** What the model judges: the base's snapshots and every entry of the job directory (links not followed). */
export interface BaseView {
  readonly storeLabel: string;
  readonly uri: StoreUri;
  readonly basePath: string;
  readonly jobPath: string;
  readonly mtimeGranularityMs: number;
  readonly snapshots: readonly SnapshotRecord[];
  /** Every entry below the job directory, recursively; the content of links and of the trash is not listed. */
  readonly jobEntries: readonly StoreEntry[];
  /** The store path an S3 entropy-injected reference stands for (a store configured with the entropy key). */
  readonly entropyPathOf?: (reference: string) => string | undefined;
}

export interface SafetyOptions extends CallOptions {
  /** Snapshot directories beyond the base that may reference the job's files (`--also`; the extension's setting). */
  readonly also?: readonly { readonly store: CheckpointStore; readonly path: string }[];
  /** The job is stopped: in-progress checkpoints are abandoned and young files belong to no running checkpoint. */
  readonly jobStopped?: boolean;
  /** Paths under which Flink sees the store's root (the store's "Path as the cluster sees it"). */
  readonly clusterPaths?: readonly string[];
}

export type CleanupReason = 'unreferenced' | 'in-progress' | 'broken';

export interface CleanupCandidate {
  readonly path: string;
  readonly kind: 'file' | 'directory' | 'link';
  readonly size: number;
  readonly reason: CleanupReason;
  /** Where the entry really lies when that is not its path (an entropy-injected S3 object). */
  readonly location?: string;
}

/** Something left alone on purpose, and why. */
export interface KeptEntry {
  readonly path: string;
  readonly why: string;
}

export interface CleanupPlan {
  readonly storeLabel: string;
  readonly basePath: string;
  readonly jobPath: string;
  /** Complete snapshots whose references were counted (every job of the base, and the named directories). */
  readonly retained: readonly SnapshotRecord[];
  /** Distinct files the retained snapshots name. */
  readonly referencedFiles: number;
  readonly candidates: readonly CleanupCandidate[];
  readonly totalBytes: number;
  readonly kept: readonly KeptEntry[];
  /** Why nothing in shared state may go; no shared, task-owned or chk-N entry is a candidate then. */
  readonly sharedStateBlocked?: string;
  /** Why shared files are reported but kept (a running checkpoint), and how to proceed. */
  readonly sharedStateKept?: string;
  /** Whether `--delete` moves to the trash (the store renames cheaply) or deletes for good. */
  readonly reversible: boolean;
  /** The view the plan was made from, for the re-check before each batch. */
  readonly view: BaseView;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the base

/** The checkpoint base of a job directory: the directory above it (the store root for a store rooted at the job). */
export function basePathOf(jobPath: string): string {
  return parentStorePath(jobPath);
}

async function listAll(store: CheckpointStore, path: string, options: CallOptions): Promise<StoreEntry[]> {
  const out: StoreEntry[] = [];
  for await (const page of store.list(path, options)) out.push(...page);
  return out;
}

/** Walks down from `root`, never into links; `enter` decides which directories are listed. */
async function walk(
  store: CheckpointStore,
  root: string,
  options: CallOptions,
  enter: (dir: StoreEntry) => boolean,
): Promise<StoreEntry[]> {
  const out: StoreEntry[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let entries: StoreEntry[];
    try {
      entries = await listAll(store, dir, options);
    } catch (error) {
      if (isStoreError(error, 'not-found') && dir !== root) continue; // removed while we looked
      throw error;
    }
    for (const entry of entries) {
      out.push(entry);
      if (entry.kind === 'directory' && enter(entry)) pending.push(entry.path);
    }
  }
  return out;
}

/** Snapshot directories below `root`: those holding `_metadata`, and `chk-N` directories without one yet. */
async function findSnapshotDirs(
  store: CheckpointStore,
  root: string,
  options: CallOptions,
): Promise<{ path: string; hasMetadata: boolean; metadataMtime?: number }[]> {
  const found: { path: string; hasMetadata: boolean; metadataMtime?: number }[] = [];
  const pending: { path: string; depth: number }[] = [{ path: root, depth: 0 }];
  while (pending.length > 0) {
    const { path, depth } = pending.pop()!;
    let entries: StoreEntry[];
    try {
      entries = await listAll(store, path, options);
    } catch (error) {
      if (isStoreError(error, 'not-found') && path !== root) continue;
      throw error;
    }
    const metadata = entries.find((e) => e.name === METADATA_FILE && e.kind !== 'directory');
    if (metadata || (depth > 0 && CHECKPOINT_DIR_PATTERN.test(baseName(path)))) {
      found.push({
        path,
        hasMetadata: metadata !== undefined,
        ...(metadata?.mtime === undefined ? {} : { metadataMtime: metadata.mtime }),
      });
      continue;
    }
    if (depth >= MAX_DEPTH) continue;
    for (const entry of entries) {
      // Shared and task-owned directories hold no `_metadata`; the trash holds nothing retained.
      if (
        entry.kind !== 'directory' ||
        entry.name === SHARED_DIR ||
        entry.name === TASK_OWNED_DIR ||
        entry.name === TRASH_DIR
      ) {
        continue;
      }
      pending.push({ path: entry.path, depth: depth + 1 });
    }
  }
  return found;
}

async function readSnapshot(
  store: CheckpointStore,
  dir: { path: string; hasMetadata: boolean; metadataMtime?: number },
  external: string | undefined,
  options: CallOptions,
): Promise<SnapshotRecord> {
  const nameId = checkpointIdOf(baseName(dir.path));
  const base = {
    path: dir.path,
    ...(external ? { external } : {}),
    kind: nameId === undefined ? ('savepoint' as const) : ('checkpoint' as const),
    ...(nameId === undefined ? {} : { checkpointId: nameId }),
  };
  if (!dir.hasMetadata) return { ...base, status: 'in-progress', why: 'no _metadata yet', references: [] };
  let bytes: Uint8Array;
  try {
    bytes = await store.readAll(joinStorePath(dir.path, METADATA_FILE), options);
  } catch (error) {
    if (isStoreError(error, 'not-found')) {
      return { ...base, status: 'in-progress', why: 'no _metadata yet', references: [] };
    }
    if (isStoreError(error, 'permission-denied', 'too-large', 'is-a-directory')) {
      return {
        ...base,
        status: 'unreadable',
        why: `${METADATA_FILE} cannot be read (${error.detail})`,
        references: [],
      };
    }
    throw error;
  }
  const mtime = dir.metadataMtime === undefined ? {} : { metadataMtime: dir.metadataMtime };
  try {
    const summary = summarizeMetadata(bytes, { pointer: externalLocation(store.uri, dir.path) });
    return {
      ...base,
      kind: summary.kind ?? base.kind,
      checkpointId: summary.checkpointId,
      status: 'complete',
      ...mtime,
      references: summary.referencedFiles,
    };
  } catch (error) {
    if (!(error instanceof MetadataError)) throw error;
    const status = BROKEN_CODES.has(error.code) ? 'broken' : 'unreadable';
    return { ...base, status, why: `${METADATA_FILE} is not valid (${error.message})`, ...mtime, references: [] };
  }
}

async function readSnapshots(
  store: CheckpointStore,
  root: string,
  external: string | undefined,
  options: CallOptions,
): Promise<SnapshotRecord[]> {
  const dirs = await findSnapshotDirs(store, root, options);
  return mapLimit(dirs, READ_CONCURRENCY, (dir) => readSnapshot(store, dir, external, options));
}

/** Subdirectories Flink writes in `shared/` and `taskowned/`: file merging's `job_<job id>_op_…` / `job_<job id>_tm_…`. */
const FLINK_SHARED_SUBDIR = /^job_/;

/**
 * A directory below `shared/` or `taskowned/` that Flink does not write: never walked and never removed, because a
 * server that hides links (most FTP servers) shows a link to a directory as a directory.
 */
function foreignSharedDirectory(jobPath: string, path: string): boolean {
  const rel = path.slice(jobPath === '/' ? 1 : jobPath.length + 1).split('/');
  return (
    (rel[0] === SHARED_DIR || rel[0] === TASK_OWNED_DIR) &&
    rel.length >= 2 &&
    !FLINK_SHARED_SUBDIR.test(rel[rel.length - 1])
  );
}

/** Reads what the model judges: every snapshot of the base and of the named directories, and the job's entries. */
export async function readBase(
  store: CheckpointStore,
  jobPath: string,
  options: SafetyOptions = {},
): Promise<BaseView> {
  const basePath = basePathOf(jobPath);
  const root = await store.stat(jobPath, options);
  if (root.kind !== 'directory' && jobPath !== '/') {
    throw new StoreError(
      'not-a-directory',
      store.label,
      jobPath,
      root.kind === 'link' ? 'is a link' : 'is not a directory',
      'Give the job directory itself (links are never followed for cleanup).',
    );
  }
  const snapshots = await readSnapshots(store, basePath, undefined, options);
  for (const also of options.also ?? []) {
    const external = also.store === store ? undefined : `${also.store.label}${also.path}`;
    snapshots.push(...(await readSnapshots(also.store, also.path, external, options)));
  }
  const jobEntries = await walk(
    store,
    jobPath,
    options,
    (dir) => dir.name !== TRASH_DIR && !foreignSharedDirectory(jobPath, dir.path),
  );
  // Data files Flink wrote with S3 entropy injection lie outside the store root; a store that knows where the key
  // sits lists them at the paths they stand for, so they are judged like the others (and protected by reference).
  const entropy = store.entropy;
  if (entropy) jobEntries.push(...(await entropy.list(jobPath, options)));
  return {
    storeLabel: store.label,
    uri: store.uri,
    basePath,
    jobPath,
    mtimeGranularityMs: store.capabilities.mtimeGranularityMs,
    snapshots,
    jobEntries,
    ...(entropy ? { entropyPathOf: (reference: string) => entropy.pathOf(reference) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Resolving references

export interface FlinkLocation {
  readonly scheme: string;
  readonly host: string;
  readonly path: string;
}

function parseLocation(flinkPath: string): FlinkLocation | undefined {
  const parsed = /^([a-zA-Z][a-zA-Z0-9+.-]*):(\/\/([^/]*))?(\/.*)?$/.exec(flinkPath);
  if (!parsed) return flinkPath.startsWith('/') ? { scheme: 'file', host: '', path: flinkPath } : undefined;
  return {
    scheme: parsed[1].toLowerCase(),
    host: (parsed[3] ?? '').replace(/^[^@]*@/, '').toLowerCase(),
    path: parsed[4] ?? '/',
  };
}

/** `to` resolved from `from` by their relative path, applied to `onto`; undefined when that climbs above the root. */
function moveAlong(from: string, to: string, onto: string): string | undefined {
  const a = from.split('/').filter(Boolean);
  const b = to.split('/').filter(Boolean);
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  const target = onto.split('/').filter(Boolean);
  const up = a.length - common;
  if (up > target.length || common === 0) return undefined;
  return `/${[...target.slice(0, target.length - up), ...b.slice(common)].join('/')}`;
}

/**
 * Where a checkpoint's directory was when Flink wrote its `_metadata`: the directory its exclusive files name
 * (`…/chk-<id>/<file>`) when they all agree; else beside the one job directory whose `shared/` or `taskowned/` all its
 * absolute references name. Undefined for savepoints (relative handles only) and when unclear.
 */
export function originalDirectory(snapshot: SnapshotRecord, uri: StoreUri): FlinkLocation | undefined {
  if (snapshot.checkpointId === undefined || snapshot.kind !== 'checkpoint') return undefined;
  const suffix = `/chk-${snapshot.checkpointId}`;
  let found: FlinkLocation | undefined;
  let job: FlinkLocation | undefined;
  let jobs = 0;
  for (const ref of snapshot.references) {
    const location = parseLocation(ref);
    // Relative handles were resolved against where the snapshot lies now: they say nothing about where it was.
    if (!location || (!snapshot.external && storePathOf(uri, ref)?.startsWith(`${snapshot.path}/`))) continue;
    const dir = parentStorePath(location.path);
    if (dir.endsWith(suffix)) {
      if (found && (found.path !== dir || found.scheme !== location.scheme || found.host !== location.host)) {
        return undefined;
      }
      found = { ...location, path: dir };
      continue;
    }
    const owner = /^(.*)\/(shared|taskowned)\//.exec(location.path)?.[1];
    if (
      owner !== undefined &&
      (!job || job.path !== owner || job.scheme !== location.scheme || job.host !== location.host)
    ) {
      job = { ...location, path: owner };
      jobs++;
    }
  }
  if (found) return found;
  return job && jobs === 1 ? { ...job, path: `${job.path}${suffix}` } : undefined;
}

/** The job-relative tail a reference names (`shared/…`, `taskowned/…`, `chk-N/<file>`), for references that resolve nowhere. */
export function tailOf(path: string): string | undefined {
  const parts = path.split('/');
  for (let i = parts.length - 2; i >= 0; i--) {
    if (parts[i] === SHARED_DIR || parts[i] === TASK_OWNED_DIR) return parts.slice(i).join('/');
  }
  return parts.length >= 2 && CHECKPOINT_DIR_PATTERN.test(parts[parts.length - 2])
    ? parts.slice(-2).join('/')
    : undefined;
}

/**
 * Every store path a snapshot's reference may mean: by the snapshot's relocation, by the store's location, by the
 * path the cluster sees the store under. All of them are protected (a wrong guess only keeps more).
 */
export function resolveReference(
  ref: string,
  snapshot: SnapshotRecord,
  original: FlinkLocation | undefined,
  uri: StoreUri,
  clusterPaths: readonly string[],
): string[] {
  const out: string[] = [];
  const location = parseLocation(ref);
  if (
    original &&
    location &&
    !snapshot.external &&
    location.scheme === original.scheme &&
    location.host === original.host
  ) {
    const moved = moveAlong(original.path, location.path, snapshot.path);
    if (moved) out.push(moved);
  }
  const direct = storePathOf(uri, ref);
  if (direct !== undefined) out.push(direct);
  if (location) {
    for (const prefix of clusterPaths) {
      const p = parseLocation(prefix)?.path.replace(/\/+$/, '') ?? '';
      if (p !== '' && location.path.startsWith(`${p}/`)) out.push(location.path.slice(p.length));
    }
  }
  return out;
}

/**
 * The store paths each reference of one snapshot may name, most likely first (by the snapshot's relocation, then the
 * store's location, then the path the cluster sees the store under), for showing and opening the files it references.
 */
export function snapshotResolver(
  snapshotPath: string,
  checkpointId: number | undefined,
  references: readonly string[],
  uri: StoreUri,
  clusterPaths: readonly string[] = [],
): (ref: string) => string[] {
  const kind = CHECKPOINT_DIR_PATTERN.test(baseName(snapshotPath)) ? 'checkpoint' : 'savepoint';
  const snapshot: SnapshotRecord = {
    path: snapshotPath,
    kind,
    status: 'complete',
    references,
    ...(checkpointId === undefined ? {} : { checkpointId }),
  };
  const original = originalDirectory(snapshot, uri);
  return (ref) => [...new Set(resolveReference(ref, snapshot, original, uri, clusterPaths))];
}

/** The store paths and tails every retained snapshot protects. */
export interface Protection {
  readonly paths: ReadonlySet<string>;
  readonly tails: ReadonlySet<string>;
  /**
   * File names of every reference. Flink names the files it uploads with random UUIDs, so a file of the same name is
   * the same file seen elsewhere (a copy, or through a link a server shows as a directory): it is kept too.
   */
  readonly names: ReadonlySet<string>;
  /** Which snapshot protects a path (the first seen), for messages. */
  readonly by: ReadonlyMap<string, string>;
}

export function protectionOf(view: BaseView, clusterPaths: readonly string[] = []): Protection {
  const paths = new Set<string>();
  const tails = new Set<string>();
  const names = new Set<string>();
  const by = new Map<string, string>();
  for (const snapshot of view.snapshots) {
    if (snapshot.status !== 'complete') continue;
    const original = originalDirectory(snapshot, view.uri);
    for (const ref of snapshot.references) {
      const entropyPath = view.entropyPathOf?.(ref);
      for (const p of [
        ...resolveReference(ref, snapshot, original, view.uri, clusterPaths),
        ...(entropyPath ? [entropyPath] : []),
      ]) {
        paths.add(p);
        if (!by.has(p)) by.set(p, snapshot.path);
      }
      const refPath = parseLocation(ref)?.path ?? ref;
      const name = baseName(refPath);
      names.add(name);
      if (!by.has(`name:${name}`)) by.set(`name:${name}`, snapshot.external ?? snapshot.path);
      const tail = tailOf(refPath);
      if (tail) {
        tails.add(tail);
        if (!by.has(tail)) by.set(tail, snapshot.external ?? snapshot.path);
      }
    }
  }
  return { paths, tails, names, by };
}

/** The snapshot that protects a path (itself, or for a directory anything below it), or undefined. */
export function protectorOf(
  protection: Protection,
  path: string,
  kind: CleanupCandidate['kind'],
  below: readonly StoreEntry[] = [],
): string | undefined {
  const check = (p: string): string | undefined => {
    if (protection.paths.has(p)) return protection.by.get(p) ?? 'a retained snapshot';
    const tail = tailOf(p);
    if (tail !== undefined && protection.tails.has(tail)) return protection.by.get(tail) ?? 'a retained snapshot';
    const name = baseName(p);
    return protection.names.has(name) ? (protection.by.get(`name:${name}`) ?? 'a retained snapshot') : undefined;
  };
  const own = check(path);
  if (own || kind === 'file') return own;
  for (const entry of below) {
    const hit = check(entry.path);
    if (hit) return hit;
  }
  // A reference below a directory (to a file no longer listed) or through a link still needs it.
  for (const p of protection.paths) if (p.startsWith(`${path}/`)) return protection.by.get(p);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Judging

function within(path: string, dir: string): boolean {
  return dir === '/' ? path !== '/' : path.startsWith(`${dir}/`);
}

/** The pure decision: what of the job directory may go, what is kept and why. */
export function planCleanup(
  view: BaseView,
  options: Pick<SafetyOptions, 'jobStopped' | 'clusterPaths'> & { reversible: boolean },
): CleanupPlan {
  const { jobPath } = view;
  const protection = protectionOf(view, options.clusterPaths);
  const candidates: CleanupCandidate[] = [];
  const kept: KeptEntry[] = [];
  const retained = view.snapshots.filter((s) => s.status === 'complete');
  const ownSnapshots = view.snapshots.filter((s) => !s.external && parentStorePath(s.path) === jobPath);
  const ownComplete = ownSnapshots.filter((s) => s.status === 'complete');
  const latestCompleteId = Math.max(
    -Infinity,
    ...ownComplete.filter((s) => s.kind === 'checkpoint').map((s) => s.checkpointId ?? -Infinity),
  );

  let sharedStateBlocked: string | undefined;
  const unreadable = view.snapshots.find((s) => s.status === 'unreadable');
  if (unreadable) {
    sharedStateBlocked = `${unreadable.external ?? unreadable.path}: ${unreadable.why ?? 'cannot be read'}, so the files it references are unknown`;
    kept.push({ path: unreadable.path, why: sharedStateBlocked });
  } else if (ownComplete.length === 0) {
    sharedStateBlocked =
      'no complete checkpoint or savepoint of this job is retained, so nothing proves its shared state unused';
  }

  // In progress: a chk-N above the latest complete one, without `_metadata` or with one still being written.
  const running = ownSnapshots.filter(
    (s) => s.kind === 'checkpoint' && s.status !== 'complete' && (s.checkpointId ?? Infinity) > latestCompleteId,
  );
  let sharedStateKept: string | undefined;
  if (running.length > 0 && !options.jobStopped) {
    const names = running.map((s) => baseName(s.path)).join(', ');
    sharedStateKept =
      `checkpoint ${names} is in progress: files it uploads to shared state look unreferenced until its _metadata is written. ` +
      'Run again when it has completed, or stop the job and pass --job-stopped (in the Clean Up view: "The job is stopped").';
  }
  const newestMetadata = Math.max(-Infinity, ...ownComplete.map((s) => s.metadataMtime ?? -Infinity));
  const youngFrom = newestMetadata - view.mtimeGranularityMs - TIME_MARGIN_MS;

  const entriesBelow = (dir: string) => view.jobEntries.filter((e) => within(e.path, dir));
  for (const snapshot of ownSnapshots) {
    if (snapshot.status === 'complete' || snapshot.status === 'unreadable' || snapshot.kind !== 'checkpoint') continue;
    const reason: CleanupReason = snapshot.status === 'in-progress' ? 'in-progress' : 'broken';
    const abandoned = (snapshot.checkpointId ?? Infinity) < latestCompleteId || options.jobStopped;
    if (sharedStateBlocked) kept.push({ path: snapshot.path, why: sharedStateBlocked });
    else if (!abandoned) {
      kept.push({ path: snapshot.path, why: 'newer than the latest complete checkpoint: it may still be written' });
    } else {
      const below = entriesBelow(snapshot.path);
      const protector = protectorOf(protection, snapshot.path, 'directory', below);
      if (protector) kept.push({ path: snapshot.path, why: `${protector} references a file in it` });
      else {
        candidates.push({
          path: snapshot.path,
          kind: 'directory',
          reason,
          size: below.reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0),
        });
      }
    }
  }

  for (const entry of view.jobEntries) {
    const rel = entry.path.slice(jobPath === '/' ? 1 : jobPath.length + 1);
    const top = rel.split('/')[0];
    if ((top !== SHARED_DIR && top !== TASK_OWNED_DIR) || rel === top) continue;
    if (entry.kind === 'directory') {
      if (foreignSharedDirectory(jobPath, entry.path)) {
        kept.push({
          path: entry.path,
          why: `a directory Flink does not write in ${top}/ (perhaps a link the server shows as a directory): not looked into`,
        });
      }
      continue;
    }
    if (entry.name === METADATA_FILE) {
      kept.push({
        path: entry.path,
        why: `a snapshot's ${METADATA_FILE} in ${top}/ (perhaps seen through a link): left alone`,
      });
      continue;
    }
    const kind = entry.kind === 'link' ? 'link' : 'file';
    if (protectorOf(protection, entry.path, kind)) continue;
    if (sharedStateBlocked) kept.push({ path: entry.path, why: sharedStateBlocked });
    else if (sharedStateKept) kept.push({ path: entry.path, why: sharedStateKept });
    else if (entry.kind === 'other') kept.push({ path: entry.path, why: 'not a regular file, directory or link' });
    else if (entry.mtime === undefined && !options.jobStopped) {
      kept.push({ path: entry.path, why: 'the store does not report when it was written' });
    } else if (newestMetadata === -Infinity && !options.jobStopped) {
      kept.push({ path: entry.path, why: 'the store does not report when the retained _metadata was written' });
    } else if (!options.jobStopped && entry.mtime! >= youngFrom) {
      kept.push({
        path: entry.path,
        why: 'written around or after the newest retained _metadata: it may belong to a checkpoint being written (pass --job-stopped when the job is stopped)',
      });
    } else {
      candidates.push({
        path: entry.path,
        kind,
        size: entry.kind === 'file' ? entry.size : 0,
        reason: 'unreferenced',
        ...(entry.location ? { location: entry.location } : {}),
      });
    }
  }

  return {
    storeLabel: view.storeLabel,
    basePath: view.basePath,
    jobPath,
    retained,
    referencedFiles: new Set(retained.flatMap((s) => s.references)).size,
    candidates,
    totalBytes: candidates.reduce((n, c) => n + c.size, 0),
    kept,
    ...(sharedStateBlocked ? { sharedStateBlocked } : {}),
    ...(sharedStateKept ? { sharedStateKept } : {}),
    reversible: options.reversible,
    view,
  };
}

/** Reads the base and judges the job directory: the dry run. */
export async function analyseCleanup(
  store: CheckpointStore,
  jobPath: string,
  options: SafetyOptions = {},
): Promise<CleanupPlan> {
  const view = await readBase(store, jobPath, options);
  return planCleanup(view, { ...options, reversible: store.capabilities.cheapRename });
}

// ---------------------------------------------------------------------------------------------------------------
// Acting

/** One line of the journal: every move, deletion, restore and stop, as it happens. */
export type Journal = (line: string) => void;

export interface RunOptions extends SafetyOptions {
  readonly batchSize?: number;
  readonly journal?: Journal;
  /** Called after each re-check, right before its batch acts (tests drive a completing checkpoint through it). */
  readonly beforeBatch?: (batch: readonly CleanupCandidate[]) => Promise<void> | void;
  /** The time that names the quarantine directory (default now). */
  readonly now?: Date;
}

export interface SkippedEntry {
  readonly candidate: CleanupCandidate;
  readonly why: string;
}

export interface CleanupResult {
  /** Moved into the quarantine directory (reversible) or deleted for good. */
  readonly moved: readonly CleanupCandidate[];
  readonly deleted: readonly CleanupCandidate[];
  readonly skipped: readonly SkippedEntry[];
  /** Quarantined entries moved back because a snapshot that appeared meanwhile references them. */
  readonly restored: readonly string[];
  /** Set when the run stopped early: what changed. */
  readonly stopped?: string;
  /** The quarantine directory (store path), when anything was moved. */
  readonly trashPath?: string;
}

export interface TrashManifest {
  readonly version: 1;
  readonly created: string;
  readonly store: string;
  readonly base: string;
  readonly job: string;
  /** Paths relative to the base: where each entry was, and (the same path) where it lies below the trash directory. */
  readonly entries: { path: string; kind: CleanupCandidate['kind']; size: number; reason: CleanupReason }[];
}

/** A name for a quarantine directory that sorts by time and parses back (`2026-12-04T20-25-35.123Z`). */
export function trashStamp(date: Date): string {
  return date.toISOString().replace(/:/g, '-');
}

export function parseTrashStamp(name: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2}(\.\d+)?Z)$/.exec(name);
  if (!match) return undefined;
  const time = Date.parse(`${match[1]}:${match[2]}:${match[3]}`);
  return Number.isNaN(time) ? undefined : time;
}

function relativeTo(base: string, path: string): string {
  return base === '/' ? path.slice(1) : path.slice(base.length + 1);
}

/**
 * What changed in the base since the plan was made that could add references to the job's files: a snapshot of the
 * job appeared or completed, any `_metadata` became unreadable, or a snapshot elsewhere completed that names the job's
 * files. (Other jobs checkpointing meanwhile do not stop a run: their new snapshots reference their own files.)
 */
function changeSince(
  before: BaseView,
  after: BaseView,
  plan: CleanupPlan,
  clusterPaths: readonly string[],
): string | undefined {
  const known = new Map(before.snapshots.map((s) => [`${s.external ?? ''}${s.path}`, s]));
  const candidateTails = new Set(
    plan.candidates.map((c) => tailOf(c.path)).filter((t): t is string => t !== undefined),
  );
  const touchesJob = (s: SnapshotRecord): boolean => {
    if (!s.external && (s.path === after.jobPath || within(s.path, after.jobPath))) return true;
    if (s.status === 'unreadable') return true;
    if (s.status !== 'complete') return false;
    const original = originalDirectory(s, after.uri);
    return s.references.some(
      (ref) =>
        resolveReference(ref, s, original, after.uri, clusterPaths).some((p) => within(p, after.jobPath)) ||
        candidateTails.has(tailOf(parseLocation(ref)?.path ?? ref) ?? ''),
    );
  };
  for (const s of after.snapshots) {
    const was = known.get(`${s.external ?? ''}${s.path}`);
    const name = s.external ?? s.path;
    const change = !was
      ? `${name} appeared`
      : was.status !== s.status
        ? `${name} is now ${s.status}`
        : was.metadataMtime !== s.metadataMtime
          ? `${name}/${METADATA_FILE} was rewritten`
          : undefined;
    if (change && touchesJob(s)) return change;
  }
  return undefined;
}

/**
 * The re-check before a batch, on the base as it is now: what changed since the dry run (then nothing more is done),
 * and which entries of the batch are still candidates (the others are skipped, with why).
 */
export function recheckBatch(
  plan: CleanupPlan,
  fresh: BaseView,
  batch: readonly CleanupCandidate[],
  options: Pick<SafetyOptions, 'jobStopped' | 'clusterPaths'> & { reversible: boolean },
): { stopped?: string; latest: CleanupPlan; act: CleanupCandidate[]; skipped: SkippedEntry[] } {
  const latest = planCleanup(fresh, options);
  const stopped = changeSince(plan.view, fresh, plan, options.clusterPaths ?? []);
  if (stopped) return { stopped, latest, act: [], skipped: [] };
  const still = new Map(latest.candidates.map((c) => [c.path, c]));
  const act: CleanupCandidate[] = [];
  const skipped: SkippedEntry[] = [];
  for (const candidate of batch) {
    const now = still.get(candidate.path);
    if (now && now.kind === candidate.kind) act.push(candidate);
    else {
      skipped.push({
        candidate,
        why: latest.kept.find((k) => k.path === candidate.path)?.why ?? 'no longer a candidate (gone or changed)',
      });
    }
  }
  return { latest, act, skipped };
}

/** Entries moved to the trash that a snapshot of the base (as it is now) references: they go back. */
export function toMoveBack(
  view: BaseView,
  moved: readonly CleanupCandidate[],
  clusterPaths?: readonly string[],
): { candidate: CleanupCandidate; protector: string }[] {
  const protection = protectionOf(view, clusterPaths);
  return moved.flatMap((candidate) => {
    const protector = protectorOf(protection, candidate.path, candidate.kind);
    return protector ? [{ candidate, protector }] : [];
  });
}

/**
 * Moves (or, where the store cannot rename cheaply, deletes) the plan's candidates in batches. Before each batch the
 * base is read and judged again: the run stops when a snapshot appeared or completed, and skips what is no longer a
 * candidate. Before each entry its directory's real path must lie inside the job directory.
 */
export async function runCleanup(
  store: CheckpointStore,
  plan: CleanupPlan,
  options: RunOptions = {},
): Promise<CleanupResult> {
  const journal = options.journal ?? (() => undefined);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const reversible = store.capabilities.cheapRename;
  const { basePath, jobPath } = plan;
  const trashPath = joinStorePath(joinStorePath(basePath, TRASH_DIR), trashStamp(options.now ?? new Date()));
  const moved: CleanupCandidate[] = [];
  const deleted: CleanupCandidate[] = [];
  const skipped: SkippedEntry[] = [];
  const restored: string[] = [];
  let stopped: string | undefined;
  if (!reversible) {
    journal(`${store.label} cannot rename cheaply: entries are deleted for good, each batch only after a re-check`);
  }

  const manifest: TrashManifest = {
    version: 1,
    created: (options.now ?? new Date()).toISOString(),
    store: store.label,
    base: basePath,
    job: jobPath,
    entries: [],
  };
  const writeManifest = () =>
    store.write(
      joinStorePath(trashPath, MANIFEST_FILE),
      new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`),
      options,
    );

  const jobReal = await store.realPath(jobPath, options);
  let i = 0;
  let latest: CleanupPlan = plan;
  while (i < plan.candidates.length) {
    const batch = plan.candidates.slice(i, i + batchSize);
    i += batch.length;
    const check = recheckBatch(plan, await readBase(store, jobPath, options), batch, { ...options, reversible });
    latest = check.latest;
    if (check.stopped) {
      stopped = check.stopped;
      for (const candidate of [...batch, ...plan.candidates.slice(i)]) {
        skipped.push({ candidate, why: `not touched: ${stopped} since the dry run` });
      }
      journal(`stopped: ${stopped} since the dry run; run the dry run again`);
      break;
    }
    skipped.push(...check.skipped);
    await options.beforeBatch?.(batch);
    let movedInBatch = false;
    for (const candidate of check.act) {
      const parentReal = await store.realPath(parentStorePath(candidate.path), options).catch(() => undefined);
      const expected =
        jobReal === undefined ? undefined : joinPaths(jobReal, relativeTo(jobPath, parentStorePath(candidate.path)));
      if (!within(candidate.path, jobPath) || parentReal === undefined || parentReal !== expected) {
        skipped.push({ candidate, why: `a link in its path leads outside ${jobPath}` });
        journal(`skipped ${candidate.path}: a link in its path leads outside ${jobPath}`);
        continue;
      }
      try {
        if (reversible) {
          const target = joinStorePath(trashPath, relativeTo(basePath, candidate.path));
          await store.mkdir(parentStorePath(target), options);
          await store.rename(candidate.path, target, options);
          moved.push(candidate);
          manifest.entries.push({
            path: relativeTo(basePath, candidate.path),
            kind: candidate.kind,
            size: candidate.size,
            reason: candidate.reason,
          });
          movedInBatch = true;
          journal(`moved ${candidate.path} (${candidate.reason}, ${candidate.size} bytes) to ${target}`);
        } else {
          await store.delete(candidate.path, { ...options, recursive: candidate.kind === 'directory' });
          deleted.push(candidate);
          journal(`deleted ${candidate.path} (${candidate.reason}, ${candidate.size} bytes)`);
        }
      } catch (error) {
        if (!isStoreError(error, 'not-found')) throw error;
        skipped.push({ candidate, why: 'gone already' });
      }
    }
    if (movedInBatch) await writeManifest();
  }

  // A snapshot that completed during the last batch may reference what was just moved: the check after the end.
  if (!stopped && moved.length > 0) {
    const check = recheckBatch(plan, await readBase(store, jobPath, options), [], { ...options, reversible });
    stopped = check.stopped;
    latest = check.latest;
  }
  if (stopped && moved.length > 0) {
    for (const { candidate, protector } of toMoveBack(latest.view, moved, options.clusterPaths)) {
      await store.rename(joinStorePath(trashPath, relativeTo(basePath, candidate.path)), candidate.path, options);
      moved.splice(moved.indexOf(candidate), 1);
      manifest.entries.splice(
        manifest.entries.findIndex((e) => e.path === relativeTo(basePath, candidate.path)),
        1,
      );
      restored.push(candidate.path);
      journal(`moved ${candidate.path} back from the trash: ${protector} references it`);
    }
    if (restored.length > 0) await writeManifest();
  }
  return {
    moved,
    deleted,
    skipped,
    restored,
    ...(stopped ? { stopped } : {}),
    ...(moved.length > 0 ? { trashPath } : {}),
  };
}

function joinPaths(dir: string, rel: string): string {
  return rel === '' ? dir : joinStorePath(dir, rel);
}

// ---------------------------------------------------------------------------------------------------------------
// The trash

async function readManifest(store: CheckpointStore, trashPath: string, options: CallOptions): Promise<TrashManifest> {
  const bytes = await store.readAll(joinStorePath(trashPath, MANIFEST_FILE), {
    ...options,
    maxBytes: 64 * 1024 * 1024,
  });
  let manifest: TrashManifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes)) as TrashManifest;
  } catch (error) {
    throw new StoreError(
      'protocol',
      store.label,
      joinStorePath(trashPath, MANIFEST_FILE),
      `is not valid JSON (${(error as Error).message})`,
      'Move the entries back by hand: their paths below the trash directory are their paths below the checkpoint base.',
      { cause: error },
    );
  }
  if (manifest.version !== 1 || !Array.isArray(manifest.entries)) {
    throw new StoreError(
      'protocol',
      store.label,
      joinStorePath(trashPath, MANIFEST_FILE),
      'is not a manifest this version knows',
    );
  }
  return manifest;
}

export interface RestoreResult {
  readonly restored: readonly string[];
  readonly skipped: readonly { path: string; why: string }[];
}

/**
 * Puts a quarantine directory's entries back where they were (`trashPath` is `<base>/.flink-checkpoints-trash/<time>`).
 * An entry whose original path is taken again is left in the trash and reported. The directory goes when empty.
 */
export async function restoreTrash(
  store: CheckpointStore,
  trashPath: string,
  options: CallOptions & { journal?: Journal } = {},
): Promise<RestoreResult> {
  const journal = options.journal ?? (() => undefined);
  if (baseName(parentStorePath(trashPath)) !== TRASH_DIR) {
    throw new StoreError(
      'invalid-path',
      store.label,
      trashPath,
      `is not a directory in ${TRASH_DIR}`,
      `Give <checkpoint base>/${TRASH_DIR}/<time>.`,
    );
  }
  const base = parentStorePath(parentStorePath(trashPath));
  const manifest = await readManifest(store, trashPath, options);
  const restored: string[] = [];
  const skipped: { path: string; why: string }[] = [];
  const left: TrashManifest['entries'] = [];
  for (const entry of manifest.entries) {
    if (entry.path.split('/').some((part) => part === '..' || part === '')) {
      skipped.push({ path: entry.path, why: 'not a plain relative path' });
      continue;
    }
    const original = joinStorePath(base, entry.path);
    const inTrash = joinStorePath(trashPath, entry.path);
    const existing = await store.stat(original, options).catch((error: unknown) => {
      if (isStoreError(error, 'not-found')) return undefined;
      throw error;
    });
    if (existing) {
      skipped.push({ path: original, why: 'something exists at its original path again; it stays in the trash' });
      left.push(entry);
      continue;
    }
    try {
      await store.mkdir(parentStorePath(original), options);
      await store.rename(inTrash, original, options);
    } catch (error) {
      if (!isStoreError(error, 'not-found')) throw error;
      skipped.push({ path: original, why: 'not in the trash any more' });
      continue;
    }
    restored.push(original);
    journal(`restored ${original} from ${inTrash}`);
  }
  if (left.length === 0) {
    await store.delete(trashPath, { ...options, recursive: true });
    journal(`removed ${trashPath}`);
    const trash = parentStorePath(trashPath);
    if ((await listAll(store, trash, options)).length === 0) await store.delete(trash, options);
  } else {
    await store.write(
      joinStorePath(trashPath, MANIFEST_FILE),
      new TextEncoder().encode(`${JSON.stringify({ ...manifest, entries: left }, null, 2)}\n`),
      options,
    );
  }
  return { restored, skipped };
}

export interface TrashDirectory {
  readonly path: string;
  readonly time: number;
}

/** The quarantine directories of a checkpoint base, oldest first. */
export async function listTrash(
  store: CheckpointStore,
  basePath: string,
  options: CallOptions = {},
): Promise<TrashDirectory[]> {
  let entries: StoreEntry[];
  try {
    entries = await listAll(store, joinStorePath(basePath, TRASH_DIR), options);
  } catch (error) {
    if (isStoreError(error, 'not-found')) return [];
    throw error;
  }
  return entries
    .filter((e) => e.kind === 'directory')
    .map((e) => ({ path: e.path, time: parseTrashStamp(e.name) }))
    .filter((e): e is TrashDirectory => e.time !== undefined)
    .sort((a, b) => a.time - b.time);
}

/** Deletes for good the quarantine directories older than `olderThanMs`; returns their paths. */
export async function purgeTrash(
  store: CheckpointStore,
  basePath: string,
  olderThanMs: number,
  options: CallOptions & { journal?: Journal; now?: number } = {},
): Promise<string[]> {
  const journal = options.journal ?? (() => undefined);
  const cutoff = (options.now ?? Date.now()) - olderThanMs;
  const purged: string[] = [];
  for (const dir of await listTrash(store, basePath, options)) {
    if (dir.time >= cutoff) continue;
    await store.delete(dir.path, { ...options, recursive: true });
    purged.push(dir.path);
    journal(`deleted ${dir.path} for good`);
  }
  const trash = joinStorePath(basePath, TRASH_DIR);
  if (purged.length > 0 && (await listAll(store, trash, options)).length === 0) await store.delete(trash, options);
  return purged;
}
