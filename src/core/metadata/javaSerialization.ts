import { ByteReader } from './byteReader';
import { MetadataError } from './errors';

/**
 * A small reader for the Java Object Serialization stream format (protocol version 2), enough to walk any stream
 * built from serializable classes, strings, enums and arrays without knowing the classes. Field values are kept by
 * name; arrays only by length. Constructs it cannot walk without the class (old-style Externalizable data, serialized
 * exceptions) raise {@link JavaStreamUnsupported}; malformed or truncated streams raise {@link MetadataError}.
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

const MAX_DEPTH = 64;

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
}

export type JavaValue = null | boolean | number | string | JavaObject | JavaEnum | JavaArray | JavaClassDesc;

/** The stream uses a construct that cannot be walked without the Java class at hand. */
export class JavaStreamUnsupported extends Error {}

/** Reads a stream header and exactly one top-level object from `r`. */
export function readJavaSerializedObject(r: ByteReader): JavaValue {
  return new JavaStreamReader(r).readStream();
}

class JavaStreamReader {
  private readonly handles: (JavaValue | undefined)[] = [];
  private depth = 0;

  constructor(private readonly r: ByteReader) {}

  readStream(): JavaValue {
    const r = this.r;
    const at = r.pos;
    const magic = r.u16('Java serialization stream magic');
    const version = r.u16('Java serialization stream version');
    if (magic !== 0xaced || version !== 5) {
      throw new MetadataError(
        'invalid',
        at,
        `expected a Java serialization stream (AC ED 00 05) with the checkpoint properties, found ${hex(magic)} ${hex(version)}`,
      );
    }
    return this.content();
  }

