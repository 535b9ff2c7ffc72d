import { CliCommand, CliIo, EXIT_FAILED, EXIT_OK, TIMEOUT_USAGE, UsageError, parseArgs, timeoutFlag } from './command';
import { MetadataError, operatorIdFromUid, type CheckpointMetadata, type OperatorState } from '../core/metadata';
import { readSchemas, type OperatorSchema, type SerializerSnapshotNode } from '../core/state';
import { describeSerializerChange, diffSchemas, type SchemaDiff } from '../core/state/schemaDiff';
import { InputError } from './inspectInput';
import { openSnapshotState } from './snapshotState';
import { table } from './inspectFormat';
import { problemLine } from '../core/state/problems';

/** The serializer's own class, without package and snapshot suffix: `…LongSerializer$LongSerializerSnapshot` → `LongSerializer`. */
function shortName(cls: string): string {
  const simple = cls.slice(cls.lastIndexOf('.') + 1);
  const outer = simple.includes('$') ? simple.slice(0, simple.indexOf('$')) : simple.replace(/Snapshot$/, '');
  return outer;
}

/**
 * One line for a serializer tree: `TupleSerializer<Tuple2>(StringSerializer, LongSerializer)`,
 * `RowDataSerializer<STRING NOT NULL, DECIMAL(38, 2)>`.
 */
export function describeSerializer(node: SerializerSnapshotNode | null): string {
  if (node === null) return '';
  let text = shortName(node.class);
  if (node.type !== undefined) text += `<${node.type}>`;
  if (node.fields) {
    text += ` {${node.fields.map((f) => `${f.name}: ${describeSerializer(f.serializer) || '?'}`).join(', ')}}`;
  }
  if (node.constants) text += ` [${node.constants.join(', ')}]`;
  if (node.registrations && node.registrations.length > 0) text += ` registered [${node.registrations.join(', ')}]`;
  // Table API snapshots: their LogicalTypes say more than the field serializers they imply
  if (node.logicalTypes) text += `<${node.logicalTypes.map((t) => t.type).join(', ')}>`;
  else if (node.nested) text += `(${node.nested.map(describeSerializer).join(', ')})`;
  if (node.rawLength !== undefined) text += ` (${node.rawLength} bytes not decoded)`;
  return text;
}

function formatSchemas(file: string, operators: readonly OperatorSchema[]): string {
  const out = [file];
  for (const op of operators) {
    out.push(
      '',
      `operator ${op.operatorId}${op.uid === null ? '' : `  uid ${op.uid}`}${op.name === null ? '' : `  name ${op.name}`}`,
    );
    if (op.states.length === 0 && op.problems.length === 0) out.push('  no managed state');
    if (op.states.length > 0) {
      const rows = op.states.map((s) => [
        s.name,
        s.kind,
        s.backend,
        describeSerializer(s.keySerializer),
        describeSerializer(s.namespaceSerializer),
        describeSerializer(s.valueSerializer) + (s.ttl ? ' (TTL)' : ''),
      ]);
      out.push(table(['STATE', 'KIND', 'BACKEND', 'KEY', 'NAMESPACE', 'VALUE'], rows).replace(/^/gm, '  '));
    }
    for (const p of op.problems) out.push(`  ${problemLine(p)}`);
  }
  return `${out.join('\n')}\n`;
}

export function operatorFilter(wanted: string | undefined): ((op: OperatorState) => boolean) | undefined {
  if (wanted === undefined) return undefined;
  // Metadata before V5 records no uids, so a uid also matches by the operator id Flink derives from it.
  const fromUid = operatorIdFromUid(wanted);
  return (op) => op.uid === wanted || op.operatorId === wanted.toLowerCase() || op.operatorId === fromUid;
}

/** A snapshot read for its schemas: the parsed metadata and the state schemas of its operators. */
export interface LoadedSnapshot {
  readonly file: string;
  readonly pointer: string;
  readonly metadata: CheckpointMetadata;
  readonly operators: OperatorSchema[];
}

/** Reading a snapshot failed before any schema was read; `code` is the machine-readable reason. */
export class SnapshotLoadError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly offset: number | null,
  ) {
    super(message);
  }
}

/**
 * Reads a snapshot's `_metadata` (path, directory or store URI) and the schemas of its operators from the heads of
 * their state files. `filter` picks operators; its absence reads all.
 */
export async function loadSnapshotSchemas(
  input: string,
  timeoutMs: number | undefined,
  filter?: (op: OperatorState) => boolean,
  wanted?: string,
): Promise<LoadedSnapshot> {
  let snapshot;
  try {
    snapshot = await openSnapshotState(input, timeoutMs);
  } catch (error) {
    if (error instanceof InputError) throw new SnapshotLoadError(error.code, error.message, null);
    if (error instanceof MetadataError) throw new SnapshotLoadError(error.code, error.message, error.offset);
    throw error;
  }
  try {
    const { metadata } = snapshot;
    if (filter && !metadata.operators.some(filter)) {
      throw new SnapshotLoadError('unreadable', `no operator with uid or id '${String(wanted)}'`, null);
    }
    const operators = await readSchemas(metadata, snapshot.access, filter);
    return { file: snapshot.file, pointer: snapshot.pointer, metadata, operators };
  } finally {
    await snapshot.close();
  }
}

