import catalogData from './catalog.json';
import { describeOption } from './descriptions';
import { compareLines, FlinkLine } from './versions';

/** How a line of Flink treats a key. */
export type OptionStatus =
  /** a live ConfigOption has this key */
  | 'current'
  /** a deprecated key of another option: Flink still reads it, for `replacement` */
  | 'deprecated'
  /** only @Deprecated option fields define it (no replacement key) */
  | 'deprecated-option'
  /** a plain (non-deprecated) fallback key of another option */
  | 'fallback'
  /** the key existed in an earlier line and is gone in this one */
  | 'removed'
  /** the key appears only in a later line */
  | 'not-yet';

/** What the catalog knows about a key for one target line. */
export interface OptionInfo {
  key: string;
  status: OptionStatus;
  /** The catalog line the facts come from (the target clamped to the catalog's lines). */
  line: FlinkLine;
  /** `Duration`, `MemorySize`, `Boolean`, `Integer`, `Long`, `Double`, `Float`, `String`, `Enum`, `Map`, `List<...>`. */
  type: string | null;
  /** The default as Flink prints it, null when the option has none. */
  defaultValue: string | null;
  enumValues: string[] | null;
  deprecatedEnumValues: string[] | null;
  /** In this line: the option that reads this key when it is a deprecated or fallback key. */
  replacement: string | null;
  /**
   * In this line: every live option that reads this key, `replacement` first (`state.backend.local-recovery` feeds
   * both `execution.state-recovery.from-local` and `execution.checkpointing.local-backup.enabled` from 1.20 on).
   */
  replacements: string[];
  /** First catalog line knowing the key (`1.15` means "1.15 or earlier"). */
  since: FlinkLine;
  deprecatedIn: FlinkLine | null;
  /** The newest replacement across lines (follows later renames). */
  latestReplacement: string | null;
  removedIn: FlinkLine | null;
  /** False when Flink excludes the option from its generated docs. */
  documented: boolean;
  /** Type and default per line where either changed (one element when they never did). */
  history: Array<{ since: FlinkLine; type: string | null; defaultValue: string | null }>;
  /** Our own short description, for checkpoint, state, restore, file-system and HA options. */
  description: string | null;
  /** Flink's configuration page for the line, at the option's anchor (the replacement's for an old key). */
  docsUrl: string;
}

type Segment = [
  FlinkLine,
  string,
  string?,
  (string | null)?,
  (string[] | null)?,
  (string[] | null)?,
  (string | null)?,
  number?,
  string[]?,
];
type RawOption = [string, FlinkLine, FlinkLine | null, string | null, FlinkLine | null, Segment[], string];

interface CatalogFile {
  lines: FlinkLine[];
  patches: Record<FlinkLine, string>;
  modules: Record<FlinkLine, Record<string, string>>;
  options: RawOption[];
}

const data = catalogData as unknown as CatalogFile;
const byKey = new Map<string, RawOption>(data.options.map((o) => [o[0], o]));

/** The release lines the catalog was generated from, oldest first. */
export const CATALOG_LINES: readonly FlinkLine[] = data.lines;
/** The newest line the catalog knows: where a key's latest replacement links are read. */
export const NEWEST_CATALOG_LINE: FlinkLine = data.lines[data.lines.length - 1];
/** The Flink modules (artifact → version) read for each line. */
export const CATALOG_MODULES: Readonly<Record<FlinkLine, Record<string, string>>> = data.modules;

/** Clamps a line to the catalog: newer lines use the newest catalog line, older ones the oldest. */
export function catalogLine(line: FlinkLine): FlinkLine {
  const lines = data.lines;
  if (compareLines(line, lines[0]) < 0) return lines[0];
  let best = lines[0];
  for (const l of lines) if (compareLines(l, line) <= 0) best = l;
  return best;
}

/** Link to the option on Flink's configuration page of the line (the docs anchor is the key, lower-case, `.` → `-`). */
export function docsUrl(key: string, line: FlinkLine): string {
  const anchor = key
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');
  return `https://nightlies.apache.org/flink/flink-docs-release-${line}/docs/deployment/config/#${anchor}`;
}

