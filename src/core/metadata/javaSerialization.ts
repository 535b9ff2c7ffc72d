import { JAVA_STREAM_MAGIC, JAVA_STREAM_VERSION, readJavaContent, type JavaStreamOptions } from '../javaObjectStream';
import { ByteReader } from './byteReader';
import { MetadataError } from './errors';

export type { JavaArray, JavaClassDesc, JavaEnum, JavaFieldDesc, JavaObject, JavaValue } from '../javaObjectStream';

/**
 * The Java-serialized `CheckpointProperties` at the end of a `_metadata` file, walked by the shared Java stream walker.
 * Constructs it cannot walk without the class (old-style Externalizable data, serialized exceptions) raise
 * {@link JavaStreamUnsupported}; malformed or truncated streams raise {@link MetadataError}.
 */

/** The stream uses a construct that cannot be walked without the Java class at hand. */
export class JavaStreamUnsupported extends Error {}

const OPTIONS: JavaStreamOptions = {
  errors: {
    invalid: (offset, message) => new MetadataError('invalid', offset, message),
    unsupported: (_offset, message) => new JavaStreamUnsupported(message),
  },
  maxDepth: 64,
  keepContents: false,
};

/** Reads a stream header and exactly one top-level object from `r`. */
export function readJavaSerializedObject(r: ByteReader): ReturnType<typeof readJavaContent> {
  const at = r.pos;
  const magic = r.u16('Java serialization stream magic');
  const version = r.u16('Java serialization stream version');
  if (magic !== JAVA_STREAM_MAGIC || version !== JAVA_STREAM_VERSION) {
    throw new MetadataError(
      'invalid',
      at,
      `expected a Java serialization stream (AC ED 00 05) with the checkpoint properties, found ${hex(magic)} ${hex(version)}`,
    );
  }
  return readJavaContent(r, OPTIONS);
}

function hex(v: number): string {
  return v.toString(16).padStart(4, '0').toUpperCase();
}
