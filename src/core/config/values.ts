import { parseDocument } from 'yaml';
import { closest } from './edits';
import { compareLines, FlinkLine } from './versions';

/** Duration unit labels of Flink's `TimeUtils` (matched after trimming and lower-casing), with their length in ms. */
const DURATION_UNITS: Array<[string[], number]> = [
  [['d', 'day', 'days'], 86_400_000],
  [['h', 'hour', 'hours'], 3_600_000],
  [['min', 'm', 'minute', 'minutes'], 60_000],
  [['s', 'sec', 'secs', 'second', 'seconds'], 1_000],
  [['ms', 'milli', 'millis', 'millisecond', 'milliseconds'], 1],
  [['µs', 'micro', 'micros', 'microsecond', 'microseconds'], 1e-3],
  [['ns', 'nano', 'nanos', 'nanosecond', 'nanoseconds'], 1e-6],
];

/** Memory size unit labels of Flink's `MemorySize` (case-insensitive), with their multiple of a byte. */
const MEMORY_UNITS: Array<[string[], number]> = [
  [['b', 'bytes'], 1],
  [['k', 'kb', 'kibibytes'], 1024],
  [['m', 'mb', 'mebibytes'], 1024 ** 2],
  [['g', 'gb', 'gibibytes'], 1024 ** 3],
  [['t', 'tb', 'tebibytes'], 1024 ** 4],
];

const LONG_MAX = 2n ** 63n - 1n;

/** Every duration unit label (the typo-fix property tests go through each). */
export const DURATION_LABELS: readonly string[] = DURATION_UNITS.flatMap(([l]) => l);
/** Every memory unit label (the typo-fix property tests go through each). */
export const MEMORY_LABELS: readonly string[] = MEMORY_UNITS.flatMap(([l]) => l);

/** A parsed value, or why Flink would reject it. */
export type ValueCheck =
  { ok: true; millis?: number; bytes?: number; bareNumber?: boolean } | { ok: false; message: string };

/** Java's `String.trim()`. */
function javaTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 0x20) a++;
  while (b > a && s.charCodeAt(b - 1) <= 0x20) b--;
  return s.slice(a, b);
}

/** `<digits><optional space><unit>` split as Flink's parsers split it. */
function splitNumber(text: string): { number: string; unit: string } {
  const t = javaTrim(text);
  let i = 0;
  while (i < t.length && t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) i++;
  return { number: t.slice(0, i), unit: javaTrim(t.slice(i)).toLowerCase() };
}

const ISO_DURATION =
  /^[-+]?P(?:[-+]?\d+(?:[.,]\d+)?D)?(?:T(?:[-+]?\d+(?:[.,]\d+)?H)?(?:[-+]?\d+(?:[.,]\d+)?M)?(?:[-+]?\d+(?:[.,]\d{0,9})?S)?)?$/i;

/**
 * Checks a duration as `TimeUtils.parseDuration` reads it in `line`: a whole number, an optional space, an optional
 * unit (none = milliseconds). No fractions, no signs, no compound values; ISO-8601 (`PT1M`) only from 2.1.
 */
export function checkDuration(text: string, line: FlinkLine): ValueCheck {
  const { number, unit } = splitNumber(text);
  const all = DURATION_UNITS.flatMap(([l]) => l).join(', ');
  if (number === '') {
    const t = javaTrim(text);
    if (t === '') return { ok: false, message: 'a duration cannot be empty' };
    if (compareLines(line, '2.1') >= 0 && ISO_DURATION.test(t) && !/^-|T$|^[-+]?P$/i.test(t)) return { ok: true };
    return { ok: false, message: `"${t}" is not a duration: write a whole number and a unit, e.g. "30 s" or "10 min"` };
  }
  const found = unit === '' ? DURATION_UNITS[4] : DURATION_UNITS.find(([labels]) => labels.includes(unit));
  if (!found) {
    const hint = /^[.,]\d/.test(unit)
      ? ' (fractions are not allowed: use a smaller unit)'
      : /\d/.test(unit)
        ? ' (compound durations such as "1h30m" are not allowed)'
        : '';
    return { ok: false, message: `"${javaTrim(text)}": unknown duration unit "${unit}"${hint}; use one of ${all}` };
  }
  // java.time.Duration holds at most 2^63-1 seconds.
  if ((BigInt(number) * BigInt(Math.round(found[1] * 1e6))) / 1_000_000_000n > LONG_MAX) {
    return { ok: false, message: `"${javaTrim(text)}" is too long for a duration` };
  }
  return { ok: true, millis: Number(number) * found[1], ...(unit === '' ? { bareNumber: true } : {}) };
}

