import type { CheckpointMetadata, OperatorState } from '../metadata';
import { METADATA_VERSION_WRITERS, flinkLinesWriting } from '../metadata/versions';
import type { FlinkVersion } from '../restore/flinkVersion';
import type { OperatorSchema, StateSchema } from './schema';
import {
  diffState,
  describeSerializerChange,
  serializerClassOf,
  serializerName,
  type SerializerChange,
} from './schemaDiff';
import type { SerializerSnapshotNode } from './serializerSnapshot';
import {
  defaultMaxParallelism,
  planNameMatches,
  type ChainedOperator,
  type JobDescription,
  type JobOperator,
  type SourceLocation,
} from './uids';

export type PreflightVerdict = 'will-restore' | 'needs-allow-non-restored-state' | 'will-fail';

export type PreflightProblemCode =
  | 'metadata-format'
  | 'not-in-job'
  | 'maybe-not-in-job'
  | 'max-parallelism'
  | 'parallelism-above-max'
  | 'key-serializer'
  | 'state-serializer-incompatible'
  | 'state-migration'
  | 'state-kind'
  | 'ttl-changed'
  | 'kryo-across-major'
  | 'kryo-unchecked'
  | 'format-across-versions'
  | 'no-uid'
  | 'state-not-registered';

/**
 * One finding. `fatal` fails the restore; `dropped` is state a restore only skips with `--allowNonRestoredState`
 * (and then loses without a word); `warning` restores, with a cost or a risk; `info` is context.
 */
export interface PreflightProblem {
  readonly severity: 'fatal' | 'dropped' | 'warning' | 'info';
  readonly code: PreflightProblemCode;
  readonly operatorId: string | null;
  readonly uid: string | null;
  readonly name: string | null;
  readonly state: string | null;
  readonly message: string;
  /** What Flink reports when this fails the restore. */
  readonly flinkError?: string;
  /** Bytes of state involved (dropped operators). */
  readonly size?: number;
  /** Where the target's source assigns the operator's uid. */
  readonly location?: SourceLocation;
}

export interface PreflightReport {
  readonly verdict: PreflightVerdict;
  /** Flink's error for the first fatal problem, in the order Flink checks. */
  readonly expectedError: string | null;
  readonly target: { readonly kind: JobDescription['kind']; readonly label: string };
  readonly flink: string | null;
  readonly problems: readonly PreflightProblem[];
  /** What `--allowNonRestoredState` drops. */
  readonly lost: readonly {
    readonly operatorId: string;
    readonly uid: string | null;
    readonly name: string | null;
    readonly size: number;
    readonly states: readonly string[];
  }[];
}

export interface PreflightInput {
  readonly metadata: CheckpointMetadata;
  /** The snapshot's location as Flink names it in its errors. */
  readonly pointer: string;
  /** Per operator, its total state size (Flink's `getStateSize`). */
  readonly stateSizes: ReadonlyMap<string, number>;
  /** The snapshot's state schemas; null when they were not read. */
  readonly schemas: readonly OperatorSchema[] | null;
  /** Savepoint or checkpoint, and the savepoint format, when the metadata says. */
  readonly kind: 'checkpoint' | 'savepoint' | null;
  readonly savepointFormat: 'canonical' | 'native' | null;
  readonly target: JobDescription;
  /** With a snapshot target: its schemas. */
  readonly targetSchemas?: readonly OperatorSchema[] | null;
  readonly flink: FlinkVersion | null;
}

/** Kryo's serializer, whatever the snapshot form (1.7+ snapshot classes, or the serializer itself before 1.7). */
const KRYO = 'org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer';

function hasState(op: OperatorState): boolean {
  if (op.coordinatorState !== null) return true;
  return op.subtasks.some(
    (s) =>
      !s.finished &&
      (s.managedOperatorState !== null ||
        s.rawOperatorState !== null ||
        s.managedKeyedState !== null ||
        s.rawKeyedState !== null ||
        s.inputChannelState.length > 0 ||
        s.outputChannelState.length > 0 ||
        s.legacyOperatorState.some((h) => h !== null)),
  );
}

