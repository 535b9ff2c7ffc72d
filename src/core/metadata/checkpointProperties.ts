import { ByteReader } from './byteReader';
import { JavaStreamUnsupported, JavaValue, readJavaSerializedObject } from './javaSerialization';
import type { CheckpointPropertiesInfo } from './model';

const PROPERTIES_CLASS = 'org.apache.flink.runtime.checkpoint.CheckpointProperties';
const CHECKPOINT_TYPE_CLASS = 'org.apache.flink.runtime.checkpoint.CheckpointType';
const SAVEPOINT_TYPE_CLASS = 'org.apache.flink.runtime.checkpoint.SavepointType';

/**
 * Reads the Java-serialized `CheckpointProperties` that V4+ writers append, running to the end of the file.
 * A well-formed stream holding something other than the known classes yields `unparsed` (the operators are already
 * complete at this point); a truncated or malformed stream throws MetadataError like any other part of the file.
 */
export function readCheckpointProperties(r: ByteReader): CheckpointPropertiesInfo {
  let root: JavaValue;
  try {
    root = readJavaSerializedObject(r);
  } catch (error) {
    if (!(error instanceof JavaStreamUnsupported)) throw error;
    r.pos = r.length;
    return { status: 'unparsed', reason: error.message };
  }
  if (root === null) return { status: 'null' };
  if (typeof root !== 'object' || root.kind !== 'object' || root.className !== PROPERTIES_CLASS) {
    return { status: 'unparsed', reason: `expected ${PROPERTIES_CLASS}, found ${describe(root)}` };
  }
  const f = root.fields;
  const type = f.get('checkpointType');
  const bool = (name: string): boolean | null => {
    const v = f.get(name);
    return typeof v === 'boolean' ? v : null;
  };
  const common = {
    status: 'parsed' as const,
    forced: bool('forced'),
    unclaimed: bool('unclaimed'),
    discard: {
      subsumed: bool('discardSubsumed'),
      finished: bool('discardFinished'),
      cancelled: bool('discardCancelled'),
      failed: bool('discardFailed'),
      suspended: bool('discardSuspended'),
    },
  };
  if (type !== null && typeof type === 'object' && type.kind === 'object') {
    const name = type.fields.get('name');
    const typeName = typeof name === 'string' ? name : null;
    if (type.className === CHECKPOINT_TYPE_CLASS) {
      return {
        ...common,
        kind: 'checkpoint',
        typeName,
        formatType: null,
        sharingFilesStrategy: enumName(type.fields.get('sharingFilesStrategy')),
        postCheckpointAction: null,
      };
    }
    if (type.className === SAVEPOINT_TYPE_CLASS) {
      const format = enumName(type.fields.get('formatType'));
      return {
        ...common,
        kind: 'savepoint',
        typeName,
        formatType: format === 'CANONICAL' ? 'canonical' : format === 'NATIVE' ? 'native' : null,
        sharingFilesStrategy: null,
        postCheckpointAction: enumName(type.fields.get('postCheckpointAction')),
      };
    }
  }
  // Before SnapshotType became a class (Flink ≤ 1.15) CheckpointType was an enum such as SAVEPOINT or CHECKPOINT.
  if (type !== null && typeof type === 'object' && type.kind === 'enum' && type.className === CHECKPOINT_TYPE_CLASS) {
    const savepoint = type.constant.includes('SAVEPOINT');
    return {
      ...common,
      kind: savepoint ? 'savepoint' : 'checkpoint',
      typeName: type.constant,
      formatType: savepoint ? 'canonical' : null,
      sharingFilesStrategy: null,
      postCheckpointAction: null,
    };
  }
  return { status: 'unparsed', reason: `unknown checkpoint type ${describe(type ?? null)}` };
}

function enumName(v: JavaValue | undefined): string | null {
  return v !== undefined && v !== null && typeof v === 'object' && v.kind === 'enum' ? v.constant : null;
}

function describe(v: JavaValue): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return v.kind === 'class' ? `class ${v.name}` : `${v.kind} ${v.className}`;
}
