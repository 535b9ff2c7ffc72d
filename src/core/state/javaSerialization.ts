import type { DataInput } from './dataInput';
import { StateSchemaError } from './errors';

/**
 * Skips what `java.io.ObjectOutputStream` wrote (the Object Serialization Stream Protocol), for the serializer
 * snapshots that Java-serialize a part of themselves (`InstantiationUtil.serializeObject`: Table API `LogicalType`s and
 * `DataType`s, whole serializers). Nothing is instantiated: the grammar alone gives where the stream ends, which is
 * what the bytes after it need; the class of each top-level object is kept to name what was serialized.
 */

const STREAM_MAGIC = 0xaced;
const STREAM_VERSION = 5;
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
const TC_LONGSTRING = 0x7c;
const TC_PROXYCLASSDESC = 0x7d;
const TC_ENUM = 0x7e;
const BASE_HANDLE = 0x7e0000;
const SC_WRITE_METHOD = 0x01;
const SC_SERIALIZABLE = 0x02;
const SC_EXTERNALIZABLE = 0x04;
const SC_BLOCK_DATA = 0x08;
const MAX_DEPTH = 256;
const MAX_FIELDS = 65535;

const PRIMITIVE_SIZES: Record<string, number> = { B: 1, C: 2, D: 8, F: 4, I: 4, J: 8, S: 2, Z: 1 };

interface ClassDesc {
  readonly name: string;
  readonly flags: number;
  readonly fields: readonly string[];
  readonly superDesc: ClassDesc | null;
}

/** Whether a Java serialization stream starts at `index` of the input's bytes. */
export function javaStreamAt(input: DataInput, index: number): boolean {
  const b = input.bytes;
  return index + 4 <= b.length && ((b[index] << 8) | b[index + 1]) === STREAM_MAGIC && b[index + 3] === STREAM_VERSION;
}

/** Skips one `ObjectOutputStream` (header and one object), returning the class name of that object. */
export function skipJavaObject(input: DataInput): string | null {
  const at = input.offset;
  if (input.u16('the Java serialization stream magic') !== STREAM_MAGIC) {
    throw new StateSchemaError('invalid', at, 'a Java-serialized object does not start with the stream magic');
  }
  const version = input.u16('the Java serialization stream version');
  if (version !== STREAM_VERSION) {
    throw new StateSchemaError('unsupported-version', at, `Java serialization stream version ${version}`);
  }
  return new JavaStream(input).content(0);
}

class JavaStream {
  private readonly handles: (ClassDesc | null)[] = [];

  constructor(private readonly input: DataInput) {}

  /** One content element; the class name of an object, enum, array or class, else null. */
  content(depth: number): string | null {
    const input = this.input;
    if (depth > MAX_DEPTH) {
      throw new StateSchemaError('invalid', input.offset, `Java-serialized objects nested deeper than ${MAX_DEPTH}`);
    }
    const at = input.offset;
    const tc = input.u8('a Java serialization type code');
    switch (tc) {
      case TC_NULL:
        return null;
      case TC_REFERENCE: {
        const ref = this.reference(at);
        return ref?.name ?? null;
      }
      case TC_CLASSDESC:
      case TC_PROXYCLASSDESC:
        input.pos--;
        return this.classDesc(depth)?.name ?? null;
      case TC_OBJECT: {
        const desc = this.classDesc(depth);
        this.handles.push(null);
        this.classData(desc, depth);
        return desc?.name ?? null;
      }
      case TC_STRING:
        this.handles.push(null);
        input.skip(input.u16('the length of a Java string'), 'a Java string');
        return null;
      case TC_LONGSTRING:
        this.handles.push(null);
        input.skip(this.longLength('a Java long string'), 'a Java long string');
        return null;
      case TC_ARRAY: {
        const desc = this.classDesc(depth);
        this.handles.push(null);
        const n = input.count('the length of a Java array', input.remaining);
        const element = desc?.name.charAt(1) ?? 'L';
        const size = PRIMITIVE_SIZES[element];
        if (size !== undefined) input.skip(n * size, 'a Java array');
        else for (let i = 0; i < n; i++) this.content(depth + 1);
        return desc?.name ?? null;
      }
      case TC_CLASS: {
        const desc = this.classDesc(depth);
        this.handles.push(null);
        return desc?.name ?? null;
      }
      case TC_ENUM: {
        const desc = this.classDesc(depth);
        this.handles.push(null);
        this.content(depth + 1);
        return desc?.name ?? null;
      }
      case TC_BLOCKDATA:
        input.skip(input.u8('a Java block length'), 'a Java data block');
        return null;
      case TC_BLOCKDATALONG:
        input.skip(input.count('a Java block length', input.remaining), 'a Java data block');
        return null;
      case TC_RESET:
        this.handles.length = 0;
        return null;
      default:
        throw new StateSchemaError('invalid', at, `Java serialization type code 0x${tc.toString(16)} is not read here`);
    }
  }

