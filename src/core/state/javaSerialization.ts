import {
  JAVA_STREAM_MAGIC,
  JAVA_STREAM_VERSION,
  javaStreamHeaderAt,
  readJavaContent,
  type JavaStreamOptions,
  type JavaValue,
} from '../javaObjectStream';
import type { DataInput } from './dataInput';
import { StateSchemaError } from './errors';

/**
 * What `java.io.ObjectOutputStream` wrote into a state file (`InstantiationUtil.serializeObject`): Table API
 * `LogicalType`s and `DataType`s in serializer snapshots, and whole serializers before Flink 1.7. Nothing is
 * instantiated: the shared walker gives where the stream ends and, for the serializers, their classes and fields.
 */

const OPTIONS: JavaStreamOptions = {
  errors: {
    invalid: (offset, message) => new StateSchemaError('invalid', offset, message),
    unsupported: (offset, message) => new StateSchemaError('invalid', offset, message),
  },
  maxDepth: 256,
  keepContents: true,
};

/** Whether a Java serialization stream starts at `index` of the input's bytes. */
export function javaStreamAt(input: DataInput, index: number): boolean {
  return javaStreamHeaderAt(input.bytes, index);
}

/** Reads one `ObjectOutputStream` (header and one object) with its fields, array elements and annotations. */
export function readJavaObject(input: DataInput): JavaValue {
  const at = input.offset;
  if (input.u16('the Java serialization stream magic') !== JAVA_STREAM_MAGIC) {
    throw new StateSchemaError('invalid', at, 'a Java-serialized object does not start with the stream magic');
  }
  const version = input.u16('the Java serialization stream version');
  if (version !== JAVA_STREAM_VERSION) {
    throw new StateSchemaError('unsupported-version', at, `Java serialization stream version ${version}`);
  }
  return readJavaContent(input, OPTIONS);
}

/** Skips one `ObjectOutputStream`, returning the class name of its object (null for null or a string). */
export function skipJavaObject(input: DataInput): string | null {
  return javaClassName(readJavaObject(input));
}

export function javaClassName(value: JavaValue): string | null {
  if (value === null || typeof value !== 'object') return null;
  switch (value.kind) {
    case 'object':
    case 'enum':
    case 'array':
      return value.className;
    case 'class':
      return value.name;
  }
}
