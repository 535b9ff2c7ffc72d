import { ConfigDocument, ConfigEntry, LineIndex, SyntaxProblem } from './document';

/** Java's `String.trim()`: strips every char <= U+0020 at both ends (not Unicode spaces, not a BOM). */
function javaTrimBounds(s: string, from: number, to: number): [number, number] {
  while (from < to && s.charCodeAt(from) <= 0x20) from++;
  while (to > from && s.charCodeAt(to - 1) <= 0x20) to--;
  return [from, to];
}

/**
 * Reads a legacy `flink-conf.yaml` with the rules of Flink's `GlobalConfiguration.loadYAMLResource`
 * (1.15–1.18; `loadLegacyYAMLResource` in 1.19/1.20):
 * lines end at `\n`, `\r` or `\r\n`; everything from the first `#` is a comment (even inside a value); the rest is
 * Java-trimmed and split at the first `": "`; key and value are Java-trimmed; a line without `": "`, or with an
 * empty key or value, is skipped; values stay raw strings (quotes are kept); the last duplicate wins.
 * Skipped lines and surprising values are reported as warnings, since Flink only logs them.
 */
export function parseLegacyConfig(text: string): ConfigDocument {
  const index = new LineIndex(text);
  const entries: ConfigEntry[] = [];
  const problems: SyntaxProblem[] = [];
  for (let line = 0; line < index.lineCount; line++) {
    const raw = index.lineText(line);
    // A final terminator does not start another line for BufferedReader.readLine.
    if (line === index.lineCount - 1 && raw === '') continue;
    const base = index.lineStart(line);
    const hash = raw.indexOf('#');
    const confEnd = hash < 0 ? raw.length : hash;
    const [cs, ce] = javaTrimBounds(raw, 0, confEnd);
    if (cs === ce) continue;
    const conf = raw.slice(cs, ce);
    const sep = conf.indexOf(': ');
    const lineRange = index.range(base + cs, base + ce);
    if (sep < 0) {
      problems.push({
        range: lineRange,
        severity: 'warning',
        code: 'legacy-not-key-value',
        message: conf.includes(':')
          ? 'Flink skips this line: a key and its value must be separated by ": " (colon and space)'
          : 'Flink skips this line: it is not a "key: value" pair',
      });
      continue;
    }
    const [ks, ke] = javaTrimBounds(raw, cs, cs + sep);
    const [vs, ve] = javaTrimBounds(raw, cs + sep + 2, ce);
    if (ks === ke || vs === ve) {
      problems.push({
        range: lineRange,
        severity: 'warning',
        code: 'legacy-empty',
        message: ks === ke ? 'Flink skips this line: the key is empty' : 'Flink skips this line: the value is empty',
      });
      continue;
    }
    const key = raw.slice(ks, ke);
    const value = raw.slice(vs, ve);
    entries.push({
      key,
      value,
      kind: 'scalar',
      valueText: value,
      parents: [],
      keyRange: index.range(base + ks, base + ke),
      valueRange: index.range(base + vs, base + ve),
      entryRange: { start: { line, character: 0 }, end: { line, character: raw.length } },
      effective: true,
    });
    // `password: ab#cd`: text glued to both sides of the '#' was meant as part of the value.
    if (hash > vs && raw.charCodeAt(hash - 1) > 0x20 && hash + 1 < raw.length && raw.charCodeAt(hash + 1) > 0x20) {
      problems.push({
        range: index.range(base + vs, base + raw.length),
        severity: 'warning',
        code: 'legacy-hash-in-value',
        message: `Flink cuts the value at "#": it reads "${value}" and treats "${raw.slice(hash)}" as a comment`,
      });
    }
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value[value.length - 1] === value[0]) {
      problems.push({
        range: index.range(base + vs, base + ve),
        severity: 'warning',
        code: 'legacy-quoted-value',
        message: 'flink-conf.yaml keeps quotes: Flink reads this value with the quote characters in it',
      });
    }
  }
  if (text.charCodeAt(0) === 0xfeff && entries.length && entries[0].keyRange.start.line === 0) {
    problems.push({
      range: entries[0].keyRange,
      severity: 'warning',
      code: 'legacy-bom',
      message: `The file starts with a byte-order mark: Flink reads it as part of the first key ("${entries[0].key.slice(1)}" is not set). Save the file as UTF-8 without BOM.`,
    });
  }
  markOverridden(entries, problems);
  return { format: 'legacy', text, entries, problems, fatal: false };
}

/** Marks every entry followed by one with the same key as not effective, with a warning on it. */
export function markOverridden(entries: ConfigEntry[], problems: SyntaxProblem[]): void {
  const last = new Map<string, ConfigEntry>();
  for (const e of entries) last.set(e.key, e);
  for (const e of entries) {
    const winner = last.get(e.key);
    if (winner === e || !winner) continue;
    e.effective = false;
    problems.push({
      range: e.keyRange,
      severity: 'warning',
      code: 'duplicate-key',
      message: `"${e.key}" is set again on line ${winner.keyRange.start.line + 1}; Flink uses that later value`,
    });
  }
}
