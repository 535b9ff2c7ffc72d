import * as http from 'node:http';
import * as https from 'node:https';
import * as nodePath from 'node:path';
import { BaseStore, tempSibling } from './base';
import type { Deadline } from './deadline';
import { SOCKET_ERROR_CODES, StoreError, StoreErrorCode } from './errors';
import { HdfsPackageClient, PackageFailure } from './hdfsPackage';
import { baseName, joinStorePath } from './paths';
import type {
  CallOptions,
  DeleteOptions,
  DiskUsage,
  EntryKind,
  ListOptions,
  ReadOptions,
  RenameOptions,
  StoreCapabilities,
  StoreEntry,
  StoreOptions,
  WriteOptions,
} from './types';
import { DEFAULT_PORTS, StoreUri } from './uri';
import { errorMessage } from '../errors';

/** A FileStatus object of the WebHDFS REST API. */
interface FileStatus {
  readonly pathSuffix: string;
  readonly type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  readonly length: number;
  readonly modificationTime: number;
}

interface RemoteException {
  readonly exception?: string;
  readonly javaClassName?: string;
  readonly message?: string;
}

/** Hadoop exception simple names and what they mean here. */
const EXCEPTION_CODES: Record<string, StoreErrorCode> = {
  FileNotFoundException: 'not-found',
  AccessControlException: 'permission-denied',
  SecurityException: 'permission-denied',
  AuthorizationException: 'permission-denied',
  PathIsNotEmptyDirectoryException: 'not-empty',
  FileAlreadyExistsException: 'already-exists',
  ParentNotDirectoryException: 'not-a-directory',
  InvalidToken: 'auth-failed',
  StandbyException: 'unavailable',
  SafeModeException: 'unavailable',
  RetriableException: 'unavailable',
};

function kindOf(status: FileStatus): EntryKind {
  return status.type === 'DIRECTORY'
    ? 'directory'
    : status.type === 'FILE'
      ? 'file'
      : status.type === 'SYMLINK'
        ? 'link'
        : 'other';
}

/** Percent-encodes each segment of an HDFS path for a WebHDFS URL (`%` included, which the webhdfs package misses). */
function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

/**
 * HDFS through the NameNode's WebHDFS REST API (`hdfs://`, `webhdfs://`, `swebhdfs://`).
 *
 * Reads, listings, uploads, sizes and exact renames go through one HTTP path over node:http ({@link HdfsStore.http}):
 * the `webhdfs` package has no LISTSTATUS_BATCH (huge directories), GETCONTENTSUMMARY, ranged OPEN with an
 * AbortSignal, or the HTTP status and RemoteException class of a failure, and its uploads always overwrite; fetch
 * (undici) rejects the `100 Continue` datanodes send unasked. Directory creation, deletion and plain renames go through
 * the package ({@link HdfsPackageClient}, which keeps its quirks), with this store checking preconditions and results
 * with GETFILESTATUS (the package reports `{"boolean": false}`, i.e. a refused rename or delete, as success). Every
 * failure, of either path, is mapped in one place ({@link HdfsStore.failure}).
 * Auth: `user.name` (simple auth), a delegation token, or HTTP Basic for a gateway; datanode redirects are followed
 * explicitly so the credentials stay on the NameNode request and the datanode gets the URL the NameNode signed.
 */
export class HdfsStore extends BaseStore {
  private readonly base: URL;
  private readonly user: string | undefined;
  private readonly headers: Record<string, string>;
  private readonly client: HdfsPackageClient;
  private authCookie: string | undefined;

  /** RENAME is one NameNode call for files and directories; WebHDFS lists a link as `SYMLINK`; times are ms. */
  readonly capabilities: StoreCapabilities = { cheapRename: true, reportsLinks: true, mtimeGranularityMs: 1 };

