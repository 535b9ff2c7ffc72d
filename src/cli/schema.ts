import * as fs from 'node:fs';
import { CliCommand, CliIo, EXIT_FAILED, EXIT_OK, TIMEOUT_USAGE, UsageError, parseArgs, timeoutFlag } from './command';
import { MetadataError, operatorIdFromUid, parseMetadata, type ByteSource, type OperatorState } from '../core/metadata';
import { readFully } from '../core/metadata/byteReader';
import { readSchemas, type OperatorSchema, type SerializerSnapshotNode, type StateFileAccess } from '../core/state';
import { InputError, openMetadataInput } from './inspectInput';
import { isStoreUri } from './storeUri';
import { table } from './inspectFormat';
import { storePathOf } from '../core/references/locate';
import { OPEN_READ_NOW, specialFileKind, NotRegularFileError } from '../core/regularFile';

/** The serializer's own class, without package and snapshot suffix: `…LongSerializer$LongSerializerSnapshot` → `LongSerializer`. */
function shortName(cls: string): string {
  const simple = cls.slice(cls.lastIndexOf('.') + 1);
  const outer = simple.includes('$') ? simple.slice(0, simple.indexOf('$')) : simple.replace(/Snapshot$/, '');
  return outer;
}

/** One line for a serializer tree: `TupleSerializer<Tuple2>(StringSerializer, LongSerializer)`. */
export function describeSerializer(node: SerializerSnapshotNode | null): string {
  if (node === null) return '';
  let text = shortName(node.class);
  if (node.type !== undefined) text += `<${node.type}>`;
  if (node.fields) {
    text += ` {${node.fields.map((f) => `${f.name}: ${describeSerializer(f.serializer) || '?'}`).join(', ')}}`;
  }
  if (node.constants) text += ` [${node.constants.join(', ')}]`;
  if (node.registrations && node.registrations.length > 0) text += ` registered [${node.registrations.join(', ')}]`;
  if (node.nested) text += `(${node.nested.map(describeSerializer).join(', ')})`;
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
    for (const p of op.problems) out.push(`  cannot read ${p.file}: ${p.message}`);
  }
  return `${out.join('\n')}\n`;
}

function readSource(source: ByteSource, offset: number, length: number): Uint8Array {
  const target = new Uint8Array(Math.max(0, Math.min(length, source.size - offset)));
  const got = readFully(source, target, target.length, offset);
  return target.subarray(0, got);
}

/** Local state files: `file:` URIs and plain paths, read with positional reads of the head only. */
function readLocal(path: string, offset: number, length: number): Uint8Array {
  const local = path.replace(/^file:(\/\/(?=\/))?/, '');
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(local)) {
    throw new Error(`'${path}' is not a local file: give the snapshot as a store URI to read it`);
  }
  let fd: number;
  try {
    fd = fs.openSync(local, OPEN_READ_NOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('the file does not exist: it was moved or deleted after the snapshot was taken');
    }
    throw error;
  }
  try {
    const special = specialFileKind(fs.fstatSync(fd));
    if (special !== null) throw new NotRegularFileError(local, special);
    const target = new Uint8Array(length);
    const source: ByteSource = { size: Infinity, read: (t, o, l, p) => fs.readSync(fd, t, o, l, p) };
    return target.subarray(0, readFully(source, target, length, offset));
  } finally {
    fs.closeSync(fd);
  }
}

function operatorFilter(wanted: string | undefined): ((op: OperatorState) => boolean) | undefined {
  if (wanted === undefined) return undefined;
  // Metadata before V5 records no uids, so a uid also matches by the operator id Flink derives from it.
  const fromUid = operatorIdFromUid(wanted);
  return (op) => op.uid === wanted || op.operatorId === wanted.toLowerCase() || op.operatorId === fromUid;
}

export const schemaCommand: CliCommand = {
  name: 'schema',
  summary:
    'The state of each operator of a checkpoint/savepoint: state names, kinds and serializers, read from the head of its state files',
  usage: `schema <snapshot> [--operator <uid|id>] [--json] [--timeout <seconds>]   (a _metadata file or checkpoint/savepoint directory, path or store URI)\n\nExits 1 when a state file cannot be read (the rest is still printed, with the problem).\n${TIMEOUT_USAGE}`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { positional, flags } = parseArgs(args, ['json'], ['timeout', 'operator']);
    const timeoutMs = timeoutFlag(flags);
    if (positional.length !== 1) throw new UsageError('give exactly one snapshot');
    const wanted = flags.get('operator');
    if (wanted === true || wanted === '') throw new UsageError('--operator needs a uid or an operator id');
    const input = positional[0];
    const json = flags.has('json');
    const fail = (error: MetadataError | InputError | Error) => {
      const offset = error instanceof MetadataError ? error.offset : null;
      const code = error instanceof MetadataError || error instanceof InputError ? error.code : 'unreadable';
      if (json) io.out(`${JSON.stringify({ file: input, error: { code, message: error.message, offset } })}\n`);
      else io.err(`${input}: ${error.message}\n`);
      return EXIT_FAILED;
    };
    let read;
    try {
      read = await openMetadataInput(input, timeoutMs);
    } catch (error) {
      if (error instanceof InputError) return fail(error);
      throw error;
    }
    try {
      const data = read.data;
      const bytes = data instanceof Uint8Array ? data : readSource(data, 0, data.size);
      let metadata;
      try {
        metadata = parseMetadata(bytes, { pointer: read.pointer });
      } catch (error) {
        if (error instanceof MetadataError) return fail(error);
        throw error;
      }
      const filter = operatorFilter(typeof wanted === 'string' ? wanted : undefined);
      if (filter && !metadata.operators.some(filter)) {
        return fail(new Error(`no operator with uid or id '${String(wanted)}'`));
      }
      const readMetadata = (offset: number, length: number) => Promise.resolve(bytes.subarray(offset, offset + length));
      let operators: OperatorSchema[];
      if (isStoreUri(input)) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const stores = require('./lsStore') as typeof import('./lsStore');
        const store = stores.openCliStore(read.pointer, timeoutMs);
        try {
          const access: StateFileAccess = {
            readMetadata,
            read: async (path, offset, length) => {
              const inStore = storePathOf(store.uri, path);
              if (inStore === undefined) {
                throw new Error(
                  `it lies outside ${store.label}: give the snapshot's parent directory as the store to read it`,
                );
              }
              return store.readAll(inStore, { offset, length, maxBytes: length });
            },
          };
          operators = await readSchemas(metadata, access, filter);
        } finally {
          await store.close();
        }
      } else {
        operators = await readSchemas(
          metadata,
          {
            readMetadata,
            read: (path, offset, length) => Promise.resolve().then(() => readLocal(path, offset, length)),
          },
          filter,
        );
      }
      io.out(json ? `${JSON.stringify({ file: read.file, operators })}\n` : formatSchemas(read.file, operators));
      return operators.some((op) => op.problems.length > 0) ? EXIT_FAILED : EXIT_OK;
    } finally {
      read.close();
    }
  },
};
