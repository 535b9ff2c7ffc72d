import { CATALOG_LINES, keysFor, lookupOption, OptionInfo } from './catalog';
import { ConfigFormat, LineIndex, Position, Range } from './document';
import { parseConfig } from './parse';
import { FlinkLine, isAtLeast, parseFlinkLine } from './versions';

/** Target version and file format for completion and hover. */
export interface AssistOptions {
  version: string;
  format: ConfigFormat;
}

/** One completion proposal; `range` is the text it replaces (the typed part of the key or value). */
export interface ConfigCompletion {
  label: string;
  kind: 'key' | 'value';
  insertText: string;
  range: Range;
  /** One line: type and default, or why the value is offered. */
  detail?: string;
  /** Markdown: the same text as the hover. */
  documentation?: string;
  deprecated?: boolean;
  /** Sorts recommended items first. */
  sortText: string;
}

/** Hover content for the key under the cursor. */
export interface ConfigHover {
  key: string;
  range: Range;
  /** Markdown for the hover. */
  markdown: string;
  info: OptionInfo;
}

interface Context {
  kind: 'key' | 'value';
  /** The full flattened key in a value context, or the key prefix typed so far (with nested parents). */
  key: string;
  /** Parents of a nested YAML position, joined with '.' and ending with '.', or ''. */
  parentPrefix: string;
  range: Range;
}

function indentOf(s: string): number {
  return /^ */.exec(s)![0].length;
}

