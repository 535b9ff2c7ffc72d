import type { OperatorSchema } from '../core/state';
import type { SerializerSnapshotNode } from '../core/state/serializerSnapshot';
import { serializerName } from '../core/state/schemaDiff';
import type { SerializerView, StateSectionModel } from '../../media/protocol';

/** Avro schemas and raw bytes are cut to this many characters in the page; the CLI's `schema --json` has them whole. */
const DETAIL_CHARS = 2000;

function detailOf(node: SerializerSnapshotNode): string | null {
  if (node.constants) return `constants: ${node.constants.join(', ')}`;
  if (node.registrations && node.registrations.length > 0) {
    return `Kryo registrations: ${node.registrations.join(', ')}`;
  }
  if (node.schema !== undefined) return `Avro schema: ${node.schema.slice(0, DETAIL_CHARS)}`;
  if (node.rawLength !== undefined) return `${node.rawLength} bytes not decoded: ${node.raw ?? ''}`;
  return null;
}

export function serializerView(role: string, node: SerializerSnapshotNode): SerializerView {
  const children: SerializerView[] = [
    ...(node.fields ?? []).map((f) =>
      f.serializer === null
        ? { label: 'no serializer written', role: f.name, className: '', detail: null, children: [] }
        : serializerView(f.name, f.serializer),
    ),
    ...(node.nested ?? []).map((n, i) => serializerView(`[${i}]`, n)),
  ];
  return {
    label: `${serializerName(node)}${node.type !== undefined ? `<${node.type}>` : ''} v${node.version}`,
    role,
    className: node.class,
    detail: detailOf(node),
    children,
  };
}

/** The State section's model: operators in the snapshot's order, labelled as the operator table labels them. */
export function buildStateSection(schemas: readonly OperatorSchema[]): StateSectionModel {
  return {
    error: null,
    operators: schemas
      .filter((op) => op.states.length > 0 || op.problems.length > 0)
      .map((op) => ({
        operatorId: op.operatorId,
        label: op.name ?? op.uid ?? op.operatorId,
        states: op.states.map((s) => ({
          name: s.name,
          kind: s.kind,
          backend: s.backend,
          ttl: s.ttl !== null,
          serializers: [
            s.keySerializer && serializerView('key', s.keySerializer),
            s.namespaceSerializer && serializerView('namespace', s.namespaceSerializer),
            s.valueSerializer && serializerView('value', s.valueSerializer),
          ].filter((v): v is SerializerView => v !== null),
        })),
        problems: op.problems.map((p) => `${p.file}: ${p.message}`),
      })),
  };
}
