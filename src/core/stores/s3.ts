import type * as sdk from './s3Sdk';
import * as nodePath from 'node:path';
import { BaseStore, DEFAULT_READ_ALL_MAX_BYTES, concatChunks } from './base';
import type { Deadline } from './deadline';
import { SOCKET_ERROR_CODES, StoreError, StoreErrorCode } from './errors';
import { baseName } from './paths';
import type {
  CallOptions,
  DeleteOptions,
  DiskUsage,
  EntropyFiles,
  ListOptions,
  ReadAllOptions,
  ReadOptions,
  RenameOptions,
  S3Options,
  StoreCapabilities,
  StoreEntry,
  StoreOptions,
  WriteOptions,
} from './types';
import type { StoreUri } from './uri';

/** Requests in flight per S3 store unless the store says otherwise. */
export const DEFAULT_S3_CONCURRENCY = 16;
/** Attempts of one request when the service throttles (503 SlowDown, 429) or fails transiently (500, 502, 504). */
const MAX_ATTEMPTS = 6;
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 5_000;
/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1000;

type Sdk = typeof sdk;

let loaded: Sdk | undefined;
/** The SDK is more than the rest of the extension together: it is loaded by the first request of an S3 store. */
function loadSdk(): Sdk {
  if (!loaded) {
    // The SDK warns on stderr that its releases after January 2027 need Node 22; the release bundled here runs on
    // Node 20, and the warning would land in the CLI's output.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require('./s3Sdk') as Sdk;
  }
  return loaded;
}

/** Error names of S3 and S3-compatible services that mean "slow down and retry". */
const THROTTLING = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequests',
  'TooManyRequestsException',
  'RequestThrottled',
  'ServiceUnavailable',
]);
const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);

interface ServiceError {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly Code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly statusCode?: number; readonly headers?: Record<string, string | undefined> };
}

function statusOf(error: ServiceError): number | undefined {
  return error.$metadata?.httpStatusCode ?? error.$response?.statusCode;
}

/** Whether an endpoint is addressed by IP or as localhost, where virtual-hosted bucket names cannot resolve. */
function isLocalOrIp(endpoint: URL): boolean {
  const host = endpoint.hostname.replace(/^\[|\]$/g, '');
  return (
    host === 'localhost' || host.endsWith('.localhost') || /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':')
  );
}

/** Flink's default `s3.entropy.length`. */
const DEFAULT_ENTROPY_LENGTH = 4;

/** Where the entropy key sits in the configured checkpoint directory, in key space (no leading `/`). */
interface EntropyTemplate {
  /** The key text before the entropy key, and after it (without a trailing `/`). */
  readonly before: string;
  readonly after: string;
  /** An entropy-injected key: `before`, the random characters (Flink's are alphanumeric), `after`, `/` and the rest. */
  readonly pattern: RegExp;
}

/** A key or path with Flink's normalisation after removing the entropy key: no empty segments, no `/` at the ends. */
function tidyKey(text: string): string {
  return text.replace(/\/{2,}/g, '/').replace(/^\/|\/$/g, '');
}

/**
 * The store root (the configured directory with the entropy key removed, where Flink writes `_metadata`) and where
 * the key sat, when the store is configured with `s3.entropy.key` and either its own URI or `entropyDirectory`
 * holds the key.
 */
function entropyRoot(uri: StoreUri, s3: S3Options): { uri: StoreUri; template?: EntropyTemplate } {
  const key = s3.entropyKey;
  if (!key) return { uri };
  let directory: string | undefined;
  let rooted = uri;
  if (uri.path.includes(key)) {
    directory = uri.path;
    rooted = { ...uri, path: `/${tidyKey(uri.path.replace(key, ''))}` };
  } else if (s3.entropyDirectory) {
    const located = /^s3[ap]?:\/\/([^/]+)(\/.*)?$/i.exec(s3.entropyDirectory);
    if (!located || located[1].toLowerCase() === uri.host.toLowerCase()) {
      directory = located ? (located[2] ?? '/') : s3.entropyDirectory;
    }
  }
  if (!directory?.includes(key)) return { uri: rooted };
  const text = directory.replace(/^\/+/, '');
  const at = text.indexOf(key);
  const before = text.slice(0, at);
  const after = text.slice(at + key.length).replace(/\/+$/, '');
  const length = Math.max(1, s3.entropyLength ?? DEFAULT_ENTROPY_LENGTH);
  const escape = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return {
    uri: rooted,
    template: {
      before,
      after,
      pattern: new RegExp(`^${escape(before)}[A-Za-z0-9]{${length}}${escape(after)}/(.+)$`),
    },
  };
}

/** Node streams yield Buffers; stores hand out plain Uint8Arrays over the same memory. */
function plain(chunk: Uint8Array): Uint8Array {
  return Buffer.isBuffer(chunk) ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) : chunk;
}

