import type { StateSchema } from './schema';
import type { SerializerSnapshotNode } from './serializerSnapshot';

/**
 * "Beyond one machine": for state too large to scan here, the code that reads the same state on the user's Flink
 * cluster, written from the schema read from the snapshot: the Flink SQL of the `savepoint` connector (Flink 2.1+)
 * and a State Processor API job (every line with `flink-state-processor-api`).
 */

/** A URI as the generated code may name it: without user name and password (Flink takes those from its configuration). */
export function withoutUserInfo(uri: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*@)?(.*)$/i.exec(uri);
  return m === null ? uri : `${m[1]}${m[3]}`;
}

export class GenerateError extends Error {
  override readonly name = 'GenerateError';
}

export type GeneratedLanguage = 'sql' | 'java';

export interface GenerateRequest {
  /** Where the snapshot is, as Flink reads it (`state.path`, `SavepointReader.read`): never with credentials. */
  readonly snapshotUri: string;
  /** The Flink line that will run the code, e.g. `2.2`. */
  readonly flinkLine: string;
  /** The state backend that reads the snapshot (native RocksDB snapshots need RocksDB). */
  readonly backend: 'hashmap' | 'rocksdb';
  readonly operator: { readonly operatorId: string; readonly uid: string | null; readonly name: string | null };
  readonly states: readonly StateSchema[];
}

export interface GeneratedCode {
  readonly language: GeneratedLanguage;
  readonly text: string;
  /** States the code does not read, each with why. */
  readonly skipped: readonly { readonly state: string; readonly reason: string }[];
}

/** What a serializer snapshot serializes, in the words of Java, Flink's TypeInformation and Flink SQL. */
interface TypeOf {
  /** The Java type (boxed), e.g. `Long`, `Tuple2<String, Long>`, `com.acme.Event`. */
  readonly java: string;
  /** An expression of its `TypeInformation`. */
  readonly info: string;
  /** Its SQL type for the savepoint connector, or null when the connector cannot map it. */
  readonly sql: string | null;
  /** The user classes the code names (they must be on the job's classpath). */
  readonly userClasses: readonly string[];
  readonly avro: boolean;
  /** POJO fields its SQL type leaves out (the savepoint connector cannot map them). */
  readonly sqlOmitted?: readonly string[];
}

class Unsupported extends Error {}

const BASIC: Readonly<Record<string, readonly [string, string, string | null]>> = {
  LongSerializer: ['Long', 'Types.LONG', 'BIGINT'],
  IntSerializer: ['Integer', 'Types.INT', 'INT'],
  StringSerializer: ['String', 'Types.STRING', 'STRING'],
  BooleanSerializer: ['Boolean', 'Types.BOOLEAN', 'BOOLEAN'],
  DoubleSerializer: ['Double', 'Types.DOUBLE', 'DOUBLE'],
  FloatSerializer: ['Float', 'Types.FLOAT', 'FLOAT'],
  ShortSerializer: ['Short', 'Types.SHORT', 'SMALLINT'],
  ByteSerializer: ['Byte', 'Types.BYTE', 'TINYINT'],
  CharSerializer: ['Character', 'Types.CHAR', null],
  BigDecSerializer: ['java.math.BigDecimal', 'Types.BIG_DEC', null],
  BigIntSerializer: ['java.math.BigInteger', 'Types.BIG_INT', null],
  InstantSerializer: ['java.time.Instant', 'Types.INSTANT', null],
  LocalDateSerializer: ['java.time.LocalDate', 'Types.LOCAL_DATE', null],
  LocalTimeSerializer: ['java.time.LocalTime', 'Types.LOCAL_TIME', null],
  LocalDateTimeSerializer: ['java.time.LocalDateTime', 'Types.LOCAL_DATE_TIME', null],
  SqlTimestampSerializer: ['java.sql.Timestamp', 'Types.SQL_TIMESTAMP', null],
  SqlDateSerializer: ['java.sql.Date', 'Types.SQL_DATE', null],
  SqlTimeSerializer: ['java.sql.Time', 'Types.SQL_TIME', null],
  BytePrimitiveArraySerializer: ['byte[]', 'PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO', null],
};

const PRIMITIVE_ARRAYS: Readonly<Record<string, string>> = {
  IntPrimitiveArraySerializer: 'int',
  LongPrimitiveArraySerializer: 'long',
  DoublePrimitiveArraySerializer: 'double',
  FloatPrimitiveArraySerializer: 'float',
  ShortPrimitiveArraySerializer: 'short',
  CharPrimitiveArraySerializer: 'char',
  BooleanPrimitiveArraySerializer: 'boolean',
};

/** `…base.LongSerializer$LongSerializerSnapshot` → `LongSerializer`; `…PojoSerializerSnapshot` → itself. */
function serializerOf(node: SerializerSnapshotNode): string {
  const simple = node.class.slice(node.class.lastIndexOf('.') + 1);
  return simple.split('$')[0];
}

