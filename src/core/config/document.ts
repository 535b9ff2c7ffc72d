/** A 0-based position, `character` counted in UTF-16 code units (as VS Code counts them). */
export interface Position {
  line: number;
  character: number;
}

/** A 0-based, end-exclusive range. */
export interface Range {
  start: Position;
  end: Position;
}

/** One replacement of `range` by `newText`; an empty range inserts. */
export interface TextEdit {
  range: Range;
  newText: string;
}

/**
 * `legacy`: flink-conf.yaml, read line by line with Flink's legacy rules (not YAML).
 * `yaml`: config.yaml, standard YAML 1.2 with nested keys flattened (Flink 1.19+).
 */
export type ConfigFormat = 'legacy' | 'yaml';

/** One key Flink reads from the file. */
export interface ConfigEntry {
  /** The flattened key exactly as Flink stores it (`execution.checkpointing.interval`). */
  key: string;
  /** The value as Flink's `Configuration.toMap()` prints it (lists in flow YAML, numbers as Java prints them). */
  value: string;
  /** For YAML: the kind of value node (a list is stored as one flow-YAML string). */
  kind: 'scalar' | 'list';
  /** The key token as written: the whole key in flink-conf.yaml, the innermost segment for nested YAML. */
  keyRange: Range;
  /** The value as written (without comments); empty at the end of the key when the value is missing. */
  valueRange: Range;
  /** The source text of the value (quotes included). */
  valueText: string;
  /** The parent mapping keys of a nested YAML entry (`['execution', 'checkpointing']`), empty when written flat. */
  parents: string[];
  /** Range of the whole entry (its lines), used to delete or move it. */
  entryRange: Range;
  /** False when a later entry with the same key overrides this one. */
  effective: boolean;
}

/** What a parser can find wrong with the file itself. */
export type SyntaxProblemCode =
  | 'legacy-not-key-value'
  | 'legacy-empty'
  | 'legacy-hash-in-value'
  | 'legacy-quoted-value'
  | 'legacy-bom'
  | 'duplicate-key'
  | 'yaml-syntax'
  | 'yaml-not-a-map'
  | 'yaml-non-string-key'
  | 'yaml-null-value';

/** A problem found while reading the file itself, before any option knowledge. */
export interface SyntaxProblem {
  range: Range;
  /** `error`: Flink refuses to load the file; `warning`: Flink silently skips or changes something. */
  severity: 'error' | 'warning';
  code: SyntaxProblemCode;
  message: string;
}

/** A parsed configuration file. */
export interface ConfigDocument {
  format: ConfigFormat;
  text: string;
  entries: ConfigEntry[];
  problems: SyntaxProblem[];
  /** True when Flink would fail to load the file at all (YAML errors, null values, a non-map document). */
  fatal: boolean;
}

/** The key → value map Flink ends up with (last entry wins), or null when Flink would not load the file. */
export function effectiveMap(doc: ConfigDocument): Map<string, string> | null {
  if (doc.fatal) return null;
  const map = new Map<string, string>();
  for (const e of doc.entries) if (e.effective) map.set(e.key, e.value);
  return map;
}

/** Guesses the format from a file name: `flink-conf.yaml` (and names like `prod.flink-conf.yaml`) is legacy, anything else YAML. */
export function formatOfFileName(fileName: string): ConfigFormat {
  const base = fileName.replace(/^.*[\\/]/, '');
  return /(^|[.-])flink-conf([.-][^.]*)?\.ya?ml$/.test(base) ? 'legacy' : 'yaml';
}

/** Maps offsets in a text to line/character positions. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo] };
  }

  offset(pos: Position): number {
    const line = Math.max(0, Math.min(pos.line, this.starts.length - 1));
    return Math.min(this.starts[line] + pos.character, this.text.length);
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  /** The text of a line without its terminator. */
  lineText(line: number): string {
    const start = this.starts[line];
    const next = line + 1 < this.starts.length ? this.starts[line + 1] : this.text.length;
    return this.text.slice(start, next).replace(/\r?\n$|\r$/, '');
  }

  lineStart(line: number): number {
    return this.starts[line];
  }
}
