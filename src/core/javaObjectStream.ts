/**
 * A walker of the Java Object Serialization stream format (protocol version 2), shared by the `_metadata` parser
 * (the Java-serialized `CheckpointProperties`) and the state readers (serializer snapshots that Java-serialize a part
 * of themselves, and the Java-serialized serializers of Flink before 1.7). It walks any stream built from
 * serializable classes, strings, enums and arrays without knowing the classes: field values are kept by name, and,
 * when asked, array elements and what `writeObject` methods wrote. Each caller reads through its own cursor and
 * raises its own errors, so offsets and messages stay those of the file being read.
 */

const TC_NULL = 0x70;
const TC_REFERENCE = 0x71;
const TC_CLASSDESC = 0x72;
const TC_OBJECT = 0x73;
const TC_STRING = 0x74;
const TC_ARRAY = 0x75;
const TC_CLASS = 0x76;
const TC_BLOCKDATA = 0x77;
const TC_ENDBLOCKDATA = 0x78;
const TC_RESET = 0x79;
const TC_BLOCKDATALONG = 0x7a;
const TC_EXCEPTION = 0x7b;
const TC_LONGSTRING = 0x7c;
const TC_PROXYCLASSDESC = 0x7d;
const TC_ENUM = 0x7e;
const BASE_WIRE_HANDLE = 0x7e0000;

const SC_WRITE_METHOD = 0x01;
const SC_BLOCK_DATA = 0x08;
const SC_SERIALIZABLE = 0x02;
const SC_EXTERNALIZABLE = 0x04;

const PRIMITIVE_SIZES: Readonly<Record<string, number>> = { Z: 1, B: 1, C: 2, S: 2, I: 4, F: 4, J: 8, D: 8 };

/** `java.io.ObjectStreamConstants.STREAM_MAGIC` and `STREAM_VERSION`. */
export const JAVA_STREAM_MAGIC = 0xaced;
export const JAVA_STREAM_VERSION = 5;

/**
 * A big-endian cursor as `java.io.DataInputStream` reads: the `_metadata` parser's ByteReader and the state readers'
 * DataInput both are one. Running out of bytes is the cursor's own error.
 */
export interface JavaStreamSource {
  /** Where the next byte is in the file, for error offsets. */
  readonly offset: number;
  /** The next byte without consuming it, or -1 at the end. */
  peek(): number;
  u8(what: string): number;
  u16(what: string): number;
  i32(what: string): number;
  i64(what: string): number | bigint;
  f32(what: string): number;
  f64(what: string): number;
  utf(what: string): string;
  /** `n` bytes of modified UTF-8; `start` is where the string's length field began. */
  modifiedUtf8(n: number, what: string, start: number): string;
  skip(n: number, what: string): void;
  /** The next `n` bytes, consumed. */
  take(n: number, what: string): Uint8Array;
  /** Fails unless `count` elements of at least `minSize` bytes each could still follow. */
  checkCount(count: number, minSize: number, what: string, countOffset: number): void;
}

/** How a caller turns what the walker finds wrong into its own error type. */
export interface JavaStreamErrors {
  /** Malformed: the bytes are not a Java serialization stream there. */
  invalid(offset: number, message: string): Error;
  /** A construct that cannot be walked without the Java class at hand (old-style Externalizable, an exception). */
  unsupported(offset: number, message: string): Error;
}

export interface JavaStreamOptions {
  readonly errors: JavaStreamErrors;
  readonly maxDepth: number;
  /** Keep array elements and what `writeObject`/`writeExternal` wrote (annotations), not only field values. */
  readonly keepContents: boolean;
}

export interface JavaFieldDesc {
  readonly typeCode: string;
  readonly name: string;
}

export interface JavaClassDesc {
  readonly kind: 'class';
  readonly name: string;
  readonly flags: number;
  readonly fields: readonly JavaFieldDesc[];
  superClass: JavaClassDesc | null;
}

export interface JavaObject {
  readonly kind: 'object';
  readonly className: string;
  /** Field values of the class and all its serializable superclasses, by field name. */
  readonly fields: Map<string, JavaValue>;
  /** With `keepContents`: what the classes' `writeObject` methods wrote after their fields, superclass first. */
  readonly annotations?: (JavaValue | JavaBlockData)[];
}

export interface JavaEnum {
  readonly kind: 'enum';
  readonly className: string;
  constant: string;
}

export interface JavaArray {
  readonly kind: 'array';
  readonly className: string;
  readonly length: number;
  /** With `keepContents`: the elements of an array of objects. */
  readonly elements?: JavaValue[];
}

/** Primitive data a `writeObject` method wrote (`TC_BLOCKDATA`), kept with `keepContents`. */
export interface JavaBlockData {
  readonly kind: 'block';
  readonly bytes: Uint8Array;
}

export type JavaValue = null | boolean | number | bigint | string | JavaObject | JavaEnum | JavaArray | JavaClassDesc;

