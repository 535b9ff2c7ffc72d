import { Client, FileInfo, FileType, FTPError, parseList } from 'basic-ftp';
import { FtpPool, Pooled } from './ftpPool';
import * as nodePath from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { BaseStore, DEFAULT_READ_ALL_MAX_BYTES, tempSibling } from './base';
import type { Deadline } from './deadline';
import { SOCKET_ERROR_CODES, StoreError, StoreErrorCode, isStoreError as isStoreErrorCode } from './errors';
import { baseName, joinStorePath, parentStorePath } from './paths';
import type {
  CallOptions,
  DeleteOptions,
  EntryKind,
  ListOptions,
  ReadAllOptions,
  ReadOptions,
  RenameOptions,
  StoreCapabilities,
  StoreEntry,
  StoreOptions,
  WriteOptions,
} from './types';
import type { StoreUri } from './uri';
import { errorMessage } from '../errors';

/** Default number of control connections per FTP store. */
export const DEFAULT_FTP_POOL_SIZE = 4;

/** One listing request shared by every caller that asked for the same directory while it ran. */
interface SharedListing {
  readonly promise: Promise<string>;
  /** The request's own deadline (store timeout; cancelled when no caller waits any more). */
  readonly own: Deadline;
  waiters: number;
}

function kindOf(info: FileInfo): EntryKind {
  return info.type === FileType.Directory
    ? 'directory'
    : info.type === FileType.File
      ? 'file'
      : info.type === FileType.SymbolicLink
        ? 'link'
        : 'other';
}

/**
 * The facts of an MLST answer's line (`type=file;size=5;modify=20240101120000; /dir/name`), read as basic-ftp reads an
 * MLSD line. Own code because basic-ftp's public `parseList` drops every entry whose name has a `/`, which the path in
 * an MLST answer always has, and its line parser is not part of its public API. `cdir`/`pdir` and an empty name give
 * undefined, as there.
 */
export function parseMlstLine(line: string): FileInfo | undefined {
  const space = line.indexOf(' ');
  const name = line.slice(space + 1);
  if (name === '' || name === '.' || name === '..') return undefined;
  const info = new FileInfo(name);
  for (const fact of space < 0 ? [] : line.slice(0, space).split(';')) {
    const eq = fact.indexOf('=');
    const value = eq < 0 ? '' : fact.slice(eq + 1);
    if (value === '') continue;
    switch (fact.slice(0, eq).toLowerCase()) {
      case 'size':
      case 'sizd':
        info.size = parseInt(value, 10);
        break;
      case 'modify':
        info.modifiedAt = mlstDate(value);
        break;
      case 'type':
        if (value === 'cdir' || value === 'pdir') return undefined;
        info.type =
          value === 'file'
            ? FileType.File
            : value === 'dir'
              ? FileType.Directory
              : value === 'OS.unix=symlink' || value.startsWith('OS.unix=slink')
                ? FileType.SymbolicLink
                : FileType.Unknown;
        break;
    }
  }
  return info;
}

/** An MLSx time, `YYYYMMDDHHMMSS[.sss]` in UTC (RFC 3659, section 2.3). */
function mlstDate(fact: string): Date {
  const part = (from: number, to: number): number => Number(fact.slice(from, to));
  return new Date(
    Date.UTC(part(0, 4), part(4, 6) - 1, part(6, 8), part(8, 10), part(10, 12), part(12, 14), part(15, 18)),
  );
}

/** Whether an error means the connection itself is gone (worth one retry on a new connection). */
function isConnectionLoss(error: unknown): boolean {
  if (error instanceof FTPError) return error.code === 421;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : '';
  return (
    (code !== undefined && SOCKET_ERROR_CODES.has(code)) ||
    /Client is closed|closed connection unexpectedly|FIN packet|Socket closed|not connected/i.test(message)
  );
}

/**
 * An FTP or FTPS (explicit TLS) server through basic-ftp, with a small connection pool, single-flight listings,
 * reconnect on dropped connections, MLSD listings where the server offers them (LIST otherwise) and MLST stat.
 */