function hasKeyedState(op: OperatorState): boolean {
  return op.subtasks.some((s) => !s.finished && (s.managedKeyedState !== null || s.rawKeyedState !== null));
}

function kryoNodes(node: SerializerSnapshotNode | null, path: string): { path: string; type: string | null }[] {
  if (node === null) return [];
  const here = serializerClassOf(node) === KRYO ? [{ path, type: node.type ?? null }] : [];
  return [
    ...here,
    ...(node.fields ?? []).flatMap((f) => kryoNodes(f.serializer, `${path}.${f.name}`)),
    ...(node.nested ?? []).flatMap((n, i) => kryoNodes(n, `${path}[${i}]`)),
  ];
}

function describeOperator(op: { operatorId: string; uid: string | null; name: string | null }): string {
  const parts = [op.uid !== null ? `uid '${op.uid}'` : null, op.name !== null ? `'${op.name}'` : null].filter(Boolean);
  return parts.length > 0 ? `${op.operatorId} (${parts.join(', ')})` : op.operatorId;
}

/** The major line a metadata version was written by, when only one major writes it. */
function writerMajor(metadataVersion: number): number | null {
  const w = METADATA_VERSION_WRITERS[metadataVersion];
  if (!w) return null;
  const first = Number(w.first.split('.')[0]);
  return first === Number(w.last.split('.')[0]) ? first : null;
}

/** TTL wraps the value serializer: turning it on or off is a serializer class change Flink does not migrate. */
function isTtl(s: StateSchema): boolean {
  return s.ttl !== null;
}

/**
 * How Flink resolves a changed value serializer: migrated (POJO fields added or removed, Avro schema evolution,
 * the Kryo registrations or enum constants reconfigured), or incompatible (another serializer class, another type,
 * a changed field serializer, a different arity, other Table API LogicalTypes).
 */
function classifyValueChanges(changes: readonly SerializerChange[]): 'migrate' | 'incompatible' | 'compatible' {
  let result: 'migrate' | 'incompatible' | 'compatible' = 'compatible';
  for (const c of changes) {
    switch (c.what) {
      case 'class':
      case 'type':
      case 'arity':
      case 'serializer-added':
      case 'serializer-removed':
      case 'logical-types':
        return 'incompatible';
      case 'enum-constants': {
        // Enum constants may be added and reordered; a removed constant makes old values unreadable.
        const after = new Set((c.after ?? '').split(','));
        if ((c.before ?? '').split(',').some((k) => k !== '' && !after.has(k))) return 'incompatible';
        break;
      }
      case 'field-added':
      case 'field-removed':
      case 'avro-schema':
        result = 'migrate';
        break;
      case 'version':
      case 'kryo-registrations':
      case 'snapshot-bytes':
        break;
    }
  }
  return result;
}

/** The state backends' words (heap backends prefix "For heap backends, "). */
function incompatibleStateError(after: SerializerSnapshotNode | null, before: SerializerSnapshotNode | null): string {
  return (
    `org.apache.flink.util.StateMigrationException: The new state serializer (${after ? serializerName(after) : '?'}) ` +
    `must not be incompatible with the old state serializer (${before ? serializerName(before) : '?'}).`
  );
}

function notInJobError(pointer: string, operatorId: string): string {
  return (
    `Failed to rollback to checkpoint/savepoint ${pointer}. Cannot map checkpoint/savepoint state for operator ` +
    `${operatorId} to the new program, because the operator is not available in the new program. If you want to ` +
    `allow to skip this, you can set the --allowNonRestoredState option on the CLI.`
  );
}

/** Flink names the snapshot by `CheckpointMetadata#toString` here, not by its path. */
function maxParallelismError(operatorId: string, before: number, after: number): string {
  return (
    `Failed to rollback to checkpoint/savepoint Checkpoint Metadata. Max parallelism mismatch between checkpoint/savepoint ` +
    `state and new program. Cannot map operator ${operatorId} with max parallelism ${before} to new program with ` +
    `max parallelism ${after}. This indicates that the program has been changed in a non-compatible way after the ` +
    `checkpoint/savepoint.`
  );
}

