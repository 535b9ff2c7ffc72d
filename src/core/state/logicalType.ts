import type { JavaObject, JavaValue } from '../javaObjectStream';
import type { DataInput } from './dataInput';
import { readJavaObject } from './javaSerialization';

/**
 * A Table API `LogicalType` (`org.apache.flink.table.types.logical`), as the Table runtime's serializer snapshots
 * keep it: Java-serialized (`InstantiationUtil.serializeObject`). `type` is Flink's `asSummaryString()`; the other
 * parts are what reading a value of the type needs.
 */
export interface LogicalTypeNode {
  readonly type: string;
  /** `LogicalTypeRoot`: `VARCHAR`, `DECIMAL`, `TIMESTAMP_WITHOUT_TIME_ZONE`, `ROW`, `RAW`, …. */
  readonly root: string;
  readonly nullable: boolean;
  readonly length?: number;
  readonly precision?: number;
  readonly scale?: number;
  /** ROW (and structured types): the fields in order. */
  readonly fields?: readonly { readonly name: string; readonly type: LogicalTypeNode; readonly description?: string }[];
  /** ARRAY, MULTISET: the element type; MAP: `key` and `value`. */
  readonly element?: LogicalTypeNode;
  readonly key?: LogicalTypeNode;
  readonly value?: LogicalTypeNode;
  /** RAW, structured and legacy types: the Java class. */
  readonly class?: string;
}

const LOGICAL = 'org.apache.flink.table.types.logical.';
const MAX_DEPTH = 64;

/**
 * Reads one Java-serialized `LogicalType` at the input's position and moves past it. The stream grammar is walked
 * without the classes; a stream that is not a logical type Flink ships gives an `UNKNOWN` node named by its class.
 */
export function readLogicalType(input: DataInput): LogicalTypeNode {
  return logicalTypeOf(readJavaObject(input), 0);
}

function int(o: JavaObject, name: string): number | undefined {
  const v = o.fields.get(name);
  return typeof v === 'number' ? v : undefined;
}

function enumName(o: JavaObject, name: string): string | undefined {
  const v = o.fields.get(name);
  return v !== null && typeof v === 'object' && v.kind === 'enum' ? v.constant : undefined;
}

