import type { OperatorSchema, StateKind, StateSchema } from './schema';
import type { SerializerSnapshotNode } from './serializerSnapshot';

/** Which serializer of a state changed. */
export type SerializerRole = 'key' | 'namespace' | 'value';

/**
 * One difference between two serializer snapshot trees, at `path` (`value`, `value.fields.name`,
 * `value.nested[1]`). `what` says which part of the snapshot differs.
 */
export interface SerializerChange {
  readonly role: SerializerRole;
  readonly path: string;
  readonly what:
    | 'class'
    | 'version'
    | 'type'
    | 'field-added'
    | 'field-removed'
    | 'arity'
    | 'avro-schema'
    | 'enum-constants'
    | 'kryo-registrations'
    | 'logical-types'
    | 'snapshot-bytes'
    | 'serializer-added'
    | 'serializer-removed';
  readonly before: string | null;
  readonly after: string | null;
}

export interface StateDiff {
  readonly name: string;
  readonly backend: StateSchema['backend'];
  readonly change: 'added' | 'removed' | 'changed';
  /** Set when the state's kind differs (value → list, …). */
  readonly kind?: { readonly before: StateKind; readonly after: StateKind };
  readonly serializers: readonly SerializerChange[];
  readonly before: StateSchema | null;
  readonly after: StateSchema | null;
}

export interface OperatorSchemaDiff {
  readonly operatorId: string;
  readonly uid: string | null;
  readonly name: string | null;
  readonly change: 'added' | 'removed' | 'changed';
  readonly states: readonly StateDiff[];
}

/** What differs between the state schemas of two snapshots; operators and states that are equal are left out. */
export interface SchemaDiff {
  readonly operators: readonly OperatorSchemaDiff[];
}

/** The simple class name of a snapshot's serializer, for messages: `…PojoSerializerSnapshot` → `PojoSerializer`. */
export function serializerName(node: SerializerSnapshotNode): string {
  const cls = serializerClassOf(node);
  const simple = cls.slice(cls.lastIndexOf('.') + 1);
  return simple.includes('$') ? simple.slice(0, simple.indexOf('$')) : simple;
}

/** Snapshot classes not named after their serializer (`TypeSerializerSnapshot#restoreSerializer` says which). */
const SERIALIZER_OF_SNAPSHOT: Readonly<Record<string, string>> = {
  'org.apache.flink.api.java.typeutils.runtime.JavaEitherSerializerSnapshot':
    'org.apache.flink.api.java.typeutils.runtime.EitherSerializer',
};

/**
 * The serializer class a node stands for. Flink 1.7+ writes snapshot classes, nested in their serializer
 * (`LongSerializer$LongSerializerSnapshot`, `KryoSerializer$KryoSerializerConfigSnapshot`) or named after it
 * (`TupleSerializerSnapshot`, `TtlStateFactory$TtlSerializerSnapshot`); the proxies of Flink 1.3–1.6 write the
 * serializer class itself (with its config snapshot beside), as do their nested serializers. So a state whose
 * serializer did not change compares equal across the two forms.
 */
export function serializerClassOf(node: SerializerSnapshotNode): string {
  const cls = node.class;
  const known = SERIALIZER_OF_SNAPSHOT[cls];
  if (known !== undefined) return known;
  const nested = cls.lastIndexOf('$');
  const simple = cls.slice(Math.max(nested, cls.lastIndexOf('.')) + 1);
  if (!/(Snapshot|Config)$/.test(simple)) return cls;
  const outer = nested < 0 ? null : cls.slice(0, nested);
  if (outer !== null && /Serializer$/.test(outer)) return outer;
  return cls.slice(0, cls.length - simple.length) + simple.replace(/(Config)?(Snapshot)?$/, '');
}

function stateKey(s: StateSchema): string {
  return `${s.backend}/${s.name}`;
}

