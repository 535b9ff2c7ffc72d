import { CATALOG_LINES, catalogLine, keysFor, lookupOption, OptionInfo } from './catalog';
import { ConfigDocument, ConfigEntry, ConfigFormat, formatOfFileName, Range, TextEdit } from './document';
import { appendEdits, closest, deleteEntryEdits, renameKeyEdits, replaceValueEdits } from './edits';
import { parseConfig } from './parse';
import { checkDuration, checkMemorySize, checkValue } from './values';
import { compareLines, FlinkLine, parseFlinkLine } from './versions';

/** A fix the editor can offer as a quick fix: apply all edits together. */
export interface ConfigFix {
  title: string;
  edits: TextEdit[];
  /** True for the one fix that is clearly right (VS Code's "preferred" quick fix). */
  preferred?: boolean;
}

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/** One finding in a configuration file. */
export interface ConfigDiagnostic {
  range: Range;
  /** `error`: Flink fails, or the setting cannot work; `warning`: likely wrong; `info`: worth knowing. */
  severity: DiagnosticSeverity;
  /** Stable identifier (`unknown-key`, `deprecated-key`, `invalid-value`, ...), for filtering and tests. */
  code: string;
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
  'flink.hadoop.', 'flink.yarn.', 's3.', 's3a.', 's3p.', 'presto.s3.', 'fs.s3a.', 'fs.azure.', 'fs.oss.', 'fs.gs.', 'gs.',
  'fs.obs.', 'fs.cos.', 'metrics.reporter.', 'traces.reporter.', 'events.reporter.', 'containerized.master.env.',
  'containerized.taskmanager.env.', 'kubernetes.operator.', 'job.autoscaler.', 'python.', 'sql-gateway.', 'sql-client.',
  'table.', 'pipeline.global-job-parameters.', 'security.kerberos.', 'zookeeper.sasl.',
];

/** Keys naming a directory checkpoints, savepoints, HA metadata or changelogs are written to. */
const SHARED_DIR_KEYS = new Set([
  'execution.checkpointing.dir', 'state.checkpoints.dir', 'state.backend.fs.checkpointdir',
  'execution.checkpointing.savepoint-dir', 'state.savepoints.dir', 'savepoints.state.backend.fs.dir',
  'high-availability.storageDir', 'high-availability.zookeeper.storageDir', 'recovery.zookeeper.storageDir',
  'state.changelog.dstl.dfs.base-path', 'dstl.dfs.base-path',
]);
const RESTORE_PATH_KEYS = new Set(['execution.state-recovery.path', 'execution.savepoint.path']);
const INTERVAL_KEYS = new Set([
  'execution.checkpointing.interval', 'execution.checkpointing.timeout', 'execution.checkpointing.min-pause',
]);

/** Parses a configuration text in the given format. */
export { parseConfig };

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
  const out: ConfigDiagnostic[] = [];
  for (const p of doc.problems) out.push({ range: p.range, severity: p.severity, code: p.code, message: p.message, fixes: syntaxFixes(doc, p.code, p.range) });
  checkFileFormat(doc, line, options, out);
  const present = new Set(doc.entries.map((e) => e.key));
  for (const entry of doc.entries) checkKey(doc, entry, line, present, out);
  checkPrefixKeys(doc, line, out);
  checkPitfalls(doc, line, out);
  out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return out;
}

function syntaxFixes(doc: ConfigDocument, code: string, range: Range): ConfigFix[] {
  if (code === 'legacy-quoted-value') {
    const entry = doc.entries.find((e) => e.valueRange.start.line === range.start.line);
    if (entry) return [{ title: 'Remove the quotes', edits: [{ range: entry.valueRange, newText: entry.value.slice(1, -1) }], preferred: true }];
  }
  if (code === 'legacy-bom') return [{ title: 'Remove the byte-order mark', edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, newText: '' }], preferred: true }];
  if (code === 'duplicate-key') {
    const entry = doc.entries.find((e) => !e.effective && e.keyRange.start.line === range.start.line);
    if (entry) return [{ title: `Remove this overridden "${entry.key}"`, edits: deleteEntryEdits(doc, entry), preferred: true }];
  }
  if (code === 'legacy-not-key-value') {
    const lineText = doc.text.split(/\r\n|\r|\n/)[range.start.line] ?? '';
    const colon = lineText.indexOf(':');
    if (colon > 0 && lineText[colon + 1] !== ' ') {
      return [{ title: 'Add a space after ":"', edits: [{ range: { start: { line: range.start.line, character: colon + 1 }, end: { line: range.start.line, character: colon + 1 } }, newText: ' ' }], preferred: true }];
    }
  }
  return [];
}