/** Facts about `key` for target `line`, or undefined when no catalog line knows the key. */
export function lookupOption(key: string, line: FlinkLine): OptionInfo | undefined {
  const raw = byKey.get(key);
  if (!raw) return undefined;
  const [, since, deprecatedIn, latestReplacement, removedIn, segments] = raw;
  const target = catalogLine(line);
  let seg: Segment | undefined;
  for (const s of segments) if (compareLines(s[0], target) <= 0) seg = s;
  const present = seg !== undefined && seg[1] !== 'x';
  // Type facts come from the segment in force, or the nearest one that has them.
  const facts = present
    ? seg!
    : ([...segments].reverse().find((s) => s[1] !== 'x' && (!seg || compareLines(s[0], target) <= 0)) ??
      segments.find((s) => s[1] !== 'x')!);
  const statusOf: Record<string, OptionStatus> = {
    c: 'current',
    d: 'deprecated',
    o: 'deprecated-option',
    f: 'fallback',
  };
  const status: OptionStatus =
    seg === undefined || (seg[1] === 'x' && compareLines(target, since) < 0)
      ? 'not-yet'
      : seg[1] === 'x'
        ? 'removed'
        : statusOf[seg[1]];
  // A key only known as an alias has its docs under the option it is an alias of.
  const docKey = facts[7] ? key : (facts[6] ?? null);
  const docLine = present ? target : removedIn && seg ? lastLineBefore(removedIn) : since;
  return {
    key,
    status,
    line: target,
    type: facts[2] ?? null,
    defaultValue: facts[3] ?? null,
    enumValues: facts[4] ?? null,
    deprecatedEnumValues: facts[5] ?? null,
    replacement: present ? (seg![6] ?? null) : null,
    replacements: present && seg![6] ? [seg![6], ...(seg![8] ?? [])] : [],
    since,
    deprecatedIn,
    latestReplacement,
    removedIn,
    documented: Boolean(facts[7]),
    description:
      describeOption(key) ??
      [facts[6], latestReplacement].map((k) => (k ? describeOption(k) : undefined)).find((d) => d) ??
      null,
    // Options Flink leaves out of its docs get the configuration page without an anchor.
    history: typeHistory(segments),
    docsUrl: docKey ? docsUrl(docKey, docLine) : docsUrl('', docLine).replace(/#$/, ''),
  };
}

function typeHistory(segments: Segment[]): OptionInfo['history'] {
  const out: OptionInfo['history'] = [];
  for (const s of segments) {
    if (s[1] === 'x') continue;
    const type = s[2] ?? null;
    const defaultValue = s[3] ?? null;
    const last = out[out.length - 1];
    if (!last || last.type !== type || last.defaultValue !== defaultValue) {
      out.push({ since: s[0], type, defaultValue });
    }
  }
  return out;
}

function lastLineBefore(line: FlinkLine): FlinkLine {
  const i = data.lines.indexOf(line);
  return i > 0 ? data.lines[i - 1] : data.lines[0];
}

/** Every key a line reads: current keys, and (with `includeAliases`) deprecated and fallback keys too. */
export function keysFor(line: FlinkLine, includeAliases = false): string[] {
  const target = catalogLine(line);
  const cacheKey = `${target}|${includeAliases}`;
  const cached = keysCache.get(cacheKey);
  if (cached) return [...cached];
  const out: string[] = [];
  for (const [key, , , , , segments] of data.options) {
    let seg: Segment | undefined;
    for (const s of segments) if (compareLines(s[0], target) <= 0) seg = s;
    if (!seg || seg[1] === 'x') continue;
    if (seg[1] === 'c' || (includeAliases && seg[1] !== 'x')) out.push(key);
  }
  keysCache.set(cacheKey, out);
  return [...out];
}

const keysCache = new Map<string, string[]>();

/** The Flink artifact that defines the option (`flink-core`, `flink-kubernetes`, ...), or undefined. */
export function optionModule(key: string): string | undefined {
  return byKey.get(key)?.[6];
}

/** Every key any catalog line knows. */
export function allCatalogKeys(): string[] {
  return data.options.map((o) => o[0]);
}

/**
 * Flink's own verdict for a key in a line, from the catalog alone (no prefix rules): what its option lookup would
 * find. Used by the agreement test against real Flink.
 */
export function optionVerdict(
  key: string,
  line: FlinkLine,
): 'current' | 'deprecated' | 'fallback' | 'deprecated-option' | 'unknown' {
  const info = lookupOption(key, line);
  if (!info || info.status === 'removed' || info.status === 'not-yet') return 'unknown';
  return info.status;
}