  private content(): JavaValue {
    const r = this.r;
    if (++this.depth > MAX_DEPTH) {
      throw new MetadataError('invalid', r.pos, `Java serialization stream nested more than ${MAX_DEPTH} deep`);
    }
    try {
      for (;;) {
        const at = r.pos;
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
          case TC_CLASS: {
            const desc = this.classDesc();
            return this.newHandle(desc);
          }
          case TC_ENUM:
            return this.enumConstant();
          case TC_RESET:
            this.handles.length = 0;
            continue;
          case TC_BLOCKDATA:
            r.skip(r.u8('block data length'), 'block data');
            continue;
          case TC_BLOCKDATALONG: {
            const lenAt = r.pos;
            const n = r.i32('block data length');
            if (n < 0) throw new MetadataError('invalid', lenAt, `negative Java block data length ${n}`);
            r.skip(n, 'block data');
            continue;
          }
          case TC_EXCEPTION:
            throw new JavaStreamUnsupported('the stream holds a serialized exception');
          default:
            throw new MetadataError('invalid', at, `unknown Java serialization type code 0x${tc.toString(16)}`);
        }
      }
    } finally {
      this.depth--;
    }
  }

  private newHandle<T extends JavaValue>(value: T): T {
    this.handles.push(value);
    return value;
  }

  private reference(at: number): JavaValue {
    const handle = this.r.i32('Java back-reference handle') - BASE_WIRE_HANDLE;
    if (handle < 0 || handle >= this.handles.length || this.handles[handle] === undefined) {
      throw new MetadataError(
        'invalid',
        at,
        `Java back-reference to unknown handle 0x${(handle + BASE_WIRE_HANDLE).toString(16)}`,
      );
    }
    return this.handles[handle] as JavaValue;
  }

  private longString(): string {
    const start = this.r.pos;
    const n = this.r.i64('Java long string length');
    if (n < 0) throw new MetadataError('invalid', start, `negative Java long string length ${n}`);
    return this.r.modifiedUtf8(n, 'Java long string', start);
  }

  /** A class descriptor in a classDesc position: new, proxy, null or a back-reference. */
  private classDesc(): JavaClassDesc | null {
    const at = this.r.pos;
    const value = this.content();
    if (value !== null && (typeof value !== 'object' || value.kind !== 'class')) {
      throw new MetadataError('invalid', at, 'expected a Java class descriptor');
    }
    return value;
  }

  private classDescBody(tc: number): JavaClassDesc {
    const r = this.r;
    if (tc === TC_PROXYCLASSDESC) {
      const slot = this.handles.length;
      this.handles.push(undefined);
      const countAt = r.pos;
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
    const countAt = r.pos;
    const count = r.u16('Java field count');
    r.checkCount(count, 3, 'Java fields', countAt);
    const fields: JavaFieldDesc[] = [];
    for (let i = 0; i < count; i++) {
      const codeAt = r.pos;
      const typeCode = String.fromCharCode(r.u8('Java field type code'));
      const fieldName = r.utf('Java field name');
      if (typeCode === 'L' || typeCode === '[') {
        const typeAt = r.pos;
        if (typeof this.content() !== 'string') {
          throw new MetadataError('invalid', typeAt, 'expected the Java field type name');
        }
      } else if (!'BCDFIJSZ'.includes(typeCode)) {
        throw new MetadataError('invalid', codeAt, `unknown Java field type code '${typeCode}'`);
      }
      fields.push({ typeCode, name: fieldName });
    }
    const desc: JavaClassDesc = { kind: 'class', name, flags, fields, superClass: null };
    this.handles[slot] = desc;
    this.annotation();
    desc.superClass = this.classDesc();
    return desc;
  }

  /** Class or object annotation: contents up to TC_ENDBLOCKDATA. */
  private annotation(): void {
    const r = this.r;
    for (;;) {
      if (r.peek() === TC_ENDBLOCKDATA) {
        r.pos++;
        return;
      }
      this.content();
    }
  }

  private object(): JavaObject {
    const r = this.r;
    const descAt = r.pos;
    const desc = this.classDesc();
    if (desc === null) throw new MetadataError('invalid', descAt, 'a Java object without a class descriptor');
    const obj: JavaObject = this.newHandle({ kind: 'object', className: desc.name, fields: new Map() });
    const chain: JavaClassDesc[] = [];
    for (let d: JavaClassDesc | null = desc; d !== null; d = d.superClass) {
      if (chain.length > MAX_DEPTH) throw new MetadataError('invalid', descAt, 'Java class hierarchy too deep');
      chain.push(d);
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const d = chain[i];
      if (d.flags & SC_EXTERNALIZABLE) {
        if (!(d.flags & SC_BLOCK_DATA)) {
          throw new JavaStreamUnsupported(`${d.name} is Externalizable without block data`);
        }
        this.annotation();
        continue;
      }
      for (const field of d.fields) obj.fields.set(field.name, this.fieldValue(field.typeCode));
      if (d.flags & SC_WRITE_METHOD) this.annotation();
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
    const descAt = r.pos;
    const desc = this.classDesc();
    if (desc === null) throw new MetadataError('invalid', descAt, 'a Java array without a class descriptor');
    const countAt = r.pos;
    const length = r.i32('Java array length');
    const array = this.newHandle<JavaArray>({ kind: 'array', className: desc.name, length });
    const element = desc.name.charAt(1);
    const size = { Z: 1, B: 1, C: 2, S: 2, I: 4, F: 4, J: 8, D: 8 }[element];
    r.checkCount(length, size ?? 1, 'Java array elements', countAt);
    if (size !== undefined) {
      r.pos += length * size;
    } else {
      for (let i = 0; i < length; i++) this.content();
    }
    return array;
  }

  private enumConstant(): JavaEnum {
    const r = this.r;
    const descAt = r.pos;
    const desc = this.classDesc();
    if (desc === null) throw new MetadataError('invalid', descAt, 'a Java enum without a class descriptor');
    const value: JavaEnum = this.newHandle({ kind: 'enum', className: desc.name, constant: '' });
    const nameAt = r.pos;
    const name = this.content();
    if (typeof name !== 'string') throw new MetadataError('invalid', nameAt, 'expected the Java enum constant name');
    value.constant = name;
    return value;
  }
}

function hex(v: number): string {
  return v.toString(16).padStart(4, '0').toUpperCase();
}
