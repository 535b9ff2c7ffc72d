import type { CheckpointMetadata, OperatorState } from '../../metadata';
import { readSchemas, type OperatorSchema, type StateFileAccess, type StateSchema } from '../schema';
import type { SerializerSnapshotNode } from '../serializerSnapshot';
import { ByteArray, type StateValue } from './decode';
import { DEFAULT_SPILL_BYTES, GroupSorter, type Keyed } from './diffSort';
import { stateEntries } from './entries';
import type { EntryProblem, StateEntry } from './keyed';

/** One side of a state diff: an operator of a snapshot and ranged reads of that snapshot's files. */
export interface DiffSide {
  /** How messages name this side (the snapshot's path or URI). */
  readonly label: string;
  readonly metadata: CheckpointMetadata;
  readonly operator: OperatorState;
  readonly access: StateFileAccess;
}

/** Where two values differ: a path into the value tree (`.field`, `[index]`, `.` for the value itself). */
export interface FieldChange {
  readonly path: string;
  /** Absent when the field is new. */
  readonly before?: StateValue;
  /** Absent when the field is gone. */
  readonly after?: StateValue;
}

export type StateChange =
  | { readonly change: 'added'; readonly entry: StateEntry }
  | { readonly change: 'removed'; readonly entry: StateEntry }
  | {
      readonly change: 'changed';
      readonly before: StateEntry;
      readonly after: StateEntry;
      readonly fields: readonly FieldChange[];
    };

export interface DiffCounts {
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  /** Entries of one side only, where the other side could not be read in full: neither added nor removed is known. */
  notCompared: number;
}

export interface DiffProblem {
  /** The side that could not be read; null when the two sides cannot be compared. */
  readonly side: 'a' | 'b' | null;
  /** The state it concerns; null for the operator as a whole. */
  readonly state: string | null;
  readonly message: string;
}

export interface StateDiffOptions {
  /** State names to compare; all when absent. */
  readonly states?: ReadonlySet<string>;
  /** Bytes of one key group one side holds in memory before spilling sorted runs to a temporary file. */
  readonly spillBytes?: number;
  /** Where those temporary files go (the system's temporary directory by default); they are gone when the diff ends. */
  readonly spillDirectory?: string;
  /** Stops the comparison (between entries); `changes()` then ends early. */
  readonly signal?: AbortSignal;
  /** Called after each key group is compared (progress: `entriesRead`, `keyGroup`). */
  readonly onProgress?: () => void;
}

/** The leaves where two values differ, by path; a changed scalar (or a changed shape) is one change at its path. */
export function fieldChanges(
  before: StateValue | undefined,
  after: StateValue | undefined,
  path = '',
  out: FieldChange[] = [],
): FieldChange[] {
  const isObject = (v: StateValue | undefined): v is { [key: string]: StateValue } =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof ByteArray);
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      fieldChanges(
        i < before.length ? before[i] : undefined,
        i < after.length ? after[i] : undefined,
        `${path}[${i}]`,
        out,
      );
    }
  } else if (isObject(before) && isObject(after)) {
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
      fieldChanges(k in before ? before[k] : undefined, k in after ? after[k] : undefined, `${path}.${k}`, out);
    }
  } else if (JSON.stringify(before) !== JSON.stringify(after)) {
    const change: { path: string; before?: StateValue; after?: StateValue } = { path: path || '.' };
    if (before !== undefined) change.before = before;
    if (after !== undefined) change.after = after;
    out.push(change);
  }
  return out;
}

/** The identity of an entry across two snapshots: its state, key, namespace, map key (and subtask: operator state). */
function identity(entry: StateEntry): string {
  return JSON.stringify([entry.state, entry.key, entry.namespace, entry.userKey ?? null, entry.subtask ?? null]);
}

/** Operator state comes after every key group. */
const OPERATOR_STATE = 1 << 20;
const groupOf = (entry: StateEntry) => entry.keyGroup ?? OPERATOR_STATE;

/**
 * Serializers whose nested serializers may evolve between snapshots (fields added, removed) while values stay
 * comparable field by field; elsewhere a different nested serializer means values of another type.
 */
const EVOLVING = /Pojo|Row|Tuple|Avro|Case/;

function signature(node: SerializerSnapshotNode | null): string {
  if (node === null) return '-';
  if (EVOLVING.test(node.class) || !node.nested?.length) return node.class;
  return `${node.class}(${node.nested.map(signature).join(',')})`;
}

function shortClass(node: SerializerSnapshotNode | null): string {
  return node === null ? 'none' : (node.class.split('.').pop() ?? node.class);
}