/** Parent keys of a YAML line, from the less indented `key:` lines above it. */
function yamlParents(index: LineIndex, line: number, indent: number): string[] {
  const parents: string[] = [];
  let current = indent;
  for (let l = line - 1; l >= 0 && current > 0; l--) {
    const text = index.lineText(l);
    if (/^\s*(#|$)/.test(text)) continue;
    const ind = indentOf(text);
    if (ind >= current) continue;
    const m = /^\s*(['"]?)([^'":#]+)\1\s*:\s*(#.*)?$/.exec(text);
    if (!m) break;
    parents.unshift(m[2].trim());
    current = ind;
  }
  return parents;
}

function contextAt(text: string, position: Position, format: ConfigFormat): Context | null {
  const index = new LineIndex(text);
  const lineText = index.lineText(position.line);
  const before = lineText.slice(0, position.character);
  if (before.includes('#') && (format === 'legacy' || /(^|\s)#/.test(before))) return null;
  const indent = indentOf(lineText);
  const parents = format === 'yaml' ? yamlParents(index, position.line, indent) : [];
  const parentPrefix = parents.length ? `${parents.join('.')}.` : '';
  const sep = before.indexOf(': ');
  if (sep >= 0 || (format === 'yaml' && before.endsWith(':'))) {
    const keyText = before
      .slice(0, sep >= 0 ? sep : before.length - 1)
      .trim()
      .replace(/^(['"])(.*)\1$/, '$2');
    const valueStart = sep >= 0 ? sep + 2 + /^\s*/.exec(before.slice(sep + 2))![0].length : before.length;
    const rest = lineText.slice(valueStart);
    const valueEnd = valueStart + (/^[^#]*?(?=\s+#|\s*$)/.exec(rest)?.[0].length ?? rest.length);
    return {
      kind: 'value',
      key: parentPrefix + keyText,
      parentPrefix,
      range: {
        start: { line: position.line, character: valueStart },
        end: { line: position.line, character: Math.max(valueEnd, position.character) },
      },
    };
  }
  const start = indent;
  const tokenEnd = start + (/^[^\s:]*/.exec(lineText.slice(start))?.[0].length ?? 0);
  return {
    kind: 'key',
    key: parentPrefix + lineText.slice(start, position.character),
    parentPrefix,
    range: {
      start: { line: position.line, character: start },
      end: { line: position.line, character: Math.max(tokenEnd, position.character) },
    },
  };
}

function yamlValue(v: string, format: ConfigFormat): string {
  return format === 'yaml' && /^(?:true|false|[0-9]+)$/i.test(v) === false && /[:#{}[\],&*!|>'"%@`]|^\s|\s$/.test(v)
    ? `'${v}'`
    : v;
}

/** Markdown describing an option for a target line (shared by hover and completion). */
export function optionMarkdown(info: OptionInfo, line: FlinkLine): string {
  const parts: string[] = [];
  const type = info.type ?? 'unknown type';
  parts.push(
    `**${info.key}** · \`${type}\` · default ${info.defaultValue === null ? '*(none)*' : `\`${info.defaultValue}\``}`,
  );
  if (info.description) parts.push(info.description);
  if (info.enumValues) {
    parts.push(
      `Values: ${info.enumValues.map((v) => (info.deprecatedEnumValues?.includes(v) ? `~~\`${v}\`~~` : `\`${v}\``)).join(', ')}`,
    );
  }
  if (info.history.length > 1) {
    parts.push(
      `Changed across versions: ${info.history.map((h) => `${h.since}: \`${h.type}\` = ${h.defaultValue === null ? '*(none)*' : `\`${h.defaultValue}\``}`).join(' → ')}`,
    );
  }
  const life: string[] = [];
  life.push(info.since === CATALOG_LINES[0] ? `Since Flink ${info.since} or earlier.` : `Since Flink ${info.since}.`);
  if (
    info.status === 'deprecated' ||
    info.status === 'deprecated-option' ||
    (info.deprecatedIn && info.status !== 'current')
  ) {
    // A key several options read (state.backend.local-recovery from 1.20) names them all: one alone changes behaviour.
    const repls =
      info.replacements.length > 1
        ? info.replacements
        : [info.latestReplacement ?? info.replacement].filter((r): r is string => r !== null);
    life.push(
      `**Deprecated**${info.deprecatedIn ? ` since ${info.deprecatedIn}` : ''}${repls.length ? `: use ${repls.map((r) => `\`${r}\``).join(' and ')}` : ''}.`,
    );
  }
  if (info.status === 'fallback' && info.replacement) life.push(`Read as a fallback for \`${info.replacement}\`.`);
  if (info.removedIn) life.push(`**Removed** in ${info.removedIn}.`);
  if (info.status === 'not-yet') life.push(`Not in Flink ${line}.`);
  parts.push(life.join(' '));
  parts.push(
    `[Flink ${info.status === 'removed' || info.status === 'not-yet' ? '' : `${info.line} `}documentation](${info.docsUrl})`,
  );
  return parts.join('\n\n');
}

const DURATION_EXAMPLES = ['30 s', '1 min', '3 min', '10 min', '1 h'];
const MEMORY_EXAMPLES = ['64 mb', '256 mb', '1 gb', '4 gb'];

/**
 * Values Flink accepts for String options that take a name (the options are Strings because a factory class name is
 * accepted too), by the first line that reads each value.
 */
const KNOWN_NAMES: Readonly<Record<string, readonly (readonly [string, FlinkLine])[]>> = {
  'state.backend.type': [
    ['hashmap', '1.15'],
    ['rocksdb', '1.15'],
    ['forst', '2.0'],
  ],
  'state.backend': [
    ['hashmap', '1.15'],
    ['rocksdb', '1.15'],
  ],
  'execution.checkpointing.storage': [
    ['jobmanager', '1.15'],
    ['filesystem', '1.15'],
  ],
  'state.checkpoint-storage': [
    ['jobmanager', '1.15'],
    ['filesystem', '1.15'],
  ],
  'high-availability.type': [
    ['NONE', '1.15'],
    ['ZOOKEEPER', '1.15'],
    ['KUBERNETES', '1.15'],
  ],
  'high-availability': [
    ['NONE', '1.15'],
    ['ZOOKEEPER', '1.15'],
    ['KUBERNETES', '1.15'],
  ],
  'restart-strategy.type': [
    ['none', '1.15'],
    ['fixed-delay', '1.15'],
    ['failure-rate', '1.15'],
    ['exponential-delay', '1.15'],
  ],
  'restart-strategy': [
    ['none', '1.15'],
    ['fixed-delay', '1.15'],
    ['failure-rate', '1.15'],
    ['exponential-delay', '1.15'],
  ],
};

/**
 * Completion proposals at a position: option keys (flat, or the rest of the key under nested YAML parents) and
 * values (enum constants, booleans, duration and memory examples, the default). Deprecated keys come last and are
 * marked; keys unknown to the target version are not offered.
 */
export function completeAt(text: string, position: Position, options: AssistOptions): ConfigCompletion[] {
  const line = parseFlinkLine(options.version);
  const ctx = contextAt(text, position, options.format);
  if (!ctx) return [];
  if (ctx.kind === 'key') {
    const doc = parseConfig(text, options.format);
    const present = new Set(doc.entries.map((e) => e.key));
    const out: ConfigCompletion[] = [];
    for (const key of keysFor(line, true)) {
      if (!key.startsWith(ctx.parentPrefix) || present.has(key) || key.startsWith('$internal.')) continue;
      const info = lookupOption(key, line)!;
      const deprecated = info.status !== 'current';
      const rest = key.slice(ctx.parentPrefix.length);
      out.push({
        label: rest,
        kind: 'key',
        insertText: `${rest}: `,
        range: ctx.range,
        deprecated,
        detail: `${info.type ?? ''}${info.defaultValue !== null ? ` = ${info.defaultValue}` : ''}${deprecated && info.replacement ? ` (deprecated: ${info.replacement})` : ''}`,
        documentation: optionMarkdown(info, line),
        sortText: `${deprecated ? '2' : info.description ? '0' : '1'}${rest}`,
      });
    }
    return out;
  }
  const info = lookupOption(ctx.key, line);
  if (!info || !info.type) return [];
  const values: Array<[string, string]> = [];
  if (info.enumValues) {
    for (const v of info.enumValues) values.push([v, info.deprecatedEnumValues?.includes(v) ? 'deprecated' : '']);
  } else if (info.type === 'Boolean') values.push(['true', ''], ['false', '']);
  else if (info.type === 'Duration') for (const v of DURATION_EXAMPLES) values.push([v, 'duration']);
  else if (info.type === 'MemorySize') for (const v of MEMORY_EXAMPLES) values.push([v, 'memory size']);
  else for (const [v, since] of KNOWN_NAMES[info.key] ?? []) if (isAtLeast(line, since)) values.push([v, '']);
  if (info.defaultValue !== null && !values.some(([v]) => v.toUpperCase() === info.defaultValue!.toUpperCase())) {
    values.unshift([info.defaultValue, 'default']);
  }
  return values.map(([v, note], i) => ({
    label: v,
    kind: 'value' as const,
    insertText: yamlValue(v, options.format),
    range: ctx.range,
    detail: v.toUpperCase() === (info.defaultValue ?? '').toUpperCase() ? 'default' : note || undefined,
    deprecated: note === 'deprecated',
    sortText: `${note === 'deprecated' ? '9' : '0'}${String(i).padStart(3, '0')}`,
  }));
}

/** Hover for the key (or value) under the cursor, or null when it is not on a known option. */
export function hoverAt(text: string, position: Position, options: AssistOptions): ConfigHover | null {
  const line = parseFlinkLine(options.version);
  const doc = parseConfig(text, options.format);
  const inside = (r: Range) =>
    (position.line > r.start.line || (position.line === r.start.line && position.character >= r.start.character)) &&
    (position.line < r.end.line || (position.line === r.end.line && position.character <= r.end.character));
  const entry = doc.entries.find((e) => inside(e.keyRange) || inside(e.valueRange));
  let key: string | null = entry?.key ?? null;
  let range: Range | null = entry?.keyRange ?? null;
  if (!key) {
    const ctx = contextAt(text, position, options.format);
    if (!ctx) return null;
    if (ctx.kind === 'value') key = ctx.key;
    else {
      const index = new LineIndex(text);
      const lineText = index.lineText(position.line);
      const token = /^[^\s:]*/.exec(lineText.slice(ctx.range.start.character))![0];
      key = ctx.parentPrefix + token;
      range = {
        start: ctx.range.start,
        end: { line: position.line, character: ctx.range.start.character + token.length },
      };
    }
    range = range ?? ctx.range;
  }
  const info = lookupOption(key, line);
  if (!info || !range) return null;
  return { key, range, info, markdown: optionMarkdown(info, line) };
}