function firstLineRange(doc: ConfigDocument): Range {
  const first = doc.text.split(/\r\n|\r|\n/)[0] ?? '';
  return { start: { line: 0, character: 0 }, end: { line: 0, character: first.length } };
}

function checkFileFormat(doc: ConfigDocument, line: FlinkLine, options: CheckOptions, out: ConfigDiagnostic[]): void {
  const siblings = options.siblingFileNames ?? [];
  if (doc.format === 'legacy' && compareLines(line, '2.0') >= 0) {
    out.push({
      range: firstLineRange(doc), severity: 'error', code: 'legacy-file-on-2x', fixes: [],
      message: `Flink ${line} no longer reads flink-conf.yaml: it only loads config.yaml. Migrate this file to config.yaml.`,
    });
  } else if (doc.format === 'yaml' && compareLines(line, '1.19') < 0 && /(^|[\\/])config\.yaml$/.test(options.fileName ?? '')) {
    out.push({
      range: firstLineRange(doc), severity: 'error', code: 'config-yaml-before-1.19', fixes: [],
      message: `Flink ${line} only reads flink-conf.yaml; config.yaml is read from 1.19 on.`,
    });
  }
  if (doc.format === 'yaml' && siblings.includes('flink-conf.yaml') && compareLines(line, '2.0') < 0) {
    out.push({
      range: firstLineRange(doc), severity: 'warning', code: 'both-config-files', fixes: [],
      message: 'flink-conf.yaml is in the same directory: Flink 1.19/1.20 then read only flink-conf.yaml and ignore this file.',
    });
  } else if (doc.format === 'legacy' && siblings.includes('config.yaml') && compareLines(line, '1.19') >= 0) {
    out.push({
      range: firstLineRange(doc), severity: 'warning', code: 'both-config-files', fixes: [],
      message: compareLines(line, '2.0') >= 0
        ? 'config.yaml is in the same directory: Flink 2.x reads only config.yaml and ignores this file.'
        : 'config.yaml is in the same directory: Flink 1.19/1.20 read this file and ignore config.yaml.',
    });
  }
}

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

/** An older key that `line` reads for an option only later lines know under `key`. */
function olderEquivalent(key: string, line: FlinkLine): string | null {
  for (const candidate of keysFor(line, false)) {
    const info = lookupOption(candidate, '9.9');
    if (info && (info.latestReplacement === key || info.replacement === key)) return candidate;
  }
  return null;
}

function checkKey(doc: ConfigDocument, entry: ConfigEntry, line: FlinkLine, present: Set<string>, out: ConfigDiagnostic[]): void {
  const info = lookupOption(entry.key, line);
  const range = entry.keyRange;
  const key = entry.key;
  if (!info) {
    if (isPassThroughKey(key, line)) return;
    const suggestions = closest(key, keysFor(line, false));
    out.push({
      range, severity: 'warning', code: 'unknown-key', key,
      message: `Flink ${line} has no option "${key}"${suggestions.length ? `. Did you mean "${suggestions[0]}"?` : ''}`,
      fixes: suggestions.map((s, i) => ({ title: `Change to "${s}"`, edits: renameKeyEdits(doc, entry, s), preferred: i === 0 })),
    });
    return;
  }
  switch (info.status) {
    case 'not-yet': {
      const older = olderEquivalent(key, line);
      out.push({
        range, severity: 'warning', code: 'key-not-yet', key,
        message: `"${key}" exists from Flink ${info.since} on; Flink ${line} ignores it${older ? `. Use "${older}" for ${line}` : ''}`,
        fixes: older && !present.has(older) ? [{ title: `Change to "${older}"`, edits: renameKeyEdits(doc, entry, older), preferred: true }] : [],
      });
      return;
    }
    case 'removed': {
      const repl = currentReplacement(info, line);
      out.push({
        range, severity: 'error', code: 'removed-key', key, tags: ['deprecated'],
        message: `"${key}" was removed in Flink ${info.removedIn}; Flink ${line} ignores it${repl ? `. Use "${repl}"` : ''}`,
        fixes: repl ? renameOrDrop(doc, entry, repl, present) : [{ title: `Remove "${key}"`, edits: deleteEntryEdits(doc, entry) }],
      });
      return;
    }
    case 'deprecated':
    case 'deprecated-option': {
      const repl = currentReplacement(info, line);
      const both = repl !== null && present.has(repl);
      out.push({
        range, severity: 'warning', code: both ? 'deprecated-and-replacement' : 'deprecated-key', key, tags: ['deprecated'],
        message: both
          ? `"${key}" is deprecated and "${repl}" is also set: Flink uses "${repl}" and ignores this one`
          : `"${key}" is deprecated${info.deprecatedIn ? ` since Flink ${info.deprecatedIn}${info.deprecatedIn === CATALOG_LINES[0] ? ' or earlier' : ''}` : ''}${repl ? `; use "${repl}"` : ''}`,
        fixes: repl ? renameOrDrop(doc, entry, repl, present) : [],
      });
      break;
    }
    default:
      break;
  }
  checkEntryValue(doc, entry, info, line, out);
}

