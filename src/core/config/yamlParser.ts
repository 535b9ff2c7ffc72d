import {
  Alias,
  Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Node,
  parseDocument,
  Scalar,
  YAMLMap,
  YAMLSeq,
} from 'yaml';
import { ConfigDocument, ConfigEntry, LineIndex, SyntaxProblem } from './document';
import { markOverridden } from './legacyParser';

/** Java's `Double.toString` for a finite double; `.nan`/`.inf` as snakeyaml-engine writes them otherwise. */
export function javaDouble(d: number): string {
  if (Number.isNaN(d)) return '.nan';
  if (d === Infinity) return '.inf';
  if (d === -Infinity) return '-.inf';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa, exp] = d.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exp)}`;
}

/** The Java object snakeyaml-engine's core schema builds for a scalar, printed as Flink prints it. */
function scalarString(node: Scalar): string | null {
  const v = node.value;
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return javaDouble(v);
  if (typeof v === 'boolean') return String(v);
  return String(v);
}

const CORE_NON_STRING =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/**
 * A string as snakeyaml-engine's flow-style dumper writes it (its `Emitter.analyzeScalar` rules): plain when allowed
 * and the plain text reads back as a string, single-quoted when allowed, double-quoted otherwise.
 */
function flowString(s: string): string {
  let flowIndicators = s.startsWith('---') || s.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let trailingSpace = false;
  let leadingBreak = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  const chars = [...s];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    const cp = c.codePointAt(0)!;
    const next = chars[i + 1];
    const followedByWhitespace = next === undefined || ' \t\r\n\u0085\u2028\u2029'.includes(next);
    const precededByWhitespace = i === 0 || ' \t\r\n\u0085\u2028\u2029'.includes(chars[i - 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c) || c === '?' || c === ':' || (c === '-' && followedByWhitespace)) {
        flowIndicators = true;
      }
    } else {
      if (',?[]{}'.includes(c) || c === ':' || (c === '#' && precededByWhitespace)) flowIndicators = true;
    }
    const isBreak = c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
    if (isBreak) lineBreaks = true;
    if (!(c === '\n' || (cp >= 0x20 && cp <= 0x7e))) {
      const printable =
        cp === 0x85 ||
        (cp >= 0xa0 && cp <= 0xd7ff) ||
        (cp >= 0xe000 && cp <= 0xfffd) ||
        (cp >= 0x10000 && cp <= 0x10ffff);
      if (!printable) special = true;
    }
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
  }
  let flowPlain = !(
    leadingSpace ||
    leadingBreak ||
    trailingSpace ||
    trailingBreak ||
    breakSpace ||
    spaceBreak ||
    special ||
    lineBreaks ||
    flowIndicators
  );
  const singleQuoted = !(breakSpace || spaceBreak || special);
  if (s === '' || CORE_NON_STRING.test(s)) flowPlain = false;
  if (flowPlain) return s;
  if (singleQuoted && !lineBreaks) return `'${s.replace(/'/g, "''")}'`;
  return doubleQuoted(s);
}

const ESCAPES: Record<string, string> = {
  '\0': '0',
  '\u0007': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\u000b': 'v',
  '\f': 'f',
  '\r': 'r',
  '\u001b': 'e',
  '"': '"',
  '\\': '\\',
  '\u0085': 'N',
  '\u00a0': '_',
};

/** snakeyaml-engine's double-quoted style: its named escapes, then \xXX / \uXXXX / \UXXXXXXXX for unprintables. */
function doubleQuoted(s: string): string {
  let out = '"';
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (!('"\\\u0085\u2028\u2029\ufeff'.includes(c) || cp < 0x20 || cp > 0x7e)) {
      out += c;
    } else if (ESCAPES[c] !== undefined) {
      out += `\\${ESCAPES[c]}`;
    } else if (
      cp === 0x85 ||
      (cp >= 0xa0 && cp <= 0xd7ff) ||
      (cp >= 0xe000 && cp <= 0xfffd) ||
      (cp >= 0x10000 && cp <= 0x10ffff)
    ) {
      out += c;
    } else if (cp <= 0xff) {
      out += `\\x${cp.toString(16).padStart(2, '0')}`;
    } else if (cp > 0xffff) {
      out += `\\U${cp.toString(16).padStart(8, '0')}`;
    } else {
      out += `\\u${cp.toString(16).padStart(4, '0')}`;
    }
  }
  return `${out}"`;
}

/** `YamlParserUtils.toYAMLString` for the Java value a YAML node loads as (flow style, core schema). */
function flowDump(node: Node | null, doc: Document): string {
  const resolved = resolveAlias(node, doc);
  if (resolved === null) return 'null';
  if (isScalar(resolved)) {
    const s = scalarString(resolved);
    if (s === null) return 'null';
    return typeof resolved.value === 'string' ? flowString(s) : s;
  }
  if (isSeq(resolved)) return `[${(resolved as YAMLSeq<Node>).items.map((i) => flowDump(i, doc)).join(', ')}]`;
  if (isMap(resolved)) {
    const parts = (resolved as YAMLMap<Node, Node>).items.map(
      (p) => `${flowDump(p.key, doc)}: ${flowDump(p.value, doc)}`,
    );
    return `{${parts.join(', ')}}`;
  }
  return 'null';
}

