import type { DataInput } from '../dataInput';
import { StateSchemaError } from '../errors';
import type { StateValue, ValueDecoder } from './decode';

type Schema = string | Schema[] | { [key: string]: unknown };

const MAX_BLOCK = 1 << 24;

/** `DataOutputEncoder#writeVarLongCount`: an unsigned 7-bit varint, the item count of an array or map block. */
function blockCount(input: DataInput, what: string): number {
  let v = 0;
  for (let shift = 0; ; shift += 7) {
    const b = input.u8(what);
    v += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
    if (shift > 49) throw new StateSchemaError('invalid', input.offset, `${what} is not a varint`);
  }
  if (v > MAX_BLOCK) throw new StateSchemaError('invalid', input.offset, `${what} ${v} is out of range`);
  return v;
}

/** `DataOutputEncoder#writeBytes`: a 4-byte length, then the bytes. */
function raw(input: DataInput, what: string): Uint8Array {
  const n = input.count(`the length of ${what}`, input.remaining);
  const b = input.bytes.subarray(input.pos, input.pos + n);
  input.pos += n;
  return b;
}

function float(input: DataInput, n: 4 | 8): number {
  input.need(n, n === 4 ? 'an Avro float' : 'an Avro double');
  const view = new DataView(input.bytes.buffer, input.bytes.byteOffset + input.pos, n);
  input.pos += n;
  return n === 4 ? view.getFloat32(0) : view.getFloat64(0);
}

function long(input: DataInput): number | string {
  const v = input.i64('an Avro long');
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** Array and map items: blocks of a count each, until a zero count. */
function blocks(input: DataInput, what: string, item: () => void): void {
  for (;;) {
    const n = blockCount(input, `a block count of ${what}`);
    if (n === 0) return;
    for (let i = 0; i < n; i++) item();
  }
}

/**
 * A decoder of Avro values by the writer schema Flink keeps in the `AvroSerializerSnapshot`, in the encoding
 * `AvroSerializer` writes them with (Flink's `DataOutputEncoder`: Java `DataOutput` primitives, 4-byte lengths, union
 * branches and enum indexes, varint block counts): records as objects, unions as their branch's value.
 */
export function avroDecoder(schemaText: string): ValueDecoder {
  let root: Schema;
  try {
    root = JSON.parse(schemaText) as Schema;
  } catch {
    return (input) => {
      throw new StateSchemaError('invalid', input.offset, 'the Avro schema in the snapshot is not JSON');
    };
  }
  const named = new Map<string, Schema>();
  const register = (s: Schema, namespace: string): void => {
    if (Array.isArray(s)) {
      s.forEach((b) => register(b, namespace));
    } else if (typeof s === 'object') {
      const ns = typeof s.namespace === 'string' ? s.namespace : namespace;
      if (typeof s.name === 'string') {
        named.set(s.name, s);
        named.set(s.name.includes('.') ? s.name : `${ns}.${s.name}`, s);
      }
      if (Array.isArray(s.fields)) for (const f of s.fields as { type: Schema }[]) register(f.type, ns);
      if (s.items !== undefined) register(s.items as Schema, ns);
      if (s.values !== undefined) register(s.values as Schema, ns);
      if (typeof s.type === 'object') register(s.type as Schema, ns);
    }
  };
  register(root, '');
  const read = (s: Schema, input: DataInput, depth: number): StateValue => {
    if (depth > 64) throw new StateSchemaError('invalid', input.offset, 'Avro values nested deeper than 64');
    if (Array.isArray(s)) {
      const branch = input.i32('an Avro union branch');
      if (branch < 0 || branch >= s.length) {
        throw new StateSchemaError('invalid', input.offset, `Avro union branch ${branch} of ${s.length}`);
      }
      return read(s[branch], input, depth + 1);
    }
    if (typeof s === 'object') {
      const type = s.type as Schema;
      switch (type) {
        case 'record':
        case 'error': {
          const out: { [key: string]: StateValue } = {};
          for (const f of (s.fields ?? []) as { name: string; type: Schema }[]) {
            out[f.name] = read(f.type, input, depth + 1);
          }
          return out;
        }
        case 'enum': {
          const symbols = (s.symbols ?? []) as string[];
          const i = input.i32('an Avro enum index');
          return symbols[i] ?? i;
        }
        case 'array': {
          const out: StateValue[] = [];
          blocks(input, 'an Avro array', () => out.push(read(s.items as Schema, input, depth + 1)));
          return out;
        }
        case 'map': {
          const out: { [key: string]: StateValue } = {};
          blocks(input, 'an Avro map', () => {
            const key = new TextDecoder().decode(raw(input, 'an Avro map key'));
            out[key] = read(s.values as Schema, input, depth + 1);
          });
          return out;
        }
        case 'fixed': {
          const size = Number(s.size);
          input.need(size, 'an Avro fixed');
          const b = input.bytes.subarray(input.pos, input.pos + size);
          input.pos += size;
          return Buffer.from(b).toString('hex');
        }
        default:
          return read(type, input, depth + 1);
      }
    }
    switch (s) {
      case 'null':
        return null;
      case 'boolean':
        return input.bool('an Avro boolean');
      case 'int':
        return input.i32('an Avro int');
      case 'long':
        return long(input);
      case 'float':
        return float(input, 4);
      case 'double':
        return float(input, 8);
      case 'bytes':
        return Buffer.from(raw(input, 'Avro bytes')).toString('hex');
      case 'string':
        return new TextDecoder().decode(raw(input, 'an Avro string'));
    }
    const ref = named.get(s);
    if (ref === undefined) throw new StateSchemaError('invalid', input.offset, `Avro type '${s}' is not in the schema`);
    return read(ref, input, depth + 1);
  };
  return (input) => read(root, input, 0);
}
