import type { StoreUri } from './uri';

/**
 * What a directory entry is. A symbolic link is a `link` (never what it points to, so that nothing walking a store
 * follows it by accident) on transports that can tell; `linkTarget` says what it points to, for browsing.
 */
export type EntryKind = 'file' | 'directory' | 'link' | 'other';

/** One directory entry or the result of `stat`. */
export interface StoreEntry {
  /** Store path (see normalizeStorePath). */
  readonly path: string;
  /** Last path segment. */
  readonly name: string;
  readonly kind: EntryKind;
  /** Bytes; 0 for directories. */
  readonly size: number;
  /** Last modification, ms since the epoch, when the server reports it. */
  readonly mtime?: number;
  /** For a `link`: what it points to (`other` when dangling or unknown). */
  readonly linkTarget?: 'file' | 'directory' | 'other';
  /** Where the entry really lies when that is not its path: an entropy-injected S3 object's URI. */
  readonly location?: string;
}

/** Whether an entry can be opened as a directory (a directory, or a link to one): for browsing, never for deleting. */
export function opensAsDirectory(entry: Pick<StoreEntry, 'kind' | 'linkTarget'>): boolean {
  return entry.kind === 'directory' || (entry.kind === 'link' && entry.linkTarget === 'directory');
}

/** What the deletion safety model (src/core/references/safety.ts) needs to know about a transport. */
export interface StoreCapabilities {
  /** A rename is one cheap server-side call for files and whole directories, so deletion can be a reversible move. */
  readonly cheapRename: boolean;
  /** Symbolic links are listed as `link` entries (otherwise a link may look like what it points to). */
  readonly reportsLinks: boolean;
  /** Resolution of reported modification times, ms (FTP MLSD: whole seconds; LIST: minutes). */
  readonly mtimeGranularityMs: number;
}

/** Every call takes these: `signal` cancels (rejecting with `cancelled`), `timeoutMs` overrides the store timeout. */
export interface CallOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export interface ListOptions extends CallOptions {
  /** Entries per yielded page (default 1000). Servers that return a whole listing at once are cut into pages. */
  readonly pageSize?: number;
}

export interface ReadOptions extends CallOptions {
  /** First byte to read (default 0). */
  readonly offset?: number;
  /** Bytes to read from `offset` (default: to the end). */
  readonly length?: number;
}

export interface ReadAllOptions extends ReadOptions {
  /** Refuse (with `too-large`) files larger than this; default 256 MiB. */
  readonly maxBytes?: number;
}

export interface WriteOptions extends CallOptions {
  /** Replace an existing file (default true). When false, an existing file fails with `already-exists`. */
  readonly overwrite?: boolean;
}

export interface DeleteOptions extends CallOptions {
  /** Delete a directory with its contents; without it a non-empty directory fails with `not-empty`. */
  readonly recursive?: boolean;
}

export interface RenameOptions extends CallOptions {
  /** Replace an existing target file (default false: an existing target fails with `already-exists`). */
  readonly overwrite?: boolean;
}

/** Totals below a path, as `du` would count them. */
export interface DiskUsage {
  readonly bytes: number;
  readonly files: number;
  readonly directories: number;
}

/**
 * One place Flink writes checkpoints to: a local directory, an FTP/FTPS server, HDFS or an S3 bucket. Paths are store paths
 * (`/` is the root the URI names). Every method rejects only with `StoreError`. Methods may run concurrently;
 * transports that need it (FTP) pool connections behind this interface.
 */
export interface CheckpointStore {
  /** The parsed store URI, without password. */
  readonly uri: StoreUri;
  /** A redacted label for messages and logs. */
  readonly label: string;
  /** What the transport can do, for the deletion safety model. */
  readonly capabilities: StoreCapabilities;

  /**
   * The store path with every symbolic link in it resolved, or undefined when that lies outside the store.
   * Transports that cannot see links return the path itself.
   */
  realPath(path: string, options?: CallOptions): Promise<string | undefined>;

  /** Kind, size and mtime of one path; a link is reported as a `link`, not followed. */
  stat(path: string, options?: CallOptions): Promise<StoreEntry>;

  /**
   * The entries of a directory, page by page, in server order (not sorted). Stopping the iteration early (break)
   * releases the connection. A path that is a file fails with `not-a-directory`.
   */
  list(path: string, options?: ListOptions): AsyncIterable<StoreEntry[]>;

  /** A byte range of a file as a stream of chunks. */
  read(path: string, options?: ReadOptions): AsyncIterable<Uint8Array>;

  /** A byte range of a file in one buffer, refusing files larger than `maxBytes`. */
  readAll(path: string, options?: ReadAllOptions): Promise<Uint8Array>;