/** Checks a memory size as `MemorySize.parseBytes` reads it: a whole number and an optional unit (none = bytes). */
export function checkMemorySize(text: string): ValueCheck {
  const { number, unit } = splitNumber(text);
  if (number === '') {
    return {
      ok: false,
      message: `"${javaTrim(text)}" is not a memory size: write a whole number and a unit, e.g. "64 mb" or "1 gb"`,
    };
  }
  const found = unit === '' ? MEMORY_UNITS[0] : MEMORY_UNITS.find(([labels]) => labels.includes(unit));
  if (!found) {
    const hint = /^[.,]\d/.test(unit) ? ' (fractions are not allowed: use a smaller unit)' : '';
    return {
      ok: false,
      message: `"${javaTrim(text)}": unknown memory unit "${unit}"${hint}; use one of ${MEMORY_LABELS.join(', ')}`,
    };
  }
  // MemorySize counts bytes in a Java long.
  if (BigInt(number) * BigInt(found[1]) > LONG_MAX) {
    return { ok: false, message: `"${javaTrim(text)}" is too large for a memory size (more than 2^63-1 bytes)` };
  }
  return { ok: true, bytes: Number(number) * found[1], ...(unit === '' ? { bareNumber: true } : {}) };
}

/** Flink accepts only true or false, in any case (`yes`, `on`, `1` are rejected). */
export function checkBoolean(text: string): ValueCheck {
  const u = text.toUpperCase();
  if (u === 'TRUE' || u === 'FALSE') return { ok: true };
  return { ok: false, message: `"${text}" is not a boolean: Flink accepts only true or false (any case)` };
}

/** Enum values are matched case-insensitively against the constant names. */
export function checkEnum(text: string, values: readonly string[]): ValueCheck {
  if (values.some((v) => v.toUpperCase() === text.toUpperCase())) return { ok: true };
  return { ok: false, message: `"${text}" is not one of ${values.join(', ')} (case does not matter)` };
}

const INT_RANGE: Record<string, [bigint, bigint]> = {
  Integer: [-(2n ** 31n), 2n ** 31n - 1n],
  Long: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** `Integer.parseInt` / `Long.parseLong`: an optional sign and digits, nothing else. */
export function checkInteger(text: string, type: 'Integer' | 'Long'): ValueCheck {
  if (!/^[-+]?\d+$/.test(text)) return { ok: false, message: `"${text}" is not a whole number (${type})` };
  const v = BigInt(text);
  const [lo, hi] = INT_RANGE[type];
  if (v < lo || v > hi) {
    return { ok: false, message: `${text} does not fit a Java ${type === 'Integer' ? 'int' : 'long'}` };
  }
  return { ok: true };
}

/** `Double.parseDouble`: decimal, scientific or hexadecimal notation, NaN, Infinity, an optional d/f suffix. */
export function checkDouble(text: string): ValueCheck {
  const t = javaTrim(text);
  if (/^[-+]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)[fFdD]?)$/.test(t)) return { ok: true };
  if (/^[-+]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][-+]?\d+[fFdD]?$/.test(t)) return { ok: true };
  return { ok: false, message: `"${text}" is not a number` };
}