/** A class's name in Java source: nested classes' `$` becomes `.`. */
export function sourceName(binaryName: string): string {
  return binaryName.replace(/\$/g, '.');
}

/** Without Flink's TTL wrapper (which adds the last access time): the user's own serializer. */
function withoutTtl(node: SerializerSnapshotNode): SerializerSnapshotNode {
  if (serializerOf(node).startsWith('TtlStateFactory') && node.nested?.length === 2) return node.nested[1];
  return node;
}

function typeOf(node: SerializerSnapshotNode | null): TypeOf {
  if (node === null) throw new Unsupported('its serializer is not in the snapshot');
  const s = serializerOf(node);
  const nested = (node.nested ?? []).map((n) => typeOf(withoutTtl(n)));
  const merge = (parts: readonly TypeOf[]) => ({
    userClasses: [...new Set(parts.flatMap((p) => p.userClasses))],
    avro: parts.some((p) => p.avro),
  });
  const basic = BASIC[s];
  if (basic !== undefined) return { java: basic[0], info: basic[1], sql: basic[2], userClasses: [], avro: false };
  const primitive = PRIMITIVE_ARRAYS[s];
  if (primitive !== undefined) {
    return {
      java: `${primitive}[]`,
      info: `PrimitiveArrayTypeInfo.${primitive.toUpperCase()}_PRIMITIVE_ARRAY_TYPE_INFO`,
      sql: null,
      userClasses: [],
      avro: false,
    };
  }
  switch (s) {
    case 'NullableSerializer':
      if (nested.length !== 1) break;
      return nested[0];
    case 'TupleSerializerSnapshot': {
      if (nested.length === 0 || nested.length > 25) break;
      return {
        java: `Tuple${nested.length}<${nested.map((n) => n.java).join(', ')}>`,
        info: `Types.TUPLE(${nested.map((n) => n.info).join(', ')})`,
        sql: null,
        ...merge(nested),
      };
    }
    case 'RowSerializer':
      return { java: 'Row', info: `Types.ROW(${nested.map((n) => n.info).join(', ')})`, sql: null, ...merge(nested) };
    case 'ListSerializerSnapshot':
      if (nested.length !== 1) break;
      return {
        java: `List<${nested[0].java}>`,
        info: `Types.LIST(${nested[0].info})`,
        sql: nested[0].sql === null ? null : `ARRAY<${nested[0].sql}>`,
        ...merge(nested),
      };
    case 'MapSerializerSnapshot':
      if (nested.length !== 2) break;
      return {
        java: `Map<${nested[0].java}, ${nested[1].java}>`,
        info: `Types.MAP(${nested[0].info}, ${nested[1].info})`,
        sql: nested[0].sql === null || nested[1].sql === null ? null : `MAP<${nested[0].sql}, ${nested[1].sql}>`,
        ...merge(nested),
      };
    case 'GenericArraySerializerSnapshot':
      if (nested.length !== 1) break;
      return {
        java: `${nested[0].java}[]`,
        info: `Types.OBJECT_ARRAY(${nested[0].info})`,
        sql: null,
        ...merge(nested),
      };
    case 'JavaEitherSerializerSnapshot':
      if (nested.length !== 2) break;
      return {
        java: `Either<${nested[0].java}, ${nested[1].java}>`,
        info: `new EitherTypeInfo<>(${nested[0].info}, ${nested[1].info})`,
        sql: null,
        ...merge(nested),
      };
    case 'EnumSerializer':
      if (node.type === undefined) break;
      return {
        java: sourceName(node.type),
        info: `Types.ENUM(${sourceName(node.type)}.class)`,
        sql: null,
        userClasses: [node.type],
        avro: false,
      };
    case 'PojoSerializerSnapshot': {
      if (node.type === undefined) break;
      const fields = (node.fields ?? []).map((f) => ({
        name: f.name,
        type: f.serializer ? tryTypeOf(f.serializer) : null,
      }));
      // The connector maps a POJO's scalar fields by name; it fails on collection fields, so those are left out.
      const scalar = fields.filter((f) => f.type?.sql != null && !f.type.sql.includes('<'));
      const sql =
        scalar.length > 0 ? `ROW<${scalar.map((f) => `${quoteSql(f.name)} ${f.type?.sql}`).join(', ')}>` : null;
      const sqlOmitted = fields.filter((f) => !scalar.includes(f)).map((f) => f.name);
      return {
        java: sourceName(node.type),
        info: `Types.POJO(${sourceName(node.type)}.class)`,
        sql,
        userClasses: [node.type],
        avro: false,
        ...(sqlOmitted.length > 0 ? { sqlOmitted } : {}),
      };
    }
    case 'KryoSerializerSnapshot':
      if (node.type === undefined) break;
      return {
        java: sourceName(node.type),
        info: `new GenericTypeInfo<>(${sourceName(node.type)}.class)`,
        sql: null,
        userClasses: [node.type],
        avro: false,
      };
    case 'AvroSerializerSnapshot':
      if (node.type === 'org.apache.avro.generic.GenericRecord') {
        if (node.schema === undefined) throw new Unsupported('its Avro schema is not in the snapshot');
        return {
          java: 'GenericRecord',
          info: `new GenericRecordAvroTypeInfo(new Schema.Parser().parse(${javaString(node.schema)}))`,
          sql: null,
          userClasses: [],
          avro: true,
        };
      }
      if (node.type === undefined) break;
      return {
        java: sourceName(node.type),
        info: `new AvroTypeInfo<>(${sourceName(node.type)}.class)`,
        sql: null,
        userClasses: [node.type],
        avro: true,
      };
  }
  throw new Unsupported(`no TypeInformation is known here for its serializer ${node.class}`);
}