  /**
   * Writes a whole file atomically: the bytes go to a hidden temporary file beside the target, which is then
   * renamed over it, so readers never see a half-written file. The parent directory must exist.
   */
  write(path: string, data: Uint8Array, options?: WriteOptions): Promise<void>;

  /** Deletes a file, or a directory (with `recursive` when it has contents). */
  delete(path: string, options?: DeleteOptions): Promise<void>;

  /** Renames or moves within the store. */
  rename(from: string, to: string, options?: RenameOptions): Promise<void>;

  /** Creates a directory and any missing parents; an existing directory is fine. */
  mkdir(path: string, options?: CallOptions): Promise<void>;

  /** Bytes, files and directories below a path (HDFS answers in one call; others walk). */
  diskUsage(path: string, options?: CallOptions): Promise<DiskUsage>;

  /** Closes idle and busy connections (busy calls fail with `cancelled`); a later call opens new ones. */
  close(): Promise<void>;

  /** Data files Flink wrote with S3 entropy injection, when the store knows where the entropy key sits. */
  readonly entropy?: EntropyFiles;
}

/**
 * With S3 entropy injection (`s3.entropy.key`) Flink writes `_metadata` with the key removed from the checkpoint
 * directory and each data file with random characters in its place: in the same bucket, outside the store root. A
 * store configured with the key maps such files onto the store paths they stand for (the key removed), so
 * references, presence and cleanup see them where the layout expects them.
 */
export interface EntropyFiles {
  /** The store path an entropy-injected file stands for, or undefined when `reference` is not one of this store's. */
  pathOf(reference: string): string | undefined;
  /** Whether the object an entropy-injected reference names exists. */
  exists(reference: string, options?: CallOptions): Promise<boolean>;
  /**
   * Every entropy-injected object standing for a path below the store directory `dir`, as a file entry at that path
   * (`location` names the object); `delete` of such a path (or of a directory above it) deletes the object too.
   */
  list(dir: string, options?: CallOptions): Promise<StoreEntry[]>;
}

/** Options for opening a store, beyond what its URI says. Secrets come from secret storage or the environment. */
export interface StoreOptions {
  /** Password (FTP, or HTTP Basic for a WebHDFS gateway; an S3 secret access key); overrides one in the URI. */
  readonly password?: string;
  /** User name; overrides one in the URI (FTP login, or WebHDFS `user.name`). */
  readonly user?: string;
  /** Per-call timeout waiting for the server, ms (default 30000). */
  readonly timeoutMs?: number;
  /** FTP: connections in the pool (default 4). */
  readonly poolSize?: number;
  /**
   * FTPS: accept self-signed or otherwise unverifiable server certificates (test and private servers). swebhdfs://
   * always verifies (Node's https); trust a private CA with NODE_EXTRA_CA_CERTS instead.
   */
  readonly allowUntrustedCertificate?: boolean;
  /** hdfs://: the NameNode's WebHDFS address, `host:port` or `http(s)://host:port[/gateway-prefix]`. */
  readonly webHdfsAddress?: string;
  /** WebHDFS: a delegation token (sent as `delegation=`), instead of `user.name`. */
  readonly delegationToken?: string;
  /** s3://, s3a://, s3p://: endpoint, region, addressing and credentials (the secret key is `password`). */
  readonly s3?: S3Options;
}

/** What an S3 store needs beyond its URI. Secrets are never here: the secret key is `StoreOptions.password`. */
export interface S3Options {
  /** AWS region (default: the SDK's resolution from AWS_REGION and the profile, else us-east-1). */
  readonly region?: string;
  /** Endpoint of an S3-compatible service (MinIO, Ceph, GCS, OSS, versitygw); default AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or AWS. */
  readonly endpoint?: string;
  /** Path-style addressing (`endpoint/bucket/key`); default on for an endpoint whose host is an IP address or localhost. */
  readonly pathStyle?: boolean;
  /** A profile of the shared AWS config and credentials files (SSO and role profiles included). */
  readonly profile?: string;
  /** An access key id; its secret comes as the store password. Without one, the default credential chain is used. */
  readonly accessKeyId?: string;
  /** Lets write, mkdir and rename create objects (PutObject, CopyObject); off by default, deletion is not affected. */
  readonly allowWrites?: boolean;
  /** Requests in flight at once (default 16). */
  readonly maxConcurrency?: number;
  /** Flink's `s3.entropy.key`: data files lie where the key, in the checkpoint directory, is replaced by random characters. */
  readonly entropyKey?: string;
  /** Flink's `s3.entropy.length` (default 4): how many random characters replace the key. */
  readonly entropyLength?: number;
  /**
   * The checkpoint directory as Flink is configured with it, key included (`s3://bucket/_entropy_/checkpoints`, or
   * its path); default: the store's own URI when it holds the key (the store is then rooted where it is removed).
   */
  readonly entropyDirectory?: string;
}
