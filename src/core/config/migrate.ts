import { lookupOption } from './catalog';
import { checkDocument, ConfigDiagnosticCode, currentReplacements } from './diagnostics';
import { effectiveMap } from './document';
import { parseLegacyConfig } from './legacyParser';
import { parseYamlConfig } from './yamlParser';
import { parseFlinkLine } from './versions';

/** Options for {@link migrateToConfigYaml}. */
export interface MigrateOptions {
  /** Rename deprecated keys to the key the target version uses. */
  renameDeprecated?: boolean;
  /** Target Flink version for renames (default 2.2). */
  version?: string;
}

/** Something the migration changed or dropped, with the 0-based line of flink-conf.yaml it concerns. */
export interface MigrationNote {
  line: number;
  message: string;
}

/** A setting the migration carried over as Flink read it, although it is likely wrong (a misspelt key, a bad value). */
export interface MigrationAttention extends MigrationNote {
  key: string;
  code: ConfigDiagnosticCode;
}

export interface MigrationResult {
  /** The config.yaml text. */
  text: string;
  /** Deprecated keys renamed: [old, new] (an old key feeding several options appears once per new key). */
  renamed: Array<[string, string]>;
  notes: MigrationNote[];
  /** What needs a look before the file is used; each is also a `# ATTENTION:` comment above its key in `text`. */
  attention: MigrationAttention[];
}

/**
 * Findings that mean a carried-over setting does not do what it says in the target line: Flink skips an unknown or
 * removed key silently and fails on a bad value, so the migration must not pass them on unremarked.
 */
const ATTENTION_CODES: ReadonlySet<ConfigDiagnosticCode> = new Set<ConfigDiagnosticCode>([
  'unknown-key',
  'key-not-yet',
  'removed-key',
  'invalid-value',
  'deprecated-value',
  'bare-number-duration',
  'bare-number-memory',
  'legacy-quoted-value',
  'legacy-hash-in-value',
]);

/** Thrown when the converted file would not load to the same configuration (never expected; guards the output). */
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

interface Leaf {
  value: string;
  /** Comment lines that stood right above the entry (blank lines kept as ''). */
  comments: string[];
  /** `# ATTENTION: …` lines for what needs a look. */
  attention: string[];
  trailing: string | null;
}

interface TrieNode {
  children: Map<string, TrieNode>;
  leaf: Leaf | null;
}

const newNode = (): TrieNode => ({ children: new Map(), leaf: null });

/** A YAML key or value written plain when it loads back as exactly the same string, single-quoted otherwise. */
function yamlScalar(s: string, isKey: boolean): string {
  if (s !== '' && !/[\r\n]/.test(s)) {
    const probe = isKey ? `${s}: x\n` : `k: ${s}\n`;
    const doc = parseYamlConfig(probe);
    const map = effectiveMap(doc);
    if (map && map.size === 1 && doc.entries.length === 1) {
      const e = doc.entries[0];
      if ((isKey ? e.key === s : e.value === s) && e.kind === 'scalar' && doc.problems.length === 0) return s;
    }
  }
  if (/[\r\n\t]/.test(s)) return JSON.stringify(s);
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * Converts a legacy flink-conf.yaml into a nested config.yaml that Flink 1.19+ loads to the same key → value map.
 * Unlike Flink's migrate-config-file.sh it keeps a key that is also the prefix of other keys (`high-availability`
 * next to `high-availability.storageDir`) by writing that subtree as flat keys, keeps comments with the keys they
 * stand above (a comment over the first key of a nested block goes above the block), keeps lines Flink skipped as
 * comments, can rename deprecated keys to every option they feed, and marks what needs attention (misspelt keys,
 * bad values) instead of carrying it over silently. The result is re-parsed and compared before it is returned.
 */
