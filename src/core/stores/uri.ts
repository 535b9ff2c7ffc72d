import * as path from 'node:path';
import { redactUriPasswords } from '../redact';
import { StoreError } from './errors';

/**
 * The transports a store URI can select. `hdfs`, `webhdfs` and `swebhdfs` all talk WebHDFS; `s3`, `s3a` and `s3p`
 * (the schemes of Flink's two S3 file systems) all name an S3 bucket, with the key prefix as path.
 */
export type StoreScheme = 'file' | 'ftp' | 'ftps' | 'hdfs' | 'webhdfs' | 'swebhdfs' | 's3' | 's3a' | 's3p';

/** The S3 schemes: `s3` (either file system), `s3a` (flink-s3-fs-hadoop), `s3p` (flink-s3-fs-presto). */
export const S3_SCHEMES: readonly StoreScheme[] = ['s3', 's3a', 's3p'];

/** True for `s3://`, `s3a://` and `s3p://` URIs. */
export function isS3Uri(uri: StoreUri): boolean {
  return S3_SCHEMES.includes(uri.scheme);
}

/** A parsed store location. `path` is decoded and absolute; `password` is only set when the text held one. */
export interface StoreUri {
  readonly scheme: StoreScheme;
  /** Host name or IP (IPv6 without brackets); empty for `file`; the bucket, as written, for S3. */
  readonly host: string;
  /** Port given in the URI, if any (for `hdfs://` this is the NameNode RPC port, not the WebHDFS one). */
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  /** Decoded absolute path: a local path for `file`, a POSIX path on the server otherwise. */
  readonly path: string;
}

/** Default ports when the URI names none. */
export const DEFAULT_PORTS: Readonly<Record<Exclude<StoreScheme, 'file' | 's3' | 's3a' | 's3p'>, number>> = {
  ftp: 21,
  ftps: 21,
  hdfs: 9870, // the NameNode's WebHDFS HTTP port (Hadoop 3); the RPC port in an hdfs:// URI is not used
  webhdfs: 9870,
  swebhdfs: 9871,
};

const SCHEMES: readonly StoreScheme[] = ['file', 'ftp', 'ftps', 'hdfs', 'webhdfs', 'swebhdfs', ...S3_SCHEMES];
/** What S3, GCS's XML API and OSS accept as bucket names (legacy us-east-1 buckets may have capitals and `_`). */
const BUCKET_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,254}$/;
const SCHEME_PREFIX = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

function invalid(text: string, detail: string, advice?: string): StoreError {
  return new StoreError('invalid-uri', redactUriPasswords(text), undefined, detail, advice);
}

function decode(text: string, part: string, whole: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalid(
      whole,
      `the ${part} has a "%" that is not followed by two hex digits`,
      'Write a literal "%" as %25 (and "@" as %40, ":" as %3A, "/" as %2F) in the user name, password and path.',
    );
  }
}

/**
 * Parses a store location: a plain path (made absolute against the working directory), `file://`,
 * `ftp://[user[:password]@]host[:port]/path`, `ftps://` (explicit TLS), `hdfs://namenode[:port]/path`,
 * `webhdfs://`, `swebhdfs://`, or `s3://bucket/key/prefix` (also `s3a://`, `s3p://`). User, password and path are percent-decoded, so `%40 %3A %2F %25` stand for
 * `@ : / %`; a raw `@` inside the user info is tolerated (the last `@` before the path ends it).
 * @throws StoreError `invalid-uri` naming the problem; its message never contains the password.
 */
