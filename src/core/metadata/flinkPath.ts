/**
 * Just enough of Flink's `org.apache.flink.core.fs.Path` to print file names the way Flink does: `new Path(s)
 * .toString()` for stored absolute paths and `new Path(new Path(pointer), relative).toString()` for relative file
 * handles. Flink builds a `java.net.URI` from scheme, authority and a normalized path and prints the decoded parts,
 * so `file:///tmp/x/` prints as `file:/tmp/x`, doubled slashes collapse and `.`/`..` segments are resolved.
 */
interface PathParts {
  scheme: string | null;
  authority: string | null;
  path: string;
}

/** Prints `s` as Flink's `new Path(s).toString()` does. */
export function flinkPathToString(s: string): string {
  if (isCanonical(s)) return s;
  return format(parse(s));
}

/**
 * True for the shape almost every stored path has, which Flink prints unchanged: `scheme:/path` or
 * `scheme://authority/path` with a plain path (see isPlain), and no whitespace to trim.
 */
export function isCanonical(s: string): boolean {
  const colon = s.indexOf(':');
  if (colon < 2 || s.charCodeAt(colon + 1) !== 47) return false;
  for (let i = 0; i < colon; i++) {
    const c = s.charCodeAt(i);
    if (c === 47 || c === 37 || c <= 32) return false;
  }
  let pathStart = colon + 1;
  if (s.charCodeAt(colon + 2) === 47) {
    const slash = s.indexOf('/', colon + 3);
    if (slash < 0 || slash === colon + 3 || s.lastIndexOf('%', slash) > colon) return false;
    pathStart = slash;
  }
  return s.charCodeAt(s.length - 1) > 32 && isPlain(s, pathStart);
}

let lastParent = '';
let lastParentParts: PathParts = { scheme: null, authority: null, path: '' };
let lastParentPrefix = '';

/** Prints `new Path(new Path(parent), child).toString()`. */
export function flinkResolvePath(parent: string, child: string): string {
  // Every relative handle of a file resolves against the same parent.
  if (parent !== lastParent) {
    lastParentParts = parse(parent);
    lastParent = parent;
    const base =
      lastParentParts.path === '' || lastParentParts.path === '/' ? lastParentParts.path : `${lastParentParts.path}/`;
    lastParentPrefix = format({ ...lastParentParts, path: base });
  }
  // A plain file name (a UUID, as Flink writes them) is simply appended.
  if (isPlainName(child)) return lastParentPrefix + child;
  const p = lastParentParts;
  const c = parse(child);
  if (c.scheme !== null || c.authority !== null) return format(c);
  const base = p.path === '' || p.path === '/' ? p.path : `${p.path}/`;
  const childPath = c.path.startsWith('/') ? c.path.slice(1) : c.path;
  return format({ scheme: p.scheme, authority: p.authority, path: normalize(`${base}${childPath}`) });
}

function hasWindowsDrive(path: string, slashed: boolean): boolean {
  const start = slashed ? 1 : 0;
  if (path.length < start + 2 || (slashed && path.charAt(0) !== '/') || path.charAt(start + 1) !== ':') return false;
  const c = path.charAt(start);
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

function parse(input: string): PathParts {
  let s = input.trim();
  if (hasWindowsDrive(s, false)) s = `/${s}`;
  let scheme: string | null = null;
  let authority: string | null = null;
  let start = 0;
  const colon = s.indexOf(':');
  const slash = s.indexOf('/');
  if (colon !== -1 && (slash === -1 || colon < slash)) {
    scheme = s.slice(0, colon);
    start = colon + 1;
  }
  if (s.startsWith('//', start) && s.length - start > 2) {
    const nextSlash = s.indexOf('/', start + 2);
    const end = nextSlash > 0 ? nextSlash : s.length;
    authority = s.slice(start + 2, end);
    start = end;
  }
  // java.net.URI reads an empty authority ("file:///x") as none.
  if (authority === '') authority = null;
  return { scheme, authority: authority === null ? null : decode(authority), path: normalize(s.slice(start)) };
}

/** Flink's `normalizePath` followed by `URI.normalize()` and the decoding `URI.getPath()` does. */
function normalize(raw: string): string {
  if (isPlain(raw)) return raw;
  let path = raw.replace(/\\/g, '/').replace(/\/+/g, '/');
  if (path.endsWith('/') && path !== '/' && !/^\/?[a-zA-Z]:\/$/.test(path)) path = path.slice(0, -1);
  return decode(removeDotSegments(path));
}

/** True when normalizing cannot change `path`: no backslash, doubled or trailing slash, dot segment or escape. */
function isPlain(path: string, start = 0): boolean {
  let prev = 0;
  for (let i = start; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 92 || c === 37 || (c === 47 && prev === 47) || (c === 46 && (prev === 47 || i === start))) return false;
    prev = c;
  }
  return prev !== 47 || path.length - start === 1;
}

/** A single path segment that needs no parsing: no separator, colon, escape, dot segment or surrounding space. */
function isPlainName(name: string): boolean {
  if (
    name.length === 0 ||
    name === '.' ||
    name === '..' ||
    name.charCodeAt(0) <= 32 ||
    name.charCodeAt(name.length - 1) <= 32
  ) {
    return false;
  }
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 47 || c === 92 || c === 58 || c === 37) return false;
  }
  return true;
}

function removeDotSegments(path: string): string {
  if (!path.includes('.')) return path;
  const absolute = path.startsWith('/');
  const segments = (absolute ? path.slice(1) : path).split('/');
  const out: string[] = [];
  let trailingSlash = false;
  for (const seg of segments) {
    trailingSlash = false;
    if (seg === '.') {
      trailingSlash = true;
    } else if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..') {
      out.pop();
      trailingSlash = true;
    } else {
      out.push(seg);
    }
  }
  const joined = out.join('/');
  return (absolute ? '/' : '') + joined + (trailingSlash && joined !== '' ? '/' : '');
}

/** `java.net.URI` keeps `%XX` escapes from its input and decodes them (as UTF-8) when printing. */
function decode(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(/(%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    return new TextDecoder('utf-8').decode(bytes);
  });
}

function format(p: PathParts): string {
  let out = '';
  if (p.scheme !== null) out += `${p.scheme}:`;
  if (p.authority !== null) out += `//${p.authority}`;
  let path = p.path;
  if (path.indexOf('/') === 0 && hasWindowsDrive(path, true) && p.scheme === null && p.authority === null) {
    path = path.slice(1);
  }
  return out + path;
}