function renameOrDrop(doc: ConfigDocument, entry: ConfigEntry, repl: string, present: Set<string>): ConfigFix[] {
  if (present.has(repl)) return [{ title: `Remove "${entry.key}" ("${repl}" is set)`, edits: deleteEntryEdits(doc, entry), preferred: true }];
  return [{ title: `Rename to "${repl}"`, edits: renameKeyEdits(doc, entry, repl), preferred: true }];
}

const BOOLEAN_FIXES: Record<string, string> = { yes: 'true', on: 'true', y: 'true', '1': 'true', no: 'false', off: 'false', n: 'false', '0': 'false' };

function checkEntryValue(doc: ConfigDocument, entry: ConfigEntry, info: OptionInfo, line: FlinkLine, out: ConfigDiagnostic[]): void {
  if (!info.type) return;
  const value = entry.value;
  const range = entry.valueRange;
  const result = checkValue(value, info.type, line, info.enumValues, doc.format);
  if (!result.ok) {
    out.push({
      range, severity: 'error', code: 'invalid-value', key: entry.key,
      message: `Invalid value for "${entry.key}" (${info.type}): ${result.message}`,
      fixes: valueFixes(doc, entry, info, line),
    });
    return;
  }
  if (info.type === 'Enum' && info.deprecatedEnumValues?.some((v) => v.toUpperCase() === value.toUpperCase())) {
    out.push({ range, severity: 'warning', code: 'deprecated-value', key: entry.key, tags: ['deprecated'], fixes: [], message: `${value.toUpperCase()} is deprecated for "${entry.key}"` });
  }
  if (info.type === 'Duration' && INTERVAL_KEYS.has(info.replacement ?? entry.key)) {
    const d = checkDuration(value, line);
    if (d.ok && d.bareNumber && (d.millis ?? 0) < 1000 && (d.millis ?? 0) > 0) {
      out.push({
        range, severity: 'warning', code: 'bare-number-duration', key: entry.key,
        message: `A bare number is milliseconds: "${value}" means ${value} ms. Write a unit, e.g. "${value} s"`,
        fixes: [{ title: `Change to "${value} s"`, edits: replaceValueEdits(doc, entry, `${value} s`), preferred: true }, { title: `Change to "${value} ms"`, edits: replaceValueEdits(doc, entry, `${value} ms`) }],
      });
    }
  }
  if (info.type === 'MemorySize') {
    const m = checkMemorySize(value);
    if (m.ok && m.bareNumber && (m.bytes ?? 0) > 0 && (m.bytes ?? 0) < 1024) {
      out.push({
        range, severity: 'warning', code: 'bare-number-memory', key: entry.key,
        message: `A bare number is bytes: "${value}" means ${value} bytes. Write a unit, e.g. "${value} mb"`,
        fixes: [{ title: `Change to "${value} mb"`, edits: replaceValueEdits(doc, entry, `${value} mb`), preferred: true }, { title: `Change to "${value} kb"`, edits: replaceValueEdits(doc, entry, `${value} kb`) }],
      });
    }
  }
}