/** Why two schemas of one state name cannot be compared entry by entry, or null when they can. */
function incomparable(a: StateSchema, b: StateSchema): string | null {
  if (a.kind !== b.kind || a.backend !== b.backend) {
    return `it is ${a.kind} (${a.backend}) state in one snapshot and ${b.kind} (${b.backend}) state in the other`;
  }
  for (const [what, x, y] of [
    ['key', a.keySerializer, b.keySerializer],
    ['namespace', a.namespaceSerializer, b.namespaceSerializer],
    ['value', a.valueSerializer, b.valueSerializer],
  ] as const) {
    if (signature(x) !== signature(y)) {
      return `its ${what} serializer differs (${shortClass(x)} vs ${shortClass(y)}), so its ${what}s are of different types`;
    }
  }
  return null;
}

/** The schema of one side's operator (the heads of its state files). */
export async function schemaOf(side: DiffSide): Promise<OperatorSchema | undefined> {
  const [schema] = await readSchemas(side.metadata, side.access, (o) => o === side.operator);
  return schema;
}

/** A state of an operator as two snapshots have it: where it is, and why it cannot be compared (null: it can). */
export interface ComparedState {
  readonly name: string;
  readonly kind: string;
  readonly backend: string;
  /** The side that lacks it, or null when both have it. */
  readonly missingIn: 'a' | 'b' | null;
  readonly incomparable: string | null;
}

/** Every state of the operator on either side, with whether its entries can be compared key by key. */
export function compareSchemas(
  a: DiffSide,
  b: DiffSide,
  sa: OperatorSchema | undefined,
  sb: OperatorSchema | undefined,
): ComparedState[] {
  const out: ComparedState[] = [];
  const xs = sa?.states ?? [];
  const ys = sb?.states ?? [];
  for (const name of new Set([...xs, ...ys].map((s) => s.name))) {
    const x = xs.find((s) => s.name === name);
    const y = ys.find((s) => s.name === name);
    const either = (x ?? y)!;
    let why: string | null = null;
    if (x && y) {
      const [pa, pb] = [a.operator.maxParallelism, b.operator.maxParallelism];
      why =
        x.backend === 'keyed' && y.backend === 'keyed' && pa !== pb
          ? `the max parallelism differs (${pa} vs ${pb}), so its keys lie in different key groups`
          : incomparable(x, y);
    }
    out.push({
      name,
      kind: either.kind,
      backend: either.backend,
      missingIn: x === undefined ? 'a' : y === undefined ? 'b' : null,
      incomparable: why,
    });
  }
  return out;
}

/** Reads one side's entries in key-group order, one key group at a time, remembering whether anything failed. */
class SideReader {
  head: StateEntry | null = null;
  read = 0;
  /** Something of this side could not be read: entries missing from it prove nothing. */
  failed = false;
  private readonly iterator: AsyncGenerator<{ entry: StateEntry }>;

  constructor(
    private readonly side: DiffSide,
    states: ReadonlySet<string>,
    onProblem: (problem: EntryProblem) => void,
  ) {
    this.iterator = stateEntries(side.operator, side.metadata.pointer, side.access, { states }, (p) => {
      this.failed = true;
      onProblem(p);
    });
  }

  async advance(): Promise<void> {
    const before = this.head === null ? -1 : groupOf(this.head);
    const r = await this.iterator.next();
    this.head = r.done ? null : r.value.entry;
    if (this.head !== null) this.read++;
    if (this.head !== null && groupOf(this.head) < before) {
      throw new Error(
        `${this.side.label}: entries out of key-group order (key group ${this.head.keyGroup} after ${before})`,
      );
    }
  }

  async take(group: number, sorter: GroupSorter, signal: AbortSignal | undefined): Promise<void> {
    while (this.head !== null && groupOf(this.head) === group && !signal?.aborted) {
      await sorter.add({ id: identity(this.head), entry: this.head });
      await this.advance();
    }
  }

  async close(): Promise<void> {
    await this.iterator.return(undefined);
  }
}

/**
 * The key-level difference of an operator's state between two snapshots, in bounded memory: both sides are read in
 * the same order, key group by key group (operator state last); each key group's entries are sorted by identity (in
 * memory up to a budget, then through sorted runs on disk) and merged. `counts` and `problems` fill as `changes()` is
 * consumed; a side that could not be read in full never makes entries of the other side look added or removed.
 */
export class StateDiff {
  readonly counts = new Map<string, DiffCounts>();
  readonly problems: DiffProblem[] = [];
  /** Most sorted runs one key group spilled to disk (0: every key group fitted in memory). */
  spilledRuns = 0;
  /** Progress: entries read from both sides, and the key group being compared (null: operator state). */
  entriesRead = 0;
  keyGroup: number | null = null;

  constructor(
    private readonly a: DiffSide,
    private readonly b: DiffSide,
    private readonly options: StateDiffOptions = {},
  ) {}

  private countsOf(state: string): DiffCounts {
    let c = this.counts.get(state);
    if (c === undefined) {
      c = { added: 0, removed: 0, changed: 0, unchanged: 0, notCompared: 0 };
      this.counts.set(state, c);
    }
    return c;
  }