/** The operator of a plan that has `name` but no id, if the plan is one that names operators so. */
function planOperatorNamed(target: JobDescription, name: string | null): ChainedOperator | undefined {
  if (name === null || target.kind !== 'plan') return undefined;
  return (target.chained ?? []).find((c) => planNameMatches(c.name, name));
}

/**
 * Max parallelism fixes the key groups: Flink fails a restore into another one (`Checkpoints.loadAndValidateCheckpoint`)
 * unless the job left it unset, in which case Flink adopts the snapshot's. A snapshot or plan that shows Flink's
 * default for its parallelism may be such a job.
 */
function checkMaxParallelism(
  op: OperatorState,
  found: { operatorId: string; maxParallelism: number | null; parallelism: number | null; location?: SourceLocation },
  target: JobDescription,
  push: (p: PreflightProblem) => void,
): void {
  if (found.maxParallelism === null || found.maxParallelism === op.maxParallelism || !hasState(op)) return;
  if (!hasKeyedState(op) && target.kind !== 'snapshot') return;
  const base = { operatorId: op.operatorId, uid: op.uid, name: op.name, state: null, location: found.location };
  const mayBeDefault =
    target.kind === 'plan' &&
    found.parallelism !== null &&
    found.maxParallelism === defaultMaxParallelism(found.parallelism);
  if (mayBeDefault) {
    push({
      ...base,
      severity: 'warning',
      code: 'max-parallelism',
      message: `operator ${describeOperator(op)}: max parallelism ${op.maxParallelism} in the snapshot, ${found.maxParallelism} in the plan, which is Flink's default for parallelism ${found.parallelism}: if the job sets no max parallelism Flink adopts the snapshot's; if it sets ${found.maxParallelism}, the restore fails`,
    });
    return;
  }
  push({
    ...base,
    severity: 'fatal',
    code: 'max-parallelism',
    message: `operator ${describeOperator(op)}: max parallelism ${op.maxParallelism} in the snapshot, ${found.maxParallelism} in the new job; key groups cannot be remapped`,
    flinkError: maxParallelismError(op.operatorId, op.maxParallelism, found.maxParallelism),
  });
}

/**
 * Whether Flink would restore `metadata` into the target job, in the order Flink checks: the metadata format, then
 * per operator of the snapshot whether the job has it and with which max parallelism (`Checkpoints
 * .loadAndValidateCheckpoint`), then per state whether the new serializers can read the old state (the state
 * backends' compatibility checks when the job registers its states), and what a 1.x → 2.x upgrade cannot carry.
 */