/** Whether a stream header (`AC ED 00 05`) is next, without consuming it. */
export function javaStreamHeaderAt(bytes: Uint8Array, index: number): boolean {
  return (
    index + 4 <= bytes.length &&
    ((bytes[index] << 8) | bytes[index + 1]) === JAVA_STREAM_MAGIC &&
    ((bytes[index + 2] << 8) | bytes[index + 3]) === JAVA_STREAM_VERSION
  );
}

/** Reads one content element (after the stream header, which each caller checks in its own words). */
export function readJavaContent(source: JavaStreamSource, options: JavaStreamOptions): JavaValue {
  return new JavaStreamWalker(source, options).content();
}

class JavaStreamWalker {
  private readonly handles: (JavaValue | undefined)[] = [];
  private depth = 0;
  private readonly errors: JavaStreamErrors;
  private readonly maxDepth: number;
  private readonly keep: boolean;

  constructor(
    private readonly r: JavaStreamSource,
    options: JavaStreamOptions,
  ) {
    this.errors = options.errors;
    this.maxDepth = options.maxDepth;
    this.keep = options.keepContents;
  }

  content(): JavaValue {
    const r = this.r;
    if (++this.depth > this.maxDepth) {
      throw this.errors.invalid(r.offset, `Java serialization stream nested more than ${this.maxDepth} deep`);
    }
    try {
      for (;;) {
        const at = r.offset;
        const tc = r.u8('Java serialization type code');
        switch (tc) {
          case TC_NULL:
            return null;
          case TC_REFERENCE:
            return this.reference(at);
          case TC_CLASSDESC:
          case TC_PROXYCLASSDESC:
            return this.classDescBody(tc);
          case TC_OBJECT:
            return this.object();
          case TC_STRING:
            return this.newHandle(r.utf('Java string'));
          case TC_LONGSTRING:
            return this.newHandle(this.longString());
          case TC_ARRAY:
            return this.array();
          case TC_CLASS:
            return this.newHandle(this.classDesc());
          case TC_ENUM:
            return this.enumConstant();
          case TC_RESET:
            this.handles.length = 0;
            continue;
          case TC_BLOCKDATA:
          case TC_BLOCKDATALONG:
            this.blockData(tc);
            continue;
          case TC_EXCEPTION:
            throw this.errors.unsupported(at, 'the stream holds a serialized exception');
          default:
            throw this.errors.invalid(at, `unknown Java serialization type code 0x${tc.toString(16)}`);
        }
      }
    } finally {
      this.depth--;
    }
  }

  private blockData(tc: number): Uint8Array | null {
    const r = this.r;
    let n: number;
    if (tc === TC_BLOCKDATA) {
      n = r.u8('block data length');
    } else {
      const lenAt = r.offset;
      n = r.i32('block data length');
      if (n < 0) throw this.errors.invalid(lenAt, `negative Java block data length ${n}`);
    }
    if (this.keep) return r.take(n, 'block data');
    r.skip(n, 'block data');
    return null;
  }

  private newHandle<T extends JavaValue>(value: T): T {
    this.handles.push(value);
    return value;
  }

  private reference(at: number): JavaValue {
    const handle = this.r.i32('Java back-reference handle') - BASE_WIRE_HANDLE;
    if (handle < 0 || handle >= this.handles.length || this.handles[handle] === undefined) {
      throw this.errors.invalid(
        at,
        `Java back-reference to unknown handle 0x${(handle + BASE_WIRE_HANDLE).toString(16)}`,
      );
    }
    return this.handles[handle] as JavaValue;
  }

  private longString(): string {
    const start = this.r.offset;
    const n = Number(this.r.i64('Java long string length'));
    if (n < 0) throw this.errors.invalid(start, `negative Java long string length ${n}`);
    return this.r.modifiedUtf8(n, 'Java long string', start);
  }

  /** A class descriptor in a classDesc position: new, proxy, null or a back-reference. */
  private classDesc(): JavaClassDesc | null {
    const at = this.r.offset;
    const value = this.content();
    if (value !== null && (typeof value !== 'object' || value.kind !== 'class')) {
      throw this.errors.invalid(at, 'expected a Java class descriptor');
    }
    return value;
  }