  private problem(side: 'a' | 'b' | null, state: string | null, message: string): void {
    if (!this.problems.some((p) => p.side === side && p.state === state && p.message === message)) {
      this.problems.push({ side, state, message });
    }
  }

  /** The states both sides can be compared on (by name), after the schemas of both sides are checked. */
  private async comparableStates(): Promise<{ states: Set<string>; failed: { a: boolean; b: boolean } }> {
    const wanted = this.options.states;
    const [sa, sb] = [await schemaOf(this.a), await schemaOf(this.b)];
    for (const p of sa?.problems ?? []) this.problem('a', null, `cannot read ${p.file}: ${p.message}`);
    for (const p of sb?.problems ?? []) this.problem('b', null, `cannot read ${p.file}: ${p.message}`);
    const states = new Set<string>();
    for (const s of compareSchemas(this.a, this.b, sa, sb)) {
      if (wanted && !wanted.has(s.name)) continue;
      if (s.incomparable !== null) {
        this.problem(null, s.name, `'${s.name}' cannot be compared key by key: ${s.incomparable}`);
        continue;
      }
      states.add(s.name);
      this.countsOf(s.name);
    }
    for (const name of wanted ?? []) {
      if (!states.has(name) && !this.problems.some((p) => p.state === name)) {
        this.problem(null, name, `neither snapshot has a state '${name}' in this operator`);
      }
    }
    return { states, failed: { a: (sa?.problems.length ?? 0) > 0, b: (sb?.problems.length ?? 0) > 0 } };
  }

  async *changes(): AsyncGenerator<StateChange> {
    const { states, failed } = await this.comparableStates();
    if (states.size === 0) return;
    const onProblem = (which: 'a' | 'b') => (p: EntryProblem) =>
      this.problem(
        which,
        null,
        `cannot read ${p.file}${p.offset === null ? '' : ` at byte ${p.offset}`}: ${p.message}`,
      );
    const a = new SideReader(this.a, states, onProblem('a'));
    const b = new SideReader(this.b, states, onProblem('b'));
    a.failed = failed.a;
    b.failed = failed.b;
    const budget = this.options.spillBytes ?? DEFAULT_SPILL_BYTES;
    try {
      await a.advance();
      await b.advance();
      while (a.head !== null || b.head !== null) {
        const group = Math.min(
          a.head === null ? Number.POSITIVE_INFINITY : groupOf(a.head),
          b.head === null ? Number.POSITIVE_INFINITY : groupOf(b.head),
        );
        this.keyGroup = group === OPERATOR_STATE ? null : group;
        const left = new GroupSorter(budget, this.options.spillDirectory);
        const right = new GroupSorter(budget, this.options.spillDirectory);
        try {
          await a.take(group, left, this.options.signal);
          await b.take(group, right, this.options.signal);
          if (this.options.signal?.aborted) return;
          this.entriesRead = a.read + b.read;
          this.spilledRuns = Math.max(this.spilledRuns, left.spilledRuns, right.spilledRuns);
          yield* this.merge(left.drain(), right.drain(), a, b);
          this.options.onProgress?.();
        } finally {
          await left.clear();
          await right.clear();
        }
      }
    } finally {
      await a.close();
      await b.close();
    }
  }

  private async *merge(
    left: AsyncGenerator<Keyed>,
    right: AsyncGenerator<Keyed>,
    a: SideReader,
    b: SideReader,
  ): AsyncGenerator<StateChange> {
    try {
      yield* this.mergeSorted(left, right, a, b);
    } finally {
      // A diff stopped inside a key group closes its runs' files before they are removed.
      await left.return(undefined);
      await right.return(undefined);
    }
  }

  private async *mergeSorted(
    left: AsyncGenerator<Keyed>,
    right: AsyncGenerator<Keyed>,
    a: SideReader,
    b: SideReader,
  ): AsyncGenerator<StateChange> {
    let x = await left.next();
    let y = await right.next();
    while (!x.done || !y.done) {
      if (!x.done && (y.done || x.value.id < y.value.id)) {
        const entry = x.value.entry;
        if (b.failed) this.countsOf(entry.state).notCompared++;
        else {
          this.countsOf(entry.state).removed++;
          yield { change: 'removed', entry };
        }
        x = await left.next();
      } else if (!y.done && (x.done || y.value.id < x.value.id)) {
        const entry = y.value.entry;
        if (a.failed) this.countsOf(entry.state).notCompared++;
        else {
          this.countsOf(entry.state).added++;
          yield { change: 'added', entry };
        }
        y = await right.next();
      } else if (!x.done && !y.done) {
        const before = x.value.entry;
        const after = y.value.entry;
        const fields = fieldChanges(before.value, after.value);
        if (fields.length === 0) this.countsOf(after.state).unchanged++;
        else {
          this.countsOf(after.state).changed++;
          yield { change: 'changed', before, after, fields };
        }
        x = await left.next();
        y = await right.next();
      }
    }
  }
}