/**
 * Flink's `StructuredOptionsSplitter.splitEscaped`: splits at `delimiter` outside '...' and "..." (a doubled quote
 * escapes itself), trims unquoted parts; null where Flink throws (unclosed quote, text after a closing quote).
 */
export function splitEscaped(text: string, delimiter: string): string[] | null {
  type Token = { kind: 'quoted' | 'plain' | 'delimiter'; text: string };
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "'" || c === '"') {
      let out = '';
      let j = i + 1;
      let closed = false;
      for (; j < text.length; j++) {
        if (text[j] === c) {
          if (text[j + 1] === c) {
            out += c;
            j++;
          } else {
            closed = true;
            break;
          }
        } else out += text[j];
      }
      if (!closed) return null;
      tokens.push({ kind: 'quoted', text: out });
      i = j + 1;
    } else if (c === delimiter) {
      tokens.push({ kind: 'delimiter', text: c });
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else {
      let j = i;
      while (j < text.length && text[j] !== delimiter) j++;
      tokens.push({ kind: 'plain', text: javaTrim(text.slice(i, j)) });
      i = j;
    }
  }
  const out: string[] = [];
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t];
    if (token.kind === 'quoted') {
      if (t + 1 < tokens.length && tokens[t + 1].kind !== 'delimiter') return null;
      out.push(token.text);
    } else if (token.kind === 'plain') out.push(token.text);
    else if (t + 1 < tokens.length && tokens[t + 1].kind === 'delimiter') out.push('');
  }
  return out;
}

/** The Java string of a YAML scalar loaded with the core schema. */
function yamlScalarText(v: unknown): string {
  return v === null ? 'null' : typeof v === 'number' ? String(v) : String(v);
}

function parseFlowYaml(text: string): unknown {
  const doc = parseDocument(text, { version: '1.2', schema: 'core', intAsBigInt: true, uniqueKeys: true });
  if (doc.errors.length) return undefined;
  return doc.toJS();
}

function legacyMap(text: string): ValueCheck {
  const items = splitEscaped(text, ',');
  if (!items) return { ok: false, message: `"${text}" is not a map: check the quoting` };
  for (const item of items) {
    const pair = splitEscaped(item, ':');
    if (!pair || pair.length !== 2) {
      return {
        ok: false,
        message: `"${item}" is not a key:value pair (write k1:v1,k2:v2; quote keys or values containing ':' or ',')`,
      };
    }
  }
  return { ok: true };
}

/**
 * Checks a value against an option type as the catalog names it (`Duration`, `MemorySize`, `Boolean`, `Integer`,
 * `Long`, `Double`, `Float`, `Enum`, `String`, `Map`, `List<...>`). Lists and maps follow Flink's rules: in a
 * standard-YAML configuration (config.yaml, and every configuration from 2.0 on) a flow-YAML list or map is tried
 * first; otherwise, or when that fails, the legacy `a;b;c` and `k1:v1,k2:v2` forms with '…' quoting.
 */