export function preflight(input: PreflightInput): PreflightReport {
  const { metadata, pointer, target, flink } = input;
  const problems: PreflightProblem[] = [];
  const lost: PreflightReport['lost'][number][] = [];
  const push = (p: PreflightProblem) => problems.push(p);
  const schemasById = new Map((input.schemas ?? []).map((s) => [s.operatorId, s]));
  const targetSchemasById = new Map((input.targetSchemas ?? []).map((s) => [s.operatorId, s]));
  const targetById = new Map<string, JobOperator>(target.operators.map((o) => [o.operatorId, o]));
  const mv = metadata.metadataVersion;

  if (flink !== null) {
    const writers = METADATA_VERSION_WRITERS[mv];
    const [fMajor, fMinor] = writers ? writers.first.split('.').map(Number) : [Infinity, 0];
    if (!writers || flink.major < fMajor || (flink.major === fMajor && flink.minor < fMinor)) {
      push({
        severity: 'fatal',
        code: 'metadata-format',
        operatorId: null,
        uid: null,
        name: null,
        state: null,
        message: `_metadata format version ${mv} is written by Flink ${flinkLinesWriting(mv)}: Flink ${flink.line} cannot read it`,
        flinkError: `Unrecognized checkpoint version number: ${mv}`,
      });
    } else if (
      (input.kind === 'checkpoint' || input.savepointFormat === 'native') &&
      writerMajor(mv) !== null &&
      writerMajor(mv) !== flink.major
    ) {
      push({
        severity: 'warning',
        code: 'format-across-versions',
        operatorId: null,
        uid: null,
        name: null,
        state: null,
        message: `a ${input.kind === 'checkpoint' ? 'checkpoint' : 'native savepoint'} of Flink ${flinkLinesWriting(mv)} restored by Flink ${flink.line}: Flink guarantees restores across major versions for canonical savepoints only`,
      });
    }
  }

  const unnamedCount = target.unnamed.length;
  for (const op of metadata.operators) {
    const found = targetById.get(op.operatorId);
    const schema = schemasById.get(op.operatorId) ?? null;
    const stateNames = schema ? schema.states.map((s) => s.name) : [];
    const size = input.stateSizes.get(op.operatorId) ?? 0;
    const base = { operatorId: op.operatorId, uid: op.uid, name: op.name };
    if (found === undefined) {
      if (!hasState(op)) continue;
      const named = planOperatorNamed(target, op.name);
      // A plan names chained operators (and a StreamGraph plan every operator) without their ids: Flink 2.x snapshots
      // name their operators, so they are found by name; Flink 1.x snapshots do not, so whether such an operator is
      // one of them is not known. Without a uid the id comes from the graph's shape: a source scan cannot know it.
      const planUnknown = target.kind === 'plan' && op.name === null && (target.chained ?? []).length > 0;
      const sourceUnknown = !target.complete && op.uid === null && mv >= 5 && unnamedCount > 0;
      if (named !== undefined || planUnknown || sourceUnknown) {
        push({
          ...base,
          severity: 'warning',
          code: 'maybe-not-in-job',
          state: null,
          size,
          message:
            named !== undefined
              ? `operator ${describeOperator(op)} is in the plan under its name '${named.name}' but without an id, so whether its state maps is not known here`
              : planUnknown
                ? `operator ${describeOperator(op)} is not among the plan's operators with an id; the plan names ${(target.chained ?? []).length} operator(s) without one (${(target.chained ?? []).map((c) => `'${c.name}'`).join(', ')}) and the snapshot does not name its operators, so whether its state maps is not known here`
                : `operator ${describeOperator(op)} has no uid; the job has operators without uid whose ids Flink derives from the job graph, so whether its state maps is not known here`,
        });
        if (named !== undefined && named.vertexId !== null) {
          checkMaxParallelism(op, { ...named, operatorId: op.operatorId }, target, push);
        }
        continue;
      }
      lost.push({ ...base, size, states: stateNames });
      push({
        ...base,
        severity: 'dropped',
        code: 'not-in-job',
        state: null,
        size,
        message:
          `operator ${describeOperator(op)} is not in the new job${target.withoutIds === true ? ' (the plan has no operator ids; none of its operators has this name)' : ''}: its state (${size} bytes` +
          `${stateNames.length > 0 ? `: ${stateNames.join(', ')}` : ''}) cannot be mapped; --allowNonRestoredState drops it`,
        flinkError: notInJobError(pointer, op.operatorId),
      });
      continue;
    }
    checkMaxParallelism(op, found, target, push);
    if (found.parallelism !== null && found.parallelism > op.maxParallelism && hasState(op)) {
      push({
        ...base,
        severity: 'fatal',
        code: 'parallelism-above-max',
        state: null,
        location: found.location,
        message: `operator ${describeOperator(op)}: parallelism ${found.parallelism} exceeds the snapshot's max parallelism ${op.maxParallelism}`,
        flinkError: `The state for task ${op.operatorId} can not be restored. The maximum parallelism (${op.maxParallelism}) of the restored state is lower than the configured parallelism (${found.parallelism}). Please reduce the parallelism of the task to be lower or equal to the maximum parallelism.`,
      });
    }
    if (schema === null) continue;
    const targetSchema = targetSchemasById.get(op.operatorId) ?? null;
    checkSerializers(schema, targetSchema, input, found, push);
  }

  if (flink !== null && flink.major >= 2 && writerMajor(mv) === 1 && input.schemas !== null) {
    for (const schema of input.schemas) {
      for (const s of schema.states) {
        const kryo = [
          ...kryoNodes(s.keySerializer, 'key'),
          ...kryoNodes(s.namespaceSerializer, 'namespace'),
          ...kryoNodes(s.valueSerializer, 'value'),
        ];
        if (kryo.length === 0) continue;
        // Flink 2.x serializes List, Map and Set fields of a POJO itself; 1.x gave them to Kryo, and the POJO's field
        // serializer change is one Flink does not migrate. Other Kryo state is read with Kryo 5, which Flink does not
        // promise (it read a simple class in the restore scenarios).
        const collections = kryo.filter(
          (k) => k.path.includes('.') && /^java\.util\.\w*(List|Map|Set|Collection)$/.test(k.type ?? ''),
        );
        const fatal = collections.length > 0;
        push({
          operatorId: schema.operatorId,
          uid: schema.uid,
          name: schema.name,
          severity: fatal ? 'fatal' : 'warning',
          code: 'kryo-across-major',
          state: s.name,
          message: fatal
            ? `state '${s.name}' of ${describeOperator(schema)} is a POJO whose collection field(s) ${collections.map((k) => `${k.path} (${k.type})`).join(', ')} Flink 1.x serialized with Kryo; Flink 2.x serializes them itself and cannot read the old state`
            : `state '${s.name}' of ${describeOperator(schema)} is serialized with Kryo (${kryo.map((k) => `${k.path}: ${k.type ?? '?'}`).join(', ')}); Flink 2.x reads it with Kryo 5 and does not guarantee that 1.x Kryo state restores`,
          ...(fatal ? { flinkError: incompatibleStateError(null, null) } : {}),
          location: targetById.get(schema.operatorId)?.location,
        });
      }
    }
  }

  if (target.kind === 'source' && target.unnamed.length > 0 && lost.length > 0) {
    // The state that maps nowhere may belong to one of these calls whose uid was removed or never set.
    const names = lost.map((l) => (l.uid !== null ? `uid '${l.uid}'` : l.operatorId)).join(', ');
    for (const u of target.unnamed) {
      push({
        severity: 'warning',
        code: 'no-uid',
        operatorId: null,
        uid: null,
        name: null,
        state: null,
        location: u.location,
        message: `${u.call}(…) has no uid, and the snapshot's state of ${names} maps to no operator of the job: if this is that operator, give it its uid back with .uid("…")`,
      });
    }
  } else if (target.kind === 'source' && target.unnamed.length > 0) {
    push({
      severity: 'info',
      code: 'no-uid',
      operatorId: null,
      uid: null,
      name: null,
      state: null,
      message: `${target.unnamed.length} operator call(s) in the job have no uid (${target.unnamed
        .slice(0, 5)
        .map((u) => `${u.call} at ${u.location.file}:${u.location.line + 1}`)
        .join(', ')}${target.unnamed.length > 5 ? ', …' : ''}): their ids change with the job graph`,
    });
  }

  const fatal = problems.filter((p) => p.severity === 'fatal');
  const dropped = problems.filter((p) => p.severity === 'dropped');
  const verdict: PreflightVerdict =
    fatal.length > 0 ? 'will-fail' : dropped.length > 0 ? 'needs-allow-non-restored-state' : 'will-restore';
  // Without -n the first operator Flink cannot map fails the restore before any serializer is checked.
  const first = verdict === 'will-fail' ? fatal[0] : dropped[0];
  return {
    verdict,
    expectedError: first?.flinkError ?? null,
    target: { kind: target.kind, label: target.label },
    flink: flink?.line ?? null,
    problems,
    lost,
  };
}