export function migrateToConfigYaml(legacyText: string, options: MigrateOptions = {}): MigrationResult {
  const line = parseFlinkLine(options.version ?? '2.2');
  const doc = parseLegacyConfig(legacyText);
  const lines = legacyText.split(/\r\n|\r|\n/);
  const notes: MigrationNote[] = [];
  const renamed: Array<[string, string]> = [];
  const attention: MigrationAttention[] = [];
  const expected = new Map<string, string>();
  const root = newNode();
  const header: string[] = [];
  let pending: string[] = [];
  const byLine = new Map(doc.entries.map((e) => [e.keyRange.start.line, e]));
  const skipped = new Set(
    doc.problems
      .filter((p) => p.code === 'legacy-not-key-value' || p.code === 'legacy-empty')
      .map((p) => p.range.start.line),
  );
  const present = new Set(doc.entries.filter((e) => e.effective).map((e) => e.key));
  const findings = new Map<number, MigrationAttention[]>();
  for (const d of checkDocument(doc, { version: line, format: 'legacy' })) {
    if (!ATTENTION_CODES.has(d.code)) continue;
    const at = d.range.start.line;
    const entry = byLine.get(at);
    if (!entry?.effective) continue;
    const found: MigrationAttention = { line: at, key: entry.key, code: d.code, message: d.message };
    findings.set(at, [...(findings.get(at) ?? []), found]);
  }
  let seenEntry = false;

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const entry = byLine.get(i);
    if (!entry) {
      if (i === lines.length - 1 && raw === '') continue;
      const hash = raw.indexOf('#');
      if (skipped.has(i)) {
        pending.push(`# ${raw.trim()}`);
        notes.push({ line: i, message: 'Flink skipped this line (not a "key: value" pair); kept as a comment' });
      } else if (hash >= 0) pending.push(raw.slice(hash).trimEnd());
      else if (raw.trim() === '' && pending.length && !seenEntry) {
        header.push(...pending, '');
        pending = [];
      } else if (raw.trim() === '' && (pending.length || seenEntry)) pending.push('');
      continue;
    }
    seenEntry = true;
    if (!entry.effective) {
      notes.push({
        line: i,
        message: `"${entry.key}" is set again later; this earlier value is dropped (Flink used the later one too)`,
      });
      pending = [];
      continue;
    }
    let keys = [entry.key];
    if (options.renameDeprecated) {
      const info = lookupOption(entry.key, line);
      const repls =
        info && (info.status === 'deprecated' || info.status === 'removed' || info.status === 'deprecated-option')
          ? currentReplacements(info, line)
          : [];
      if (repls.length) {
        const missing = repls.filter((r) => !present.has(r));
        if (!missing.length) {
          notes.push({
            line: i,
            message: `"${entry.key}" dropped: ${repls.map((r) => `"${r}"`).join(' and ')} ${repls.length > 1 ? 'are' : 'is'} set too and win${repls.length > 1 ? '' : 's'}`,
          });
          pending = [];
          continue;
        }
        if (missing.length < repls.length) {
          // Which of the options still reads the old key depends on Flink's fallback order; kept as it is, it
          // keeps meaning exactly what it meant.
          notes.push({
            line: i,
            message: `"${entry.key}" kept: Flink ${line} reads it for ${repls.map((r) => `"${r}"`).join(' and ')}, and only some of them are set`,
          });
        } else {
          for (const r of missing) {
            renamed.push([entry.key, r]);
            present.add(r);
          }
          notes.push({
            line: i,
            message: `"${entry.key}" renamed to ${missing.map((r) => `"${r}"`).join(' and ')}${missing.length > 1 ? ` (Flink ${line} reads the old key for each of them)` : ''}`,
          });
          keys = missing;
        }
      }
    }
    const found = findings.get(i) ?? [];
    attention.push(...found);
    const hash = raw.indexOf('#');
    const trailing = hash >= 0 && hash >= entry.valueRange.end.character ? raw.slice(hash).trimEnd() : null;
    keys.forEach((key, k) => {
      expected.set(key, entry.value);
      let node = root;
      for (const seg of key.split('.')) {
        if (!node.children.has(seg)) node.children.set(seg, newNode());
        node = node.children.get(seg)!;
      }
      node.leaf = {
        // Blank lines stay only where they set a comment apart from what is above it.
        value: entry.value,
        comments: k === 0 && pending.some((c) => c !== '') ? pending : [],
        trailing: k === 0 ? trailing : null,
        attention: k === 0 ? found.map((f) => `# ATTENTION: ${f.message}`) : [],
      };
    });
    pending = [];
  }

  const out: string[] = [...header];
  const conflicts: string[] = [];
  const emit = (node: TrieNode, path: string[], indent: string): void => {
    for (const [seg, child] of node.children) {
      const full = [...path, seg];
      const flatOk = seg !== '' && !hasEmptySegment(child);
      if ((child.leaf && child.children.size > 0) || !flatOk) {
        // A key that is also a prefix (or has empty segments) cannot be nested: write its whole subtree flat.
        if (child.leaf && child.children.size > 0) conflicts.push(full.join('.'));
        emitFlat(child, [seg], indent, out);
        continue;
      }
      if (child.leaf) {
        writeLeaf(out, indent, yamlScalar(seg, true), child.leaf);
        continue;
      }
      // The comment over the first key of a block describes where the block starts: it goes above the block.
      const first = firstLeaf(child);
      if (first) {
        writeComments(out, indent, first.comments);
        first.comments = [];
      }
      out.push(`${indent}${yamlScalar(seg, true)}:`);
      emit(child, full, `${indent}  `);
    }
  };
  emit(root, [], '');
  out.push(...pending);
  for (const c of conflicts) {
    notes.push({
      line: -1,
      message: `"${c}" is also the prefix of other keys: written as flat keys so no value is lost (Flink's migration script drops or fails here)`,
    });
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  const text = out.length ? `${out.join('\n')}\n` : '';

  const check = parseYamlConfig(text);
  const got = effectiveMap(check);
  const mismatch = !got || got.size !== expected.size || [...expected].some(([k, v]) => got.get(k) !== v);
  if (mismatch) {
    const diff = !got
      ? check.problems.map((p) => p.message).join('; ')
      : [...expected]
          .filter(([k, v]) => got.get(k) !== v)
          .map(([k]) => k)
          .join(', ');
    throw new MigrationError(
      `the converted config.yaml would not load to the same configuration (${diff}); nothing was written`,
    );
  }
  return { text, renamed, notes, attention };
}

