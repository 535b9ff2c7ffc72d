import * as path from 'node:path';
import { StoreError } from './errors';

/** The transports a store URI can select. `hdfs`, `webhdfs` and `swebhdfs` all talk WebHDFS. */
export type StoreScheme = 'file' | 'ftp' | 'ftps' | 'hdfs' | 'webhdfs' | 'swebhdfs';

/** A parsed store location. `path` is decoded and absolute; `password` is only set when the text held one. */
export interface StoreUri {
  readonly scheme: StoreScheme;
  /** Host name or IP (IPv6 without brackets); empty for `file`. */
  readonly host: string;
  /** Port given in the URI, if any (for `hdfs://` this is the NameNode RPC port, not the WebHDFS one). */
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  /** Decoded absolute path: a local path for `file`, a POSIX path on the server otherwise. */
  readonly path: string;
}

/** Default ports when the URI names none. */
export const DEFAULT_PORTS: Readonly<Record<Exclude<StoreScheme, 'file'>, number>> = {
  ftp: 21,
  ftps: 21,
  hdfs: 9870, // the NameNode's WebHDFS HTTP port (Hadoop 3); the RPC port in an hdfs:// URI is not used
  webhdfs: 9870,
  swebhdfs: 9871,
};

const SCHEMES: readonly StoreScheme[] = ['file', 'ftp', 'ftps', 'hdfs', 'webhdfs', 'swebhdfs'];
const SCHEME_PREFIX = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

function invalid(text: string, detail: string, advice?: string): StoreError {
  return new StoreError('invalid-uri', redactUri(text), undefined, detail, advice);
}

function decode(text: string, part: string, whole: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalid(whole, `the ${part} has a "%" that is not followed by two hex digits`,
      'Write a literal "%" as %25 (and "@" as %40, ":" as %3A, "/" as %2F) in the user name, password and path.');
  }
}

/**
 * Parses a store location: a plain path (made absolute against the working directory), `file://`,
 * `ftp://[user[:password]@]host[:port]/path`, `ftps://` (explicit TLS), `hdfs://namenode[:port]/path`,
 * `webhdfs://` or `swebhdfs://`. User, password and path are percent-decoded, so `%40 %3A %2F %25` stand for
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
      throw invalid(trimmed, `file URIs with a host ("${authority}") are not supported`, 'Use file:///path or a plain path.');
    }
    let local = decode(rawPath, 'path', trimmed);
    if (/^\/[a-zA-Z]:[\\/]/.test(local)) local = local.slice(1); // file:///C:/x on Windows
    return { scheme: 'file', host: '', path: path.resolve(local) };
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

function encodePath(p: string): string {
  return p.split('/').map((segment) => encodeURIComponent(segment).replace(/%3A/gi, ':').replace(/%40/g, '@')).join('/');
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

/**
 * Replaces every password inside `scheme://user:password@` URIs in a text (a URI, a log line, an error message)
 * with `***`. Use it on anything that may have seen a URI before it reaches a log or the screen.
 */
export function redactUri(text: string): string {
  return text.replace(/([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s/:@]*):[^\s/]*@(?=[^\s@/]*(?:[/\s]|$))/g, '$1:***@');
}

/** A short label for a store for messages and logs: the URI without password. */
export function storeLabel(uri: StoreUri): string {
  return uri.scheme === 'file' ? uri.path : formatStoreUri(uri);
}

/** Replaces every occurrence of the given secrets (raw and percent-encoded) in a text with `***`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = redactUri(text);
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('***');
  }
  return out;
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
  const location: { -readonly [K in keyof StoreUri]: StoreUri[K] } = { ...withoutPassword(root), path: path.posix.join(root.path, storePath) };
  if (root.scheme !== 'ftp' && root.scheme !== 'ftps') delete location.user;
  return formatStoreUri(location);
}

/** The same URI without its password. */
export function withoutPassword(uri: StoreUri): StoreUri {
  const copy: { -readonly [K in keyof StoreUri]: StoreUri[K] } = { ...uri };
  delete copy.password;
  return copy;
}
