import { CATALOG_LINES, catalogLine, keysFor, lookupOption, NEWEST_CATALOG_LINE, OptionInfo } from './catalog';
import {
  ConfigDocument,
  ConfigEntry,
  ConfigFormat,
  formatOfFileName,
  Range,
  SyntaxProblemCode,
  TextEdit,
} from './document';
import { appendEdits, closest, copyEntryEdits, deleteEntryEdits, renameKeyEdits, replaceValueEdits } from './edits';
import { parseConfig } from './parse';
import {
  booleanOf,
  checkDuration,
  checkMemorySize,
  checkValue,
  compoundToMillis,
  correctDurationUnit,
  correctMemoryUnit,
  formatMillis,
  nearestEnumValues,
  wholeMemorySize,
} from './values';
import { compareLines, FlinkLine, parseFlinkLine } from './versions';

/** A fix the editor can offer as a quick fix: apply all edits together. */
export interface ConfigFix {
  title: string;
  edits: TextEdit[];
  /** True for the one fix that is clearly right (VS Code's "preferred" quick fix). */
  preferred?: boolean;
}

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/** Every finding the checks can report: the parsers' syntax problems and one or more codes per rule below. */
export type ConfigDiagnosticCode =
  | SyntaxProblemCode
  | 'legacy-file-on-2x'
  | 'config-yaml-before-1.19'
  | 'both-config-files'
  | 'unknown-key'
  | 'key-not-yet'
  | 'removed-key'
  | 'deprecated-key'
  | 'deprecated-and-replacement'
  | 'invalid-value'
  | 'deprecated-value'
  | 'bare-number-duration'
  | 'bare-number-memory'
  | 'prefix-key-with-children'
  | 'ftp-credentials-in-uri'
  | 'ftp-checkpoints'
  | 'hdfs-without-authority'
  | 'file-uri-authority'
  | 's3-plugin'
  | 'path-without-scheme'
  | 'local-dir-with-ha'
  | 'filesystem-storage-without-dir'
  | 'jobmanager-checkpoint-storage'
  | 'unaligned-at-least-once'
  | 'unaligned-concurrent'
  | 'incremental-with-hashmap'
  | 'legacy-state-backend'
  | 'restore-setting-overridden-by-cli';

/** One finding in a configuration file. */
export interface ConfigDiagnostic {
  range: Range;
  /** `error`: Flink fails, or the setting cannot work; `warning`: likely wrong; `info`: worth knowing. */
  severity: DiagnosticSeverity;
  /** Stable identifier, for filtering and tests. */
  code: ConfigDiagnosticCode;
  message: string;
  /** The key the finding is about, when there is one. */
  key?: string;
  /** Marks deprecated or unused text (VS Code shows it struck through / faded). */
  tags?: Array<'deprecated' | 'unnecessary'>;
  fixes: ConfigFix[];
}

/** What to check against. */
export interface CheckOptions {
  /** Target Flink version (`1.20`, `2.2.1`, ...). */
  version: string;
  /** The file format; derived from `fileName` when absent (flink-conf.yaml → legacy). */
  format?: ConfigFormat;
  fileName?: string;
  /** Names of the other files in the same directory (to spot flink-conf.yaml next to config.yaml). */
  siblingFileNames?: readonly string[];
}

/**
 * Key prefixes Flink reads without a ConfigOption of the modules in the catalog: Hadoop and file-system plugin
 * pass-through, metric/trace reporters, environment variables, the Kubernetes operator and modules we do not read.
 */
export const PASS_THROUGH_PREFIXES: readonly string[] = [
  'flink.hadoop.',
  'flink.yarn.',
  's3.',
  's3a.',
  's3p.',
  'presto.s3.',
  'fs.s3a.',
  'fs.azure.',
  'fs.oss.',
  'fs.gs.',
  'gs.',
  'fs.obs.',
  'fs.cos.',
  'metrics.reporter.',
  'traces.reporter.',
  'events.reporter.',
  'containerized.master.env.',
  'containerized.taskmanager.env.',
  'kubernetes.operator.',
  'job.autoscaler.',
  'python.',
  'sql-gateway.',
  'sql-client.',
  'table.',
  'pipeline.global-job-parameters.',
  'security.kerberos.',
  'zookeeper.sasl.',
];

/** Keys naming a directory checkpoints, savepoints, HA metadata or changelogs are written to. */
const SHARED_DIR_KEYS = new Set([
  'execution.checkpointing.dir',
  'state.checkpoints.dir',
  'state.backend.fs.checkpointdir',
  'execution.checkpointing.savepoint-dir',
  'state.savepoints.dir',
  'savepoints.state.backend.fs.dir',
  'high-availability.storageDir',
  'high-availability.zookeeper.storageDir',
  'recovery.zookeeper.storageDir',
  'state.changelog.dstl.dfs.base-path',
  'dstl.dfs.base-path',
]);
const RESTORE_PATH_KEYS = new Set(['execution.state-recovery.path', 'execution.savepoint.path']);
const INTERVAL_KEYS = new Set([
  'execution.checkpointing.interval',
  'execution.checkpointing.timeout',
  'execution.checkpointing.min-pause',
]);

/** Parses a configuration text in the given format. */
export { parseConfig };

