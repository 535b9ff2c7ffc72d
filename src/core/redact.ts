/**
 * The one place output is cleaned of secrets. Every line the CLI prints (stdout, stderr, JSON) and every line the
 * extension logs passes through `redact` on its way out, so a password can only leak by being printed around it.
 *
 * Two rules:
 * - a URI's user info keeps the user name and loses the password: `ftp://alice:***@host/path`;
 * - every secret this process knows (`addSecret`: passwords from the environment, the command line, secret storage)
 *   is replaced by `***` in any encoding it can take in a URI or JSON: raw, percent-encoded (upper or lower hex, whole
 *   or partly), `+` for a space, JSON escapes.
 */

/** Secrets shorter than this are too likely to be ordinary text; they are still cut out of URIs by the first rule. */
const MIN_SECRET_LENGTH = 4;

const secrets = new Set<string>();
let secretPattern: RegExp | null = null;

/** Makes `redact` replace this secret wherever it appears from now on; empty and very short values are ignored. */
export function addSecret(secret: string | undefined | null): void {
  if (!secret || secret.length < MIN_SECRET_LENGTH || secrets.has(secret)) return;
  secrets.add(secret);
  // Longest first, so a secret that contains another is replaced whole.
  const alternatives = [...secrets].sort((a, b) => b.length - a.length).map(encodingsPattern);
  secretPattern = new RegExp(alternatives.join('|'), 'g');
}

/** The passwords (decoded and as written) in the user info of every URI in a text, e.g. a command-line argument. */
export function secretsInUris(text: string): string[] {
  const found = new Set<string>();
  for (const { userInfo } of uriAuthorities(text, true)) {
    const colon = userInfo.indexOf(':');
    if (colon < 0) continue;
    const password = userInfo.slice(colon + 1);
    found.add(password);
    try {
      found.add(decodeURIComponent(password));
    } catch {
      // Not valid percent-encoding: the text as written is the only form.
    }
  }
  return [...found];
}

/** The text with every URI password and every known secret replaced by `***`. */
export function redact(text: string): string {
  let out = text.includes('://') ? redactUriPasswords(text) : text;
  if (secretPattern !== null) out = out.replace(secretPattern, '***');
  return out;
}

/** Whether bytes of UTF-8 output could need `redact`: a URI user info needs an `@`, a secret must be known. */
export function mayNeedRedaction(bytes: Uint8Array): boolean {
  return secretPattern !== null || bytes.indexOf(0x40) >= 0;
}

/** Replaces the password of every `scheme://user:password@host` in a text, keeping the user name. */
export function redactUriPasswords(text: string): string {
  let out = '';
  let at = 0;
  for (const { start, userInfo } of uriAuthorities(text, false)) {
    const colon = userInfo.indexOf(':');
    if (colon < 0) continue;
    out += `${text.slice(at, start)}${userInfo.slice(0, colon)}:***`;
    at = start + userInfo.length;
  }
  return at === 0 ? text : out + text.slice(at);
}

const SCHEME = /[a-zA-Z][a-zA-Z0-9+.-]*:\/\//g;
/** Where an authority ends in running text: the path, query or fragment, white space, quotes and brackets. */
const AUTHORITY_END = /[\s/?#"'<>\\`]/;

/**
 * The user info of each `scheme://…@` in a text, where it starts. In running text the last `@` before the authority
 * ends closes the user info (a raw `@` in a password is tolerated, as the URI parser does). `wholeArgument` reads one
 * command-line argument, where a raw `/`, `?` or `#` may sit inside the password: every `@` up to the first white
 * space then closes one candidate.
 */
function uriAuthorities(text: string, wholeArgument: boolean): { start: number; userInfo: string }[] {
  const found: { start: number; userInfo: string }[] = [];
  SCHEME.lastIndex = 0;
  for (let match = SCHEME.exec(text); match !== null; match = SCHEME.exec(text)) {
    const start = match.index + match[0].length;
    let end = start;
    while (end < text.length && !(wholeArgument ? /\s/ : AUTHORITY_END).test(text[end])) end++;
    const authority = text.slice(start, end);
    const atSign = authority.lastIndexOf('@');
    if (atSign <= 0) continue;
    if (wholeArgument) {
      for (let at = authority.indexOf('@'); at > 0; at = authority.indexOf('@', at + 1)) {
        found.push({ start, userInfo: authority.slice(0, at) });
      }
    } else {
      found.push({ start, userInfo: authority.slice(0, atSign) });
    }
    SCHEME.lastIndex = start + atSign;
  }
  return found;
}

/** A pattern matching the secret in every encoding one character at a time: raw, %XX in either case, JSON escapes. */
function encodingsPattern(secret: string): string {
  let pattern = '';
  for (const char of secret) {
    const forms = [escapeRegExp(char), percentPattern(char)];
    const json = JSON.stringify(char).slice(1, -1);
    if (json !== char) forms.push(escapeRegExp(json));
    if (char.charCodeAt(0) < 0x20 || char === '"' || char === '\\') {
      forms.push(`\\\\u00${hexPattern(char.charCodeAt(0))}`);
    }
    if (char === ' ') forms.push('\\+');
    pattern += `(?:${forms.join('|')})`;
  }
  return pattern;
}

function percentPattern(char: string): string {
  return [...new TextEncoder().encode(char)].map((byte) => `%${hexPattern(byte)}`).join('');
}

/** Two hex digits of a byte, letters in either case. */
function hexPattern(byte: number): string {
  return byte
    .toString(16)
    .padStart(2, '0')
    .split('')
    .map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit))
    .join('');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