  constructor(uri: StoreUri, options: StoreOptions = {}) {
    super(uri, options);
    this.base = HdfsStore.endpoint(uri, options.webHdfsAddress);
    this.user = options.user ?? uri.user;
    const password = options.password ?? uri.password;
    this.headers =
      password !== undefined && this.user !== undefined
        ? { authorization: `Basic ${Buffer.from(`${this.user}:${password}`).toString('base64')}` }
        : {};
    this.client = new HdfsPackageClient(
      this.base,
      {
        headers: this.headers,
        ...(this.user !== undefined ? { user: this.user } : {}),
        ...(options.delegationToken ? { delegationToken: options.delegationToken } : {}),
      },
      this.timeoutMs,
    );
  }

  /** The WebHDFS base URL (ending in /webhdfs/v1) for a store URI and the optional `webHdfsAddress` option. */
  static endpoint(uri: StoreUri, webHdfsAddress?: string): URL {
    if (webHdfsAddress) {
      const withScheme = /^https?:\/\//i.test(webHdfsAddress)
        ? webHdfsAddress
        : `${uri.scheme === 'swebhdfs' ? 'https' : 'http'}://${webHdfsAddress}`;
      let url: URL;
      try {
        url = new URL(withScheme);
      } catch {
        throw new StoreError(
          'invalid-uri',
          webHdfsAddress,
          undefined,
          'the WebHDFS address is not host:port or an http(s) URL',
        );
      }
      url.pathname = `${url.pathname.replace(/\/$/, '')}/webhdfs/v1`;
      return url;
    }
    const scheme = uri.scheme === 'swebhdfs' ? 'https' : 'http';
    // For hdfs:// the URI's port is the NameNode RPC port; WebHDFS listens on the HTTP port.
    const port =
      uri.scheme === 'hdfs' ? DEFAULT_PORTS.hdfs : (uri.port ?? DEFAULT_PORTS[uri.scheme as 'webhdfs' | 'swebhdfs']);
    const host = uri.host.includes(':') ? `[${uri.host}]` : uri.host;
    return new URL(`${scheme}://${host}:${port}/webhdfs/v1`);
  }

  private server(storePath: string): string {
    return nodePath.posix.join(this.uri.path, storePath);
  }

  private url(storePath: string, op: string, params: Record<string, string | number | boolean> = {}): string {
    const query = new URLSearchParams({ op });
    if (this.options.delegationToken) query.set('delegation', this.options.delegationToken);
    else if (this.user !== undefined) query.set('user.name', this.user);
    for (const [key, value] of Object.entries(params)) query.set(key, String(value));
    return `${this.base.href}${encodePath(this.server(storePath))}?${query}`;
  }

  private where(): string {
    return this.base.host;
  }

