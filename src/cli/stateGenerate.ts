import * as path from 'node:path';
import { CliIo, EXIT_FAILED, EXIT_OK, UsageError, parseArgs, timeoutFlag } from './command';
import { operatorIdFromUid, type OperatorState } from '../core/metadata';
import { METADATA_VERSION_WRITERS } from '../core/metadata/versions';
import { parseFlinkVersion } from '../core/restore/flinkVersion';
import { RestoreError } from '../core/restore/errors';
import {
  GenerateError,
  generateJava,
  generateSql,
  withoutUserInfo,
  type GenerateRequest,
} from '../core/state/generate';
import { isStoreUri } from './storeUri';
import { SnapshotLoadError, loadSnapshotSchemas, operatorFilter } from './schema';

/** The snapshot's directory as Flink reads it: a store URI without user name and password, or an absolute path. */
export function snapshotUriOf(input: string): string {
  const trimmed = input.trim().replace(/\/_metadata$/, '');
  if (isStoreUri(trimmed)) return withoutUserInfo(trimmed).replace(/\/$/, '');
  return path.resolve(trimmed);
}

/** Native RocksDB snapshots (incremental handles) need RocksDB to read them; the rest the hashmap backend reads. */
function backendOf(op: OperatorState): GenerateRequest['backend'] {
  for (const s of op.subtasks) {
    const type = 'managedKeyedState' in s ? s.managedKeyedState?.type : undefined;
    if (type === 'IncrementalRemoteKeyedStateHandle') return 'rocksdb';
    if (type !== undefined && (type.startsWith('Changelog') || type === 'InMemoryChangelogStateHandle')) {
      throw new GenerateError(
        'this is a changelog checkpoint, which the State Processor API does not read: take a savepoint of the job and generate for it',
      );
    }
  }
  return 'hashmap';
}

/** `state <snapshot> --operator … [--state …] --generate sql|java [--flink V] [--class Name]`. */
export async function runGenerate(args: string[], io: CliIo): Promise<number> {
  const { positional, flags } = parseArgs(
    args,
    [],
    ['timeout', 'operator', 'state', 'generate', 'flink', 'class', 'package'],
  );
  const timeoutMs = timeoutFlag(flags);
  if (positional.length !== 1) throw new UsageError('give exactly one snapshot');
  const language = flags.get('generate');
  if (language !== 'sql' && language !== 'java') throw new UsageError('--generate takes sql or java');
  const operator = flags.get('operator');
  if (typeof operator !== 'string' || operator === '') {
    throw new UsageError('--generate needs --operator <uid|id> (the schema command lists them)');
  }
  const stateName = flags.get('state');
  if (stateName === true || stateName === '') throw new UsageError('--state needs a state name');
  const className = flags.get('class') ?? 'ReadState';
  if (typeof className !== 'string' || !/^[A-Z][A-Za-z0-9_]*$/.test(className)) {
    throw new UsageError('--class takes a Java class name (like ReadState)');
  }
  const javaPackage = flags.get('package');
  if (
    javaPackage !== undefined &&
    (typeof javaPackage !== 'string' || !/^[a-z_]\w*(\.[a-z_]\w*)*$/i.test(javaPackage))
  ) {
    throw new UsageError('--package takes a Java package name (like com.acme.jobs)');
  }
  let flinkLine: string | undefined;
  const flinkFlag = flags.get('flink');
  if (flinkFlag !== undefined) {
    try {
      flinkLine = parseFlinkVersion(String(flinkFlag)).line;
    } catch (error) {
      if (error instanceof RestoreError) throw new UsageError(error.message);
      throw error;
    }
  }
  const input = positional[0];
  const filter = operatorFilter(operator);
  let loaded;
  try {
    loaded = await loadSnapshotSchemas(input, timeoutMs, filter, operator);
  } catch (error) {
    if (error instanceof SnapshotLoadError) {
      io.err(`${input}: ${error.message}\n`);
      return EXIT_FAILED;
    }
    throw error;
  }
  const op = loaded.metadata.operators.find((o) => filter?.(o));
  const schema = loaded.operators.find((o) => o.operatorId === op?.operatorId);
  try {
    if (op === undefined || schema === undefined) throw new GenerateError(`no operator with uid or id '${operator}'`);
    const states = schema.states.filter((s) => stateName === undefined || s.name === stateName);
    if (states.length === 0) {
      throw new GenerateError(
        stateName === undefined
          ? `operator '${operator}' holds no state`
          : `operator '${operator}' has no state '${String(stateName)}' (it has: ${schema.states.map((s) => s.name).join(', ') || 'none'})`,
      );
    }
    // Before metadata V5 no uid is recorded: the one given names the operator when its hash is the operator's id.
    const uid = op.uid ?? (operatorIdFromUid(operator) === op.operatorId ? operator : null);
    const request: GenerateRequest = {
      snapshotUri: snapshotUriOf(input),
      flinkLine: flinkLine ?? METADATA_VERSION_WRITERS[loaded.metadata.metadataVersion]?.last ?? '2.2',
      backend: backendOf(op),
      operator: { operatorId: op.operatorId, uid, name: op.name },
      states,
    };
    const generated = language === 'sql' ? generateSql(request) : generateJava(request, className, javaPackage);
    io.out(generated.text);
    if (generated.skipped.length > 0) {
      io.err(
        `${generated.skipped.length} state(s) not read by the generated ${language === 'sql' ? 'SQL' : 'job'}: ${generated.skipped.map((s) => s.state).join(', ')} (why: in its comments)\n`,
      );
    }
    for (const p of schema.problems) {
      io.err(`cannot read ${p.file}: ${p.message} (its states are not in the generated code)\n`);
    }
    return EXIT_OK;
  } catch (error) {
    if (error instanceof GenerateError) {
      io.err(`${input}: ${error.message}\n`);
      return EXIT_FAILED;
    }
    throw error;
  }
}