/** A counting semaphore: S3 charges and throttles per request, so one store never has more than `limit` in flight. */
class RequestSlots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>, deadline: Deadline): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          const at = this.waiting.indexOf(go);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(deadline.reason);
        };
        const go = (): void => {
          deadline.signal.removeEventListener('abort', onAbort);
          resolve();
        };
        this.waiting.push(go);
        deadline.signal.addEventListener('abort', onAbort, { once: true });
      });
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/**
 * An S3 bucket, or a key prefix in one, as a store (`s3://`, `s3a://`, `s3p://`), on AWS or any S3-compatible service.
 *
 * S3 has keys, not directories: a directory is a common prefix of keys under `/` (or an empty `name/` marker object
 * that tools create), so listings use ListObjectsV2 with a delimiter and `stat` asks HeadObject first and a one-key
 * listing second. Writes are PutObject (atomic by nature), renames a copy and a delete (not cheap: one request per
 * object). Every request passes a bounded pool of slots, retries with jittered backoff when the service throttles,
 * and is counted (`requestCount`), because S3 bills and throttles per request.
 */
export class S3Store extends BaseStore {
  /** A rename copies and deletes every object, so cleanup deletes (after its re-check); no links; times in seconds. */
  readonly capabilities: StoreCapabilities = { cheapRename: false, reportsLinks: false, mtimeGranularityMs: 1000 };
  private client: Promise<sdk.S3Client> | undefined;
  private readonly slots: RequestSlots;
  private readonly bucket: string;
  /** The key prefix of the store root: `''` for a whole bucket, else ending in `/`. */
  private readonly rootKey: string;
  private readonly s3: S3Options;
  private readonly endpoint: URL | undefined;
  private requests = 0;
  /** The region requests are signed for, once the client exists (for messages about a wrong one). */
  private signingRegion: string | undefined;
  readonly entropy?: EntropyFiles;
  private readonly entropyTemplate: EntropyTemplate | undefined;
  /** Whole-object GETs in flight by key: a `stat` of the same key meanwhile takes its answer instead of a HeadObject. */
  private readonly pendingGets = new Map<string, Promise<sdk.GetObjectCommandOutput>>();
  /** Entropy-injected keys by the store path they stand for, as last listed: what `delete` of that path removes too. */
  private readonly entropyKeys = new Map<string, Set<string>>();