  private classDescBody(tc: number): JavaClassDesc {
    const r = this.r;
    if (tc === TC_PROXYCLASSDESC) {
      const slot = this.handles.length;
      this.handles.push(undefined);
      const countAt = r.offset;
      const count = r.i32('number of proxy interfaces');
      r.checkCount(count, 2, 'proxy interfaces', countAt);
      const names: string[] = [];
      for (let i = 0; i < count; i++) names.push(r.utf('proxy interface name'));
      const desc: JavaClassDesc = {
        kind: 'class',
        name: `Proxy(${names.join(', ')})`,
        flags: SC_SERIALIZABLE,
        fields: [],
        superClass: null,
      };
      this.handles[slot] = desc;
      this.annotation();
      desc.superClass = this.classDesc();
      return desc;
    }
    const name = r.utf('Java class name');
    r.skip(8, 'serialVersionUID');
    const slot = this.handles.length;
    this.handles.push(undefined);
    const flags = r.u8('Java class flags');
    const countAt = r.offset;
    const count = r.u16('Java field count');
    r.checkCount(count, 3, 'Java fields', countAt);
    const fields: JavaFieldDesc[] = [];
    for (let i = 0; i < count; i++) {
      const codeAt = r.offset;
      const typeCode = String.fromCharCode(r.u8('Java field type code'));
      const fieldName = r.utf('Java field name');
      if (typeCode === 'L' || typeCode === '[') {
        const typeAt = r.offset;
        if (typeof this.content() !== 'string') {
          throw this.errors.invalid(typeAt, 'expected the Java field type name');
        }
      } else if (PRIMITIVE_SIZES[typeCode] === undefined) {
        throw this.errors.invalid(codeAt, `unknown Java field type code '${typeCode}'`);
      }
      fields.push({ typeCode, name: fieldName });
    }
    const desc: JavaClassDesc = { kind: 'class', name, flags, fields, superClass: null };
    this.handles[slot] = desc;
    this.annotation();
    desc.superClass = this.classDesc();
    return desc;
  }

  /** Class or object annotation: contents up to TC_ENDBLOCKDATA, kept in `into` when given. */
  private annotation(into?: (JavaValue | JavaBlockData)[]): void {
    const r = this.r;
    for (;;) {
      const tc = r.peek();
      if (tc === TC_ENDBLOCKDATA) {
        r.u8('end of block data');
        return;
      }
      if (into && (tc === TC_BLOCKDATA || tc === TC_BLOCKDATALONG)) {
        r.u8('Java serialization type code');
        into.push({ kind: 'block', bytes: this.blockData(tc)! });
        continue;
      }
      const value = this.content();
      into?.push(value);
    }
  }

  private object(): JavaObject {
    const at = this.r.offset;
    const desc = this.classDesc();
    if (desc === null) throw this.errors.invalid(at, 'a Java object without a class descriptor');
    const keep = this.keep;
    const obj: JavaObject = this.newHandle(
      keep
        ? { kind: 'object', className: desc.name, fields: new Map(), annotations: [] }
        : { kind: 'object', className: desc.name, fields: new Map() },
    );
    const chain: JavaClassDesc[] = [];
    for (let d: JavaClassDesc | null = desc; d !== null; d = d.superClass) {
      if (chain.length > this.maxDepth) throw this.errors.invalid(at, 'Java class hierarchy too deep');
      chain.push(d);
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const d = chain[i];
      if (d.flags & SC_EXTERNALIZABLE) {
        if (!(d.flags & SC_BLOCK_DATA)) {
          throw this.errors.unsupported(this.r.offset, `${d.name} is Externalizable without block data`);
        }
        this.annotation(obj.annotations);
        continue;
      }
      for (const field of d.fields) obj.fields.set(field.name, this.fieldValue(field.typeCode));
      if (d.flags & SC_WRITE_METHOD) this.annotation(obj.annotations);
    }
    return obj;
  }

  private fieldValue(typeCode: string): JavaValue {
    const r = this.r;
    switch (typeCode) {
      case 'Z':
        return r.u8('Java boolean') !== 0;
      case 'B': {
        const b = r.u8('Java byte');
        return b > 127 ? b - 256 : b;
      }
      case 'C':
        return r.u16('Java char');
      case 'S': {
        const s = r.u16('Java short');
        return s > 32767 ? s - 65536 : s;
      }
      case 'I':
        return r.i32('Java int');
      case 'J':
        return r.i64('Java long');
      case 'F':
        return r.f32('Java float');
      case 'D':
        return r.f64('Java double');
      default:
        return this.content();
    }
  }

  private array(): JavaArray {
    const r = this.r;
    const descAt = r.offset;
    const desc = this.classDesc();
    if (desc === null) throw this.errors.invalid(descAt, 'a Java array without a class descriptor');
    const countAt = r.offset;
    const length = r.i32('Java array length');
    const size = PRIMITIVE_SIZES[desc.name.charAt(1)];
    const elements = this.keep && size === undefined ? ([] as JavaValue[]) : undefined;
    const array = this.newHandle<JavaArray>(
      elements
        ? { kind: 'array', className: desc.name, length, elements }
        : { kind: 'array', className: desc.name, length },
    );
    r.checkCount(length, size ?? 1, 'Java array elements', countAt);
    if (size !== undefined) {
      r.skip(length * size, 'Java array elements');
    } else {
      for (let i = 0; i < length; i++) {
        const element = this.content();
        elements?.push(element);
      }
    }
    return array;
  }

  private enumConstant(): JavaEnum {
    const r = this.r;
    const descAt = r.offset;
    const desc = this.classDesc();
    if (desc === null) throw this.errors.invalid(descAt, 'a Java enum without a class descriptor');
    const value: JavaEnum = this.newHandle({ kind: 'enum', className: desc.name, constant: '' });
    const nameAt = r.offset;
    const name = this.content();
    if (typeof name !== 'string') throw this.errors.invalid(nameAt, 'expected the Java enum constant name');
    value.constant = name;
    return value;
  }
}