/**
 * The differences between two serializer snapshot trees. A changed class ends the comparison of that subtree
 * (its parts mean different things); otherwise type, fields, nested serializers and the snapshot's own payload
 * are compared.
 */
export function diffSerializers(
  role: SerializerRole,
  before: SerializerSnapshotNode | null,
  after: SerializerSnapshotNode | null,
  path: string = role,
): SerializerChange[] {
  if (before === null && after === null) return [];
  if (before === null || after === null) {
    return [
      {
        role,
        path,
        what: before === null ? 'serializer-added' : 'serializer-removed',
        before: before && serializerName(before),
        after: after && serializerName(after),
      },
    ];
  }
  if (serializerClassOf(before) !== serializerClassOf(after)) {
    return [{ role, path, what: 'class', before: serializerName(before), after: serializerName(after) }];
  }
  // The same serializer in two snapshot forms (a pre-1.7 serializer and its 1.7+ snapshot): their versions and raw
  // payloads mean different things, the rest compares.
  const sameForm = before.class === after.class;
  const changes: SerializerChange[] = [];
  const add = (what: SerializerChange['what'], b: string | null, a: string | null) =>
    changes.push({ role, path, what, before: b, after: a });
  if (sameForm && before.version !== after.version) add('version', String(before.version), String(after.version));
  if ((before.type ?? null) !== (after.type ?? null)) add('type', before.type ?? null, after.type ?? null);
  if (before.fields || after.fields) {
    const bFields = new Map((before.fields ?? []).map((f) => [f.name, f.serializer]));
    const aFields = new Map((after.fields ?? []).map((f) => [f.name, f.serializer]));
    for (const [name, serializer] of bFields) {
      if (!aFields.has(name)) {
        changes.push({ role, path: `${path}.fields.${name}`, what: 'field-removed', before: name, after: null });
      } else {
        changes.push(...diffSerializers(role, serializer, aFields.get(name) ?? null, `${path}.fields.${name}`));
      }
    }
    for (const name of aFields.keys()) {
      if (!bFields.has(name)) {
        changes.push({ role, path: `${path}.fields.${name}`, what: 'field-added', before: null, after: name });
      }
    }
  }
  const bNested = before.nested ?? [];
  const aNested = after.nested ?? [];
  // Across forms, a side that decoded no nested serializers (an unknown snapshot's raw payload) says nothing of them.
  const nestedKnown = sameForm || (before.nested !== undefined && after.nested !== undefined);
  if (nestedKnown && bNested.length !== aNested.length) {
    add('arity', String(bNested.length), String(aNested.length));
  } else if (nestedKnown) {
    bNested.forEach((n, i) => changes.push(...diffSerializers(role, n, aNested[i], `${path}.nested[${i}]`)));
  }
  if ((before.schema ?? null) !== (after.schema ?? null)) {
    add('avro-schema', before.schema ?? null, after.schema ?? null);
  }
  const bConstants = (before.constants ?? []).join(',');
  const aConstants = (after.constants ?? []).join(',');
  if (bConstants !== aConstants) add('enum-constants', bConstants, aConstants);
  const bRegs = (before.registrations ?? []).join(',');
  const aRegs = (after.registrations ?? []).join(',');
  if (bRegs !== aRegs) add('kryo-registrations', bRegs, aRegs);
  // Table API snapshots: Flink restores RowData, ArrayData and MapData state only into the same LogicalTypes
  const bTypes = (before.logicalTypes ?? []).map((t) => t.type).join(', ');
  const aTypes = (after.logicalTypes ?? []).map((t) => t.type).join(', ');
  if (bTypes !== aTypes) add('logical-types', bTypes, aTypes);
  if (sameForm && ((before.raw ?? null) !== (after.raw ?? null) || before.rawLength !== after.rawLength)) {
    add('snapshot-bytes', before.raw ?? null, after.raw ?? null);
  }
  return changes;
}

