import { ConfigDocument, ConfigEntry, LineIndex, Range, TextEdit } from './document';

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The closest candidates to `word` (at most `limit`), close enough to be a plausible typo. */
export function closest(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const max = Math.max(2, Math.floor(word.length / 4));
  const scored: Array<[number, string]> = [];
  for (const c of candidates) {
    if (Math.abs(c.length - word.length) > max) continue;
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d <= max) scored.push([d, c]);
  }
  scored.sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1]));
  return scored.slice(0, limit).map(([, c]) => c);
}

/** A value rendered for the file's format: YAML values that would not read back as the same string get quoted. */
export function renderValue(value: string, format: ConfigDocument['format']): string {
  if (format === 'legacy') return value;
  const plain =
    /^[A-Za-z0-9_./:@$%+=-](?:[^#:]|:(?! )|#(?<! #))*$/.test(value) &&
    !/\s$/.test(value) &&
    !/^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+)$/.test(
      value,
    ) &&
    !/[{}[\],]/.test(value[0]);
  return plain ? value : `'${value.replace(/'/g, "''")}'`;
}

/** Edits that replace an entry's value text. */
export function replaceValueEdits(doc: ConfigDocument, entry: ConfigEntry, value: string): TextEdit[] {
  return [{ range: entry.valueRange, newText: renderValue(value, doc.format) }];
}

/** Edits appending `key: value` lines at the end of the document (flat keys work in both formats). */
export function appendEdits(doc: ConfigDocument, lines: Array<[string, string]>): TextEdit[] {
  return [appendAtEnd(doc, lines.map(([k, v]) => `${k}: ${renderValue(v, doc.format)}`).join('\n'))];
}

/** An edit appending `text` at the end of the document, on lines of its own. */
function appendAtEnd(doc: ConfigDocument, text: string): TextEdit {
  const end = new LineIndex(doc.text).position(doc.text.length);
  const needsBreak = doc.text.length > 0 && !/[\r\n]$/.test(doc.text);
  return { range: { start: end, end }, newText: `${needsBreak ? '\n' : ''}${text}\n` };
}

/** An entry's value as written in the file; one that spans lines is rendered anew, to move as one line. */
function valueAsWritten(doc: ConfigDocument, entry: ConfigEntry): string {
  const multiLine = entry.valueRange.start.line !== entry.valueRange.end.line;
  return multiLine ? renderValue(entry.value, doc.format) : entry.valueText;
}

/** Edits appending copies of an entry under other keys, its value written as it stands in the file. */
export function copyEntryEdits(doc: ConfigDocument, entry: ConfigEntry, keys: readonly string[]): TextEdit[] {
  const valueText = valueAsWritten(doc, entry);
  return [appendAtEnd(doc, keys.map((k) => `${k}: ${valueText}`).join('\n'))];
}

/** Range covering whole lines of an entry, including its line break, for deleting it. */
export function wholeLines(doc: ConfigDocument, range: Range): Range {
  const index = new LineIndex(doc.text);
  const endLine = range.end.line + 1;
  const end = endLine < index.lineCount ? { line: endLine, character: 0 } : index.position(doc.text.length);
  return { start: { line: range.start.line, character: 0 }, end };
}

/** Edits deleting an entry. */
export function deleteEntryEdits(doc: ConfigDocument, entry: ConfigEntry): TextEdit[] {
  return [{ range: wholeLines(doc, entry.entryRange), newText: '' }];
}

/**
 * Edits renaming an entry's key. Flat keys are replaced in place; a nested YAML key is replaced in place when the
 * new key lives under the same parents, otherwise the entry moves to a flat key at the end of the file.
 */
export function renameKeyEdits(doc: ConfigDocument, entry: ConfigEntry, newKey: string): TextEdit[] {
  if (entry.parents.length === 0) return [{ range: entry.keyRange, newText: newKey }];
  const prefix = `${entry.parents.join('.')}.`;
  if (newKey.startsWith(prefix)) return [{ range: entry.keyRange, newText: newKey.slice(prefix.length) }];
  return [
    { range: wholeLines(doc, entry.entryRange), newText: '' },
    appendAtEnd(doc, `${newKey}: ${valueAsWritten(doc, entry)}`),
  ];
}

/** Applies non-overlapping edits to a text (what the editor does with a fix; used by the CLI and tests). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const index = new LineIndex(text);
  const resolved = edits.map((e) => ({
    start: index.offset(e.range.start),
    end: index.offset(e.range.end),
    newText: e.newText,
  }));
  resolved.sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of resolved) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}