/** What every rule sees: the document, the target line, and lookups shared between rules. */
interface RuleContext {
  doc: ConfigDocument;
  line: FlinkLine;
  options: CheckOptions;
  /** Keys set anywhere in the file. */
  present: Set<string>;
  /** The effective entry that sets an option, following deprecated keys to the option they feed. */
  setting(key: string): ConfigEntry | undefined;
}

/** One check: everything it finds in a document. */
type Rule = (ctx: RuleContext) => ConfigDiagnostic[];

/**
 * Checks a configuration file for a target Flink version: syntax as Flink reads it, unknown / deprecated / removed
 * keys, value syntax, duplicates, and the checkpoint-storage pitfalls (FTP credentials, HDFS without authority,
 * node-local directories with HA or Kubernetes, JobManager storage limits, prefix keys with children, ...).
 */
export function checkConfig(text: string, options: CheckOptions): ConfigDiagnostic[] {
  const format = options.format ?? formatOfFileName(options.fileName ?? 'config.yaml');
  const doc = parseConfig(text, format);
  return checkDocument(doc, options);
}

/** Like {@link checkConfig} for an already parsed document. */
export function checkDocument(doc: ConfigDocument, options: CheckOptions): ConfigDiagnostic[] {
  const line = parseFlinkLine(options.version);
  const ctx: RuleContext = {
    doc,
    line,
    options,
    present: new Set(doc.entries.map((e) => e.key)),
    setting: (key) => setting(doc, key, line),
  };
  const out = RULES.flatMap(({ check }) => check(ctx));
  // Stable: findings at one position keep the order of the table.
  out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Rules about the file

function syntaxProblems({ doc }: RuleContext): ConfigDiagnostic[] {
  return doc.problems.map((p) => ({
    range: p.range,
    severity: p.severity,
    code: p.code,
    message: p.message,
    fixes: syntaxFixes(doc, p.code, p.range),
  }));
}

function syntaxFixes(doc: ConfigDocument, code: SyntaxProblemCode, range: Range): ConfigFix[] {
  if (code === 'legacy-quoted-value') {
    const entry = doc.entries.find((e) => e.valueRange.start.line === range.start.line);
    if (entry) {
      return [
        {
          title: 'Remove the quotes',
          edits: [{ range: entry.valueRange, newText: entry.value.slice(1, -1) }],
          preferred: true,
        },
      ];
    }
  }
  if (code === 'legacy-bom') {
    return [
      {
        title: 'Remove the byte-order mark',
        edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, newText: '' }],
        preferred: true,
      },
    ];
  }
  if (code === 'duplicate-key') {
    const entry = doc.entries.find((e) => !e.effective && e.keyRange.start.line === range.start.line);
    if (entry) {
      return [{ title: `Remove this overridden "${entry.key}"`, edits: deleteEntryEdits(doc, entry), preferred: true }];
    }
  }
  if (code === 'legacy-not-key-value') {
    const lineText = doc.text.split(/\r\n|\r|\n/)[range.start.line] ?? '';
    const colon = lineText.indexOf(':');
    if (colon > 0 && lineText[colon + 1] !== ' ') {
      return [
        {
          title: 'Add a space after ":"',
          edits: [
            {
              range: {
                start: { line: range.start.line, character: colon + 1 },
                end: { line: range.start.line, character: colon + 1 },
              },
              newText: ' ',
            },
          ],
          preferred: true,
        },
      ];
    }
  }
  return [];
}

function firstLineRange(doc: ConfigDocument): Range {
  const first = doc.text.split(/\r\n|\r|\n/)[0] ?? '';
  return { start: { line: 0, character: 0 }, end: { line: 0, character: first.length } };
}

