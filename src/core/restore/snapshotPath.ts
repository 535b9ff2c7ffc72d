import { RestoreError } from './errors';

const URI_PATTERN = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;
const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

/** The scheme of a Flink path ("hdfs", "s3", "ftp", "file"), or null for a plain path such as "/mnt/flink/chk-3". */
export function pathScheme(path: string): string | null {
  if (WINDOWS_DRIVE.test(path)) return null;
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(path);
  return match ? match[1].toLowerCase() : null;
}

/** True when the JobManager would open `path` on its own local file system (no scheme, `file:` or a drive letter). */
export function isLocalPath(path: string): boolean {
  const scheme = pathScheme(path);
  return scheme === null || scheme === 'file';
}

/** True for a scheme-less path that is not absolute: Flink resolves it against the JobManager's working directory. */
export function isRelativePath(path: string): boolean {
  return pathScheme(path) === null && !path.startsWith('/') && !WINDOWS_DRIVE.test(path) && !path.startsWith('\\\\');
}

/** What was taken out of a snapshot URI's user info. */
export type RemovedCredentials = 'none' | 'password' | 'user' | 'user-and-password';

/** A snapshot path ready to be put into an invocation. */
export interface SanitizedSnapshotPath {
  readonly path: string;
  readonly removed: RemovedCredentials;
  /** The host of the URI whose user info was removed (for the `fs.ftp.user.<host>` hint). */
  readonly host: string | null;
  /** True when the caller asked to keep a password and the path still holds one. */
  readonly keptPassword: boolean;
}

/**
 * Removes credentials from a snapshot URI. A password never stays unless `keepCredentials` is set. For `ftp://` and
 * `ftps://` the user goes too: Hadoop's FTP file system reads a user without a password from the URI as "password
 * null" and never looks at `fs.ftp.password.<host>`, so the credentials must both come from the configuration.
 *
 * @throws RestoreError `invalid-path` for an empty path or one holding control characters (no invocation format
 *   could carry it unambiguously).
 */
export function sanitizeSnapshotPath(path: string, keepCredentials = false): SanitizedSnapshotPath {
  const trimmed = path.trim();
  if (trimmed === '') {
    throw new RestoreError('invalid-path', 'the snapshot path is empty: give the chk-N or savepoint directory');
  }
  if ([...trimmed].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw new RestoreError('invalid-path', `the snapshot path ${JSON.stringify(trimmed)} holds control characters`);
  }
  const match = URI_PATTERN.exec(trimmed);
  const at = match ? match[2].lastIndexOf('@') : -1;
  if (!match || at < 0) return { path: trimmed, removed: 'none', host: null, keptPassword: false };
  const [, scheme, authority, rest] = match;
  const userInfo = authority.slice(0, at);
  const hostPort = authority.slice(at + 1);
  const host = hostPort.replace(/:\d+$/, '');
  const hasPassword = userInfo.includes(':');
  if (keepCredentials) return { path: trimmed, removed: 'none', host, keptPassword: hasPassword };
  const isFtp = /^ftps?$/i.test(scheme);
  if (!hasPassword && !isFtp) return { path: trimmed, removed: 'none', host: null, keptPassword: false };
  const removed: RemovedCredentials = hasPassword ? (isFtp ? 'user-and-password' : 'password') : 'user';
  const keptUser = removed === 'password' ? `${userInfo.slice(0, userInfo.indexOf(':'))}@` : '';
  return { path: `${scheme}://${keptUser}${hostPort}${rest}`, removed, host, keptPassword: false };
}

/** One row of a store's "path as the cluster sees it" table. */
export interface PathMapping {
  /** A prefix of store paths: a local mount ("/mnt/flink"), or a store URI ("ftp://files.example.com/flink"). */
  readonly storePrefix: string;
  /** What the JobManager uses for the same place: the PV mount path in the pods ("/flink"), or the URI Flink uses. */
  readonly clusterPrefix: string;
}

/** The result of {@link mapToClusterPath}. */
export interface ClusterPath {
  readonly path: string;
  /** The row that matched; undefined when none did and the path was returned unchanged. */
  readonly mapping: PathMapping | undefined;
}

function trimSeparator(prefix: string): string {
  let end = prefix.length;
  while (end > 1 && (prefix[end - 1] === '/' || prefix[end - 1] === '\\') && !prefix.slice(0, end).endsWith('://')) {
    end--;
  }
  return prefix.slice(0, end);
}

function comparable(path: string, windows: boolean): string {
  return windows ? path.replace(/\\/g, '/').toLowerCase() : path;
}

/**
 * Maps a path as a store shows it to the path the JobManager must be given. The longest `storePrefix` that matches
 * whole segments wins ("/mnt/flink" matches "/mnt/flink/job/chk-3", not "/mnt/flink2"); the rest of the path is kept
 * and joined with "/". Windows prefixes ("D:\\flink") match case-insensitively and either separator. Paths are taken
 * literally (Flink does not decode "%20"), so pass decoded paths, not percent-encoded URIs. With no match the path
 * comes back unchanged and `mapping` is undefined.
 */
export function mapToClusterPath(storePath: string, mappings: readonly PathMapping[]): ClusterPath {
  let best: { mapping: PathMapping; rest: string; length: number } | undefined;
  for (const mapping of mappings) {
    const prefix = trimSeparator(mapping.storePrefix);
    const windows = WINDOWS_DRIVE.test(prefix) || prefix.includes('\\');
    const candidate = comparable(storePath, windows);
    const wanted = comparable(prefix, windows);
    const boundary = wanted.endsWith('/') || candidate.length === wanted.length || candidate[wanted.length] === '/';
    if (!candidate.startsWith(wanted) || !boundary) continue;
    if (best && best.length >= wanted.length) continue;
    const rest = storePath.slice(prefix.length).replace(/\\/g, '/').replace(/^\/+/, '');
    best = { mapping, rest, length: wanted.length };
  }
  if (!best) return { path: storePath, mapping: undefined };
  const target = trimSeparator(best.mapping.clusterPrefix);
  if (best.rest === '') return { path: target, mapping: best.mapping };
  return { path: target.endsWith('/') ? `${target}${best.rest}` : `${target}/${best.rest}`, mapping: best.mapping };
}

/** What a snapshot pointer names, judged from its last segment. */
export type SnapshotPointerKind = 'metadata-file' | 'checkpoint' | 'savepoint' | 'unknown';

/**
 * Flink accepts the directory holding `_metadata` (`chk-<n>`, `savepoint-<id>`) or the `_metadata` file itself; a job
 * directory or the checkpoint root fails ("Cannot find meta data file '_metadata' in directory ...").
 */
export function snapshotPointerKind(path: string): SnapshotPointerKind {
  const segments = path.replace(/[\\/]+$/, '').split(/[\\/]/);
  const last = segments[segments.length - 1] ?? '';
  if (last === '_metadata') return 'metadata-file';
  if (/^chk-\d+$/.test(last)) return 'checkpoint';
  if (/^savepoint-/.test(last)) return 'savepoint';
  return 'unknown';
}