  /**
   * The one HTTP exchange of this store, over node:http (the NameNode and datanodes alike); non-2xx answers become
   * StoreErrors from the RemoteException JSON, redirects are returned for the caller to follow. The answer's body must
   * be read (`text`, `json`, iteration) or dropped (`drop`).
   */
  private async http(
    method: string,
    url: string,
    path: string,
    what: string,
    deadline: Deadline,
    body?: Uint8Array,
  ): Promise<http.IncomingMessage> {
    const target = new URL(url);
    const toNameNode = target.host === this.base.host;
    // Credentials go to the NameNode only; a datanode URL carries what the NameNode signed into it.
    const headers: http.OutgoingHttpHeaders = toNameNode
      ? { ...this.headers, ...(this.authCookie ? { cookie: this.authCookie } : {}) }
      : {};
    if (body) {
      headers['content-type'] = 'application/octet-stream';
      headers['content-length'] = body.byteLength;
    }
    const request = target.protocol === 'https:' ? https.request : http.request;
    let answer: http.IncomingMessage;
    try {
      answer = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = request(target, { method, signal: deadline.signal, headers }, resolve);
        req.on('error', reject);
        req.end(body);
      });
    } catch (error) {
      throw deadline.reason ?? this.failure(error, path, what);
    }
    if (toNameNode) this.keepAuthCookie(answer.headers['set-cookie']);
    const status = answer.statusCode ?? 0;
    if (status < 400) return answer;
    const text = await this.text(answer, path, what).catch(() => '');
    throw this.remoteError(status, text, path, what);
  }

  /** An answer's body as text. */
  private async text(answer: http.IncomingMessage, path: string, what: string): Promise<string> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of answer) chunks.push(chunk as Buffer);
    } catch (error) {
      throw this.failure(error, path, what);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private async json<T>(answer: http.IncomingMessage, path: string, what: string): Promise<T> {
    const text = await this.text(answer, path, what);
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw this.error('protocol', path, `${what}: the answer is not JSON (${(error as Error).message})`);
    }
  }

  /** Drops an answer whose body does not matter (a redirect, an upload's confirmation). */
  private drop(answer: http.IncomingMessage): void {
    answer.resume();
  }

  /**
   * Hadoop's AuthenticationFilter answers with a signed `hadoop.auth` cookie; sending it back (as Hadoop's own
   * WebHdfsFileSystem does) spares the NameNode authenticating every page of a long listing again.
   */
  private keepAuthCookie(setCookie: readonly string[] | undefined): void {
    const cookie = (setCookie ?? []).map((c) => c.split(';')[0].trim()).find((c) => c.startsWith('hadoop.auth='));
    if (cookie === undefined) return;
    this.authCookie = /^hadoop\.auth=("")?$/.test(cookie) ? undefined : cookie;
  }

  /**
   * Every failure of this store as a StoreError: what is one already passes; a socket error of either HTTP path names
   * the address; a failure of the webhdfs package, which keeps only Hadoop's message, is classified by its wording.
   */
  private failure(error: unknown, path: string | undefined, what: string): StoreError {
    if (error instanceof StoreError) return error;
    if (error instanceof PackageFailure && (error.code === undefined || !isSocketError(error.code))) {
      return this.error(classifyHadoopMessage(error.message), path, `${what}: ${error.message}`);
    }
    return this.connectionError(error, path, what);
  }

  private connectionError(error: unknown, path: string | undefined, what: string): StoreError {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.endsWith('TIMEDOUT') && !SOCKET_ERROR_CODES.has(code)) {
      return this.error('timeout', path, `${what}: no answer within ${this.timeoutMs} ms`);
    }
    if (code === 'ECONNREFUSED') {
      return this.error(
        'unavailable',
        path,
        `${what}: nothing accepts connections at ${this.where()} (is the NameNode's WebHDFS HTTP address right?)`,
      );
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return this.error('unavailable', path, `${what}: the host name ${this.base.hostname} does not resolve`);
    }
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
      return this.error(
        'unavailable',
        path,
        `${what}: the TLS certificate of ${this.where()} is not trusted`,
        "Install the NameNode's CA certificate (NODE_EXTRA_CA_CERTS for the CLI).",
      );
    }
    if (SOCKET_ERROR_CODES.has(code)) {
      return this.error(
        'unavailable',
        path,
        `${what}: the connection to ${this.where()} failed (${errorMessage(error)})`,
      );
    }
    return this.error('protocol', path, `${what}: ${errorMessage(error)}`);
  }

  private remoteError(status: number, text: string, path: string, what: string): StoreError {
    let remote: RemoteException | undefined;
    try {
      remote = (JSON.parse(text) as { RemoteException?: RemoteException }).RemoteException;
    } catch {
      remote = undefined;
    }
    if (!remote) {
      if (status === 401) {
        return this.error(
          'auth-failed',
          path,
          `${what}: ${this.where()} requires authentication (HTTP 401)`,
          'Kerberos (SPNEGO) is not supported: give a delegation token, or a user name and password for a gateway.',
        );
      }
      if (status === 404) {
        return this.error(
          'protocol',
          path,
          `${what}: ${this.where()} has no WebHDFS API (HTTP 404)`,
          'Check the WebHDFS HTTP address (default port 9870) and that dfs.webhdfs.enabled is true.',
        );
      }
      return this.error(
        status >= 500 ? 'unavailable' : 'protocol',
        path,
        `${what}: HTTP ${status} from ${this.where()}`,
      );
    }
    const exception = remote.exception ?? remote.javaClassName?.split('.').pop() ?? 'RemoteException';
    const code =
      EXCEPTION_CODES[exception] ?? (status === 403 ? 'permission-denied' : status === 404 ? 'not-found' : 'protocol');
    return this.error(code, path, `${what}: ${exception}: ${remote.message ?? `HTTP ${status}`}`);
  }

  private entryOf(storePath: string, status: FileStatus): StoreEntry {
    const kind = kindOf(status);
    return {
      path: storePath,
      name: baseName(storePath),
      kind,
      size: kind === 'directory' ? 0 : status.length,
      mtime: status.modificationTime,
    };
  }

  protected override mapError(error: unknown, path: string | undefined, what: string): StoreError {
    return this.failure(error, path, what);
  }

  private async statWith(p: string, deadline: Deadline): Promise<StoreEntry> {
    const response = await this.http('GET', this.url(p, 'GETFILESTATUS'), p, 'reading file information', deadline);
    const body = await this.json<{ FileStatus?: FileStatus }>(response, p, 'reading file information');
    if (!body.FileStatus) throw this.error('protocol', p, 'GETFILESTATUS answered without a FileStatus');
    return this.entryOf(p, body.FileStatus);
  }

  /** stat that answers undefined for a missing path. */
  private async probe(p: string, deadline: Deadline): Promise<StoreEntry | undefined> {
    try {
      return await this.statWith(p, deadline);
    } catch (error) {
      if (error instanceof StoreError && error.code === 'not-found') return undefined;
      throw error;
    }
  }

  async stat(path: string, options?: CallOptions): Promise<StoreEntry> {
    const p = this.norm(path);
    return await this.withDeadline(options, p, 'reading file information', (deadline) => this.statWith(p, deadline));
  }

  /** Pages with LISTSTATUS_BATCH (the NameNode's `dfs.ls.limit` entries each, default 1000); LISTSTATUS where it is missing. */
  async *list(path: string, options: ListOptions = {}): AsyncIterable<StoreEntry[]> {
    const p = this.norm(path);
    yield* this.repage(
      p,
      options,
      (deadline) => this.statusBatches(p, deadline),
      (statuses) => statuses.map((status) => this.entryOf(joinStorePath(p, status.pathSuffix), status)),
    );
  }

  /** The NameNode's answers to one listing, batch after batch. */
  private async *statusBatches(p: string, deadline: Deadline): AsyncIterable<FileStatus[]> {
    let startAfter: string | undefined;
    let batch = true;
    for (;;) {
      let statuses: FileStatus[];
      let remaining = 0;
      if (batch) {
        let response: http.IncomingMessage;
        try {
          response = await this.http(
            'GET',
            this.url(p, 'LISTSTATUS_BATCH', startAfter === undefined ? {} : { startAfter }),
            p,
            'listing',
            deadline,
          );
        } catch (error) {
          // Hadoop before 2.8 and HttpFS gateways do not know LISTSTATUS_BATCH.
          if (
            startAfter === undefined &&
            error instanceof StoreError &&
            error.code === 'protocol' &&
            /LISTSTATUS_BATCH/.test(error.detail)
          ) {
            batch = false;
            continue;
          }
          throw error;
        }
        const body = await this.json<{
          DirectoryListing?: {
            partialListing?: { FileStatuses?: { FileStatus?: FileStatus[] } };
            remainingEntries?: number;
          };
        }>(response, p, 'listing');
        statuses = body.DirectoryListing?.partialListing?.FileStatuses?.FileStatus ?? [];
        remaining = body.DirectoryListing?.remainingEntries ?? 0;
      } else {
        const response = await this.http('GET', this.url(p, 'LISTSTATUS'), p, 'listing', deadline);
        const body = await this.json<{ FileStatuses?: { FileStatus?: FileStatus[] } }>(response, p, 'listing');
        statuses = body.FileStatuses?.FileStatus ?? [];
      }
      // A listing of a file is that file alone, with an empty name.
      if (
        startAfter === undefined &&
        statuses.length === 1 &&
        statuses[0].pathSuffix === '' &&
        statuses[0].type !== 'DIRECTORY'
      ) {
        throw this.error('not-a-directory', p, 'is a file, not a directory');
      }
      deadline.touch();
      yield statuses;
      if (remaining <= 0 || statuses.length === 0) return;
      startAfter = statuses[statuses.length - 1].pathSuffix;
    }
  }

  async *read(path: string, options: ReadOptions = {}): AsyncIterable<Uint8Array> {
    const p = this.norm(path);
    if (options.length !== undefined && options.length <= 0) return;
    const deadline = this.deadline(options, p, 'reading');
    try {
      const params: Record<string, number> = {};
      if (options.offset) params.offset = options.offset;
      if (options.length !== undefined && Number.isFinite(options.length)) params.length = options.length;
      let response = await this.http('GET', this.url(p, 'OPEN', params), p, 'reading', deadline);
      if ((response.statusCode ?? 0) >= 300) {
        const location = this.redirectTarget(response, p);
        this.drop(response);
        response = await this.http('GET', location, p, 'reading from the datanode', deadline);
      }
      try {
        for await (const chunk of response as AsyncIterable<Buffer>) {
          deadline.received(chunk.byteLength);
          // A plain view of the bytes, as every store yields, not a Buffer.
          yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        }
      } finally {
        response.destroy();
      }
    } catch (error) {
      throw deadline.reason ?? this.failure(error, p, 'reading');
    } finally {
      deadline.dispose();
    }
  }

  private redirectTarget(response: http.IncomingMessage, p: string): string {
    const location = response.headers.location;
    if (!location) throw this.error('protocol', p, `HTTP ${response.statusCode} without a datanode location`);
    return new URL(location, this.base).href;
  }

  async write(path: string, data: Uint8Array, options: WriteOptions = {}): Promise<void> {
    const p = this.norm(path);
    if (p === '/') throw this.error('is-a-directory', p, 'the store root is a directory');
    const temp = joinStorePath(p.slice(0, p.lastIndexOf('/')) || '/', tempSibling(baseName(p)));
    await this.withDeadline(options, p, 'writing', async (deadline) => {
      const existing = await this.probe(p, deadline);
      if (existing?.kind === 'directory') throw this.error('is-a-directory', p, 'a directory has this name');
      if (existing && options.overwrite === false) throw this.error('already-exists', p, 'the file exists');
      const create = await this.http('PUT', this.url(temp, 'CREATE', { overwrite: false }), p, 'writing', deadline);
      const target = (create.statusCode ?? 0) >= 300 ? this.redirectTarget(create, p) : undefined;
      this.drop(create);
      try {
        if (target) this.drop(await this.http('PUT', target, p, 'writing to the datanode', deadline, data));
        // rename2 with OVERWRITE replaces the target atomically; NONE fails with FileAlreadyExistsException.
        await this.renameExact(temp, p, options.overwrite !== false, deadline);
      } catch (error) {
        await this.http('DELETE', this.url(temp, 'DELETE'), temp, 'cleaning up', deadline)
          .then((r) => this.drop(r))
          .catch(() => undefined);
        throw error;
      }
    });
  }

  /** RENAME to exactly `to` (never into it, as plain HDFS rename does when `to` is a directory). */
  private async renameExact(from: string, to: string, overwrite: boolean, deadline: Deadline): Promise<void> {
    const response = await this.http(
      'PUT',
      this.url(from, 'RENAME', {
        destination: this.server(to),
        renameoptions: overwrite ? 'OVERWRITE' : 'NONE',
      }),
      from,
      'renaming',
      deadline,
    );
    const text = await this.text(response, from, 'renaming');
    if (/"boolean"\s*:\s*false/.test(text)) {
      throw this.error('protocol', from, `the NameNode refused to rename it to ${to}`);
    }
  }

  async delete(path: string, options: DeleteOptions = {}): Promise<void> {
    const p = this.norm(path);
    if (p === '/') throw this.error('invalid-path', p, 'refusing to delete the store root');
    await this.withDeadline(options, p, 'deleting', async (deadline) => {
      await this.statWith(p, deadline);
      await this.client.unlink(this.server(p), options.recursive === true, deadline);
      // The package reports {"boolean": false} as success: check that it is gone.
      if (await this.probe(p, deadline)) {
        throw this.error('protocol', p, 'the NameNode did not delete it (DELETE returned false)');
      }
    });
  }

  async rename(from: string, to: string, options: RenameOptions = {}): Promise<void> {
    const source = this.norm(from);
    const target = this.norm(to);
    await this.withDeadline(options, source, 'renaming', async (deadline) => {
      const sourceEntry = await this.statWith(source, deadline);
      const existing = await this.probe(target, deadline);
      if (existing && !options.overwrite) {
        throw this.error('already-exists', target, `cannot rename ${source}: the target exists`);
      }
      if (existing) {
        await this.renameExact(source, target, true, deadline);
        return;
      }
      await this.client.rename(this.server(source), this.server(target), deadline);
      // The package reports {"boolean": false} (missing parent, concurrent change) as success: check the result.
      const moved = await this.probe(target, deadline);
      if (!moved || moved.kind !== sourceEntry.kind || (await this.probe(source, deadline))) {
        const parent = await this.probe(target.slice(0, target.lastIndexOf('/')) || '/', deadline);
        throw parent
          ? this.error('protocol', source, `the NameNode refused to rename it to ${target} (RENAME returned false)`)
          : this.error('not-found', target, 'the target directory does not exist');
      }
    });
  }

  async mkdir(path: string, options?: CallOptions): Promise<void> {
    const p = this.norm(path);
    await this.withDeadline(options, p, 'creating a directory', async (deadline) => {
      await this.client.mkdir(this.server(p), deadline);
      const entry = await this.probe(p, deadline);
      if (!entry) throw this.error('protocol', p, 'the NameNode did not create it (MKDIRS returned false)');
      if (entry.kind !== 'directory') throw this.error('already-exists', p, 'a file has this name');
    });
  }

  /** One GETCONTENTSUMMARY call instead of a walk. */
  override async diskUsage(path: string, options?: CallOptions): Promise<DiskUsage> {
    const p = this.norm(path);
    return await this.withDeadline(options, p, 'summing sizes', async (deadline) => {
      const response = await this.http('GET', this.url(p, 'GETCONTENTSUMMARY'), p, 'summing sizes', deadline);
      const body = await this.json<{ ContentSummary?: { length: number; fileCount: number; directoryCount: number } }>(
        response,
        p,
        'summing sizes',
      );
      const summary = body.ContentSummary;
      if (!summary) throw this.error('protocol', p, 'GETCONTENTSUMMARY answered without a ContentSummary');
      return { bytes: summary.length, files: summary.fileCount, directories: summary.directoryCount };
    });
  }

  async close(): Promise<void> {
    // Both HTTP stacks pool their connections process-wide; the store holds none of its own.
  }
}

/** A socket error of either HTTP stack, rather than an answer of the NameNode. */
function isSocketError(code: string): boolean {
  return SOCKET_ERROR_CODES.has(code) || code.endsWith('TIMEDOUT') || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code);
}

/** The webhdfs package keeps only a RemoteException's message; Hadoop's wording says which exception it was. */
function classifyHadoopMessage(message: string): StoreErrorCode {
  if (/does not exist|FileNotFound|not found/i.test(message)) return 'not-found';
  if (/Permission denied|AccessControl|not authorized/i.test(message)) return 'permission-denied';
  if (/non empty|not empty/i.test(message)) return 'not-empty';
  if (/already exists/i.test(message)) return 'already-exists';
  if (/not a directory/i.test(message)) return 'not-a-directory';
  if (/safe mode|standby/i.test(message)) return 'unavailable';
  return 'protocol';
}