  constructor(location: StoreUri, options: StoreOptions = {}) {
    const { uri, template } = entropyRoot(location, options.s3 ?? {});
    super(uri, options);
    this.s3 = options.s3 ?? {};
    this.bucket = uri.host;
    this.rootKey = uri.path === '/' ? '' : `${uri.path.slice(1)}/`;
    this.entropyTemplate = template;
    if (template) {
      this.entropy = {
        pathOf: (reference) => this.entropyPathOf(reference)?.path,
        exists: (reference, options) => this.entropyExists(reference, options),
        list: (dir, options) => this.listEntropyFiles(dir, options),
      };
    }
    this.slots = new RequestSlots(Math.max(1, this.s3.maxConcurrency ?? DEFAULT_S3_CONCURRENCY));
    const endpoint = this.s3.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    if (endpoint) {
      try {
        this.endpoint = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`);
      } catch {
        throw new StoreError(
          'invalid-uri',
          this.label,
          undefined,
          `the endpoint "${endpoint}" is not a URL`,
          'Give the endpoint as http(s)://host[:port], e.g. https://storage.googleapis.com or http://127.0.0.1:9000.',
        );
      }
    }
  }

  /** HTTP requests sent so far (retries included); callers log the difference around an operation. */
  get requestCount(): number {
    return this.requests;
  }

  /** Where requests go, for messages: the endpoint host, or AWS. */
  private where(): string {
    return this.endpoint ? this.endpoint.host : 'AWS S3';
  }

  private key(storePath: string): string {
    return storePath === '/' ? this.rootKey.replace(/\/$/, '') : `${this.rootKey}${storePath.slice(1)}`;
  }

  /** The prefix that lists a directory's children: `''` for a bucket root, else the key and `/`. */
  private dirPrefix(storePath: string): string {
    const key = this.key(storePath);
    return key === '' ? '' : `${key}/`;
  }

  private storePathOf(key: string): string {
    return `/${key.slice(this.rootKey.length).replace(/\/$/, '')}`;
  }

  private connect(): Promise<sdk.S3Client> {
    this.client ??= this.createClient();
    return this.client;
  }

  private async createClient(): Promise<sdk.S3Client> {
    const { S3Client, fromIni, fromNodeProviderChain } = loadSdk();
    const secret = this.options.password;
    const credentials =
      this.s3.accessKeyId && secret
        ? { accessKeyId: this.s3.accessKeyId, secretAccessKey: secret }
        : this.s3.profile
          ? fromIni({ profile: this.s3.profile })
          : fromNodeProviderChain();
    const pathStyle = this.s3.pathStyle ?? (this.endpoint ? isLocalOrIp(this.endpoint) : false);
    const config = {
      credentials,
      ...(this.endpoint ? { endpoint: this.endpoint.href.replace(/\/$/, '') } : {}),
      forcePathStyle: pathStyle,
      // AWS answers a request to the wrong region with a redirect naming the right one; the SDK follows it.
      followRegionRedirects: true,
      // Retries are ours (throttling with jittered backoff, counted requests).
      maxAttempts: 1,
      // S3-compatible services (GCS, OSS, older Ceph) reject the newer default checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED' as const,
      responseChecksumValidation: 'WHEN_REQUIRED' as const,
      ...(this.s3.profile ? { profile: this.s3.profile } : {}),
    };
    if (this.s3.region) {
      this.signingRegion = this.s3.region;
      return new S3Client({ ...config, region: this.s3.region });
    }
    const client = new S3Client(config);
    try {
      this.signingRegion = await client.config.region();
      return client;
    } catch {
      // No region in the environment or profile: S3-compatible services ignore it and AWS redirects to the right one.
      client.destroy();
      this.signingRegion = 'us-east-1';
      return new S3Client({ ...config, region: 'us-east-1' });
    }
  }

  /**
   * Sends one command through a slot, retrying throttling and transient server errors with full-jitter backoff
   * while the deadline allows. Failures become StoreErrors.
   */
  private async send<T>(command: object, path: string, what: string, deadline: Deadline): Promise<T> {
    const client = await this.connect();
    for (let attempt = 1; ; attempt++) {
      deadline.check();
      try {
        return await this.slots.run(() => {
          this.requests++;
          return (client.send as (c: object, o: { abortSignal: AbortSignal }) => Promise<T>)(command, {
            abortSignal: deadline.signal,
          });
        }, deadline);
      } catch (error) {
        if (deadline.reason) throw deadline.reason;
        const failure = error as ServiceError;
        const status = statusOf(failure);
        const retryable = THROTTLING.has(failure.name ?? '') || (status !== undefined && TRANSIENT_STATUS.has(status));
        if (!retryable || attempt >= MAX_ATTEMPTS) throw this.failure(failure, path, what, attempt);
        const delay = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          deadline.signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve();
            },
            { once: true },
          );
        });
        deadline.touch();
      }
    }
  }

  /** An SDK, service or network failure as a StoreError naming the store and what to check. */
  private failure(error: ServiceError, path: string, what: string, attempts = 1): StoreError {
    if (error instanceof StoreError) return error;
    const name = error.name ?? '';
    const status = statusOf(error);
    const netCode = error.code ?? (error as { cause?: { code?: string } }).cause?.code ?? '';
    const detail = (text: string): string => `${what}: ${text}`;
    const fail = (code: StoreErrorCode, text: string, advice?: string): StoreError =>
      this.error(code, path, detail(text), advice, error);
    switch (name) {
      case 'NoSuchBucket':
        return fail(
          'not-found',
          `the bucket "${this.bucket}" does not exist at ${this.where()}`,
          'Check the bucket name in the URI, and the endpoint and region of this store.',
        );
      case 'NoSuchKey':
      case 'NotFound':
        return fail('not-found', 'no such object');
      case 'SignatureDoesNotMatch':
        return fail(
          'auth-failed',
          `${this.where()} rejected the request signature (SignatureDoesNotMatch)`,
          'The secret access key does not belong to the access key id: check the secret of this store (or AWS_SECRET_ACCESS_KEY / the profile). Not retried.',
        );
      case 'InvalidAccessKeyId':
      case 'XAdminUserNotFound': // versitygw's answer to an unknown access key
        return fail(
          'auth-failed',
          `${this.where()} does not know the access key id (InvalidAccessKeyId)`,
          'Check the access key id of this store (or AWS_ACCESS_KEY_ID / the profile), and that the endpoint is the service the key belongs to.',
        );
      case 'ExpiredToken':
      case 'InvalidToken':
      case 'TokenRefreshRequired':
        return fail(
          'auth-failed',
          `the session credentials were refused (${name})`,
          'Refresh them (aws sso login, or new temporary credentials) and retry.',
        );
      case 'RequestTimeTooSkewed':
        return fail(
          'auth-failed',
          "this computer's clock differs too much from the service's (RequestTimeTooSkewed)",
          'Synchronize the system clock.',
        );
      case 'AccessDenied':
      case 'AllAccessDisabled':
        return fail(
          'permission-denied',
          `access denied by ${this.where()}`,
          `Grant these credentials s3:ListBucket on ${this.bucket} and s3:GetObject (s3:DeleteObject to clean up) on its keys.`,
        );
      case 'PermanentRedirect':
      case 'AuthorizationHeaderMalformed':
      case 'IllegalLocationConstraintException':
        return this.wrongRegion(error, name, path, what);
      case 'CredentialsProviderError':
        return fail(
          'auth-failed',
          `no AWS credentials found (${error.message ?? name})`,
          "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, choose a profile (AWS_PROFILE or the store's profile), or give the store an access key.",
        );
      case 'TimeoutError':
      case 'RequestTimeout':
        return fail('timeout', `no answer from ${this.where()} in time`);
      default:
        break;
    }
    if (THROTTLING.has(name) || status === 503 || status === 429) {
      return fail(
        'unavailable',
        `${this.where()} throttled the request (${name || `HTTP ${status}`}) ${attempts} times`,
        "The service limits requests per prefix: retry later, or lower the store's request concurrency.",
      );
    }
    if (status === 301 || status === 307) return this.wrongRegion(error, `HTTP ${status}`, path, what);
    if (status === 403) {
      return fail(
        'permission-denied',
        `${this.where()} refused the request (HTTP 403${name && !/^\d+$/.test(name) && name !== 'Forbidden' ? ` ${name}` : ''})`,
        'Check the access key and secret of this store, and that they may read this bucket (s3:ListBucket, s3:GetObject).',
      );
    }
    if (status === 404) return fail('not-found', 'no such object');
    if (status === 400 && name === 'InvalidBucketName') {
      return fail('invalid-uri', `"${this.bucket}" is not a valid bucket name`);
    }
    if (netCode === 'ECONNREFUSED') {
      return fail(
        'unavailable',
        `nothing accepts connections at ${this.where()}`,
        'Check the endpoint of this store and that the S3 service is running.',
      );
    }
    if (netCode === 'ENOTFOUND' || netCode === 'EAI_AGAIN') {
      return fail(
        'unavailable',
        `the host of ${this.where()} (or the bucket's virtual host) does not resolve`,
        'Check the endpoint; services without per-bucket host names need path-style addressing.',
      );
    }
    if (SOCKET_ERROR_CODES.has(netCode)) {
      return fail('unavailable', `the connection to ${this.where()} failed (${netCode})`);
    }
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(netCode)) {
      return fail(
        'unavailable',
        `the TLS certificate of ${this.where()} is not trusted`,
        "Install the service's CA certificate (NODE_EXTRA_CA_CERTS for the CLI).",
      );
    }
    if (status !== undefined && status >= 500) {
      return fail('unavailable', `${this.where()} failed (HTTP ${status} ${name})`);
    }
    const message = (error.message ?? String(error)).split('\n')[0];
    return fail(
      'protocol',
      `${name && name !== 'Error' ? `${name}: ` : ''}${message}${status ? ` (HTTP ${status})` : ''}`,
    );
  }

