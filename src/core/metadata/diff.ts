import type { MetadataSummary, OperatorSummary } from './summary';

const OPERATOR_REF_KEYS = ['operatorId', 'name', 'uid', 'parallelism', 'maxParallelism', 'stateSize'] as const;
const SNAPSHOT_REF_KEYS = ['checkpointId', 'metadataVersion', 'kind', 'externalPointer'] as const;

/** An operator present in only one of the two snapshots. */
export type OperatorRef = Pick<OperatorSummary, (typeof OPERATOR_REF_KEYS)[number]>;

export interface Change<T> {
  from: T;
  to: T;
}

/** An operator present in both snapshots. */
export interface OperatorDelta {
  operatorId: string;
  name: string | null;
  uid: string | null;
  /** Set when the parallelism differs. */
  parallelism: Change<number> | null;
  /** Set when the max parallelism differs; restoring keyed state across a change fails in Flink. */
  maxParallelism: Change<number> | null;
  stateSize: Change<number> & { delta: number };
}

export interface SnapshotDiff {
  a: SnapshotRef;
  b: SnapshotRef;
  /** In b, not in a (file order of b). */
  operatorsAdded: OperatorRef[];
  /** In a, not in b (file order of a). */
  operatorsRemoved: OperatorRef[];
  /** In both (file order of a). */
  operators: OperatorDelta[];
  stateSize: Change<number> & { delta: number };
  files: { onlyInA: string[]; onlyInB: string[]; inBoth: string[] };
}

export type SnapshotRef = Pick<MetadataSummary, (typeof SNAPSHOT_REF_KEYS)[number]>;

/**
 * Compares two snapshots by operator id: operators added and removed, parallelism and max-parallelism changes,
 * state-size deltas per operator, and which referenced files only one of them uses (e.g. shared files a later
 * incremental checkpoint dropped).
 */
export function diffSummaries(a: MetadataSummary, b: MetadataSummary): SnapshotDiff {
  const inA = new Map(a.operators.map((o) => [o.operatorId, o]));
  const inB = new Map(b.operators.map((o) => [o.operatorId, o]));
  const operators: OperatorDelta[] = [];
  for (const oa of a.operators) {
    const ob = inB.get(oa.operatorId);
    if (ob === undefined) continue;
    operators.push({
      operatorId: oa.operatorId,
      name: ob.name ?? oa.name,
      uid: ob.uid ?? oa.uid,
      parallelism: oa.parallelism === ob.parallelism ? null : { from: oa.parallelism, to: ob.parallelism },
      maxParallelism:
        oa.maxParallelism === ob.maxParallelism ? null : { from: oa.maxParallelism, to: ob.maxParallelism },
      stateSize: { from: oa.stateSize, to: ob.stateSize, delta: ob.stateSize - oa.stateSize },
    });
  }
  const filesA = new Set(a.referencedFiles);
  const filesB = new Set(b.referencedFiles);
  return {
    a: ref(a),
    b: ref(b),
    operatorsAdded: b.operators.filter((o) => !inA.has(o.operatorId)).map(operatorRef),
    operatorsRemoved: a.operators.filter((o) => !inB.has(o.operatorId)).map(operatorRef),
    operators,
    stateSize: { from: a.stateSize, to: b.stateSize, delta: b.stateSize - a.stateSize },
    files: {
      onlyInA: a.referencedFiles.filter((f) => !filesB.has(f)),
      onlyInB: b.referencedFiles.filter((f) => !filesA.has(f)),
      inBoth: a.referencedFiles.filter((f) => filesB.has(f)),
    },
  };
}

function ref(s: MetadataSummary): SnapshotRef {
  return pick(s, SNAPSHOT_REF_KEYS);
}

function operatorRef(o: OperatorSummary): OperatorRef {
  return pick(o, OPERATOR_REF_KEYS);
}

/** The named fields of `from`, in the order named (the JSON output keeps it). */
function pick<T, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) out[key] = from[key];
  return out;
}