function checkSerializers(
  schema: OperatorSchema,
  targetSchema: OperatorSchema | null,
  input: PreflightInput,
  found: JobOperator,
  push: (p: PreflightProblem) => void,
): void {
  if (targetSchema === null) return;
  const base = { operatorId: schema.operatorId, uid: schema.uid, name: schema.name, location: found.location };
  const targetStates = new Map(targetSchema.states.map((s) => [`${s.backend}/${s.name}`, s]));
  for (const s of schema.states) {
    const t = targetStates.get(`${s.backend}/${s.name}`);
    if (t === undefined) {
      push({
        ...base,
        severity: 'info',
        code: 'state-not-registered',
        state: s.name,
        message: `state '${s.name}' of ${describeOperator(schema)} is not registered by the new job's snapshot; Flink restores it and carries it along unused`,
      });
      continue;
    }
    const d = diffState(s, t);
    if (d === null) continue;
    if (d.kind) {
      push({
        ...base,
        severity: 'fatal',
        code: 'state-kind',
        state: s.name,
        message: `state '${s.name}' of ${describeOperator(schema)} changes kind ${d.kind.before} → ${d.kind.after}`,
        flinkError: `org.apache.flink.util.StateMigrationException: The new state type ${d.kind.after.toUpperCase()} is not compatible with the restored state type ${d.kind.before.toUpperCase()}`,
      });
      continue;
    }
    if (isTtl(s) !== isTtl(t)) {
      push({
        ...base,
        severity: 'fatal',
        code: 'ttl-changed',
        state: s.name,
        message: `state '${s.name}' of ${describeOperator(schema)}: TTL turned ${isTtl(t) ? 'on' : 'off'}; Flink does not migrate state into or out of TTL`,
        flinkError: 'org.apache.flink.util.StateMigrationException',
      });
      continue;
    }
    const key = d.serializers.filter((c) => c.role === 'key' || c.role === 'namespace');
    const keyClass = classifyValueChanges(key);
    if (keyClass !== 'compatible') {
      push({
        ...base,
        severity: 'fatal',
        code: 'key-serializer',
        state: s.name,
        message: `state '${s.name}' of ${describeOperator(schema)}: the key serializer changed (${key.map(describeSerializerChange).join('; ')}); Flink migrates no keys`,
        flinkError: `org.apache.flink.util.StateMigrationException: The new key serializer (${t.keySerializer ? serializerName(t.keySerializer) : '?'}) must be compatible with the previous key serializer (${s.keySerializer ? serializerName(s.keySerializer) : '?'}).`,
      });
      continue;
    }
    const value = d.serializers.filter((c) => c.role === 'value');
    const mapKeyChanged =
      s.kind === 'map' && value.some((c) => c.path.startsWith('value.nested[0]') && c.what !== 'version');
    const valueClass = mapKeyChanged ? 'incompatible' : classifyValueChanges(value);
    const described = value.map(describeSerializerChange).join('; ');
    if (valueClass === 'incompatible') {
      push({
        ...base,
        severity: 'fatal',
        code: 'state-serializer-incompatible',
        state: s.name,
        message: `state '${s.name}' of ${describeOperator(schema)}: the new serializer cannot read the old state (${described})`,
        flinkError: incompatibleStateError(t.valueSerializer, s.valueSerializer),
      });
    } else if (valueClass === 'migrate') {
      push({
        ...base,
        severity: 'warning',
        code: 'state-migration',
        state: s.name,
        message: `state '${s.name}' of ${describeOperator(schema)} is migrated on restore (${described}): every entry is read with the old serializer and rewritten`,
      });
    }
  }
  // Kryo compares only the class name and registrations: a changed class behind the same name passes the check.
  for (const s of schema.states) {
    const kryo = kryoNodes(s.valueSerializer, 'value');
    if (kryo.length > 0 && input.flink?.major !== 2) {
      push({
        ...base,
        severity: 'info',
        code: 'kryo-unchecked',
        state: s.name,
        message: `state '${s.name}' of ${describeOperator(schema)} is Kryo-serialized (${kryo.map((k) => k.type ?? '?').join(', ')}): Kryo's snapshot names only the class, so a change to its fields is not seen before the state is read`,
      });
    }
  }
}

/** The one-line verdict, in the words the CLI and the editor show. */
export function verdictText(verdict: PreflightVerdict): string {
  switch (verdict) {
    case 'will-restore':
      return 'will restore';
    case 'needs-allow-non-restored-state':
      return 'needs --allowNonRestoredState';
    case 'will-fail':
      return 'will fail';
  }
}