  /**
   * The bucket answered from another region than the one requests are signed for: AWS redirects (301 with
   * x-amz-bucket-region) or refuses the signature's scope (AuthorizationHeaderMalformed naming the region it expects).
   */
  private wrongRegion(error: ServiceError, why: string, path: string, what: string): StoreError {
    const expected =
      error.$response?.headers?.['x-amz-bucket-region'] ??
      (error as { Region?: string }).Region ??
      /expecting "([^"]+)"/.exec(error.message ?? '')?.[1];
    const signed = this.signingRegion ? ` for ${this.signingRegion}` : '';
    return this.error(
      'unavailable',
      path,
      expected
        ? `${what}: the bucket "${this.bucket}" is in region ${expected}, but this store signs its requests${signed} (${why})`
        : `${what}: the bucket "${this.bucket}" is not served from region ${this.signingRegion ?? '(unknown)'} at ${this.where()} (${why})`,
      expected
        ? `Set the store's region to ${expected} (the CLI takes AWS_REGION, or s3.endpoint.region with --conf).`
        : "Set the store's region to the bucket's region (AWS_REGION for the CLI), or check the endpoint.",
      error,
    );
  }

  private async call<T>(
    options: CallOptions | undefined,
    path: string,
    what: string,
    task: (deadline: Deadline) => Promise<T>,
  ): Promise<T> {
    const deadline = this.deadline(options, path, what);
    try {
      return await task(deadline);
    } catch (error) {
      throw deadline.reason ?? (error instanceof StoreError ? error : this.failure(error as ServiceError, path, what));
    } finally {
      deadline.dispose();
    }
  }

  private async head(key: string, path: string, deadline: Deadline): Promise<sdk.HeadObjectCommandOutput | undefined> {
    const { HeadObjectCommand } = loadSdk();
    try {
      return await this.send<sdk.HeadObjectCommandOutput>(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key }),
        path,
        'reading object information',
        deadline,
      );
    } catch (error) {
      if (error instanceof StoreError && error.code === 'not-found' && !/bucket/.test(error.detail)) return undefined;
      throw error;
    }
  }

  /** One ListObjectsV2 page. */
  private listPage(
    input: { prefix: string; delimiter?: string; max?: number; token?: string },
    path: string,
    what: string,
    deadline: Deadline,
  ): Promise<sdk.ListObjectsV2CommandOutput> {
    const { ListObjectsV2Command } = loadSdk();
    return this.send<sdk.ListObjectsV2CommandOutput>(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: input.prefix,
        ...(input.delimiter ? { Delimiter: input.delimiter } : {}),
        ...(input.max ? { MaxKeys: input.max } : {}),
        ...(input.token ? { ContinuationToken: input.token } : {}),
      }),
      path,
      what,
      deadline,
    );
  }

  /** Whether any key lies below a directory prefix (a marker object counts). */
  private async hasChildren(p: string, deadline: Deadline): Promise<boolean> {
    const page = await this.listPage({ prefix: this.dirPrefix(p), max: 1 }, p, 'reading object information', deadline);
    return (page.KeyCount ?? 0) > 0 || (page.Contents?.length ?? 0) > 0;
  }

  private async statWith(p: string, deadline: Deadline): Promise<StoreEntry> {
    const key = this.key(p);
    if (key !== '') {
      // The tree dates a snapshot by its _metadata while reading it: a GET of the object that starts beside this
      // stat answers both (its headers carry size and time), one request instead of two.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const reading = this.pendingGets.get(key);
      const got = reading && (await reading.catch(() => undefined));
      if (got) {
        return {
          path: p,
          name: baseName(p),
          kind: 'file',
          size: got.ContentLength ?? 0,
          ...(got.LastModified ? { mtime: got.LastModified.getTime() } : {}),
        };
      }
      const head = await this.head(key, p, deadline);
      if (head) {
        return {
          path: p,
          name: baseName(p),
          kind: 'file',
          size: head.ContentLength ?? 0,
          ...(head.LastModified ? { mtime: head.LastModified.getTime() } : {}),
        };
      }
    }
    if (key === '') {
      // A bucket root is a directory when listing it works, which also checks the bucket and the credentials.
      await this.hasChildren(p, deadline);
      return { path: p, name: '', kind: 'directory', size: 0 };
    }
    if (await this.hasChildren(p, deadline)) return { path: p, name: baseName(p), kind: 'directory', size: 0 };
    throw this.error('not-found', p, 'no such object or prefix');
  }

  async stat(path: string, options?: CallOptions): Promise<StoreEntry> {
    const p = this.norm(path);
    return await this.call(options, p, 'reading object information', (deadline) => this.statWith(p, deadline));
  }

  /**
   * Streams ListObjectsV2 answers (common prefixes are directories), 1,000 keys a request whatever the page size (one
   * round trip per 1,000 entries), cut into pages by `repage`. A marker object of the directory itself is skipped. An
   * empty answer for a key that is an object fails with `not-a-directory`.
   */
  async *list(path: string, options: ListOptions = {}): AsyncIterable<StoreEntry[]> {
    const p = this.norm(path);
    yield* this.repage<StoreEntry>(
      p,
      options,
      (deadline) => this.listBatches(p, deadline),
      (entries) => entries,
    );
  }

  private async *listBatches(p: string, deadline: Deadline): AsyncIterable<StoreEntry[]> {
    const prefix = this.dirPrefix(p);
    let token: string | undefined;
    let first = true;
    do {
      const page = await this.listPage({ prefix, delimiter: '/', max: 1000, token }, p, 'listing', deadline);
      deadline.touch();
      const batch: StoreEntry[] = [];
      let marker = false;
      for (const common of page.CommonPrefixes ?? []) {
        if (!common.Prefix) continue;
        const child = this.storePathOf(common.Prefix);
        batch.push({ path: child, name: baseName(child), kind: 'directory', size: 0 });
      }
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        if (object.Key === prefix) {
          marker = true;
          continue;
        }
        const child = this.storePathOf(object.Key);
        batch.push({
          path: child,
          name: baseName(child),
          kind: 'file',
          size: object.Size ?? 0,
          ...(object.LastModified ? { mtime: object.LastModified.getTime() } : {}),
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      // S3 has no empty directories: a prefix without keys lists empty (as `aws s3 ls` does), unless it is an object.
      if (
        first &&
        batch.length === 0 &&
        !marker &&
        !token &&
        prefix !== '' &&
        (await this.head(this.key(p), p, deadline))
      ) {
        throw this.error('not-a-directory', p, 'is an object, not a prefix');
      }
      first = false;
      yield batch;
    } while (token);
  }

  protected override mapError(error: unknown, path: string | undefined, what: string): StoreError {
    return error instanceof StoreError ? error : this.failure(error as ServiceError, path ?? '/', what);
  }

  /** A ranged GET; the body streams in chunks. A range past the end reads nothing. */
  async *read(path: string, options: ReadOptions = {}): AsyncIterable<Uint8Array> {
    const p = this.norm(path);
    if (options.length !== undefined && options.length <= 0) return;
    const deadline = this.deadline(options, p, 'reading');
    try {
      const body = await this.getBody(p, options, undefined, deadline);
      if (!body) return;
      for await (const chunk of body.stream) {
        deadline.received((chunk as Uint8Array).byteLength);
        yield plain(chunk as Uint8Array);
      }
    } catch (error) {
      throw (
        deadline.reason ?? (error instanceof StoreError ? error : this.failure(error as ServiceError, p, 'reading'))
      );
    } finally {
      deadline.dispose();
    }
  }

  /** One GET instead of a HEAD and a GET: the size limit is checked against the answer's Content-Length. */
  override async readAll(path: string, options: ReadAllOptions = {}): Promise<Uint8Array> {
    const p = this.norm(path);
    if (options.length !== undefined && options.length <= 0) return new Uint8Array(0);
    const max = options.maxBytes ?? DEFAULT_READ_ALL_MAX_BYTES;
    return await this.call(options, p, 'reading', async (deadline) => {
      const body = await this.getBody(p, options, max, deadline);
      if (!body) return new Uint8Array(0);
      const chunks: Uint8Array[] = [];
      let total = 0;
      for await (const chunk of body.stream) {
        deadline.received((chunk as Uint8Array).byteLength);
        total += (chunk as Uint8Array).byteLength;
        if (total > max) {
          body.stream.destroy();
          throw this.error('too-large', p, `more than the limit of ${max} bytes`);
        }
        chunks.push(plain(chunk as Uint8Array));
      }
      return concatChunks(chunks, total);
    });
  }

  private async getBody(
    p: string,
    options: ReadOptions,
    max: number | undefined,
    deadline: Deadline,
  ): Promise<{ stream: NodeJS.ReadableStream & { destroy(): void } } | undefined> {
    const key = this.key(p);
    if (key === '') throw this.error('is-a-directory', p, 'the store root is a prefix');
    const offset = options.offset ?? 0;
    const end =
      options.length !== undefined && Number.isFinite(options.length) ? offset + options.length - 1 : undefined;
    const range = offset > 0 || end !== undefined ? `bytes=${offset}-${end ?? ''}` : undefined;
    const { GetObjectCommand } = loadSdk();
    let output: sdk.GetObjectCommandOutput;
    try {
      const sent = this.send<sdk.GetObjectCommandOutput>(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: range } : {}) }),
        p,
        'reading',
        deadline,
      );
      if (!range && !this.pendingGets.has(key)) {
        this.pendingGets.set(key, sent);
        const done = (): void => {
          if (this.pendingGets.get(key) === sent) this.pendingGets.delete(key);
        };
        sent.then(done, done);
      }
      output = await sent;
    } catch (error) {
      if (error instanceof StoreError && (error.cause as ServiceError | undefined)?.name === 'InvalidRange') {
        return undefined;
      }
      if (
        error instanceof StoreError &&
        error.code === 'not-found' &&
        !/bucket/.test(error.detail) &&
        (await this.hasChildren(p, deadline))
      ) {
        throw this.error('is-a-directory', p, 'is a prefix, not an object');
      }
      throw error;
    }
    const stream = output.Body as unknown as (NodeJS.ReadableStream & { destroy(): void }) | undefined;
    if (!stream) return undefined;
    if (max !== undefined && (output.ContentLength ?? 0) > max) {
      stream.destroy();
      throw this.error('too-large', p, `${output.ContentLength} bytes to read, more than the limit of ${max}`);
    }
    return { stream };
  }

  private requireWrites(p: string, what: string): void {
    if (!this.s3.allowWrites) {
      throw this.error(
        'permission-denied',
        p,
        `${what}: this S3 store is read-only`,
        "Allow writes in the store's settings to create objects (deleting checkpoints does not need it).",
      );
    }
  }

  /** PutObject is atomic: readers see the old object or the new one, never part of one. */
  async write(path: string, data: Uint8Array, options: WriteOptions = {}): Promise<void> {
    const p = this.norm(path);
    this.requireWrites(p, 'writing');
    if (p === '/') throw this.error('is-a-directory', p, 'the store root is a prefix');
    await this.call(options, p, 'writing', async (deadline) => {
      if (options.overwrite === false && (await this.head(this.key(p), p, deadline))) {
        throw this.error('already-exists', p, 'the object exists');
      }
      const { PutObjectCommand } = loadSdk();
      await this.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.key(p), Body: data, ContentLength: data.byteLength }),
        p,
        'writing',
        deadline,
      );
    });
  }

  /** Lists every key below a prefix (no delimiter), page by page. */
  private async *keysBelow(
    prefix: string,
    p: string,
    what: string,
    deadline: Deadline,
  ): AsyncIterable<{ Key?: string; Size?: number; LastModified?: Date }[]> {
    let token: string | undefined;
    do {
      const page = await this.listPage({ prefix, token }, p, what, deadline);
      deadline.touch();
      yield page.Contents ?? [];
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Deletes keys in DeleteObjects batches of 1000; any key the service refuses fails the call, naming it. */
  private async deleteKeys(keys: string[], p: string, deadline: Deadline): Promise<void> {
    const { DeleteObjectsCommand } = loadSdk();
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const output = await this.send<sdk.DeleteObjectsCommandOutput>(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
        p,
        'deleting',
        deadline,
      );
      deadline.touch();
      const refused = (output.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (refused.length > 0) {
        const first = refused[0];
        const code: StoreErrorCode = first.Code === 'AccessDenied' ? 'permission-denied' : 'protocol';
        throw this.error(
          code,
          this.storePathOf(first.Key ?? ''),
          `deleting: ${refused.length} of ${batch.length} objects were not deleted (${first.Code}: ${first.Message ?? ''})`,
        );
      }
    }
  }

  async delete(path: string, options: DeleteOptions = {}): Promise<void> {
    const p = this.norm(path);
    if (p === '/') throw this.error('invalid-path', p, 'refusing to delete the store root');
    await this.call(options, p, 'deleting', async (deadline) => {
      const key = this.key(p);
      const entropyKeys = this.entropyKeysOf(p, false);
      if (await this.head(key, p, deadline)) {
        if (entropyKeys.length === 0) {
          const { DeleteObjectCommand } = loadSdk();
          await this.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), p, 'deleting', deadline);
        } else {
          await this.deleteKeys([key, ...entropyKeys], p, deadline);
        }
        this.entropyKeys.delete(p);
        return;
      }
      const prefix = this.dirPrefix(p);
      const keys: string[] = [...entropyKeys];
      const entropyBelow = this.entropyKeysOf(p, true).filter((k) => !entropyKeys.includes(k));
      if (entropyBelow.length > 0 && !options.recursive) {
        throw this.error('not-empty', p, 'entropy-injected objects stand for paths below it');
      }
      keys.push(...entropyBelow);
      for await (const page of this.keysBelow(prefix, p, 'deleting', deadline)) {
        for (const object of page) {
          if (!object.Key) continue;
          if (object.Key !== prefix && !options.recursive) {
            throw this.error('not-empty', p, 'the prefix has objects below it');
          }
          keys.push(object.Key);
        }
      }
      if (keys.length === 0) throw this.error('not-found', p, 'no such object or prefix');
      await this.deleteKeys(keys, p, deadline);
      for (const path of [...this.entropyKeys.keys()]) {
        if (path === p || path.startsWith(`${p}/`)) this.entropyKeys.delete(path);
      }
    });
  }

  /** A copy of every object and then their deletion: S3 has no rename. */
  async rename(from: string, to: string, options: RenameOptions = {}): Promise<void> {
    const source = this.norm(from);
    const target = this.norm(to);
    this.requireWrites(source, 'renaming');
    await this.call(options, source, 'renaming', async (deadline) => {
      const entry = await this.statWith(source, deadline);
      const existing =
        (await this.head(this.key(target), target, deadline)) ??
        ((await this.hasChildren(target, deadline)) ? {} : undefined);
      if (existing && !options.overwrite) {
        throw this.error('already-exists', target, `cannot rename ${source}: the target exists`);
      }
      const pairs: [string, string][] = [];
      if (entry.kind === 'file') {
        pairs.push([this.key(source), this.key(target)]);
      } else {
        const fromPrefix = this.dirPrefix(source);
        const toPrefix = this.dirPrefix(target);
        for await (const page of this.keysBelow(fromPrefix, source, 'renaming', deadline)) {
          for (const object of page) {
            if (object.Key) pairs.push([object.Key, `${toPrefix}${object.Key.slice(fromPrefix.length)}`]);
          }
        }
      }
      const { CopyObjectCommand } = loadSdk();
      await Promise.all(
        pairs.map(([fromKey, toKey]) =>
          this.send(
            new CopyObjectCommand({
              Bucket: this.bucket,
              Key: toKey,
              CopySource: `${this.bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`,
            }),
            source,
            'copying',
            deadline,
          ),
        ),
      );
      await this.deleteKeys(
        pairs.map(([fromKey]) => fromKey),
        source,
        deadline,
      );
    });
  }

  /** An empty `name/` marker object, as the S3 console and Hadoop's S3A create for a directory. */
  async mkdir(path: string, options?: CallOptions): Promise<void> {
    const p = this.norm(path);
    if (p === '/') return;
    this.requireWrites(p, 'creating a directory');
    await this.call(options, p, 'creating a directory', async (deadline) => {
      if (await this.head(this.key(p), p, deadline)) throw this.error('already-exists', p, 'an object has this name');
      const { PutObjectCommand } = loadSdk();
      await this.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.dirPrefix(p),
          Body: new Uint8Array(0),
          ContentLength: 0,
        }),
        p,
        'creating a directory',
        deadline,
      );
    });
  }

  /** One flat listing (1000 keys a request) instead of a walk: directories are the distinct prefixes of the keys. */
  override async diskUsage(path: string, options?: CallOptions): Promise<DiskUsage> {
    const p = this.norm(path);
    return await this.call(options, p, 'summing sizes', async (deadline) => {
      const key = this.key(p);
      if (key !== '') {
        const head = await this.head(key, p, deadline);
        if (head) return { bytes: head.ContentLength ?? 0, files: 1, directories: 0 };
      }
      const prefix = this.dirPrefix(p);
      const directories = new Set<string>(['']);
      let bytes = 0;
      let files = 0;
      for await (const page of this.keysBelow(prefix, p, 'summing sizes', deadline)) {
        for (const object of page) {
          if (!object.Key) continue;
          const relative = object.Key.slice(prefix.length);
          const isMarker = relative.endsWith('/');
          for (
            let dir = nodePath.posix.dirname(isMarker ? relative.slice(0, -1) + '/x' : relative);
            dir !== '.' && !directories.has(dir);
            dir = nodePath.posix.dirname(dir)
          ) {
            directories.add(dir);
          }
          if (!isMarker) {
            files++;
            bytes += object.Size ?? 0;
          }
        }
      }
      if (files === 0 && directories.size === 1 && key !== '' && !(await this.hasChildren(p, deadline))) {
        throw this.error('not-found', p, 'no such object or prefix');
      }
      return { bytes, files, directories: directories.size };
    });
  }

  /** The key of an entropy-injected reference of this bucket and the store path it stands for. */
  private entropyPathOf(reference: string): { key: string; path: string } | undefined {
    const template = this.entropyTemplate;
    const located = /^s3[ap]?:\/\/([^/]+)\/(.+)$/i.exec(reference);
    if (!template || !located || located[1].toLowerCase() !== this.bucket.toLowerCase()) return undefined;
    const key = located[2];
    const rest = template.pattern.exec(key)?.[1];
    if (rest === undefined) return undefined;
    const standsFor = tidyKey(`${template.before}${template.after}/${rest}`);
    if (!standsFor.startsWith(this.rootKey)) return undefined;
    return { key, path: this.storePathOf(standsFor) };
  }

  private async entropyExists(reference: string, options?: CallOptions): Promise<boolean> {
    const located = this.entropyPathOf(reference);
    if (!located) return false;
    return await this.call(
      options,
      located.path,
      'reading object information',
      async (deadline) => (await this.head(located.key, located.path, deadline)) !== undefined,
    );
  }

  /**
   * One flat listing from where the entropy key sits (the random characters come right after): S3 cannot list
   * `<random>/…` for every random value, so every key below that prefix is looked at once.
   */
  private async listEntropyFiles(dir: string, options?: CallOptions): Promise<StoreEntry[]> {
    const p = this.norm(dir);
    const template = this.entropyTemplate;
    if (!template) return [];
    const below = p === '/' ? this.rootKey : this.dirPrefix(p);
    return await this.call(options, p, 'listing entropy-injected files', async (deadline) => {
      const out: StoreEntry[] = [];
      for await (const page of this.keysBelow(template.before, p, 'listing entropy-injected files', deadline)) {
        for (const object of page) {
          if (!object.Key || object.Key.endsWith('/')) continue;
          const rest = template.pattern.exec(object.Key)?.[1];
          if (rest === undefined) continue;
          const standsFor = tidyKey(`${template.before}${template.after}/${rest}`);
          if (!standsFor.startsWith(below)) continue;
          const path = this.storePathOf(standsFor);
          const keys = this.entropyKeys.get(path) ?? new Set<string>();
          keys.add(object.Key);
          this.entropyKeys.set(path, keys);
          out.push({
            path,
            name: baseName(path),
            kind: 'file',
            size: object.Size ?? 0,
            ...(object.LastModified ? { mtime: object.LastModified.getTime() } : {}),
            location: `${this.uri.scheme}://${this.bucket}/${object.Key}`,
          });
        }
      }
      return out;
    });
  }

  /** Entropy-injected keys last listed for a path, or (for a directory) below it. */
  private entropyKeysOf(p: string, below: boolean): string[] {
    const out: string[] = [];
    for (const [path, keys] of this.entropyKeys) {
      if (path === p || (below && (p === '/' || path.startsWith(`${p}/`)))) out.push(...keys);
    }
    return out;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) (await client.catch(() => undefined))?.destroy();
  }
}