/** The differences between one state in two snapshots (null when they are the same). */
export function diffState(before: StateSchema, after: StateSchema): StateDiff | null {
  const serializers = [
    ...diffSerializers('key', before.keySerializer, after.keySerializer),
    ...diffSerializers('namespace', before.namespaceSerializer, after.namespaceSerializer),
    ...diffSerializers('value', before.valueSerializer, after.valueSerializer),
  ];
  const kindChanged = before.kind !== after.kind;
  if (!kindChanged && serializers.length === 0) return null;
  return {
    name: before.name,
    backend: before.backend,
    change: 'changed',
    ...(kindChanged ? { kind: { before: before.kind, after: after.kind } } : {}),
    serializers,
    before,
    after,
  };
}

function diffOperator(before: OperatorSchema | null, after: OperatorSchema | null): OperatorSchemaDiff | null {
  const any = (after ?? before) as OperatorSchema;
  const bStates = new Map((before?.states ?? []).map((s) => [stateKey(s), s]));
  const aStates = new Map((after?.states ?? []).map((s) => [stateKey(s), s]));
  const states: StateDiff[] = [];
  for (const [key, b] of bStates) {
    const a = aStates.get(key);
    if (a === undefined) {
      states.push({ name: b.name, backend: b.backend, change: 'removed', serializers: [], before: b, after: null });
    } else {
      const d = diffState(b, a);
      if (d) states.push(d);
    }
  }
  for (const [key, a] of aStates) {
    if (!bStates.has(key)) {
      states.push({ name: a.name, backend: a.backend, change: 'added', serializers: [], before: null, after: a });
    }
  }
  if (before !== null && after !== null && states.length === 0) return null;
  return {
    operatorId: any.operatorId,
    uid: after?.uid ?? before?.uid ?? null,
    name: after?.name ?? before?.name ?? null,
    change: before === null ? 'added' : after === null ? 'removed' : 'changed',
    states,
  };
}

/** The state schema differences between two snapshots, operators matched by operator id (as a restore maps them). */
export function diffSchemas(before: readonly OperatorSchema[], after: readonly OperatorSchema[]): SchemaDiff {
  const afterById = new Map(after.map((op) => [op.operatorId, op]));
  const beforeIds = new Set(before.map((op) => op.operatorId));
  const operators: OperatorSchemaDiff[] = [];
  for (const b of before) {
    const d = diffOperator(b, afterById.get(b.operatorId) ?? null);
    if (d) operators.push(d);
  }
  for (const a of after) {
    if (!beforeIds.has(a.operatorId)) {
      const d = diffOperator(null, a);
      if (d) operators.push(d);
    }
  }
  return { operators };
}

/** One line per change, in Flink's words, for the CLI and the editor. */
export function describeSerializerChange(c: SerializerChange): string {
  switch (c.what) {
    case 'class':
      return `${c.path}: serializer ${c.before} → ${c.after}`;
    case 'version':
      return `${c.path}: snapshot version ${c.before} → ${c.after}`;
    case 'type':
      return `${c.path}: type ${c.before ?? '-'} → ${c.after ?? '-'}`;
    case 'field-added':
      return `${c.path}: field '${c.after}' added`;
    case 'field-removed':
      return `${c.path}: field '${c.before}' removed`;
    case 'arity':
      return `${c.path}: ${c.before} → ${c.after} nested serializers (arity)`;
    case 'avro-schema':
      return `${c.path}: Avro schema changed`;
    case 'enum-constants':
      return `${c.path}: enum constants [${c.before}] → [${c.after}]`;
    case 'kryo-registrations':
      return `${c.path}: Kryo registrations [${c.before}] → [${c.after}]`;
    case 'logical-types':
      return `${c.path}: logical types [${c.before}] → [${c.after}]`;
    case 'snapshot-bytes':
      return `${c.path}: serializer snapshot content changed`;
    case 'serializer-added':
      return `${c.path}: serializer ${c.after} added`;
    case 'serializer-removed':
      return `${c.path}: serializer ${c.before} removed`;
  }
}