function fileFormat({ doc, line, options }: RuleContext): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const siblings = options.siblingFileNames ?? [];
  if (doc.format === 'legacy' && compareLines(line, '2.0') >= 0) {
    out.push({
      range: firstLineRange(doc),
      severity: 'error',
      code: 'legacy-file-on-2x',
      fixes: [],
      message: `Flink ${line} no longer reads flink-conf.yaml: it only loads config.yaml. Migrate this file to config.yaml.`,
    });
  } else if (
    doc.format === 'yaml' &&
    compareLines(line, '1.19') < 0 &&
    /(^|[\\/])config\.yaml$/.test(options.fileName ?? '')
  ) {
    out.push({
      range: firstLineRange(doc),
      severity: 'error',
      code: 'config-yaml-before-1.19',
      fixes: [],
      message: `Flink ${line} only reads flink-conf.yaml; config.yaml is read from 1.19 on.`,
    });
  }
  if (doc.format === 'yaml' && siblings.includes('flink-conf.yaml') && compareLines(line, '2.0') < 0) {
    out.push({
      range: firstLineRange(doc),
      severity: 'warning',
      code: 'both-config-files',
      fixes: [],
      message:
        'flink-conf.yaml is in the same directory: Flink 1.19/1.20 then read only flink-conf.yaml and ignore this file.',
    });
  } else if (doc.format === 'legacy' && siblings.includes('config.yaml') && compareLines(line, '1.19') >= 0) {
    out.push({
      range: firstLineRange(doc),
      severity: 'warning',
      code: 'both-config-files',
      fixes: [],
      message:
        compareLines(line, '2.0') >= 0
          ? 'config.yaml is in the same directory: Flink 2.x reads only config.yaml and ignores this file.'
          : 'config.yaml is in the same directory: Flink 1.19/1.20 read this file and ignore config.yaml.',
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Rules about keys

/** True when Flink reads the key without it being an option of the catalog (pass-through or a map option entry). */
export function isPassThroughKey(key: string, line: FlinkLine): boolean {
  if (PASS_THROUGH_PREFIXES.some((p) => key.startsWith(p))) return true;
  // A Map option may also be given as `<option>.<mapKey>: value` entries.
  const parts = key.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const info = lookupOption(parts.slice(0, i).join('.'), line);
    if (info && info.type === 'Map' && (info.status === 'current' || info.status === 'deprecated')) return true;
  }
  return false;
}

/** The key a deprecated/removed key should become in `line`, if any is current there. */
function currentReplacement(info: OptionInfo, line: FlinkLine): string | null {
  for (const candidate of [info.latestReplacement, info.replacement]) {
    if (!candidate) continue;
    const target = lookupOption(candidate, line);
    if (target && target.status === 'current') return candidate;
  }
  return null;
}

/**
 * The keys a deprecated/removed key should become in `line` so that every option it fed keeps its value: all the
 * options reading it when there are several (`state.backend.local-recovery` from 1.20), else its one replacement.
 */
export function currentReplacements(info: OptionInfo, line: FlinkLine): string[] {
  if (info.replacements.length > 1 && info.replacements.every((r) => lookupOption(r, line)?.status === 'current')) {
    return info.replacements;
  }
  const one = currentReplacement(info, line);
  return one ? [one] : [];
}

/** An older key that `line` reads for an option only later lines know under `key`. */
function olderEquivalent(key: string, line: FlinkLine): string | null {
  for (const candidate of keysFor(line, false)) {
    const info = lookupOption(candidate, NEWEST_CATALOG_LINE);
    if (info && (info.latestReplacement === key || info.replacements.includes(key))) return candidate;
  }
  return null;
}

const quoted = (keys: readonly string[]): string => keys.map((k) => `"${k}"`).join(' and ');

function unknownKeys({ doc, line }: RuleContext): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  for (const entry of doc.entries) {
    const key = entry.key;
    if (lookupOption(key, line) || isPassThroughKey(key, line)) continue;
    const suggestions = closest(key, keysFor(line, false));
    out.push({
      range: entry.keyRange,
      severity: 'warning',
      code: 'unknown-key',
      key,
      message: `Flink ${line} has no option "${key}"${suggestions.length ? `. Did you mean "${suggestions[0]}"?` : ''}`,
      fixes: suggestions.map((s, i) => ({
        title: `Change to "${s}"`,
        edits: renameKeyEdits(doc, entry, s),
        preferred: i === 0,
      })),
    });
  }
  return out;
}

function keysNotYet({ doc, line, present }: RuleContext): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  for (const entry of doc.entries) {
    const info = lookupOption(entry.key, line);
    if (info?.status !== 'not-yet') continue;
    const older = olderEquivalent(entry.key, line);
    out.push({
      range: entry.keyRange,
      severity: 'warning',
      code: 'key-not-yet',
      key: entry.key,
      message: `"${entry.key}" exists from Flink ${info.since} on; Flink ${line} ignores it${older ? `. Use "${older}" for ${line}` : ''}`,
      fixes:
        older && !present.has(older)
          ? [{ title: `Change to "${older}"`, edits: renameKeyEdits(doc, entry, older), preferred: true }]
          : [],
    });
  }
  return out;
}

function removedKeys({ doc, line, present }: RuleContext): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  for (const entry of doc.entries) {
    const info = lookupOption(entry.key, line);
    if (info?.status !== 'removed') continue;
    const repls = currentReplacements(info, line);
    out.push({
      range: entry.keyRange,
      severity: 'error',
      code: 'removed-key',
      key: entry.key,
      tags: ['deprecated'],
      message: `"${entry.key}" was removed in Flink ${info.removedIn}; Flink ${line} ignores it${repls.length ? `. Use ${quoted(repls)}` : ''}`,
      fixes: repls.length
        ? renameOrDrop(doc, entry, repls, present)
        : [{ title: `Remove "${entry.key}"`, edits: deleteEntryEdits(doc, entry) }],
    });
  }
  return out;
}

function deprecatedKeys({ doc, line, present }: RuleContext): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  for (const entry of doc.entries) {
    const info = lookupOption(entry.key, line);
    if (info?.status !== 'deprecated' && info?.status !== 'deprecated-option') continue;
    const repls = currentReplacements(info, line);
    const both = repls.length > 0 && repls.every((r) => present.has(r));
    const since = info.deprecatedIn
      ? ` since Flink ${info.deprecatedIn}${info.deprecatedIn === CATALOG_LINES[0] ? ' or earlier' : ''}`
      : '';
    out.push({
      range: entry.keyRange,
      severity: 'warning',
      code: both ? 'deprecated-and-replacement' : 'deprecated-key',
      key: entry.key,
      tags: ['deprecated'],
      message: both
        ? `"${entry.key}" is deprecated and ${quoted(repls)} ${repls.length > 1 ? 'are' : 'is'} also set: Flink uses ${quoted(repls)} and ignores this one`
        : `"${entry.key}" is deprecated${since}${repls.length ? `; use ${quoted(repls)}` : ''}${repls.length > 1 ? ' (it sets each of them)' : ''}`,
      fixes: repls.length ? renameOrDrop(doc, entry, repls, present) : [],
    });
  }
  return out;
}

