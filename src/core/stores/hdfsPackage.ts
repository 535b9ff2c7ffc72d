import type * as webhdfs from 'webhdfs';
import type { Deadline } from './deadline';

/**
 * What the `webhdfs` package reports of a failure: a socket error code, or only the RemoteException's message (it
 * drops the HTTP status and the exception class).
 */
export class PackageFailure extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * The webhdfs package and its HTTP stack are about half of the extension's bundle: they are loaded when the first HDFS
 * store opens, not when the extension activates (the build also ships them as a separate file).
 */
function loadWebHdfs(): typeof webhdfs {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('webhdfs') as typeof webhdfs;
}

/**
 * The `webhdfs` package where the HDFS store uses it (MKDIRS, DELETE, plain RENAME), with its quirks kept here: it puts
 * the path into the URL unescaped except for `?` and `#`, so `%` is escaped before it; it cannot take an AbortSignal,
 * so the request is aborted when the deadline fires; its errors are handed on as a {@link PackageFailure}. It also
 * reports `{"boolean": false}` (a refused rename or delete) as success, which the store checks afterwards.
 */
export class HdfsPackageClient {
  private readonly client: webhdfs.WebHdfsClient;

  constructor(
    base: URL,
    auth: { user?: string; delegationToken?: string; headers: Record<string, string> },
    timeoutMs: number,
  ) {
    this.client = loadWebHdfs().createClient(
      {
        host: base.hostname.replace(/^\[|\]$/g, ''),
        port: base.port || (base.protocol === 'https:' ? 443 : 80),
        protocol: base.protocol.replace(':', ''),
        path: base.pathname.replace(/\/$/, ''),
        ...(auth.user !== undefined && !auth.delegationToken ? { user: auth.user } : {}),
      },
      {
        timeout: timeoutMs,
        headers: auth.headers,
        qs: auth.delegationToken ? { delegation: auth.delegationToken } : {},
      },
    );
  }

  mkdir(serverPath: string, deadline: Deadline): Promise<void> {
    return this.run(deadline, (callback) => this.client.mkdir(escapePercent(serverPath), '0755', callback));
  }

  unlink(serverPath: string, recursive: boolean, deadline: Deadline): Promise<void> {
    return this.run(deadline, (callback) => this.client.unlink(escapePercent(serverPath), recursive, callback));
  }

  /** The destination goes into the query string, which the package escapes itself. */
  rename(serverPath: string, destination: string, deadline: Deadline): Promise<void> {
    return this.run(deadline, (callback) => this.client.rename(escapePercent(serverPath), destination, callback));
  }

  /** Rejects with the deadline's reason when it fires first, else with the package's failure. */
  private run(
    deadline: Deadline,
    start: (callback: (error: (Error & { code?: string }) | null) => void) => { abort(): void },
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        request.abort();
        reject(deadline.reason);
      };
      const request = start((error) => {
        deadline.signal.removeEventListener('abort', onAbort);
        if (!error) return resolve();
        reject(new PackageFailure(error.message, error.code));
      });
      deadline.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function escapePercent(serverPath: string): string {
  return serverPath.replace(/%/g, '%25');
}