export class FtpStore extends BaseStore {
  private readonly pool: FtpPool<Client>;
  private readonly listings = new Map<string, SharedListing>();
  private readonly password: string | undefined;
  private readonly user: string;
  /** Learned from FEAT on the first connection. */
  private supportsMlst: boolean | undefined;
  /** Connections still logging in. */
  private readonly connecting = new Set<Client>();

  /**
   * RNFR/RNTO moves files and directories on the server. A link is listed as one where the server says so (MLSD
   * `OS.unix=symlink`, LIST `l…`); many servers show only what it points to. MLSD times have whole seconds, LIST times
   * whole minutes at best.
   */
  get capabilities(): StoreCapabilities {
    return { cheapRename: true, reportsLinks: false, mtimeGranularityMs: this.supportsMlst === false ? 60_000 : 1000 };
  }

  constructor(uri: StoreUri, options: StoreOptions = {}) {
    super(uri, options);
    this.user = options.user ?? uri.user ?? 'anonymous';
    this.password = options.password ?? uri.password ?? (this.user === 'anonymous' ? 'anonymous@' : undefined);
    this.pool = new FtpPool(Math.max(1, options.poolSize ?? DEFAULT_FTP_POOL_SIZE), () => this.openConnection());
  }

  private server(storePath: string): string {
    return nodePath.posix.join(this.uri.path, storePath);
  }

  protected override norm(path: string): string {
    if (/[\r\n]/.test(path)) {
      throw this.error('invalid-path', path.replace(/[\r\n]/g, ' '), 'FTP paths cannot contain line breaks');
    }
    return super.norm(path);
  }

