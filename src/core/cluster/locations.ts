/**
 * The directory a checkpoint store should be rooted at to hold a snapshot Flink reported by `external_path`: the
 * checkpoint directory (`execution.checkpointing.dir`, the parent of `<job id>/chk-N`) or the savepoints directory
 * (the parent of `savepoint-…`). Given as the Add Store flow takes it: a plain path for `file:` (Flink writes
 * `file:/…`), the URI with scheme, host and port otherwise, never with a password. Undefined when the path names
 * nothing a store can hold (a relative path, a bare scheme).
 */
export function storeLocationFor(externalPath: string): string | undefined {
  const parsed = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:\/\/([^/]*))?(\/.*)?$/.exec(externalPath.trim());
  const scheme = parsed ? parsed[1].toLowerCase() : 'file';
  // A password in the authority never reaches a prefilled input; the user is kept (an FTP store logs in as it).
  const authority = parsed?.[2]?.replace(/^([^:@]*):[^@]*@/, '$1@') ?? '';
  const path = parsed ? (parsed[3] ?? '') : externalPath.trim();
  if (!path.startsWith('/')) return undefined;
  const segments = path.split('/').filter(Boolean);
  if (segments.at(-1) === '_metadata') segments.pop();
  const last = segments.at(-1) ?? '';
  if (/^chk-\d+$/.test(last) && /^[0-9a-f]{32}$/i.test(segments.at(-2) ?? '')) segments.splice(-2);
  else if (/^(chk-\d+|savepoint-.+)$/.test(last)) segments.pop();
  const dir = `/${segments.join('/')}`;
  if (scheme === 'file' && authority === '') return dir;
  if (authority === '' && scheme !== 'file') return undefined;
  return `${scheme}://${authority}${dir === '/' ? '' : dir}`;
}

/**
 * A line of program arguments split as a POSIX shell splits words: blanks separate, '…' is literal, "…" and a
 * backslash escape. Throws naming the problem when a quote is not closed.
 */
export function splitProgramArgs(text: string): string[] {
  const args: string[] = [];
  let current = '';
  let started = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) current += text[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      started = true;
    } else if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
      started = true;
    } else if (/\s/.test(c)) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (quote) throw new Error(`the ${quote === "'" ? 'single' : 'double'} quote is not closed`);
  if (started) args.push(current);
  return args;
}