function tryTypeOf(node: SerializerSnapshotNode): TypeOf | null {
  try {
    return typeOf(withoutTtl(node));
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
}

/** A Java string literal. */
export function javaString(text: string): string {
  let out = '"';
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (c === '\\' || c === '"') out += `\\${c}`;
    else if (code < 0x20 || code > 0x7e) {
      for (const unit of c.split('')) out += `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
    } else out += c;
  }
  return `${out}"`;
}

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function quoteSql(identifier: string): string {
  return `\`${identifier.replace(/`/g, '``')}\``;
}

/** A Java identifier from a state name: `v-int` → `vInt`, `_timer_state/x` → `timerStateX`. */
function javaIdentifier(name: string, taken: Set<string>): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  let id = words
    .map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1)))
    .join('');
  if (!/^[A-Za-z_]/.test(id)) id = `state${id}`;
  let unique = id;
  for (let i = 2; taken.has(unique); i++) unique = `${id}${i}`;
  taken.add(unique);
  return unique;
}

/** The value and element types of a state, per kind: list state holds elements, map state keys and values. */
interface StateTypes {
  readonly state: StateSchema;
  readonly key: TypeOf | null;
  readonly value: TypeOf;
  readonly userKey: TypeOf | null;
  readonly ttl: boolean;
}

function stateTypes(state: StateSchema): StateTypes {
  if (state.kind === 'priority-queue') throw new Unsupported('timers are read with the Context of the reader function');
  if (state.kind === 'unknown' || state.kind === 'folding') {
    throw new Unsupported(`${state.kind} state is not read by the State Processor API`);
  }
  const outer = state.valueSerializer;
  if (outer === null) throw new Unsupported('its serializer is not in the snapshot');
  const key = state.keySerializer !== null ? typeOf(state.keySerializer) : null;
  const ttl = state.ttl !== null;
  if (state.kind === 'list' || state.kind === 'union') {
    if (serializerOf(outer) !== 'ListSerializerSnapshot' || outer.nested?.length !== 1) {
      // Operator list state stores its element serializer directly.
      return { state, key, value: typeOf(withoutTtl(outer)), userKey: null, ttl };
    }
    return { state, key, value: typeOf(withoutTtl(outer.nested[0])), userKey: null, ttl };
  }
  if (state.kind === 'map') {
    if (serializerOf(outer) !== 'MapSerializerSnapshot' || outer.nested?.length !== 2) {
      throw new Unsupported(`map state with serializer ${outer.class}`);
    }
    return { state, key, value: typeOf(withoutTtl(outer.nested[1])), userKey: typeOf(outer.nested[0]), ttl };
  }
  if (state.kind === 'broadcast') {
    // Broadcast state: the key serializer is the map key's.
    return { state, key: null, value: typeOf(withoutTtl(outer)), userKey: key, ttl };
  }
  return { state, key, value: typeOf(withoutTtl(outer)), userKey: null, ttl };
}