function valueFixes(doc: ConfigDocument, entry: ConfigEntry, info: OptionInfo, line: FlinkLine): ConfigFix[] {
  const value = entry.value.trim();
  const fix = (v: string, preferred = true): ConfigFix => ({ title: `Change to "${v}"`, edits: replaceValueEdits(doc, entry, v), preferred });
  if (info.type === 'Boolean') {
    const b = BOOLEAN_FIXES[value.toLowerCase()];
    return b ? [fix(b)] : [fix('true', false), fix('false', false)];
  }
  if (info.type === 'Enum' && info.enumValues) {
    const typed = value.toUpperCase().replace(/[- ]/g, '_');
    const prefixed = info.enumValues.filter((v) => typed.length >= 3 && (v.startsWith(typed) || typed.startsWith(v)));
    const near = closest(typed, info.enumValues, 3).filter((v) => !prefixed.includes(v));
    return [...prefixed, ...near].slice(0, 3).map((v, i) => fix(v, i === 0));
  }
  if (info.type === 'Duration') {
    const ms = compoundToMillis(value);
    if (ms !== null) return [fix(formatMillis(ms))];
    if (checkDuration(value.replace(/^(\d+)\s*([a-zA-Zµ]+)$/, '$1'), line).ok) return [fix(value.replace(/[^0-9].*$/, '') + ' ms', false)];
  }
  if (info.type === 'MemorySize') {
    const m = /^(\d+(?:\.\d+)?)\s*([kmgt])i?b?$/i.exec(value);
    if (m) {
      const units = ['b', 'kb', 'mb', 'gb', 'tb'];
      let idx = units.indexOf(`${m[2].toLowerCase()}b`);
      let n = Number(m[1]);
      while (!Number.isInteger(n) && idx > 0) {
        n *= 1024;
        idx--;
      }
      if (Number.isInteger(n)) return [fix(`${n} ${units[idx]}`)];
    }
  }
  return [];
}

const COMPOUND_UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, min: 60_000, s: 1000, ms: 1 };

/** `1h30m`, `1.5 s`, `PT1M` → milliseconds, for fixes; null when not recognisable. */
function compoundToMillis(value: string): number | null {
  const iso = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/i.exec(value);
  if (iso && (iso[1] || iso[2] || iso[3])) return (Number(iso[1] ?? 0) * 3600 + Number(iso[2] ?? 0) * 60 + Number(iso[3] ?? 0)) * 1000;
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)\s*(ms|min|d|h|m|s)/gi)];
  if (!parts.length || parts.map((p) => p[0]).join('').replace(/\s/g, '') !== value.replace(/\s/g, '')) return null;
  let total = 0;
  for (const p of parts) total += Number(p[1]) * COMPOUND_UNITS[p[2].toLowerCase()];
  return Number.isInteger(total) ? total : null;
}

/** Milliseconds in the largest unit that keeps a whole number. */
export function formatMillis(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  }
  return `${ms} ms`;
}

/**
 * Pre-1.17 keys that are also prefixes of other keys (`high-availability` + `high-availability.storageDir`). A
 * nested config.yaml cannot hold both, and Flink's migration script drops or crashes on them.
 */
function checkPrefixKeys(doc: ConfigDocument, line: FlinkLine, out: ConfigDiagnostic[]): void {
  const keys = doc.entries.filter((e) => e.effective);
  for (const entry of keys) {
    const child = keys.find((e) => e.key.startsWith(`${entry.key}.`));
    if (!child) continue;
    const info = lookupOption(entry.key, line);
    const repl = info ? currentReplacement(info, line) : null;
    out.push({
      range: entry.keyRange, severity: doc.format === 'yaml' || compareLines(line, '1.19') >= 0 ? 'warning' : 'info', code: 'prefix-key-with-children', key: entry.key,
      message: `"${entry.key}" is also the prefix of "${child.key}": a nested config.yaml cannot hold both, and Flink's migrate-config-file.sh drops keys or fails on it${repl ? `. Rename it to "${repl}"` : ''}`,
      fixes: repl && !doc.entries.some((e) => e.key === repl) ? [{ title: `Rename to "${repl}"`, edits: renameKeyEdits(doc, entry, repl), preferred: true }] : [],
    });
  }
}