export function checkValue(
  text: string,
  type: string,
  line: FlinkLine,
  enumValues?: readonly string[] | null,
  format: 'legacy' | 'yaml' = 'yaml',
): ValueCheck {
  const standard = format === 'yaml' || compareLines(line, '2.0') >= 0;
  const list = /^List<(.+)>$/.exec(type);
  if (list) {
    if (standard) {
      const parsed = parseFlowYaml(text);
      if (
        Array.isArray(parsed) &&
        (list[1] !== 'Map' || parsed.every((e) => e !== null && typeof e === 'object' && !Array.isArray(e)))
      ) {
        if (list[1] === 'Map') return { ok: true };
        for (const item of parsed) {
          if (item === null) return { ok: false, message: 'a list element is null' };
          const r =
            typeof item === 'object'
              ? ({ ok: list[1] === 'String' } as ValueCheck)
              : checkValue(yamlScalarText(item), list[1], line, enumValues, format);
          if (!r.ok) {
            return r.ok === false && 'message' in r
              ? r
              : { ok: false, message: `"${text}" has an element that is not a ${list[1]}` };
          }
        }
        return { ok: true };
      }
    }
    const items = splitEscaped(text, ';');
    if (!items) {
      return {
        ok: false,
        message: `"${text}" is not a list: check the quoting (a;b;c, quote elements containing ';')`,
      };
    }
    for (const item of items) {
      const r = list[1] === 'Map' ? legacyMap(item) : checkValue(item, list[1], line, enumValues, format);
      if (!r.ok) return r;
    }
    return { ok: true };
  }
  if (type === 'Map') {
    if (standard) {
      const parsed = parseFlowYaml(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return { ok: true };
    }
    return legacyMap(text);
  }
  switch (type) {
    case 'Duration':
      return checkDuration(text, line);
    case 'MemorySize':
      return checkMemorySize(text);
    case 'Boolean':
      return checkBoolean(text);
    case 'Integer':
    case 'Long':
      return checkInteger(text, type);
    case 'Double':
    case 'Float':
      return checkDouble(text);
    case 'Enum':
      return enumValues && enumValues.length ? checkEnum(text, enumValues) : { ok: true };
    default:
      return { ok: true };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parsers behind the value fixes: each proposes a value Flink accepts that means what the text meant, or nothing.

/** Spellings people use that are no unit label of Flink's, with the label they mean (taken over closer labels). */
export const DURATION_ALIASES: Readonly<Record<string, string>> = {
  msec: 'ms',
  msecs: 'ms',
  millisec: 'ms',
  millisecs: 'ms',
  us: 'µs',
  usec: 'µs',
  usecs: 'µs',
  μs: 'µs',
  nsec: 'ns',
  nsecs: 'ns',
  mins: 'min',
  hr: 'h',
  hrs: 'h',
};
export const MEMORY_ALIASES: Readonly<Record<string, string>> = {
  byte: 'b',
  kib: 'kb',
  kbytes: 'kb',
  kilobytes: 'kb',
  kilobyte: 'kb',
  mib: 'mb',
  mbytes: 'mb',
  megabytes: 'mb',
  megabyte: 'mb',
  meg: 'mb',
  gib: 'gb',
  gbytes: 'gb',
  gigabytes: 'gb',
  gigabyte: 'gb',
  gig: 'gb',
  tib: 'tb',
  tbytes: 'tb',
  terabytes: 'tb',
  terabyte: 'tb',
};

function distance(a: string, b: string): number {
  // Optimal string alignment distance: a swap of two neighbours ("mniutes") counts as one typo.
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The unit a misspelt unit label stands for: a known alias, else the labels closest in spelling (a word of n letters
 * may be n/3 edits away; one-letter labels only count through an alias). Returns the unit's canonical label (the
 * first of two or more letters for memory, `mb` rather than `m`) only when every closest label names the same unit,
 * so a fix never trades minutes for milliseconds.
 */
function nearestUnit(
  typed: string,
  units: Array<[string[], number]>,
  aliases: Readonly<Record<string, string>>,
): string | null {
  const word = typed.toLowerCase();
  const alias = aliases[word];
  const canonical = (labels: string[]): string =>
    units === MEMORY_UNITS ? labels.find((l) => l.length > 1)! : labels[0];
  if (alias) return canonical(units.find(([labels]) => labels.includes(alias))![0]);
  if (word.length < 2 || !/^[a-zµμ]+$/.test(word)) return null;
  const max = Math.max(1, Math.floor(word.length / 3));
  let best: number[] = [];
  let bestDistance = Infinity;
  units.forEach(([labels], group) => {
    for (const label of labels) {
      if (label.length < 2) continue;
      const d = distance(word, label);
      if (d > max || d > bestDistance) continue;
      if (d < bestDistance) best = [];
      bestDistance = d;
      best.push(group);
    }
  });
  if (!best.length || best.some((g) => units[g][1] !== units[best[0]][1])) return null;
  return canonical(units[best[0]][0]);
}

/** `10 minuts` → `10 min`: the same number with the unit its misspelt label stands for; null when unclear. */
export function correctDurationUnit(text: string): string | null {
  const m = /^(\d+)\s*([^\d\s]+)$/.exec(javaTrim(text));
  if (!m) return null;
  const unit = nearestUnit(m[2], DURATION_UNITS, DURATION_ALIASES);
  return unit && unit !== m[2].toLowerCase() ? `${m[1]} ${unit}` : null;
}

/** `64 mbb` → `64 mb`: the same number with the unit its misspelt label stands for; null when unclear. */
export function correctMemoryUnit(text: string): string | null {
  const m = /^(\d+)\s*([^\d\s]+)$/.exec(javaTrim(text));
  if (!m) return null;
  const unit = nearestUnit(m[2], MEMORY_UNITS, MEMORY_ALIASES);
  return unit && unit !== m[2].toLowerCase() ? `${m[1]} ${unit}` : null;
}

const COMPOUND_UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, min: 60_000, s: 1000, ms: 1 };

/** `1h30m`, `1.5 s`, `PT1M` → milliseconds, for fixes; null when not recognisable. */
export function compoundToMillis(value: string): number | null {
  const iso = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/i.exec(value);
  if (iso && (iso[1] || iso[2] || iso[3])) {
    return (Number(iso[1] ?? 0) * 3600 + Number(iso[2] ?? 0) * 60 + Number(iso[3] ?? 0)) * 1000;
  }
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)\s*(ms|min|d|h|m|s)/gi)];
  if (
    !parts.length ||
    parts
      .map((p) => p[0])
      .join('')
      .replace(/\s/g, '') !== value.replace(/\s/g, '')
  ) {
    return null;
  }
  let total = 0;
  for (const p of parts) total += Number(p[1]) * COMPOUND_UNITS[p[2].toLowerCase()];
  return Number.isInteger(total) ? total : null;
}