function formatSchemaDiff(a: string, b: string, diff: SchemaDiff): string {
  const out = [`a: ${a}`, `b: ${b}`];
  if (diff.operators.length === 0) out.push('', 'the state schemas are the same');
  for (const op of diff.operators) {
    out.push(
      '',
      `operator ${op.operatorId}${op.uid === null ? '' : `  uid ${op.uid}`}${op.name === null ? '' : `  name ${op.name}`}  ${op.change}`,
    );
    for (const s of op.states) {
      const schema = s.after ?? s.before;
      const head = `  ${s.change === 'changed' ? '~' : s.change === 'added' ? '+' : '-'} ${s.backend} state '${s.name}'`;
      if (s.change !== 'changed') {
        out.push(`${head} (${schema?.kind ?? ''}: ${describeSerializer(schema?.valueSerializer ?? null)})`);
        continue;
      }
      out.push(head);
      if (s.kind) out.push(`      kind ${s.kind.before} → ${s.kind.after}`);
      for (const c of s.serializers) out.push(`      ${describeSerializerChange(c)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

const SCHEMA_USAGE = `schema <snapshot> [--operator <uid|id>] [--json] [--timeout <seconds>]   (a _metadata file or checkpoint/savepoint directory, path or store URI)
schema diff <a> <b> [--json] [--timeout <seconds>]   states added/removed, kind and serializer changes per operator

Exits 1 when a state file cannot be read (the rest is still printed, with the problem); diff exits 1 when the schemas differ.
${TIMEOUT_USAGE}`;

async function runDiff(args: string[], io: CliIo): Promise<number> {
  const { positional, flags } = parseArgs(args, ['json'], ['timeout']);
  const timeoutMs = timeoutFlag(flags);
  if (positional.length !== 2) throw new UsageError('schema diff takes two snapshots: schema diff <a> <b>');
  const json = flags.has('json');
  const loaded: LoadedSnapshot[] = [];
  for (const input of positional) {
    try {
      loaded.push(await loadSnapshotSchemas(input, timeoutMs));
    } catch (error) {
      return reportLoadError(error, input, json, io);
    }
  }
  const [a, b] = loaded;
  const diff = diffSchemas(a.operators, b.operators);
  const problems = [...a.operators, ...b.operators].flatMap((op) => op.problems);
  if (json) io.out(`${JSON.stringify({ a: a.file, b: b.file, operators: diff.operators, problems })}\n`);
  else {
    io.out(formatSchemaDiff(a.file, b.file, diff));
    for (const p of problems) io.out(`${problemLine(p)}\n`);
  }
  return diff.operators.length > 0 || problems.length > 0 ? EXIT_FAILED : EXIT_OK;
}

/** A snapshot that cannot be loaded: one JSON line or one message naming it; anything else is not ours to report. */
function reportLoadError(error: unknown, input: string, json: boolean, io: CliIo): number {
  if (!(error instanceof SnapshotLoadError)) throw error;
  if (json) {
    io.out(
      `${JSON.stringify({ file: input, error: { code: error.code, message: error.message, offset: error.offset } })}\n`,
    );
  } else io.err(`${input}: ${error.message}\n`);
  return EXIT_FAILED;
}

export const schemaCommand: CliCommand = {
  name: 'schema',
  summary:
    'The state of each operator of a checkpoint/savepoint: state names, kinds and serializers, read from the head of its state files; `schema diff` compares two',
  usage: SCHEMA_USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    if (args[0] === 'diff') return runDiff(args.slice(1), io);
    const { positional, flags } = parseArgs(args, ['json'], ['timeout', 'operator']);
    const timeoutMs = timeoutFlag(flags);
    if (positional.length !== 1) throw new UsageError('give exactly one snapshot');
    const wanted = flags.get('operator');
    if (wanted === true || wanted === '') throw new UsageError('--operator needs a uid or an operator id');
    const input = positional[0];
    const json = flags.has('json');
    let loaded;
    try {
      const filter = operatorFilter(typeof wanted === 'string' ? wanted : undefined);
      loaded = await loadSnapshotSchemas(input, timeoutMs, filter, typeof wanted === 'string' ? wanted : undefined);
    } catch (error) {
      return reportLoadError(error, input, json, io);
    }
    const { file, operators } = loaded;
    io.out(json ? `${JSON.stringify({ file, operators })}\n` : formatSchemas(file, operators));
    return operators.some((op) => op.problems.length > 0) ? EXIT_FAILED : EXIT_OK;
  },
};