/** The first leaf written for a subtree, in the order {@link migrateToConfigYaml} writes them. */
function firstLeaf(node: TrieNode): Leaf | null {
  for (const child of node.children.values()) {
    if (child.leaf) return child.leaf;
    const found = firstLeaf(child);
    if (found) return found;
  }
  return null;
}

function hasEmptySegment(node: TrieNode): boolean {
  for (const [seg, child] of node.children) if (seg === '' || hasEmptySegment(child)) return true;
  return false;
}

function emitFlat(node: TrieNode, path: string[], indent: string, out: string[]): void {
  if (node.leaf) writeLeaf(out, indent, yamlScalar(path.join('.'), true), node.leaf);
  for (const [seg, child] of node.children) emitFlat(child, [...path, seg], indent, out);
}

/** Comment lines at `indent`; a blank line only between two non-blank ones. */
function writeComments(out: string[], indent: string, comments: readonly string[]): void {
  for (const c of comments) {
    if (c !== '') out.push(`${indent}${c}`);
    else if (out.length && out[out.length - 1] !== '') out.push('');
  }
}

function writeLeaf(out: string[], indent: string, key: string, leaf: Leaf): void {
  writeComments(out, indent, [...leaf.comments, ...leaf.attention]);
  out.push(`${indent}${key}: ${yamlScalar(leaf.value, false)}${leaf.trailing ? ` ${leaf.trailing}` : ''}`);
}