  private async openConnection(): Promise<Client> {
    const client = new Client(this.timeoutMs);
    // basic-ftp's timeout restarts on every byte: a server that keeps sending greeting lines would never trip it. The
    // whole login gets the store timeout, and closing the store ends a login still under way.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      client.close();
    }, this.timeoutMs);
    this.connecting.add(client);
    try {
      await client.access({
        host: this.uri.host,
        port: this.uri.port ?? 21,
        user: this.user,
        ...(this.password === undefined ? {} : { password: this.password }),
        secure: this.uri.scheme === 'ftps',
        secureOptions: { rejectUnauthorized: !this.options.allowUntrustedCertificate },
      });
      if (this.supportsMlst === undefined) this.supportsMlst = (await client.features()).has('MLST');
      // basic-ftp falls back from MLSD to LIST on any error, which would list a file path as if it were a
      // directory; MLSD is decided once from FEAT instead, and LIST is used only by servers without it.
      client.availableListCommands = this.supportsMlst ? ['MLSD'] : ['LIST -a', 'LIST'];
      return client;
    } catch (error) {
      client.close();
      if (timedOut) {
        throw this.error(
          'timeout',
          undefined,
          `connecting: no complete greeting and login from ${this.uri.host}:${this.uri.port ?? 21} within ${this.timeoutMs} ms`,
        );
      }
      throw this.mapError(error, undefined, 'connecting', true);
    } finally {
      clearTimeout(timer);
      this.connecting.delete(client);
    }
  }

  /** Maps basic-ftp and socket errors to StoreError. 5xx texts differ by server, so their wording is matched. */
  protected override mapError(error: unknown, path: string | undefined, what: string, connecting = false): StoreError {
    if (error instanceof StoreError) return error;
    const where = `${this.uri.host}:${this.uri.port ?? 21}`;
    if (error instanceof FTPError) {
      const last = error.message.trim().split(/\r?\n/).pop() ?? '';
      const text = last.startsWith(String(error.code)) ? last : `${error.code} ${last}`;
      let code: StoreErrorCode;
      if (error.code === 530 && connecting) {
        return this.error('auth-failed', undefined, `the server refused the login of user "${this.user}" (${text})`);
      }
      if (error.code === 530) code = 'permission-denied';
      else if (error.code === 421 || error.code === 425 || error.code === 426) code = 'unavailable';
      else if (/no such|not found|does not exist|doesn't exist|cannot find|can't find|not exist/i.test(error.message)) {
        code = 'not-found';
      } else if (
        /permission|privilege|denied|not allowed|forbidden|operation not permitted|access/i.test(error.message)
      ) {
        code = 'permission-denied';
      } else if (/not empty/i.test(error.message)) code = 'not-empty';
      else if (/exists/i.test(error.message)) code = 'already-exists';
      else if (/not a (regular |plain )?file|is a directory/i.test(error.message)) code = 'is-a-directory';
      else if (/not a directory/i.test(error.message)) code = 'not-a-directory';
      else if (error.code === 550 || error.code === 450) code = 'permission-denied';
      else code = 'protocol';
      return this.error(code, path, `${what}: the server answered ${text}`);
    }
    const errno = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
    const message = errorMessage(error);
    if (/^Timeout/.test(message)) {
      return this.error('timeout', path, `${what}: no answer from ${where} within ${this.timeoutMs} ms`);
    }
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(errno) || /certificate/i.test(message)) {
      return this.error(
        'unavailable',
        path,
        `${what}: the TLS certificate of ${where} is not trusted (${message})`,
        "Install the server's CA certificate, or allow untrusted certificates for this store if you trust the server.",
      );
    }
    if (errno === 'ECONNREFUSED') {
      return this.error('unavailable', path, `${what}: nothing accepts connections at ${where}`);
    }
    if (errno === 'ENOTFOUND' || errno === 'EAI_AGAIN') {
      return this.error('unavailable', path, `${what}: the host name ${this.uri.host} does not resolve`);
    }
    if (isConnectionLoss(error)) {
      return this.error('unavailable', path, `${what}: the connection to ${where} was lost (${message})`);
    }
    return this.error('protocol', path, `${what}: ${message}`);
  }

  /**
   * Runs one task on a pooled connection. A task that fails because a reused connection was dropped meanwhile
   * (server restart, idle timeout) runs once more on a new connection; every other failure is final.
   */
  private async run<T>(
    deadline: Deadline,
    path: string | undefined,
    what: string,
    task: (client: Client) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const { client, fresh } = await this.pool.acquire(deadline);
      const onAbort = (): void => client.close();
      deadline.signal.addEventListener('abort', onAbort, { once: true });
      try {
        const result = await task(client);
        this.pool.release(client, false);
        return result;
      } catch (error) {
        this.pool.release(client, client.closed || isConnectionLoss(error));
        if (deadline.aborted) throw deadline.reason!;
        if (!fresh && attempt === 0 && isConnectionLoss(error)) continue;
        throw this.mapError(error, path, what);
      } finally {
        deadline.signal.removeEventListener('abort', onAbort);
      }
    }
  }

  private call<T>(
    options: CallOptions | undefined,
    path: string | undefined,
    what: string,
    task: (client: Client) => Promise<T>,
  ): Promise<T> {
    return this.withDeadline(options, path, what, (deadline) => this.run(deadline, path, what, task));
  }

  async stat(path: string, options?: CallOptions): Promise<StoreEntry> {
    const p = this.norm(path);
    return this.withDeadline(options, p, 'reading file information', async (deadline) => {
      const entry = await this.run(deadline, p, 'reading file information', async (client) => {
        if (!this.supportsMlst) return undefined;
        try {
          const response = await client.send(`MLST ${this.server(p)}`);
          const factLine = response.message.split(/\r?\n/).find((line) => line.startsWith(' '));
          const info = factLine ? parseMlstLine(factLine.trim()) : undefined;
          if (!info) throw this.error('protocol', p, `unreadable MLST answer "${response.message.trim()}"`);
          return info;
        } catch (error) {
          // Some servers (ProFTPD: "cannot be listed") answer 550 for missing and forbidden paths alike; the
          // parent's listing tells which.
          if (
            error instanceof FTPError &&
            error.code === 550 &&
            !/no such|not found|does not exist/i.test(error.message)
          ) {
            return undefined;
          }
          throw error;
        }
      });
      if (entry) return this.entryOf(p, entry);
      return await this.statByListing(p, deadline);
    });
  }

  /** stat for servers without MLST: find the name in the parent's listing (the root is always a directory). */
  private async statByListing(p: string, deadline: Deadline): Promise<StoreEntry> {
    if (p === '/') return { path: p, name: '', kind: 'directory', size: 0 };
    const name = baseName(p);
    let text: string;
    try {
      text = await this.rawListing(parentStorePath(p), deadline);
    } catch (error) {
      if (isStoreErrorCode(error, 'permission-denied')) {
        throw this.error('permission-denied', p, `the server refuses to show it or its directory (${error.detail})`);
      }
      throw error;
    }
    const info = parseList(text).find((i) => i.name === name);
    if (!info) throw this.error('not-found', p, 'no such file or directory');
    return this.entryOf(p, info);
  }

  private entryOf(p: string, info: FileInfo): StoreEntry {
    const kind = kindOf(info);
    const mtime = info.modifiedAt?.getTime();
    return {
      path: p,
      name: baseName(p),
      kind,
      size: kind === 'directory' ? 0 : info.size,
      ...(mtime === undefined || Number.isNaN(mtime) ? {} : { mtime }),
    };
  }

  /**
   * The raw listing text of a directory; concurrent listings of the same directory share one request. The shared
   * request runs under the store timeout; each caller stops waiting when its own signal fires, and when the last
   * caller has gone the request itself is cancelled (its connection is closed rather than left downloading).
   */
  private rawListing(p: string, deadline: Deadline): Promise<string> {
    let shared = this.listings.get(p);
    if (!shared) {
      const own = this.deadline(undefined, p, 'listing');
      const created: SharedListing = {
        own,
        waiters: 0,
        promise: this.run(own, p, 'listing', async (client) => {
          let raw = '';
          // basic-ftp's documented hook for listings it cannot parse, and its only public way to the raw text: the
          // listing is parsed a page at a time later, not a million lines at once here.
          client.parseList = (text: string) => {
            raw = text;
            return [];
          };
          try {
            await client.list(this.server(p));
          } finally {
            client.parseList = parseList;
          }
          return raw;
        }).finally(() => {
          own.dispose();
          if (this.listings.get(p) === created) this.listings.delete(p);
        }),
      };
      shared = created;
      this.listings.set(p, shared);
    }
    const listing = shared;
    listing.waiters++;
    return new Promise<string>((resolve, reject) => {
      let waiting = true;
      const leave = (): void => {
        if (!waiting) return;
        waiting = false;
        deadline.signal.removeEventListener('abort', onAbort);
        if (--listing.waiters === 0) listing.own.cancel();
      };
      const onAbort = (): void => {
        reject(deadline.reason);
        leave();
      };
      if (deadline.aborted) return onAbort();
      deadline.signal.addEventListener('abort', onAbort, { once: true });
      listing.promise.then(resolve, reject).finally(() => {
        if (!waiting) return;
        waiting = false;
        listing.waiters--;
        deadline.signal.removeEventListener('abort', onAbort);
      });
    });
  }

  /** Lines are parsed a page at a time, when the page is due: a consumer that stops early does not pay for the rest. */
  async *list(path: string, options: ListOptions = {}): AsyncIterable<StoreEntry[]> {
    const p = this.norm(path);
    yield* this.repage(
      p,
      options,
      (deadline) => this.listingLines(p, deadline),
      (lines) => {
        const page: StoreEntry[] = [];
        for (const info of parseList(lines.join('\n'))) {
          if (info.name === '.' || info.name === '..') continue;
          page.push(this.entryOf(joinStorePath(p, info.name), info));
        }
        return page;
      },
    );
  }

  /** The lines of a directory's listing, in one batch; a file's path fails with `not-a-directory`. */
  private async *listingLines(p: string, deadline: Deadline): AsyncIterable<string[]> {
    let text: string;
    try {
      text = await this.rawListing(p, deadline);
    } catch (error) {
      throw await this.explainListingFailure(p, error, deadline);
    }
    const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.startsWith('total '));
    if (!this.supportsMlst && lines.length === 1 && p !== '/') {
      // LIST of a file lists that file; a one-file listing under the path's own name needs a stat to tell.
      const only = parseList(lines[0])[0];
      if (only && only.type !== FileType.Directory && (only.name === baseName(p) || only.name === this.server(p))) {
        const entry = await this.stat(p, { signal: deadline.signal, timeoutMs: deadline.timeoutMs });
        if (entry.kind !== 'directory') throw this.error('not-a-directory', p, 'is a file, not a directory');
      }
    }
    yield lines;
  }

  /** A failed listing of a file says "not found" on most servers; stat tells the truth. */
  private async explainListingFailure(p: string, error: unknown, deadline: Deadline): Promise<unknown> {
    if (
      !(error instanceof StoreError) ||
      (error.code !== 'not-found' && error.code !== 'permission-denied' && error.code !== 'protocol')
    ) {
      return error;
    }
    try {
      const entry = await this.stat(p, { signal: deadline.signal, timeoutMs: deadline.timeoutMs });
      if (entry.kind !== 'directory') return this.error('not-a-directory', p, 'is a file, not a directory');
    } catch (statError) {
      if (statError instanceof StoreError && statError.code === 'not-found') return statError;
    }
    return error;
  }

  async *read(path: string, options: ReadOptions = {}): AsyncIterable<Uint8Array> {
    const p = this.norm(path);
    const offset = options.offset ?? 0;
    let remaining = options.length ?? Infinity;
    if (remaining <= 0) return;
    const deadline = this.deadline(options, p, 'reading');
    let pooled: Pooled<Client> | undefined;
    let delivered = 0;
    const onAbort = (): void => pooled?.client.close();
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (let attempt = 0; ; attempt++) {
        pooled = await this.pool.acquire(deadline);
        let finished = false;
        try {
          const sink = new PassThrough();
          const download = pooled.client.downloadTo(sink, this.server(p), offset);
          download.catch(() => undefined);
          for await (const chunk of sink as AsyncIterable<Buffer>) {
            deadline.received(chunk.byteLength);
            delivered += chunk.byteLength;
            const part = chunk.byteLength > remaining ? chunk.subarray(0, remaining) : chunk;
            remaining -= part.byteLength;
            yield new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
            if (remaining <= 0) break;
          }
          if (remaining > 0) await download;
          finished = remaining > 0;
          return;
        } catch (error) {
          if (deadline.aborted) throw deadline.reason!;
          // A reused connection the server dropped while idle: once more on a new one, if nothing was delivered.
          if (!pooled.fresh && attempt === 0 && delivered === 0 && isConnectionLoss(error)) continue;
          if (delivered === 0 && isConnectionLoss(error)) throw await this.explainReadFailure(p, error, deadline);
          throw this.mapError(error, p, 'reading');
        } finally {
          // A transfer stopped early (range end, consumer break, error) leaves the data connection open: drop it.
          this.pool.release(pooled.client, !finished);
        }
      }
    } finally {
      deadline.signal.removeEventListener('abort', onAbort);
      deadline.dispose();
    }
  }

  /**
   * Over TLS some servers (ProFTPD) reset the data connection of a refused RETR before the 550 arrives, which looks
   * like a lost connection; stat names the real problem (missing, forbidden, a directory).
   */
  private async explainReadFailure(p: string, error: unknown, deadline: Deadline): Promise<StoreError> {
    try {
      const entry = await this.stat(p, { signal: deadline.signal, timeoutMs: deadline.timeoutMs });
      if (entry.kind === 'directory') return this.error('is-a-directory', p, 'is a directory');
    } catch (statError) {
      if (
        statError instanceof StoreError &&
        (statError.code === 'not-found' || statError.code === 'permission-denied')
      ) {
        return statError;
      }
    }
    return this.mapError(error, p, 'reading');
  }

  /** RETR without an MLST first (one round trip per file, which matters when a tree classifies 100 checkpoints). */
  override async readAll(path: string, options: ReadAllOptions = {}): Promise<Uint8Array> {
    return this.readAtMost(this.norm(path), options, options.maxBytes ?? DEFAULT_READ_ALL_MAX_BYTES);
  }

  async write(path: string, data: Uint8Array, options: WriteOptions = {}): Promise<void> {
    const p = this.norm(path);
    if (p === '/') throw this.error('is-a-directory', p, 'the store root is a directory');
    const target = this.server(p);
    const temp = nodePath.posix.join(nodePath.posix.dirname(target), tempSibling(baseName(p)));
    await this.call(options, p, 'writing', async (client) => {
      const existing = await this.statOn(client, target);
      if (existing?.kind === 'directory') throw this.error('is-a-directory', p, 'a directory has this name');
      if (existing && options.overwrite === false) throw this.error('already-exists', p, 'the file exists');
      await client.uploadFrom(Readable.from([Buffer.from(data.buffer, data.byteOffset, data.byteLength)]), temp);
      try {
        await this.renameOn(client, temp, target, existing !== undefined);
      } catch (error) {
        await client.remove(temp, true).catch(() => undefined);
        throw error;
      }
    });
  }

  /** stat on a borrowed client (undefined when missing); MLST when offered, else the parent's listing. */
  private async statOn(client: Client, serverPath: string): Promise<StoreEntry | undefined> {
    try {
      if (this.supportsMlst) {
        const response = await client.send(`MLST ${serverPath}`);
        const factLine = response.message.split(/\r?\n/).find((line) => line.startsWith(' '));
        const info = factLine ? parseMlstLine(factLine.trim()) : undefined;
        return info ? this.entryOf(serverPath, info) : undefined;
      }
      const name = nodePath.posix.basename(serverPath);
      const infos = await client.list(nodePath.posix.dirname(serverPath));
      const info = infos.find((i) => i.name === name);
      return info ? this.entryOf(serverPath, info) : undefined;
    } catch (error) {
      if (error instanceof FTPError && (error.code === 550 || error.code === 450 || error.code === 501)) {
        return undefined;
      }
      throw error;
    }
  }

  /** RNFR/RNTO; servers that refuse to rename over a file get the target deleted first (not atomic there). */
  private async renameOn(client: Client, from: string, to: string, targetExists: boolean): Promise<void> {
    try {
      await client.rename(from, to);
    } catch (error) {
      if (!targetExists || !(error instanceof FTPError) || error.code !== 550) throw error;
      await client.remove(to);
      await client.rename(from, to);
    }
  }

  async delete(path: string, options: DeleteOptions = {}): Promise<void> {
    const p = this.norm(path);
    if (p === '/') throw this.error('invalid-path', p, 'refusing to delete the store root');
    const entry = await this.stat(p, options);
    if (entry.kind !== 'directory') {
      await this.call(options, p, 'deleting', (client) => client.remove(this.server(p)).then(() => undefined));
      return;
    }
    if (options.recursive) {
      const children: StoreEntry[] = [];
      for await (const page of this.list(p, options)) children.push(...page);
      for (const child of children) await this.delete(child.path, options);
    }
    await this.call(options, p, 'deleting', (client) => client.send(`RMD ${this.server(p)}`).then(() => undefined));
  }

  async rename(from: string, to: string, options: RenameOptions = {}): Promise<void> {
    const source = this.norm(from);
    const target = this.norm(to);
    await this.call(options, source, 'renaming', async (client) => {
      if (!(await this.statOn(client, this.server(source)))) {
        throw this.error('not-found', source, 'no such file or directory');
      }
      const existing = await this.statOn(client, this.server(target));
      if (existing && !options.overwrite) {
        throw this.error('already-exists', target, `cannot rename ${source}: the target exists`);
      }
      await this.renameOn(client, this.server(source), this.server(target), existing !== undefined);
    });
  }

  async mkdir(path: string, options?: CallOptions): Promise<void> {
    const p = this.norm(path);
    await this.call(options, p, 'creating a directory', async (client) => {
      let lastError: unknown;
      let prefix = '/';
      for (const segment of p.split('/').filter(Boolean)) {
        prefix = joinStorePath(prefix, segment);
        try {
          await client.send(`MKD ${this.server(prefix)}`);
        } catch (error) {
          if (!(error instanceof FTPError)) throw error;
          lastError = error; // usually "exists"; checked below
        }
      }
      const entry = await this.statOn(client, this.server(p));
      if (entry?.kind === 'directory') return;
      if (entry) throw this.error('already-exists', p, 'a file has this name');
      throw lastError ?? this.error('protocol', p, 'the directory was not created');
    });
  }

  async close(): Promise<void> {
    this.pool.close();
    for (const client of this.connecting) client.close();
  }
}