function string(v: JavaValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The elements of a serialized `java.util.List` (`ArrayList` or one wrapped by `Collections.unmodifiableList`). */
function listElements(v: JavaValue | undefined, depth: number): readonly JavaValue[] {
  if (v === null || v === undefined || typeof v !== 'object' || depth > 4) return [];
  if (v.kind === 'array') return v.elements ?? [];
  if (v.kind !== 'object') return [];
  const inner = v.fields.get('list') ?? v.fields.get('c') ?? v.fields.get('a');
  if (inner !== undefined) return listElements(inner, depth + 1);
  // an ArrayList's writeObject: its capacity as block data, then the elements
  return (v.annotations ?? []).filter((a): a is JavaValue => a === null || typeof a !== 'object' || a.kind !== 'block');
}

function unknownNode(what: string): LogicalTypeNode {
  return { type: `UNKNOWN(${what})`, root: 'UNKNOWN', nullable: true };
}

/** Flink's `LogicalType#withNullability`. */
function withNullability(nullable: boolean, summary: string): string {
  return nullable ? summary : `${summary} NOT NULL`;
}

function escapeIdentifier(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

export function logicalTypeOf(v: JavaValue, depth: number): LogicalTypeNode {
  if (v === null || typeof v !== 'object' || v.kind !== 'object') return unknownNode(String(v));
  if (depth > MAX_DEPTH) return unknownNode('nested too deep');
  const o = v;
  const cls = o.className;
  if (!cls.startsWith(LOGICAL)) return { ...unknownNode(cls), class: cls };
  const nullable = o.fields.get('isNullable') !== false;
  const root = enumName(o, 'typeRoot') ?? 'UNKNOWN';
  const short = cls.slice(LOGICAL.length);
  const node = (summary: string, parts: Partial<LogicalTypeNode> = {}): LogicalTypeNode => ({
    type: withNullability(nullable, summary),
    root,
    nullable,
    ...parts,
  });
  const child = (name: string) => logicalTypeOf(o.fields.get(name) ?? null, depth + 1);
  switch (short) {
    case 'CharType':
    case 'VarCharType':
    case 'BinaryType':
    case 'VarBinaryType': {
      const length = int(o, 'length') ?? 1;
      const name = { CharType: 'CHAR', VarCharType: 'VARCHAR', BinaryType: 'BINARY', VarBinaryType: 'VARBINARY' }[
        short
      ];
      // VARCHAR and VARBINARY of the largest length are summarised as STRING and BYTES
      if (length === 2147483647 && short === 'VarCharType') return node('STRING', { length });
      if (length === 2147483647 && short === 'VarBinaryType') return node('BYTES', { length });
      return node(`${name}(${length})`, { length });
    }
    case 'DecimalType': {
      const precision = int(o, 'precision') ?? 10;
      const scale = int(o, 'scale') ?? 0;
      return node(`DECIMAL(${precision}, ${scale})`, { precision, scale });
    }
    case 'TimeType': {
      const precision = int(o, 'precision') ?? 0;
      return node(`TIME(${precision})`, { precision });
    }
    case 'TimestampType':
    case 'LocalZonedTimestampType':
    case 'ZonedTimestampType': {
      const precision = int(o, 'precision') ?? 6;
      const kind = enumName(o, 'kind') ?? 'REGULAR';
      const format = {
        TimestampType: `TIMESTAMP(${precision})`,
        LocalZonedTimestampType: `TIMESTAMP_LTZ(${precision})`,
        ZonedTimestampType: `TIMESTAMP(${precision}) WITH TIME ZONE`,
      }[short];
      const summary = withNullability(nullable, format);
      return { type: kind === 'REGULAR' ? summary : `${summary} *${kind}*`, root, nullable, precision };
    }
    case 'DayTimeIntervalType':
      return node(dayTimeInterval(o), {
        precision: int(o, 'dayPrecision'),
        scale: int(o, 'fractionalPrecision'),
      });
    case 'YearMonthIntervalType':
      return node(yearMonthInterval(o), { precision: int(o, 'yearPrecision') });
    case 'ArrayType':
    case 'MultisetType': {
      const element = child('elementType');
      return node(`${short === 'ArrayType' ? 'ARRAY' : 'MULTISET'}<${element.type}>`, { element });
    }
    case 'MapType': {
      const key = child('keyType');
      const value = child('valueType');
      return node(`MAP<${key.type}, ${value.type}>`, { key, value });
    }
    case 'RowType': {
      const fields = listElements(o.fields.get('fields'), 0).map((f) => {
        const field = f !== null && typeof f === 'object' && f.kind === 'object' ? f : null;
        const name = string(field?.fields.get('name')) ?? '?';
        const type = logicalTypeOf(field?.fields.get('type') ?? null, depth + 1);
        const description = string(field?.fields.get('description'));
        return { name, type, ...(description !== undefined ? { description } : {}) };
      });
      const summary = fields
        .map(
          (f) =>
            `${escapeIdentifier(f.name)} ${f.type.type}` +
            (f.description !== undefined ? ` '${f.description.replace(/'/g, "''")}'` : ''),
        )
        .join(', ');
      return node(`ROW<${summary}>`, { fields });
    }
    case 'RawType': {
      const clazz = o.fields.get('clazz');
      const name = clazz !== null && typeof clazz === 'object' && clazz.kind === 'class' ? clazz.name : '?';
      // the serializer's snapshot stays out of the summary, as in Flink's
      return node(`RAW('${name}', '...')`, { class: name });
    }
    case 'StructuredType': {
      const implementation = o.fields.get('implementationClass');
      const name =
        implementation !== null && typeof implementation === 'object' && implementation.kind === 'class'
          ? implementation.name
          : undefined;
      const fields = listElements(o.fields.get('attributes'), 0).map((a) => {
        const attribute = a !== null && typeof a === 'object' && a.kind === 'object' ? a : null;
        const description = string(attribute?.fields.get('description'));
        return {
          name: string(attribute?.fields.get('name')) ?? '?',
          type: logicalTypeOf(attribute?.fields.get('type') ?? null, depth + 1),
          ...(description !== undefined ? { description } : {}),
        };
      });
      const attributes = fields
        .map(
          (f) =>
            `${escapeIdentifier(f.name)} ${f.type.type}` +
            (f.description !== undefined ? ` '${f.description.replace(/'/g, "''")}'` : ''),
        )
        .join(', ');
      // Flink 2.1 on names an inline structured type by its class name field (STRUCTURED<'class', attributes>),
      // earlier lines by its implementation class between asterisks
      const className = string(o.fields.get('className'));
      const summary =
        o.fields.get('objectIdentifier') !== null && o.fields.get('objectIdentifier') !== undefined
          ? (name ?? 'STRUCTURED')
          : className !== undefined
            ? `STRUCTURED<'${className}', ${attributes}>`
            : `*${name ?? '?'}<${attributes}>*`;
      return node(summary, { fields, ...((className ?? name) !== undefined ? { class: className ?? name } : {}) });
    }
    case 'DistinctType':
      return child('sourceType');
    case 'LegacyTypeInformationType':
    case 'TypeInformationRawType':
      return node(`LEGACY('${root}')`);
  }
  const simple: Record<string, string> = {
    BooleanType: 'BOOLEAN',
    TinyIntType: 'TINYINT',
    SmallIntType: 'SMALLINT',
    IntType: 'INT',
    BigIntType: 'BIGINT',
    FloatType: 'FLOAT',
    DoubleType: 'DOUBLE',
    DateType: 'DATE',
    NullType: 'NULL',
    DescriptorType: 'DESCRIPTOR',
    VariantType: 'VARIANT',
  };
  if (short in simple) return node(simple[short]);
  return node(short, { class: cls });
}

function dayTimeInterval(o: JavaObject): string {
  const day = int(o, 'dayPrecision') ?? 2;
  const fraction = int(o, 'fractionalPrecision') ?? 6;
  const formats: Record<string, string> = {
    DAY: `INTERVAL DAY(${day})`,
    DAY_TO_HOUR: `INTERVAL DAY(${day}) TO HOUR`,
    DAY_TO_MINUTE: `INTERVAL DAY(${day}) TO MINUTE`,
    DAY_TO_SECOND: `INTERVAL DAY(${day}) TO SECOND(${fraction})`,
    HOUR: 'INTERVAL HOUR',
    HOUR_TO_MINUTE: 'INTERVAL HOUR TO MINUTE',
    HOUR_TO_SECOND: `INTERVAL HOUR TO SECOND(${fraction})`,
    MINUTE: 'INTERVAL MINUTE',
    MINUTE_TO_SECOND: `INTERVAL MINUTE TO SECOND(${fraction})`,
    SECOND: `INTERVAL SECOND(${fraction})`,
  };
  return formats[enumName(o, 'resolution') ?? ''] ?? 'INTERVAL DAY TO SECOND';
}

function yearMonthInterval(o: JavaObject): string {
  const year = int(o, 'yearPrecision') ?? 2;
  const formats: Record<string, string> = {
    YEAR: `INTERVAL YEAR(${year})`,
    YEAR_TO_MONTH: `INTERVAL YEAR(${year}) TO MONTH`,
    MONTH: 'INTERVAL MONTH',
  };
  return formats[enumName(o, 'resolution') ?? ''] ?? 'INTERVAL YEAR TO MONTH';
}