/** Milliseconds in the largest unit that keeps a whole number. */
export function formatMillis(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  }
  return `${ms} ms`;
}

/** `1.5 gb` → `1536 mb`, `1 gib` → `1 gb`: a fractional or binary-suffixed size as a whole number; null otherwise. */
export function wholeMemorySize(value: string): string | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt])i?b?$/i.exec(value);
  if (!m) return null;
  const units = ['b', 'kb', 'mb', 'gb', 'tb'];
  let idx = units.indexOf(`${m[2].toLowerCase()}b`);
  let n = Number(m[1]);
  while (!Number.isInteger(n) && idx > 0) {
    n *= 1024;
    idx--;
  }
  return Number.isInteger(n) ? `${n} ${units[idx]}` : null;
}

const BOOLEAN_SPELLINGS: Record<string, string> = {
  yes: 'true',
  on: 'true',
  y: 'true',
  '1': 'true',
  no: 'false',
  off: 'false',
  n: 'false',
  '0': 'false',
};

/** `yes` → `true`, `off` → `false`; null for text that names no truth value. */
export function booleanOf(value: string): string | null {
  return BOOLEAN_SPELLINGS[value.toLowerCase()] ?? null;
}

/** Enum constants a mistyped value most likely means, best first (prefixes, then close spellings). */
export function nearestEnumValues(value: string, values: readonly string[], limit = 3): string[] {
  const typed = value.toUpperCase().replace(/[- ]/g, '_');
  const prefixed = values.filter((v) => typed.length >= 3 && (v.startsWith(typed) || typed.startsWith(v)));
  const near = closest(typed, values, 3).filter((v) => !prefixed.includes(v));
  return [...prefixed, ...near].slice(0, limit);
}