function resolveAlias(node: Node | null | undefined, doc: Document): Node | null {
  let n: Node | null | undefined = node;
  for (let depth = 0; n && isAlias(n) && depth < 32; depth++) n = (n as Alias).resolve(doc) as Node | undefined;
  return n ?? null;
}

/**
 * A mapping key as Flink's flatten step sees it: strings as they are, a null key as "null"; null for any other key
 * (a number, boolean, list or map key makes Flink's loader fail with a ClassCastException).
 */
function keyString(node: Node | null, doc: Document): string | null {
  const k = resolveAlias(node, doc);
  if (k === null) return 'null';
  if (!isScalar(k)) return null;
  if (k.value === null || k.value === undefined) return 'null';
  return typeof k.value === 'string' ? k.value : null;
}

/**
 * Reads a standard `config.yaml` as Flink 1.19+ does (`YamlParserUtils.loadYamlFile` + `GlobalConfiguration.flatten`):
 * YAML 1.2 core schema, duplicate keys and any syntax error fail the whole file, nested maps are flattened with `.`,
 * lists are stored as their flow-YAML text, and a null value fails the load (Flink refuses null values).
 */
export function parseYamlConfig(text: string): ConfigDocument {
  const index = new LineIndex(text);
  const entries: ConfigEntry[] = [];
  const problems: SyntaxProblem[] = [];
  let fatal = false;
  const doc = parseDocument(text, {
    version: '1.2',
    schema: 'core',
    intAsBigInt: true,
    uniqueKeys: true,
    prettyErrors: false,
    merge: false,
  });
  for (const e of doc.errors) {
    fatal = true;
    const [s, t] = e.pos;
    problems.push({
      range: index.range(s, Math.max(t, s)),
      severity: 'error',
      code: 'yaml-syntax',
      message: `Flink fails to load the file: ${e.message.split('\n')[0]}`,
    });
  }
  const root = resolveAlias(doc.contents as Node | null, doc);
  if (root !== null && !isMap(root) && !(isScalar(root) && root.value === null)) {
    fatal = true;
    problems.push({
      range: index.range(root.range?.[0] ?? 0, root.range?.[1] ?? 0),
      severity: 'error',
      code: 'yaml-not-a-map',
      message: 'Flink fails to load the file: the document must be a mapping of keys to values',
    });
  }
  const entryRange = (start: number, end: number) => {
    const a = index.position(start);
    const b = index.position(end);
    return { start: { line: a.line, character: 0 }, end: b };
  };
  const walk = (map: YAMLMap<Node, Node>, prefix: string, parents: string[]) => {
    for (const pair of map.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const key = keyString(keyNode, doc);
      const keyStart = keyNode?.range?.[0] ?? 0;
      const keyEnd = keyNode?.range?.[1] ?? keyStart;
      if (key === null) {
        fatal = true;
        problems.push({
          range: index.range(keyStart, keyEnd),
          severity: 'error',
          code: 'yaml-non-string-key',
          message: 'Flink fails to load the file: every key must be a string (quote numbers and booleans used as keys)',
        });
        continue;
      }
      const full = prefix + key;
      const valueNode = resolveAlias(pair.value as Node | null, doc);
      const written = pair.value as Node | null;
      if (valueNode && isMap(valueNode)) {
        walk(valueNode as YAMLMap<Node, Node>, `${full}.`, [...parents, key]);
        continue;
      }
      const vs = written?.range?.[0] ?? keyEnd;
      const ve = written?.range?.[1] ?? keyEnd;
      let value: string | null;
      let kind: ConfigEntry['kind'] = 'scalar';
      if (valueNode === null) value = null;
      else if (isSeq(valueNode)) {
        value = flowDump(valueNode, doc);
        kind = 'list';
      } else if (isScalar(valueNode)) value = scalarString(valueNode);
      else value = null;
      if (value === null) {
        fatal = true;
        problems.push({
          range: index.range(keyStart, ve),
          severity: 'error',
          code: 'yaml-null-value',
          message: `"${full}" has no value (null); Flink fails to load a config.yaml with a null value — give a value or remove the key`,
        });
        continue;
      }
      entries.push({
        key: full,
        value,
        kind,
        parents,
        valueText: text.slice(vs, ve),
        keyRange: index.range(keyStart, keyEnd),
        valueRange: index.range(vs, ve),
        entryRange: entryRange(keyStart, Math.max(ve, keyEnd)),
        effective: true,
      });
    }
  };
  if (root && isMap(root)) walk(root as YAMLMap<Node, Node>, '', []);
  markOverridden(entries, problems);
  return { format: 'yaml', text, entries, problems, fatal };
}