  private longLength(what: string): number {
    const at = this.input.offset;
    const n = this.input.i64(`the length of ${what}`);
    if (n < 0n || n > BigInt(this.input.remaining)) {
      throw new StateSchemaError('invalid', at, `the length of ${what} is ${n}`);
    }
    return Number(n);
  }

  private reference(at: number): ClassDesc | null {
    const handle = this.input.i32('a Java object handle') - BASE_HANDLE;
    if (handle < 0 || handle >= this.handles.length) {
      throw new StateSchemaError('invalid', at, `Java object handle ${handle} was never assigned`);
    }
    return this.handles[handle];
  }

  private classDesc(depth: number): ClassDesc | null {
    const input = this.input;
    const at = input.offset;
    const tc = input.u8('a Java class descriptor');
    switch (tc) {
      case TC_NULL:
        return null;
      case TC_REFERENCE:
        return this.reference(at);
      case TC_CLASSDESC: {
        const name = input.utf('a Java class name');
        input.skip(8, 'a serialVersionUID');
        const handle = this.handles.length;
        this.handles.push(null);
        const flags = input.u8(`the flags of ${name}`);
        const n = input.count(`the number of fields of ${name}`, MAX_FIELDS, () => input.u16('a field count'));
        const fields: string[] = [];
        for (let i = 0; i < n; i++) {
          const type = String.fromCharCode(input.u8(`a field type of ${name}`));
          input.utf(`a field name of ${name}`);
          if (type === 'L' || type === '[') this.content(depth + 1);
          else if (PRIMITIVE_SIZES[type] === undefined) {
            throw new StateSchemaError('invalid', input.offset, `field type '${type}' of ${name} is not Java's`);
          }
          fields.push(type);
        }
        this.annotation(depth);
        const desc: ClassDesc = { name, flags, fields, superDesc: this.classDesc(depth + 1) };
        this.handles[handle] = desc;
        return desc;
      }
      case TC_PROXYCLASSDESC: {
        const handle = this.handles.length;
        this.handles.push(null);
        const n = input.count('the number of proxy interfaces', MAX_FIELDS);
        for (let i = 0; i < n; i++) input.utf('a proxy interface name');
        this.annotation(depth);
        const desc: ClassDesc = {
          name: 'java.lang.reflect.Proxy',
          flags: SC_SERIALIZABLE,
          fields: [],
          superDesc: null,
        };
        this.classDesc(depth + 1);
        this.handles[handle] = desc;
        return desc;
      }
      default:
        throw new StateSchemaError('invalid', at, `0x${tc.toString(16)} is not a Java class descriptor`);
    }
  }

  /** Contents up to `TC_ENDBLOCKDATA`: a class annotation or what a `writeObject`/`writeExternal` method wrote. */
  private annotation(depth: number): void {
    while (this.input.u8('a Java annotation') !== TC_ENDBLOCKDATA) {
      this.input.pos--;
      this.content(depth + 1);
    }
  }

  private classData(desc: ClassDesc | null, depth: number): void {
    const chain: ClassDesc[] = [];
    for (let d = desc; d !== null; d = d.superDesc) chain.unshift(d);
    for (const d of chain) {
      if (d.flags & SC_EXTERNALIZABLE) {
        if (!(d.flags & SC_BLOCK_DATA)) {
          throw new StateSchemaError('invalid', this.input.offset, `${d.name} is externalized without block data`);
        }
        this.annotation(depth);
        continue;
      }
      for (const type of d.fields) {
        const size = PRIMITIVE_SIZES[type];
        if (size !== undefined) this.input.skip(size, `a field of ${d.name}`);
        else this.content(depth + 1);
      }
      if (d.flags & SC_WRITE_METHOD) this.annotation(depth);
    }
  }
}