export function parseStoreUri(text: string): StoreUri {
  const trimmed = text.trim();
  if (!trimmed) throw invalid('(empty)', 'no location given');
  const prefix = SCHEME_PREFIX.exec(trimmed);
  if (!prefix) {
    if (/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(trimmed) && !/^[a-zA-Z]:[\\/]/.test(trimmed)) {
      throw invalid(trimmed, 'this is not a path and not a URI with "//" after the scheme');
    }
    return { scheme: 'file', host: '', path: path.resolve(trimmed) };
  }
  const scheme = prefix[1].toLowerCase();
  if (!(SCHEMES as readonly string[]).includes(scheme)) {
    throw invalid(trimmed, `the scheme "${scheme}" is not supported`);
  }
  const rest = trimmed.slice(prefix[0].length);
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const rawPath = slash < 0 ? '/' : rest.slice(slash);
  if (scheme === 'file') {
    if (authority && authority !== 'localhost') {
      throw invalid(
        trimmed,
        `file URIs with a host ("${authority}") are not supported`,
        'Use file:///path or a plain path.',
      );
    }
    let local = decode(rawPath, 'path', trimmed);
    if (/^\/[a-zA-Z]:[\\/]/.test(local)) local = local.slice(1); // file:///C:/x on Windows
    return { scheme: 'file', host: '', path: path.resolve(local) };
  }
  if ((S3_SCHEMES as readonly string[]).includes(scheme)) {
    return parseS3Uri(scheme as StoreScheme, authority, rawPath, trimmed);
  }
  const at = authority.lastIndexOf('@');
  const userInfo = at < 0 ? undefined : authority.slice(0, at);
  const hostPort = at < 0 ? authority : authority.slice(at + 1);
  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) throw invalid(trimmed, 'the IPv6 address has no closing "]"');
    host = hostPort.slice(1, close);
    const after = hostPort.slice(close + 1);
    if (after && !after.startsWith(':')) throw invalid(trimmed, `unexpected "${after}" after the IPv6 address`);
    portText = after ? after.slice(1) : undefined;
  } else {
    const colon = hostPort.lastIndexOf(':');
    host = colon < 0 ? hostPort : hostPort.slice(0, colon);
    portText = colon < 0 ? undefined : hostPort.slice(colon + 1);
  }
  if (!host) throw invalid(trimmed, 'no host name');
  if (/[\s%/?#]/.test(host)) throw invalid(trimmed, `"${host}" is not a valid host name`);
  let port: number | undefined;
  if (portText !== undefined && portText !== '') {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw invalid(trimmed, `"${portText}" is not a port number (1-65535)`);
    }
    port = Number(portText);
  }
  let user: string | undefined;
  let password: string | undefined;
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    user = decode(colon < 0 ? userInfo : userInfo.slice(0, colon), 'user name', trimmed);
    if (colon >= 0) password = decode(userInfo.slice(colon + 1), 'password', trimmed);
    if (!user) throw invalid(trimmed, 'the user name before "@" is empty');
  }
  const decodedPath = decode(rawPath, 'path', trimmed);
  const serverPath = path.posix.normalize(decodedPath.startsWith('/') ? decodedPath : `/${decodedPath}`);
  return {
    scheme: scheme as StoreScheme,
    host: host.toLowerCase(),
    ...(port === undefined ? {} : { port }),
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
    path: serverPath.length > 1 && serverPath.endsWith('/') ? serverPath.slice(0, -1) : serverPath,
  };
}

/** `s3://bucket/prefix`: the authority is the bucket alone; credentials and endpoints are store settings. */
function parseS3Uri(scheme: StoreScheme, authority: string, rawPath: string, whole: string): StoreUri {
  if (authority.includes('@')) {
    throw invalid(
      whole,
      'an s3 URI has no user or key before the bucket',
      "Leave credentials out of the URI: use the default AWS credential chain, a profile, or the store's access key (its secret is kept in secret storage).",
    );
  }
  if (!authority) throw invalid(whole, 'no bucket name', `Write ${scheme}://<bucket>/<key prefix>.`);
  if (authority.includes(':')) {
    throw invalid(
      whole,
      `"${authority}" is not a bucket name: an s3 URI names a bucket, not a host and port`,
      "Give the server address as the store's endpoint (or AWS_ENDPOINT_URL), and the bucket in the URI.",
    );
  }
  if (!BUCKET_NAME.test(authority)) {
    throw invalid(
      whole,
      `"${authority}" is not a valid bucket name`,
      'Bucket names are letters, digits, dots, hyphens and underscores, starting with a letter or digit.',
    );
  }
  const decodedPath = decode(rawPath, 'path', whole);
  const key = path.posix.normalize(decodedPath.startsWith('/') ? decodedPath : `/${decodedPath}`);
  return { scheme, host: authority, path: key.length > 1 && key.endsWith('/') ? key.slice(0, -1) : key };
}

