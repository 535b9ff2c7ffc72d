import { lookupOption } from './catalog';
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

export interface MigrationResult {
  /** The config.yaml text. */
  text: string;
  /** Deprecated keys renamed: [old, new]. */
  renamed: Array<[string, string]>;
  notes: MigrationNote[];
}

/** Thrown when the converted file would not load to the same configuration (never expected; guards the output). */
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

interface Leaf {
  value: string;
  comments: string[];
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
 * next to `high-availability.storageDir`) by writing that subtree as flat keys, keeps comments, keeps lines Flink
 * skipped as comments, and can rename deprecated keys. The result is re-parsed and compared before it is returned.
 */
export function migrateToConfigYaml(legacyText: string, options: MigrateOptions = {}): MigrationResult {
  const line = parseFlinkLine(options.version ?? '2.2');
  const doc = parseLegacyConfig(legacyText);
  const lines = legacyText.split(/\r\n|\r|\n/);
  const notes: MigrationNote[] = [];
  const renamed: Array<[string, string]> = [];
  const expected = new Map<string, string>();
  const root = newNode();
  const header: string[] = [];
  let pending: string[] = [];
  const byLine = new Map(doc.entries.map((e) => [e.keyRange.start.line, e]));
  const skipped = new Set(doc.problems.filter((p) => p.code === 'legacy-not-key-value' || p.code === 'legacy-empty').map((p) => p.range.start.line));
  const present = new Set(doc.entries.filter((e) => e.effective).map((e) => e.key));
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
      } else if (raw.trim() === '' && pending.length) pending.push('');
      continue;
    }
    seenEntry = true;
    if (!entry.effective) {
      notes.push({ line: i, message: `"${entry.key}" is set again later; this earlier value is dropped (Flink used the later one too)` });
      pending = [];
      continue;
    }
    let key = entry.key;
    if (options.renameDeprecated) {
      const info = lookupOption(key, line);
      const repl = info && (info.status === 'deprecated' || info.status === 'removed' || info.status === 'deprecated-option')
        ? [info.latestReplacement, info.replacement].find((r) => r && lookupOption(r, line)?.status === 'current') ?? null
        : null;
      if (repl) {
        if (present.has(repl)) {
          notes.push({ line: i, message: `"${key}" dropped: its replacement "${repl}" is set too and wins` });
          pending = [];
          continue;
        }
        renamed.push([key, repl]);
        notes.push({ line: i, message: `"${key}" renamed to "${repl}"` });
        present.add(repl);
        key = repl;
      }
    }
    const hash = raw.indexOf('#');
    const trailing = hash >= 0 && hash >= entry.valueRange.end.character ? raw.slice(hash).trimEnd() : null;
    expected.set(key, entry.value);
    let node = root;
    for (const seg of key.split('.')) {
      if (!node.children.has(seg)) node.children.set(seg, newNode());
      node = node.children.get(seg)!;
    }
    node.leaf = { value: entry.value, comments: pending, trailing };
    pending = [];
  }

  const out: string[] = [...header];
  const conflicts: string[] = [];
  const emit = (node: TrieNode, path: string[], indent: string): void => {
    for (const [seg, child] of node.children) {
      const full = [...path, seg];
      const flatOk = seg !== '' && !hasEmptySegment(child);
      if (child.leaf && child.children.size > 0 || !flatOk) {
        // A key that is also a prefix (or has empty segments) cannot be nested: write its whole subtree flat.
        if (child.leaf && child.children.size > 0) conflicts.push(full.join('.'));
        emitFlat(child, [seg], indent, out);
        continue;
      }
      if (child.leaf) {
        writeLeaf(out, indent, yamlScalar(seg, true), child.leaf);
        continue;
      }
      out.push(`${indent}${yamlScalar(seg, true)}:`);
      emit(child, full, `${indent}  `);
    }
  };
  emit(root, [], '');
  out.push(...pending);
  for (const c of conflicts) {
    notes.push({ line: -1, message: `"${c}" is also the prefix of other keys: written as flat keys so no value is lost (Flink's migration script drops or fails here)` });
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  const text = out.length ? `${out.join('\n')}\n` : '';

  const check = parseYamlConfig(text);
  const got = effectiveMap(check);
  const mismatch = !got || got.size !== expected.size || [...expected].some(([k, v]) => got.get(k) !== v);
  if (mismatch) {
    const diff = !got ? check.problems.map((p) => p.message).join('; ') : [...expected].filter(([k, v]) => got.get(k) !== v).map(([k]) => k).join(', ');
    throw new MigrationError(`the converted config.yaml would not load to the same configuration (${diff}); nothing was written`);
  }
  return { text, renamed, notes };
}

function hasEmptySegment(node: TrieNode): boolean {
  for (const [seg, child] of node.children) if (seg === '' || hasEmptySegment(child)) return true;
  return false;
}

function emitFlat(node: TrieNode, path: string[], indent: string, out: string[]): void {
  if (node.leaf) writeLeaf(out, indent, yamlScalar(path.join('.'), true), node.leaf);
  for (const [seg, child] of node.children) emitFlat(child, [...path, seg], indent, out);
}

function writeLeaf(out: string[], indent: string, key: string, leaf: Leaf): void {
  for (const c of leaf.comments) out.push(c === '' ? '' : `${indent}${c}`);
  out.push(`${indent}${key}: ${yamlScalar(leaf.value, false)}${leaf.trailing ? ` ${leaf.trailing}` : ''}`);
}