/** Renames an old key to its replacements, writing one entry per replacement not set yet; drops it when all are set. */
function renameOrDrop(
  doc: ConfigDocument,
  entry: ConfigEntry,
  repls: readonly string[],
  present: Set<string>,
): ConfigFix[] {
  const missing = repls.filter((r) => !present.has(r));
  if (!missing.length) {
    return [
      {
        title: `Remove "${entry.key}" (${quoted(repls)} ${repls.length > 1 ? 'are' : 'is'} set)`,
        edits: deleteEntryEdits(doc, entry),
        preferred: true,
      },
    ];
  }
  // Which of the options still reads the old key then depends on Flink's fallback order: no rename is sure to keep it.
  if (missing.length < repls.length) return [];
  const [first, ...rest] = missing;
  const edits = [...renameKeyEdits(doc, entry, first), ...(rest.length ? copyEntryEdits(doc, entry, rest) : [])];
  return [{ title: rest.length ? `Replace with ${quoted(missing)}` : `Rename to "${first}"`, edits, preferred: true }];
}

/** Entries whose value the target line reads through a known option (not unknown, not yet there, not removed). */
function readOptions(ctx: RuleContext): Array<[ConfigEntry, OptionInfo & { type: string }]> {
  const out: Array<[ConfigEntry, OptionInfo & { type: string }]> = [];
  for (const entry of ctx.doc.entries) {
    const info = lookupOption(entry.key, ctx.line);
    if (!info || info.status === 'not-yet' || info.status === 'removed' || !info.type) continue;
    out.push([entry, info as OptionInfo & { type: string }]);
  }
  return out;
}