function encodePath(p: string): string {
  return p
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%3A/gi, ':').replace(/%40/g, '@'))
    .join('/');
}

/**
 * Formats a parsed URI back to text with user and path percent-encoded. The password is left out unless
 * `includePassword` is set (only for handing the URI to a transport, never for showing or storing it).
 */
export function formatStoreUri(uri: StoreUri, options: { includePassword?: boolean } = {}): string {
  if (uri.scheme === 'file') return `file://${encodePath(uri.path.replace(/\\/g, '/').replace(/^(?=[a-zA-Z]:)/, '/'))}`;
  const user = uri.user === undefined ? '' : encodeURIComponent(uri.user);
  const password = options.includePassword && uri.password !== undefined ? `:${encodeURIComponent(uri.password)}` : '';
  const host = uri.host.includes(':') ? `[${uri.host}]` : uri.host;
  const port = uri.port === undefined ? '' : `:${uri.port}`;
  return `${uri.scheme}://${user ? `${user}${password}@` : ''}${host}${port}${encodePath(uri.path)}`;
}

/**
 * Splits a password out of a store URI so it can be kept in secret storage: returns the URI text without the
 * password (everything else as the user wrote it) and the decoded password, if there was one.
 * Plain paths and URIs without a password come back unchanged.
 * @throws StoreError `invalid-uri` when the text is not a valid store location.
 */
export function splitPassword(text: string): { uri: string; password?: string } {
  const parsed = parseStoreUri(text);
  if (parsed.password === undefined) return { uri: text.trim() };
  const trimmed = text.trim();
  const prefix = SCHEME_PREFIX.exec(trimmed)!;
  const rest = trimmed.slice(prefix[0].length);
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const at = authority.lastIndexOf('@');
  const userInfo = authority.slice(0, at);
  const withoutPassword = userInfo.slice(0, userInfo.indexOf(':'));
  return { uri: `${prefix[0]}${withoutPassword}${rest.slice(at)}`, password: parsed.password };
}

/** A short label for a store for messages and logs: the URI without password. */
export function storeLabel(uri: StoreUri): string {
  return uri.scheme === 'file' ? uri.path : formatStoreUri(uri);
}

/**
 * How Flink would name a store path: the local absolute path for `file` stores, otherwise the URI of the path
 * without password (and, for HDFS, without user: Hadoop's URIs carry none). Used as the pointer relative state
 * handles resolve against and as the location `latest` prints for `flink run -s`.
 */
export function externalLocation(root: StoreUri, storePath: string): string {
  if (root.scheme === 'file') {
    return storePath === '/' ? root.path : path.join(root.path, ...storePath.split('/').filter(Boolean));
  }
  const location: { -readonly [K in keyof StoreUri]: StoreUri[K] } = {
    ...withoutPassword(root),
    path: path.posix.join(root.path, storePath),
  };
  if (root.scheme !== 'ftp' && root.scheme !== 'ftps') delete location.user;
  return formatStoreUri(location);
}

/** The same URI without its password. */
export function withoutPassword(uri: StoreUri): StoreUri {
  const copy: { -readonly [K in keyof StoreUri]: StoreUri[K] } = { ...uri };
  delete copy.password;
  return copy;
}