function lineOf(flinkLine: string): { major: number; minor: number } {
  const m = /^(\d+)\.(\d+)/.exec(flinkLine);
  if (m === null) throw new GenerateError(`'${flinkLine}' is not a Flink version`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

/**
 * `flink-state-processor-api` is not published for every patch release (1.20's newest is 1.20.0); the line's newest
 * that is, as of this writing, works with the line's other artifacts.
 */
export function stateProcessorVersion(flinkLine: string): string {
  const { major, minor } = lineOf(flinkLine);
  return `${major}.${minor}.0`;
}

function operatorIdentifier(req: GenerateRequest): string {
  return req.operator.uid !== null
    ? `OperatorIdentifier.forUid(${javaString(req.operator.uid)})`
    : `OperatorIdentifier.forUidHash(${javaString(req.operator.operatorId)})`;
}

function describeOperator(req: GenerateRequest): string {
  const op = req.operator;
  return [op.uid !== null ? `uid '${op.uid}'` : null, op.name !== null ? `'${op.name}'` : null, `id ${op.operatorId}`]
    .filter(Boolean)
    .join(', ');
}

/** Where credentials for the snapshot's store go: Flink's configuration, never the generated code. */
function credentialsNote(uri: string): string | null {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
  switch (scheme) {
    case 's3':
    case 's3a':
    case 's3p':
      return "Credentials for S3 come from Flink's configuration (s3.access-key / s3.secret-key, or the AWS credential chain), not from this code.";
    case 'hdfs':
    case 'webhdfs':
    case 'swebhdfs':
      return "HDFS access (Kerberos, user) comes from Flink's Hadoop configuration, not from this code.";
    case 'ftp':
    case 'ftps':
      return 'Flink reads no FTP store: copy the snapshot to a file system Flink reads (local, HDFS, S3) and use that path.';
    default:
      return null;
  }
}

/** The Flink SQL that reads an operator's keyed state with the `savepoint` connector, and the snapshot's metadata. */
export function generateSql(req: GenerateRequest): GeneratedCode {
  const { major, minor } = lineOf(req.flinkLine);
  if (major < 2 || (major === 2 && minor < 1)) {
    throw new GenerateError(
      `the savepoint SQL connector comes with Flink 2.1; for Flink ${req.flinkLine} generate the State Processor API job (--generate java)`,
    );
  }
  const skipped: { state: string; reason: string }[] = [];
  const columns: string[] = [];
  const options: string[] = [];
  const classes = new Set<string>();
  const omitted: string[] = [];
  let key: TypeOf | null = null;
  for (const state of req.states) {
    if (state.backend !== 'keyed') {
      skipped.push({ state: state.name, reason: 'the savepoint connector reads keyed state only' });
      continue;
    }
    if (state.ttl !== null) {
      skipped.push({
        state: state.name,
        reason:
          'the savepoint connector has no TTL setting, and Flink refuses TTL state read without one; the State Processor API job reads it',
      });
      continue;
    }
    if (state.kind === 'reducing' || state.kind === 'aggregating') {
      // It registers each column as value, list or map state; Flink refuses another kind under the same name.
      skipped.push({
        state: state.name,
        reason: `the savepoint connector reads value, list and map state, not ${state.kind} state; the State Processor API job reads it`,
      });
      continue;
    }
    let t: StateTypes;
    try {
      t = stateTypes(state);
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      skipped.push({ state: state.name, reason: error.message });
      continue;
    }
    const valueSql =
      state.kind === 'list'
        ? t.value.sql === null
          ? null
          : `ARRAY<${t.value.sql}>`
        : state.kind === 'map'
          ? t.value.sql === null || t.userKey?.sql == null
            ? null
            : `MAP<${t.userKey.sql}, ${t.value.sql}>`
          : t.value.sql;
    if (valueSql === null || t.key === null || t.key.sql === null) {
      skipped.push({
        state: state.name,
        reason: `the savepoint connector maps primitive, String and POJO types only (this state holds ${t.value.java}); the State Processor API job reads it`,
      });
      continue;
    }
    key ??= t.key;
    if (t.value.sqlOmitted !== undefined) {
      omitted.push(
        `'${state.name}' without the fields ${t.value.sqlOmitted.join(', ')} (collections: the savepoint connector maps a POJO's scalar fields only)`,
      );
    }
    const column = quoteSql(state.name);
    columns.push(`  ${column} ${valueSql}`);
    const kind = state.kind === 'list' ? 'LIST' : state.kind === 'map' ? 'MAP' : 'VALUE';
    options.push(`  'fields.${state.name}.state-type' = '${kind.toLowerCase()}'`);
    if (t.value.userClasses.length > 0) {
      options.push(`  'fields.${state.name}.value-class' = ${sqlString(t.value.userClasses[0])}`);
      classes.add(t.value.userClasses[0]);
    }
  }
  if (key === null) {
    throw new GenerateError(
      `no keyed state of operator ${describeOperator(req)} can be read with the savepoint connector${skipped.length > 0 ? `: ${skipped.map((s) => `'${s.state}': ${s.reason}`).join('; ')}` : ''}`,
    );
  }
  const table = `state_${(req.operator.uid ?? req.operator.operatorId).replace(/[^A-Za-z0-9_]/g, '_')}`;
  const note = credentialsNote(req.snapshotUri);
  const header = [
    `-- Reads the keyed state of operator ${describeOperator(req)} on Flink ${req.flinkLine}+ (the savepoint connector of`,
    `-- flink-state-processor-api ${stateProcessorVersion(req.flinkLine)} on the classpath: ADD JAR or Flink's lib/ folder).`,
    ...(classes.size > 0
      ? [`-- The job's classes must be on the classpath (ADD JAR): ${[...classes].join(', ')}.`]
      : []),
    ...(note !== null ? [`-- ${note}`] : []),
    ...omitted.map((o) => `-- Read as ${o}.`),
    ...skipped.map((s) => `-- Not read here: '${s.state}': ${s.reason}.`),
  ];
  const text = [
    ...header,
    '',
    'LOAD MODULE state;',
    '',
    `SELECT * FROM savepoint_metadata(${sqlString(req.snapshotUri)});`,
    '',
    `CREATE TABLE ${table} (`,
    `  k ${key.sql},`,
    ...columns.map((c) => `${c},`),
    '  PRIMARY KEY (k) NOT ENFORCED',
    ') WITH (',
    [
      `  'connector' = 'savepoint'`,
      `  'state.backend.type' = '${req.backend}'`,
      `  'state.path' = ${sqlString(req.snapshotUri)}`,
      req.operator.uid !== null
        ? `  'operator.uid' = ${sqlString(req.operator.uid)}`
        : `  'operator.uid.hash' = '${req.operator.operatorId}'`,
      ...options,
    ].join(',\n'),
    ');',
    '',
    `SELECT * FROM ${table};`,
    '',
  ].join('\n');
  return { language: 'sql', text, skipped };
}

/** The Maven dependencies of the generated job, per Flink line. */
function pomSnippet(req: GenerateRequest, avro: boolean): string[] {
  const flink = `${req.flinkLine}.x`;
  const dep = (artifact: string, version: string, scope?: string) =>
    `  <dependency><groupId>org.apache.flink</groupId><artifactId>${artifact}</artifactId><version>${version}</version>${scope ? `<scope>${scope}</scope>` : ''}</dependency>`;
  return [
    '<dependencies>',
    dep('flink-state-processor-api', stateProcessorVersion(req.flinkLine)),
    dep('flink-streaming-java', `${flink} (the cluster's)`, 'provided'),
    dep('flink-clients', `${flink} (the cluster's)`, 'provided'),
    ...(req.backend === 'rocksdb' ? [dep('flink-statebackend-rocksdb', `${flink} (the cluster's)`, 'provided')] : []),
    ...(avro ? [dep('flink-avro', `${flink} (the cluster's)`)] : []),
    '</dependencies>',
  ];
}

/** A State Processor API job that prints the operator's state as JSON lines, the way `state --json` prints it. */
export function generateJava(req: GenerateRequest, className = 'ReadState', javaPackage?: string): GeneratedCode {
  const { major } = lineOf(req.flinkLine);
  const skipped: { state: string; reason: string }[] = [];
  const keyed: (StateTypes & { field: string })[] = [];
  const operator: StateTypes[] = [];
  const taken = new Set<string>(['out', 'key', 'ctx', 'json', 'emit']);
  for (const state of req.states) {
    try {
      const t = stateTypes(state);
      if (state.backend === 'keyed') keyed.push({ ...t, field: javaIdentifier(state.name, taken) });
      else operator.push(t);
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      skipped.push({ state: state.name, reason: error.message });
    }
  }
  if (keyed.length === 0 && operator.length === 0) {
    throw new GenerateError(
      `no state of operator ${describeOperator(req)} can be read${skipped.length > 0 ? `: ${skipped.map((s) => `'${s.state}': ${s.reason}`).join('; ')}` : ''}`,
    );
  }
  const keyTypes = [...new Set(keyed.map((k) => k.key?.java ?? 'Object'))];
  if (keyTypes.length > 1) {
    throw new GenerateError(`the operator's keyed states disagree on the key type (${keyTypes.join(', ')})`);
  }
  const all = [...keyed, ...operator];
  const userClasses = [
    ...new Set(
      all.flatMap((t) => [...t.value.userClasses, ...(t.userKey?.userClasses ?? []), ...(t.key?.userClasses ?? [])]),
    ),
  ];
  const avro = all.some((t) => t.value.avro || t.userKey?.avro === true);
  const note = credentialsNote(req.snapshotUri);
  const backend =
    req.backend === 'rocksdb'
      ? major >= 2
        ? 'new org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend()'
        : 'new org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend()'
      : 'new HashMapStateBackend()';
  const key = keyed[0]?.key;
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  push(
    '/*',
    ` * Reads the state of operator ${describeOperator(req)} with Flink ${req.flinkLine}'s State Processor API and prints it`,
    ' * as JSON lines, one entry each: {"state", "key", "userKey" (map state), "value"} (operator state: no key).',
    ` * Generated by flink-checkpoints from the snapshot's state schema. Run it on the cluster (flink run -c ${className})`,
    ' * or locally; the snapshot path is the first argument, or the one below.',
    ...(userClasses.length > 0
      ? [
          ' *',
          ` * The job's own classes must be on the classpath (its jar): ${userClasses.join(', ')}.`,
          " * Their TypeInformation here must match the job's (a POJO by Types.POJO, a Kryo type by GenericTypeInfo).",
        ]
      : []),
    ...(note !== null ? [' *', ` * ${note}`] : []),
    ...(skipped.length > 0 ? [' *', ' * Not read:', ...skipped.map((s) => ` *   '${s.state}': ${s.reason}.`)] : []),
    ' *',
    ' * Maven:',
    ...pomSnippet(req, avro).map((l) => ` * ${l}`),
    ' */',
  );
  const imports = new Set<string>([
    'org.apache.flink.api.common.typeinfo.Types',
    'org.apache.flink.runtime.state.hashmap.HashMapStateBackend',
    'org.apache.flink.state.api.OperatorIdentifier',
    'org.apache.flink.state.api.SavepointReader',
    'org.apache.flink.streaming.api.environment.StreamExecutionEnvironment',
    'java.lang.reflect.Array',
    'java.lang.reflect.Field',
    'java.lang.reflect.Modifier',
    'java.util.ArrayList',
    'java.util.Comparator',
    'java.util.List',
    'java.util.Map',
    'org.apache.flink.api.java.tuple.Tuple',
    'org.apache.flink.types.Row',
    'org.apache.flink.types.Either',
  ]);
  const code = all
    .map((t) => [t.value.java, t.value.info, t.userKey?.info ?? '', t.userKey?.java ?? ''])
    .flat()
    .join(' ');
  if (/\bTuple\d+</.test(code)) {
    for (const n of new Set(code.match(/\bTuple\d+(?=<)/g))) imports.add(`org.apache.flink.api.java.tuple.${n}`);
  }
  if (code.includes('PrimitiveArrayTypeInfo')) {
    imports.add('org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo');
  }
  if (code.includes('EitherTypeInfo')) imports.add('org.apache.flink.api.java.typeutils.EitherTypeInfo');
  if (code.includes('GenericTypeInfo<')) imports.add('org.apache.flink.api.java.typeutils.GenericTypeInfo');
  if (code.includes('GenericRecordAvroTypeInfo')) {
    imports.add('org.apache.flink.formats.avro.typeutils.GenericRecordAvroTypeInfo');
    imports.add('org.apache.avro.Schema');
    imports.add('org.apache.avro.generic.GenericRecord');
  }
  if (code.includes('new AvroTypeInfo<')) imports.add('org.apache.flink.formats.avro.typeutils.AvroTypeInfo');
  if (keyed.length > 0) {
    imports.add('org.apache.flink.state.api.functions.KeyedStateReaderFunction');
    imports.add('org.apache.flink.util.Collector');
    imports.add(
      major >= 2 ? 'org.apache.flink.api.common.functions.OpenContext' : 'org.apache.flink.configuration.Configuration',
    );
    if (keyed.some((k) => k.ttl)) {
      imports.add('org.apache.flink.api.common.state.StateTtlConfig');
      imports.add('java.time.Duration');
    }
    for (const k of keyed) {
      const d = DESCRIPTORS[k.state.kind as keyof typeof DESCRIPTORS];
      imports.add(`org.apache.flink.api.common.state.${d.state}`);
      imports.add(`org.apache.flink.api.common.state.${d.descriptor}`);
      if (k.state.kind === 'reducing') imports.add('org.apache.flink.api.common.functions.ReduceFunction');
      if (k.state.kind === 'aggregating') imports.add('org.apache.flink.api.common.functions.AggregateFunction');
    }
  }
  if (javaPackage !== undefined) push('', `package ${javaPackage};`);
  push('', ...[...imports].sort().map((i) => `import ${i};`), '');
  push(`public class ${className} {`);
  push(`    static final String SNAPSHOT = ${javaString(req.snapshotUri)};`, '');
  push('    public static void main(String[] args) throws Exception {');
  push('        String path = args.length > 0 ? args[0] : SNAPSHOT;');
  push('        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();');
  push(`        SavepointReader savepoint = SavepointReader.read(env, path, ${backend});`);
  push(`        OperatorIdentifier operator = ${operatorIdentifier(req)};`);
  if (keyed.length > 0 && key) {
    push(`        savepoint.readKeyedState(operator, new Reader(), ${key.info}, Types.STRING).print();`);
  }
  for (const t of operator) {
    const name = javaString(t.state.name);
    if (t.state.kind === 'broadcast') {
      push(
        `        savepoint.readBroadcastState(operator, ${name}, ${t.userKey?.info ?? 'Types.STRING'}, ${t.value.info})`,
        `                .map(e -> entry(${name}, null, e.f0, e.f1)).returns(Types.STRING).print();`,
      );
    } else {
      const read = t.state.kind === 'union' ? 'readUnionState' : 'readListState';
      push(
        `        savepoint.${read}(operator, ${name}, ${t.value.info})`,
        `                .map(v -> entry(${name}, null, null, v)).returns(Types.STRING).print();`,
      );
    }
  }
  push(
    `        env.execute(${javaString(`read the state of ${req.operator.uid ?? req.operator.operatorId}`)});`,
    '    }',
    '',
  );
  if (keyed.length > 0 && key) {
    push(`    static final class Reader extends KeyedStateReaderFunction<${key.java}, String> {`);
    for (const k of keyed) {
      const d = DESCRIPTORS[k.state.kind as keyof typeof DESCRIPTORS];
      push(`        private transient ${d.state}<${d.generic(k)}> ${k.field};`);
    }
    push('');
    push(major >= 2 ? '        @Override' : '        @Override');
    push(
      major >= 2
        ? '        public void open(OpenContext context) {'
        : '        public void open(Configuration parameters) {',
    );
    for (const k of keyed) {
      const d = DESCRIPTORS[k.state.kind as keyof typeof DESCRIPTORS];
      const descriptor = `new ${d.descriptor}<>(${javaString(k.state.name)}, ${d.args(k)})`;
      if (k.ttl) {
        push(`            ${d.descriptor}<${d.generic(k)}> ${k.field}Descriptor = ${descriptor};`);
        push(
          `            // The snapshot keeps TTL's timestamps, not its configuration: any time to live reads the entries.`,
        );
        push(
          `            ${k.field}Descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofDays(365_000))`,
          '                    .setStateVisibility(StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp).build());',
        );
        push(`            ${k.field} = getRuntimeContext().${d.getter}(${k.field}Descriptor);`);
      } else {
        push(`            ${k.field} = getRuntimeContext().${d.getter}(${descriptor});`);
      }
    }
    push('        }', '');
    push('        @Override');
    push(`        public void readKey(${key.java} key, Context ctx, Collector<String> out) throws Exception {`);
    for (const k of keyed) {
      const name = javaString(k.state.name);
      switch (k.state.kind) {
        case 'map':
          push(`            for (Map.Entry<${k.userKey?.java}, ${k.value.java}> e : ${k.field}.entries()) {`);
          push(`                out.collect(entry(${name}, key, e.getKey(), e.getValue()));`, '            }');
          break;
        case 'list':
          push(`            List<${k.value.java}> ${k.field}Values = new ArrayList<>();`);
          push(`            ${k.field}.get().forEach(${k.field}Values::add);`);
          push(
            `            if (!${k.field}Values.isEmpty()) out.collect(entry(${name}, key, null, ${k.field}Values));`,
          );
          break;
        default:
          push(
            `            ${k.value.java} ${k.field}Value = ${k.field}.${k.state.kind === 'value' ? 'value' : 'get'}();`,
          );
          push(`            if (${k.field}Value != null) out.collect(entry(${name}, key, null, ${k.field}Value));`);
      }
    }
    push('        }', '    }', '');
  }
  push(...JSON_HELPERS);
  push('}', '');
  return { language: 'java', text: lines.join('\n'), skipped };
}

const DESCRIPTORS = {
  value: {
    state: 'ValueState',
    descriptor: 'ValueStateDescriptor',
    getter: 'getState',
    generic: (k: StateTypes) => k.value.java,
    args: (k: StateTypes) => k.value.info,
  },
  list: {
    state: 'ListState',
    descriptor: 'ListStateDescriptor',
    getter: 'getListState',
    generic: (k: StateTypes) => k.value.java,
    args: (k: StateTypes) => k.value.info,
  },
  map: {
    state: 'MapState',
    descriptor: 'MapStateDescriptor',
    getter: 'getMapState',
    generic: (k: StateTypes) => `${k.userKey?.java}, ${k.value.java}`,
    args: (k: StateTypes) => `${k.userKey?.info}, ${k.value.info}`,
  },
  reducing: {
    state: 'ReducingState',
    descriptor: 'ReducingStateDescriptor',
    getter: 'getReducingState',
    generic: (k: StateTypes) => k.value.java,
    // Reading returns the stored value; the job's reduce function is only called on add.
    args: (k: StateTypes) =>
      `(ReduceFunction<${k.value.java}>) (a, b) -> { throw new UnsupportedOperationException("read only"); }, ${k.value.info}`,
  },
  aggregating: {
    state: 'AggregatingState',
    descriptor: 'AggregatingStateDescriptor',
    getter: 'getAggregatingState',
    generic: (k: StateTypes) => `Object, ${k.value.java}`,
    // The snapshot holds the accumulator: this function hands it out as the result, unchanged.
    args: (k: StateTypes) =>
      `new AggregateFunction<Object, ${k.value.java}, ${k.value.java}>() {
                public ${k.value.java} createAccumulator() { throw new UnsupportedOperationException("read only"); }
                public ${k.value.java} add(Object in, ${k.value.java} acc) { throw new UnsupportedOperationException("read only"); }
                public ${k.value.java} getResult(${k.value.java} acc) { return acc; }
                public ${k.value.java} merge(${k.value.java} a, ${k.value.java} b) { throw new UnsupportedOperationException("read only"); }
            }, ${k.value.info}`,
  },
} as const;

/** JSON as `flink-checkpoints state --json` writes values: tuples as arrays, rows as kind and fields, maps as key/value entries. */
const JSON_HELPERS = [
  '    static String entry(String state, Object key, Object userKey, Object value) {',
  '        StringBuilder b = new StringBuilder("{\\"state\\":");',
  '        json(b, state);',
  '        if (key != null) {',
  '            b.append(",\\"key\\":");',
  '            json(b, key);',
  '        }',
  '        if (userKey != null) {',
  '            b.append(",\\"userKey\\":");',
  '            json(b, userKey);',
  '        }',
  '        b.append(",\\"value\\":");',
  '        json(b, value);',
  "        return b.append('}').toString();",
  '    }',
  '',
  '    static void json(StringBuilder b, Object v) {',
  '        if (v == null) {',
  '            b.append("null");',
  '        } else if (v instanceof Boolean || (v instanceof Number && !(v instanceof java.math.BigDecimal)',
  '                && !(v instanceof java.math.BigInteger) && Double.isFinite(((Number) v).doubleValue())',
  '                // beyond 2^53 a long is text, as in `state --json`: JSON readers keep numbers as doubles',
  '                && !(v instanceof Long && ((Long) v > (1L << 53) - 1 || (Long) v < 1 - (1L << 53))))) {',
  '            b.append(v);',
  '        } else if (v instanceof CharSequence || v instanceof Character || v instanceof Enum || v instanceof Number',
  '                || v instanceof java.time.temporal.TemporalAccessor || v instanceof java.util.Date) {',
  '            String s = v instanceof Enum ? ((Enum<?>) v).name() : v.toString();',
  "            b.append('\"');",
  '            for (char c : s.toCharArray()) {',
  "                if (c == '\"' || c == '\\\\') b.append('\\\\').append(c);",
  '                else if (c < 0x20) b.append(String.format("\\\\u%04x", (int) c));',
  '                else b.append(c);',
  '            }',
  "            b.append('\"');",
  '        } else if (v.getClass().getName().startsWith("org.apache.avro.")) {',
  "            // Avro's records print themselves as JSON.",
  '            b.append(v);',
  '        } else if (v instanceof Tuple) {',
  '            List<Object> fields = new ArrayList<>();',
  '            for (int i = 0; i < ((Tuple) v).getArity(); i++) fields.add(((Tuple) v).getField(i));',
  '            json(b, fields);',
  '        } else if (v instanceof Row) {',
  '            List<Object> fields = new ArrayList<>();',
  '            for (int i = 0; i < ((Row) v).getArity(); i++) fields.add(((Row) v).getField(i));',
  '            b.append("{\\"kind\\":");',
  '            json(b, ((Row) v).getKind().shortString());',
  '            b.append(",\\"fields\\":");',
  '            json(b, fields);',
  "            b.append('}');",
  '        } else if (v instanceof Either) {',
  '            Either<?, ?> e = (Either<?, ?>) v;',
  '            b.append(e.isLeft() ? "{\\"left\\":" : "{\\"right\\":");',
  '            json(b, e.isLeft() ? e.left() : e.right());',
  "            b.append('}');",
  '        } else if (v instanceof Map) {',
  "            b.append('[');",
  '            String sep = "";',
  '            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {',
  '                b.append(sep).append("{\\"key\\":");',
  '                json(b, e.getKey());',
  '                b.append(",\\"value\\":");',
  '                json(b, e.getValue());',
  "                b.append('}');",
  '                sep = ",";',
  '            }',
  "            b.append(']');",
  '        } else if (v instanceof Iterable || v.getClass().isArray()) {',
  '            List<Object> items = new ArrayList<>();',
  '            if (v instanceof Iterable) ((Iterable<?>) v).forEach(items::add);',
  '            else for (int i = 0; i < Array.getLength(v); i++) items.add(Array.get(v, i));',
  "            b.append('[');",
  '            for (int i = 0; i < items.size(); i++) {',
  "                if (i > 0) b.append(',');",
  '                json(b, items.get(i));',
  '            }',
  "            b.append(']');",
  '        } else {',
  "            // A POJO (or any other class): its fields by name, as Flink orders a POJO's.",
  '            List<Field> fields = new ArrayList<>();',
  '            for (Class<?> c = v.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {',
  '                for (Field f : c.getDeclaredFields()) {',
  '                    if (!Modifier.isStatic(f.getModifiers()) && !Modifier.isTransient(f.getModifiers())) fields.add(f);',
  '                }',
  '            }',
  '            fields.sort(Comparator.comparing(Field::getName));',
  "            b.append('{');",
  '            String sep = "";',
  '            for (Field f : fields) {',
  '                f.setAccessible(true);',
  '                b.append(sep);',
  '                json(b, f.getName());',
  "                b.append(':');",
  '                try {',
  '                    json(b, f.get(v));',
  '                } catch (IllegalAccessException e) {',
  '                    throw new IllegalStateException(e);',
  '                }',
  '                sep = ",";',
  '            }',
  "            b.append('}');",
  '        }',
  '    }',
];