/** The effective value of an option, following deprecated keys to the option they feed. */
function setting(doc: ConfigDocument, key: string, line: FlinkLine): ConfigEntry | undefined {
  let found: ConfigEntry | undefined;
  for (const e of doc.entries) {
    if (!e.effective) continue;
    if (e.key === key) return e;
    const info = lookupOption(e.key, line);
    if (info && (info.replacement === key || info.latestReplacement === key)) found = e;
  }
  return found;
}

function schemeOf(uri: string): string | null {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri);
  return m && m[1].length > 1 ? m[1].toLowerCase() : null;
}

function checkPitfalls(doc: ConfigDocument, line: FlinkLine, out: ConfigDiagnostic[]): void {
  const defaultScheme = setting(doc, 'fs.default-scheme', line)?.value ?? null;
  const haType = (setting(doc, 'high-availability.type', line)?.value ?? 'NONE').toUpperCase();
  const haOn = haType !== 'NONE' && haType !== '';
  const kubernetes = haType === 'KUBERNETES' || haType.includes('KUBERNETES')
    || doc.entries.some((e) => e.key.startsWith('kubernetes.') && !e.key.startsWith('kubernetes.operator.'))
    || /kubernetes/.test(setting(doc, 'execution.target', line)?.value ?? '');
  const backend = (setting(doc, 'state.backend.type', line)?.value ?? '').toLowerCase();
  const hadoopDefaultFs = doc.entries.some((e) => e.key === 'flink.hadoop.fs.defaultFS');

  for (const entry of doc.entries) {
    if (!entry.effective) continue;
    const info = lookupOption(entry.key, line);
    const canonical = info?.status === 'current' ? entry.key : info?.latestReplacement ?? entry.key;
    const isDir = SHARED_DIR_KEYS.has(entry.key) || SHARED_DIR_KEYS.has(canonical) || RESTORE_PATH_KEYS.has(entry.key);
    if (!isDir) continue;
    const uri = entry.value.trim();
    const scheme = schemeOf(uri);
    const range = entry.valueRange;
    if (scheme === 'ftp' || scheme === 'ftps') checkFtp(doc, entry, uri, out);
    if (scheme === 'hdfs' && /^hdfs:(\/\/\/|\/(?!\/))/i.test(uri) && !hadoopDefaultFs && !/^hdfs:\/\/[^/]/i.test(defaultScheme ?? '')) {
      out.push({
        range, severity: 'warning', code: 'hdfs-without-authority', key: entry.key, fixes: [],
        message: `"${uri}" names no NameNode: Flink takes it from fs.defaultFS in the Hadoop configuration (HADOOP_CONF_DIR) and fails if none is found. Write hdfs://<namenode>:<port>/… or make sure core-site.xml is on every JobManager and TaskManager.`,
      });
    }
    if (scheme === 'file' && /^file:\/\/[^/]/i.test(uri)) {
      const fixed = uri.replace(/^file:\/\//i, 'file:///');
      out.push({
        range, severity: 'error', code: 'file-uri-authority', key: entry.key,
        message: `"${uri}" reads "${uri.slice(7).split('/')[0]}" as a host; Flink rejects it. Did you mean "${fixed}"?`,
        fixes: [{ title: `Change to "${fixed}"`, edits: replaceValueEdits(doc, entry, fixed), preferred: true }],
      });
    }
    if (scheme === 's3' || scheme === 's3a' || scheme === 's3p') {
      out.push({
        range, severity: 'info', code: 's3-plugin', key: entry.key, fixes: [],
        message: `${scheme}:// needs an S3 file system plugin in plugins/ (flink-s3-fs-presto for s3p://, flink-s3-fs-hadoop for s3a://, either for s3://); Presto is the one recommended for checkpoints.`,
      });
    }
    const local = scheme === 'file' || (scheme === null && uri.startsWith('/') && (defaultScheme === null || /^file:/i.test(defaultScheme)));
    if (scheme === null && uri.startsWith('/') && defaultScheme === null && !RESTORE_PATH_KEYS.has(entry.key)) {
      out.push({
        range, severity: 'warning', code: 'path-without-scheme', key: entry.key, fixes: [],
        message: `"${uri}" has no scheme and fs.default-scheme is not set: every process writes to its own local disk. Use a shared file system URI (hdfs://, s3://, or file:// on a volume mounted in all processes).`,
      });
    }
    if (local && SHARED_DIR_KEYS.has(canonical) && (haOn || kubernetes)) {
      const why = kubernetes ? 'on Kubernetes' : 'with high availability';
      out.push({
        range, severity: 'warning', code: 'local-dir-with-ha', key: entry.key, fixes: [],
        message: `A local path ${why} works only on a ReadWriteMany volume (NFS, CephFS, EFS, …) mounted at the same path in the JobManager and every TaskManager; emptyDir, hostPath and ReadWriteOnce volumes lose the files on failover${backend === 'rocksdb' ? ', and incremental RocksDB checkpoints then reference files that are gone' : ''}.`,
      });
    }
  }
  checkStorage(doc, line, out);
  checkUnaligned(doc, line, out);
  if (backend === 'hashmap') {
    const inc = setting(doc, 'execution.checkpointing.incremental', line);
    if (inc && inc.value.toLowerCase() === 'true') {
      out.push({ range: inc.valueRange, severity: 'info', code: 'incremental-with-hashmap', key: inc.key, fixes: [], message: 'Incremental checkpoints have no effect with the hashmap state backend (only RocksDB and ForSt support them).' });
    }
  }
  const backendEntry = setting(doc, 'state.backend.type', line);
  if (backendEntry && /^(jobmanager|filesystem)$/i.test(backendEntry.value.trim())) {
    const v = backendEntry.value.trim().toLowerCase();
    const v2 = compareLines(line, '2.0') >= 0;
    out.push({
      range: backendEntry.valueRange, severity: v2 ? 'error' : 'warning', code: 'legacy-state-backend', key: backendEntry.key,
      message: `"${v}" as a state backend is ${v2 ? 'not accepted by Flink 2.x' : 'deprecated'}: use hashmap, and choose the checkpoint storage with execution.checkpointing.storage (${v === 'jobmanager' ? 'jobmanager' : 'filesystem + a checkpoint dir'}).`,
      fixes: [{ title: 'Change to "hashmap"', edits: replaceValueEdits(doc, backendEntry, 'hashmap'), preferred: true }],
    });
  }
  const claim = setting(doc, 'execution.state-recovery.claim-mode', line) ?? setting(doc, 'execution.state-recovery.ignore-unclaimed-state', line);
  if (claim) {
    out.push({
      range: claim.keyRange, severity: 'info', code: 'restore-setting-overridden-by-cli', key: claim.key, fixes: [],
      message: 'flink run / run-application overwrite the claim mode and ignore-unclaimed-state from the configuration (up to Flink 2.3): pass -cm/-rm and -n on the command line instead. REST, SQL and operator deployments do honour this key.',
    });
  }
}

function checkFtp(doc: ConfigDocument, entry: ConfigEntry, uri: string, out: ConfigDiagnostic[]): void {
  const m = /^(ftps?):\/\/([^@/]*)@([^/:]+)(:\d+)?(\/.*)?$/i.exec(uri);
  const range = entry.valueRange;
  if (m && m[2].includes(':')) {
    const [user, ...rest] = m[2].split(':');
    const password = rest.join(':');
    const host = m[3];
    const clean = `${m[1]}://${host}${m[4] ?? ''}${m[5] ?? ''}`;
    const add: Array<[string, string]> = [];
    if (!doc.entries.some((e) => e.key === `flink.hadoop.fs.ftp.user.${host}`)) add.push([`flink.hadoop.fs.ftp.user.${host}`, user]);
    if (!doc.entries.some((e) => e.key === `flink.hadoop.fs.ftp.password.${host}`)) add.push([`flink.hadoop.fs.ftp.password.${host}`, password]);
    out.push({
      range, severity: 'error', code: 'ftp-credentials-in-uri', key: entry.key,
      message: `The FTP password is in the URI: Flink logs it, shows it in the web UI and in every checkpoint path, and Hadoop cuts passwords containing ':' or '/'. Put the credentials in flink.hadoop.fs.ftp.user.${host} / flink.hadoop.fs.ftp.password.${host} instead.`,
      fixes: [{ title: 'Move the credentials to Hadoop keys', edits: [...replaceValueEdits(doc, entry, clean), ...appendEdits(doc, add)], preferred: true }],
    });
  }
  const missing: Array<[string, string]> = [];
  if (!doc.entries.some((e) => e.key === 'flink.hadoop.fs.ftp.data.connection.mode')) missing.push(['flink.hadoop.fs.ftp.data.connection.mode', 'PASSIVE_LOCAL_DATA_CONNECTION_MODE']);
  if (!doc.entries.some((e) => e.key === 'flink.hadoop.fs.ftp.transfer.mode')) missing.push(['flink.hadoop.fs.ftp.transfer.mode', 'STREAM_TRANSFER_MODE']);
  out.push({
    range, severity: 'warning', code: 'ftp-checkpoints', key: entry.key,
    message: 'FTP works only through Hadoop\'s FTPFileSystem (Hadoop must be on the classpath; no Flink plugin handles ftp://). It opens a connection per call, has no atomic rename or recoverable writer, and defaults to active mode, which fails in containers. Prefer S3-compatible storage or a shared volume.'
      + (missing.length ? ' At least set passive mode and stream transfer mode.' : ''),
    fixes: missing.length ? [{ title: 'Add passive mode and stream transfer mode', edits: appendEdits(doc, missing) }] : [],
  });
}

function checkStorage(doc: ConfigDocument, line: FlinkLine, out: ConfigDiagnostic[]): void {
  const interval = setting(doc, 'execution.checkpointing.interval', line);
  const storage = setting(doc, 'execution.checkpointing.storage', line);
  const dir = setting(doc, 'execution.checkpointing.dir', line);
  const kind = storage?.value.trim().toLowerCase();
  if (kind === 'filesystem' && !dir) {
    out.push({
      range: storage!.valueRange, severity: 'error', code: 'filesystem-storage-without-dir', key: storage!.key, fixes: [],
      message: `Checkpoint storage "filesystem" needs a checkpoint directory: set ${compareLines(line, '1.20') >= 0 ? 'execution.checkpointing.dir' : 'state.checkpoints.dir'}.`,
    });
  }
  if (!interval) return;
  if (kind === 'jobmanager' || (!storage && !dir)) {
    out.push({
      range: (storage ?? interval).keyRange, severity: 'warning', code: 'jobmanager-checkpoint-storage', key: (storage ?? interval).key, fixes: [],
      message: `Checkpoints go to JobManager memory${storage ? '' : ' (no checkpoint directory is set)'}: each state is limited to 5 MB, a task's state must fit one RPC message (pekko.framesize), all of it must fit the JobManager heap${dir ? '' : ', and nothing is left to restore from after a cancel or a JobManager loss'}. Set a checkpoint directory on shared storage.`,
    });
  }
}

function checkUnaligned(doc: ConfigDocument, line: FlinkLine, out: ConfigDiagnostic[]): void {
  const unaligned = setting(doc, 'execution.checkpointing.unaligned.enabled', line);
  if (!unaligned || unaligned.value.trim().toLowerCase() !== 'true') return;
  const mode = setting(doc, 'execution.checkpointing.mode', line);
  if (mode && mode.value.trim().toUpperCase() === 'AT_LEAST_ONCE') {
    out.push({ range: unaligned.valueRange, severity: 'warning', code: 'unaligned-at-least-once', key: unaligned.key, fixes: [], message: 'Unaligned checkpoints need EXACTLY_ONCE mode; with AT_LEAST_ONCE they are not used.' });
  }
  const concurrent = setting(doc, 'execution.checkpointing.max-concurrent-checkpoints', line);
  if (concurrent && Number(concurrent.value) > 1) {
    out.push({ range: unaligned.valueRange, severity: 'warning', code: 'unaligned-concurrent', key: unaligned.key, fixes: [], message: 'Unaligned checkpoints are not used while max-concurrent-checkpoints is above 1.' });
  }
}

/** The catalog line diagnostics use for a version string (for display). */
export function targetLine(version: string): FlinkLine {
  return catalogLine(parseFlinkLine(version));
}