function prefixKeys({ doc, line }: RuleContext): ConfigDiagnostic[] {
  // Pre-1.17 keys that are also prefixes of other keys (`high-availability` + `high-availability.storageDir`): a
  // nested config.yaml cannot hold both, and Flink's migration script drops or crashes on them.
  const out: ConfigDiagnostic[] = [];
  const keys = doc.entries.filter((e) => e.effective);
  for (const entry of keys) {
    const child = keys.find((e) => e.key.startsWith(`${entry.key}.`));
    if (!child) continue;
    const info = lookupOption(entry.key, line);
    const repl = info ? currentReplacement(info, line) : null;
    out.push({
      range: entry.keyRange,
      severity: doc.format === 'yaml' || compareLines(line, '1.19') >= 0 ? 'warning' : 'info',
      code: 'prefix-key-with-children',
      key: entry.key,
      message: `"${entry.key}" is also the prefix of "${child.key}": a nested config.yaml cannot hold both, and Flink's migrate-config-file.sh drops keys or fails on it${repl ? `. Rename it to "${repl}"` : ''}`,
      fixes:
        repl && !doc.entries.some((e) => e.key === repl)
          ? [{ title: `Rename to "${repl}"`, edits: renameKeyEdits(doc, entry, repl), preferred: true }]
          : [],
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Rules about values

function invalidValues(ctx: RuleContext): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  for (const [entry, info] of readOptions(ctx)) {
    const result = checkValue(entry.value, info.type, ctx.line, info.enumValues, ctx.doc.format);
    if (result.ok) continue;
    out.push({
      range: entry.valueRange,
      severity: 'error',
      code: 'invalid-value',
      key: entry.key,
      message: `Invalid value for "${entry.key}" (${info.type}): ${result.message}`,
      fixes: valueFixes(ctx.doc, entry, info),
    });
  }
  return out;
}

/**
 * Values Flink would accept that mean what the text meant: never a fix that changes the magnitude (a misspelt
 * "10 minuts" becomes "10 min", not "10 ms"); nothing when the meaning is unclear.
 */
function valueFixes(doc: ConfigDocument, entry: ConfigEntry, info: OptionInfo): ConfigFix[] {
  const value = entry.value.trim();
  const fix = (v: string, preferred = true): ConfigFix => ({
    title: `Change to "${v}"`,
    edits: replaceValueEdits(doc, entry, v),
    preferred,
  });
  switch (info.type) {
    case 'Boolean': {
      const b = booleanOf(value);
      return b ? [fix(b)] : [fix('true', false), fix('false', false)];
    }
    case 'Enum':
      return info.enumValues ? nearestEnumValues(value, info.enumValues).map((v, i) => fix(v, i === 0)) : [];
    case 'Duration': {
      const ms = compoundToMillis(value);
      if (ms !== null) return [fix(formatMillis(ms))];
      const corrected = correctDurationUnit(value);
      return corrected ? [fix(corrected)] : [];
    }
    case 'MemorySize': {
      const corrected = wholeMemorySize(value) ?? correctMemoryUnit(value);
      return corrected ? [fix(corrected)] : [];
    }
    default:
      return [];
  }
}

function deprecatedValues(ctx: RuleContext): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  for (const [entry, info] of readOptions(ctx)) {
    const value = entry.value;
    if (info.type !== 'Enum' || !info.deprecatedEnumValues?.some((v) => v.toUpperCase() === value.toUpperCase())) {
      continue;
    }
    out.push({
      range: entry.valueRange,
      severity: 'warning',
      code: 'deprecated-value',
      key: entry.key,
      tags: ['deprecated'],
      fixes: [],
      message: `${value.toUpperCase()} is deprecated for "${entry.key}"`,
    });
  }
  return out;
}

function bareNumberDurations(ctx: RuleContext): ConfigDiagnostic[] {
  return bareNumbers(ctx, {
    code: 'bare-number-duration',
    applies: (key, info) => info.type === 'Duration' && INTERVAL_KEYS.has(info.replacement ?? key),
    small: (value) => {
      const d = checkDuration(value, ctx.line);
      return d.ok && d.bareNumber === true && (d.millis ?? 0) < 1000 && (d.millis ?? 0) > 0;
    },
    means: 'milliseconds',
    unit: 'ms',
    units: ['s', 'ms'],
  });
}

function bareNumberMemory(ctx: RuleContext): ConfigDiagnostic[] {
  return bareNumbers(ctx, {
    code: 'bare-number-memory',
    applies: (_key, info) => info.type === 'MemorySize',
    small: (value) => {
      const m = checkMemorySize(value);
      return m.ok && m.bareNumber === true && (m.bytes ?? 0) > 0 && (m.bytes ?? 0) < 1024;
    },
    means: 'bytes',
    unit: 'bytes',
    units: ['mb', 'kb'],
  });
}

/**
 * A bare number where Flink reads the smallest unit (ms, bytes) and the value is too small to be meant that way: a
 * warning with two units to choose, the likelier first.
 */
function bareNumbers(
  ctx: RuleContext,
  rule: {
    code: 'bare-number-duration' | 'bare-number-memory';
    applies: (key: string, info: OptionInfo) => boolean;
    small: (value: string) => boolean;
    means: string;
    unit: string;
    units: readonly [string, string];
  },
): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  for (const [entry, info] of readOptions(ctx)) {
    if (!rule.applies(entry.key, info) || !rule.small(entry.value)) continue;
    const value = entry.value;
    const [likely, other] = rule.units;
    out.push({
      range: entry.valueRange,
      severity: 'warning',
      code: rule.code,
      key: entry.key,
      message: `A bare number is ${rule.means}: "${value}" means ${value} ${rule.unit}. Write a unit, e.g. "${value} ${likely}"`,
      fixes: [
        {
          title: `Change to "${value} ${likely}"`,
          edits: replaceValueEdits(ctx.doc, entry, `${value} ${likely}`),
          preferred: true,
        },
        { title: `Change to "${value} ${other}"`, edits: replaceValueEdits(ctx.doc, entry, `${value} ${other}`) },
      ],
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Rules about checkpoint, savepoint and HA directories

/** The effective value of an option, following deprecated keys to the option they feed. */
function setting(doc: ConfigDocument, key: string, line: FlinkLine): ConfigEntry | undefined {
  let found: ConfigEntry | undefined;
  for (const e of doc.entries) {
    if (!e.effective) continue;
    if (e.key === key) return e;
    const info = lookupOption(e.key, line);
    if (info && (info.replacement === key || info.latestReplacement === key || info.replacements.includes(key))) {
      found = e;
    }
  }
  return found;
}

function schemeOf(uri: string): string | null {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri);
  return m && m[1].length > 1 ? m[1].toLowerCase() : null;
}

interface DirEntry {
  entry: ConfigEntry;
  uri: string;
  scheme: string | null;
  /** The current key of the option the entry sets. */
  canonical: string;
}

/** Effective entries naming a checkpoint, savepoint, HA or changelog directory, or a snapshot to restore. */
function directories({ doc, line }: RuleContext): DirEntry[] {
  const out: DirEntry[] = [];
  for (const entry of doc.entries) {
    if (!entry.effective) continue;
    const info = lookupOption(entry.key, line);
    const canonical = info?.status === 'current' ? entry.key : (info?.latestReplacement ?? entry.key);
    if (!SHARED_DIR_KEYS.has(entry.key) && !SHARED_DIR_KEYS.has(canonical) && !RESTORE_PATH_KEYS.has(entry.key)) {
      continue;
    }
    const uri = entry.value.trim();
    out.push({ entry, uri, scheme: schemeOf(uri), canonical });
  }
  return out;
}

function ftpDirectories(ctx: RuleContext): ConfigDiagnostic[] {
  return directories(ctx)
    .filter((d) => d.scheme === 'ftp' || d.scheme === 'ftps')
    .flatMap(({ entry, uri }) => checkFtp(ctx.doc, entry, uri));
}

function checkFtp(doc: ConfigDocument, entry: ConfigEntry, uri: string): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const m = /^(ftps?):\/\/([^@/]*)@([^/:]+)(:\d+)?(\/.*)?$/i.exec(uri);
  const range = entry.valueRange;
  if (m && m[2].includes(':')) {
    const [user, ...rest] = m[2].split(':');
    const password = rest.join(':');
    const host = m[3];
    const clean = `${m[1]}://${host}${m[4] ?? ''}${m[5] ?? ''}`;
    const add: Array<[string, string]> = [];
    if (!doc.entries.some((e) => e.key === `flink.hadoop.fs.ftp.user.${host}`)) {
      add.push([`flink.hadoop.fs.ftp.user.${host}`, user]);
    }
    if (!doc.entries.some((e) => e.key === `flink.hadoop.fs.ftp.password.${host}`)) {
      add.push([`flink.hadoop.fs.ftp.password.${host}`, password]);
    }
    out.push({
      range,
      severity: 'error',
      code: 'ftp-credentials-in-uri',
      key: entry.key,
      message: `The FTP password is in the URI: Flink logs it, shows it in the web UI and in every checkpoint path, and Hadoop cuts passwords containing ':' or '/'. Put the credentials in flink.hadoop.fs.ftp.user.${host} / flink.hadoop.fs.ftp.password.${host} instead.`,
      fixes: [
        {
          title: 'Move the credentials to Hadoop keys',
          edits: [...replaceValueEdits(doc, entry, clean), ...appendEdits(doc, add)],
          preferred: true,
        },
      ],
    });
  }
  const missing: Array<[string, string]> = [];
  if (!doc.entries.some((e) => e.key === 'flink.hadoop.fs.ftp.data.connection.mode')) {
    missing.push(['flink.hadoop.fs.ftp.data.connection.mode', 'PASSIVE_LOCAL_DATA_CONNECTION_MODE']);
  }
  if (!doc.entries.some((e) => e.key === 'flink.hadoop.fs.ftp.transfer.mode')) {
    missing.push(['flink.hadoop.fs.ftp.transfer.mode', 'STREAM_TRANSFER_MODE']);
  }
  out.push({
    range,
    severity: 'warning',
    code: 'ftp-checkpoints',
    key: entry.key,
    message:
      "FTP works only through Hadoop's FTPFileSystem (Hadoop must be on the classpath; no Flink plugin handles ftp://). It opens a connection per call, has no atomic rename or recoverable writer, and defaults to active mode, which fails in containers. Prefer S3-compatible storage or a shared volume." +
      (missing.length ? ' At least set passive mode and stream transfer mode.' : ''),
    fixes: missing.length
      ? [{ title: 'Add passive mode and stream transfer mode', edits: appendEdits(doc, missing) }]
      : [],
  });
  return out;
}

function hdfsWithoutAuthority(ctx: RuleContext): ConfigDiagnostic[] {
  const defaultScheme = ctx.setting('fs.default-scheme')?.value ?? null;
  const hadoopDefaultFs = ctx.doc.entries.some((e) => e.key === 'flink.hadoop.fs.defaultFS');
  if (hadoopDefaultFs || /^hdfs:\/\/[^/]/i.test(defaultScheme ?? '')) return [];
  return directories(ctx)
    .filter((d) => d.scheme === 'hdfs' && /^hdfs:(\/\/\/|\/(?!\/))/i.test(d.uri))
    .map(({ entry, uri }) => ({
      range: entry.valueRange,
      severity: 'warning',
      code: 'hdfs-without-authority',
      key: entry.key,
      fixes: [],
      message: `"${uri}" names no NameNode: Flink takes it from fs.defaultFS in the Hadoop configuration (HADOOP_CONF_DIR) and fails if none is found. Write hdfs://<namenode>:<port>/… or make sure core-site.xml is on every JobManager and TaskManager.`,
    }));
}

function fileUriWithAuthority(ctx: RuleContext): ConfigDiagnostic[] {
  return directories(ctx)
    .filter((d) => d.scheme === 'file' && /^file:\/\/[^/]/i.test(d.uri))
    .map(({ entry, uri }) => {
      const fixed = uri.replace(/^file:\/\//i, 'file:///');
      return {
        range: entry.valueRange,
        severity: 'error',
        code: 'file-uri-authority',
        key: entry.key,
        message: `"${uri}" reads "${uri.slice(7).split('/')[0]}" as a host; Flink rejects it. Did you mean "${fixed}"?`,
        fixes: [{ title: `Change to "${fixed}"`, edits: replaceValueEdits(ctx.doc, entry, fixed), preferred: true }],
      };
    });
}

function s3Plugin(ctx: RuleContext): ConfigDiagnostic[] {
  return directories(ctx)
    .filter((d) => d.scheme === 's3' || d.scheme === 's3a' || d.scheme === 's3p')
    .map(({ entry, scheme }) => ({
      range: entry.valueRange,
      severity: 'info',
      code: 's3-plugin',
      key: entry.key,
      fixes: [],
      message: `${scheme}:// needs an S3 file system plugin in plugins/ (flink-s3-fs-presto for s3p://, flink-s3-fs-hadoop for s3a://, either for s3://); Presto is the one recommended for checkpoints.`,
    }));
}

function pathWithoutScheme(ctx: RuleContext): ConfigDiagnostic[] {
  if (ctx.setting('fs.default-scheme')) return [];
  return directories(ctx)
    .filter((d) => d.scheme === null && d.uri.startsWith('/') && !RESTORE_PATH_KEYS.has(d.entry.key))
    .map(({ entry, uri }) => ({
      range: entry.valueRange,
      severity: 'warning',
      code: 'path-without-scheme',
      key: entry.key,
      fixes: [],
      message: `"${uri}" has no scheme and fs.default-scheme is not set: every process writes to its own local disk. Use a shared file system URI (hdfs://, s3://, or file:// on a volume mounted in all processes).`,
    }));
}

function localDirWithHa(ctx: RuleContext): ConfigDiagnostic[] {
  const { doc } = ctx;
  const defaultScheme = ctx.setting('fs.default-scheme')?.value ?? null;
  const haType = (ctx.setting('high-availability.type')?.value ?? 'NONE').toUpperCase();
  const haOn = haType !== 'NONE' && haType !== '';
  const kubernetes =
    haType.includes('KUBERNETES') ||
    doc.entries.some((e) => e.key.startsWith('kubernetes.') && !e.key.startsWith('kubernetes.operator.')) ||
    /kubernetes/.test(ctx.setting('execution.target')?.value ?? '');
  if (!haOn && !kubernetes) return [];
  const backend = (ctx.setting('state.backend.type')?.value ?? '').toLowerCase();
  const why = kubernetes ? 'on Kubernetes' : 'with high availability';
  return directories(ctx)
    .filter(
      ({ scheme, uri, canonical }) =>
        SHARED_DIR_KEYS.has(canonical) &&
        (scheme === 'file' ||
          (scheme === null && uri.startsWith('/') && (defaultScheme === null || /^file:/i.test(defaultScheme)))),
    )
    .map(({ entry }) => ({
      range: entry.valueRange,
      severity: 'warning',
      code: 'local-dir-with-ha',
      key: entry.key,
      fixes: [],
      message: `A local path ${why} works only on a ReadWriteMany volume (NFS, CephFS, EFS, …) mounted at the same path in the JobManager and every TaskManager; emptyDir, hostPath and ReadWriteOnce volumes lose the files on failover${backend === 'rocksdb' ? ', and incremental RocksDB checkpoints then reference files that are gone' : ''}.`,
    }));
}

// ---------------------------------------------------------------------------------------------------------------
// Rules about checkpointing and state backends

function filesystemStorageWithoutDir(ctx: RuleContext): ConfigDiagnostic[] {
  const storage = ctx.setting('execution.checkpointing.storage');
  if (storage?.value.trim().toLowerCase() !== 'filesystem' || ctx.setting('execution.checkpointing.dir')) return [];
  return [
    {
      range: storage.valueRange,
      severity: 'error',
      code: 'filesystem-storage-without-dir',
      key: storage.key,
      fixes: [],
      message: `Checkpoint storage "filesystem" needs a checkpoint directory: set ${compareLines(ctx.line, '1.20') >= 0 ? 'execution.checkpointing.dir' : 'state.checkpoints.dir'}.`,
    },
  ];
}

function jobManagerCheckpointStorage(ctx: RuleContext): ConfigDiagnostic[] {
  const interval = ctx.setting('execution.checkpointing.interval');
  const storage = ctx.setting('execution.checkpointing.storage');
  const dir = ctx.setting('execution.checkpointing.dir');
  if (!interval || !(storage?.value.trim().toLowerCase() === 'jobmanager' || (!storage && !dir))) return [];
  const at = storage ?? interval;
  return [
    {
      range: at.keyRange,
      severity: 'warning',
      code: 'jobmanager-checkpoint-storage',
      key: at.key,
      fixes: [],
      message: `Checkpoints go to JobManager memory${storage ? '' : ' (no checkpoint directory is set)'}: each state is limited to 5 MB, a task's state must fit one RPC message (pekko.framesize), all of it must fit the JobManager heap${dir ? '' : ', and nothing is left to restore from after a cancel or a JobManager loss'}. Set a checkpoint directory on shared storage.`,
    },
  ];
}

function unalignedCheckpoints(ctx: RuleContext): ConfigDiagnostic[] {
  const unaligned = ctx.setting('execution.checkpointing.unaligned.enabled');
  if (!unaligned || unaligned.value.trim().toLowerCase() !== 'true') return [];
  const out: ConfigDiagnostic[] = [];
  const mode = ctx.setting('execution.checkpointing.mode');
  if (mode && mode.value.trim().toUpperCase() === 'AT_LEAST_ONCE') {
    out.push({
      range: unaligned.valueRange,
      severity: 'warning',
      code: 'unaligned-at-least-once',
      key: unaligned.key,
      fixes: [],
      message: 'Unaligned checkpoints need EXACTLY_ONCE mode; with AT_LEAST_ONCE they are not used.',
    });
  }
  const concurrent = ctx.setting('execution.checkpointing.max-concurrent-checkpoints');
  if (concurrent && Number(concurrent.value) > 1) {
    out.push({
      range: unaligned.valueRange,
      severity: 'warning',
      code: 'unaligned-concurrent',
      key: unaligned.key,
      fixes: [],
      message: 'Unaligned checkpoints are not used while max-concurrent-checkpoints is above 1.',
    });
  }
  return out;
}

function incrementalWithHashmap(ctx: RuleContext): ConfigDiagnostic[] {
  if ((ctx.setting('state.backend.type')?.value ?? '').toLowerCase() !== 'hashmap') return [];
  const inc = ctx.setting('execution.checkpointing.incremental');
  if (!inc || inc.value.toLowerCase() !== 'true') return [];
  return [
    {
      range: inc.valueRange,
      severity: 'info',
      code: 'incremental-with-hashmap',
      key: inc.key,
      fixes: [],
      message:
        'Incremental checkpoints have no effect with the hashmap state backend (only RocksDB and ForSt support them).',
    },
  ];
}

function legacyStateBackend(ctx: RuleContext): ConfigDiagnostic[] {
  const backendEntry = ctx.setting('state.backend.type');
  if (!backendEntry || !/^(jobmanager|filesystem)$/i.test(backendEntry.value.trim())) return [];
  const v = backendEntry.value.trim().toLowerCase();
  const v2 = compareLines(ctx.line, '2.0') >= 0;
  return [
    {
      range: backendEntry.valueRange,
      severity: v2 ? 'error' : 'warning',
      code: 'legacy-state-backend',
      key: backendEntry.key,
      message: `"${v}" as a state backend is ${v2 ? 'not accepted by Flink 2.x' : 'deprecated'}: use hashmap, and choose the checkpoint storage with execution.checkpointing.storage (${v === 'jobmanager' ? 'jobmanager' : 'filesystem + a checkpoint dir'}).`,
      fixes: [
        { title: 'Change to "hashmap"', edits: replaceValueEdits(ctx.doc, backendEntry, 'hashmap'), preferred: true },
      ],
    },
  ];
}

function restoreSettingOverriddenByCli(ctx: RuleContext): ConfigDiagnostic[] {
  const claim =
    ctx.setting('execution.state-recovery.claim-mode') ??
    ctx.setting('execution.state-recovery.ignore-unclaimed-state');
  if (!claim) return [];
  return [
    {
      range: claim.keyRange,
      severity: 'info',
      code: 'restore-setting-overridden-by-cli',
      key: claim.key,
      fixes: [],
      message:
        'flink run / run-application overwrite the claim mode and ignore-unclaimed-state from the configuration (up to Flink 2.3): pass -cm/-rm and -n on the command line instead. REST, SQL and operator deployments do honour this key.',
    },
  ];
}

/** Every rule with the codes it reports. Findings at one position keep this order. */
export const CONFIG_RULES: ReadonlyArray<{ name: string; codes: readonly ConfigDiagnosticCode[]; check: Rule }> = [
  {
    name: 'syntax',
    codes: [
      'legacy-not-key-value',
      'legacy-empty',
      'legacy-hash-in-value',
      'legacy-quoted-value',
      'legacy-bom',
      'duplicate-key',
      'yaml-syntax',
      'yaml-not-a-map',
      'yaml-non-string-key',
      'yaml-null-value',
    ],
    check: syntaxProblems,
  },
  {
    name: 'file format',
    codes: ['legacy-file-on-2x', 'config-yaml-before-1.19', 'both-config-files'],
    check: fileFormat,
  },
  { name: 'unknown keys', codes: ['unknown-key'], check: unknownKeys },
  { name: 'keys of later lines', codes: ['key-not-yet'], check: keysNotYet },
  { name: 'removed keys', codes: ['removed-key'], check: removedKeys },
  { name: 'deprecated keys', codes: ['deprecated-key', 'deprecated-and-replacement'], check: deprecatedKeys },
  { name: 'invalid values', codes: ['invalid-value'], check: invalidValues },
  { name: 'deprecated values', codes: ['deprecated-value'], check: deprecatedValues },
  { name: 'bare-number durations', codes: ['bare-number-duration'], check: bareNumberDurations },
  { name: 'bare-number memory sizes', codes: ['bare-number-memory'], check: bareNumberMemory },
  { name: 'prefix keys', codes: ['prefix-key-with-children'], check: prefixKeys },
  { name: 'FTP directories', codes: ['ftp-credentials-in-uri', 'ftp-checkpoints'], check: ftpDirectories },
  { name: 'HDFS without NameNode', codes: ['hdfs-without-authority'], check: hdfsWithoutAuthority },
  { name: 'file:// with a host', codes: ['file-uri-authority'], check: fileUriWithAuthority },
  { name: 'S3 plugin', codes: ['s3-plugin'], check: s3Plugin },
  { name: 'paths without scheme', codes: ['path-without-scheme'], check: pathWithoutScheme },
  { name: 'local directories with HA', codes: ['local-dir-with-ha'], check: localDirWithHa },
  {
    name: 'filesystem storage without dir',
    codes: ['filesystem-storage-without-dir'],
    check: filesystemStorageWithoutDir,
  },
  {
    name: 'JobManager checkpoint storage',
    codes: ['jobmanager-checkpoint-storage'],
    check: jobManagerCheckpointStorage,
  },
  {
    name: 'unaligned checkpoints',
    codes: ['unaligned-at-least-once', 'unaligned-concurrent'],
    check: unalignedCheckpoints,
  },
  { name: 'incremental with hashmap', codes: ['incremental-with-hashmap'], check: incrementalWithHashmap },
  { name: 'legacy state backends', codes: ['legacy-state-backend'], check: legacyStateBackend },
  {
    name: 'restore settings the CLI overrides',
    codes: ['restore-setting-overridden-by-cli'],
    check: restoreSettingOverriddenByCli,
  },
];

const RULES = CONFIG_RULES;

/** The catalog line diagnostics use for a version string (for display). */
export function targetLine(version: string): FlinkLine {
  return catalogLine(parseFlinkLine(version));
}
