import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliIo, EXIT_FAILED, UsageError } from './command';
import { STORE_ENV } from './storeEnv';
import { addSecret } from '../core/redact';
import { FlinkConfStore, isS3Location, readFlinkConfStore } from '../core/stores/flinkConf';
import {
  CheckpointStore,
  StoreError,
  StoreOptions,
  StoreUri,
  externalLocation,
  openStore,
  parseStoreUri,
} from '../core/stores';

/** A failure of a store (not found, refused, unreachable), as opposed to a bug; for callers that load this module lazily. */
export function isStoreFailure(error: unknown): error is StoreError {
  return error instanceof StoreError;
}

export { STORE_ENV, STORE_ENV_HELP } from './storeEnv';

/**
 * Store options from the environment (the URI's own password is the fallback), and the `--timeout` given. With
 * `--conf <file>`, the `s3.*` keys of that Flink configuration (endpoint, path style, access key, region) apply too,
 * and its `s3.secret-key` when the environment has no password.
 */
export function storeOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs?: number,
  confFile?: string,
): StoreOptions {
  const conf = confFile === undefined ? undefined : readCliConf(confFile);
  const pathStyle =
    env[STORE_ENV.s3PathStyle] === 'true' || env[STORE_ENV.s3PathStyle] === 'false'
      ? { pathStyle: env[STORE_ENV.s3PathStyle] === 'true' }
      : {};
  const entropyKey = env[STORE_ENV.s3EntropyKey] ? { entropyKey: env[STORE_ENV.s3EntropyKey] } : {};
  const s3 = { ...conf?.s3, ...pathStyle, ...entropyKey };
  const password = env[STORE_ENV.password] ?? (conf?.s3.accessKeyId ? conf.secretKey : undefined);
  return {
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(password ? { password } : {}),
    ...(env[STORE_ENV.webHdfsAddress] ? { webHdfsAddress: env[STORE_ENV.webHdfsAddress] } : {}),
    ...(env[STORE_ENV.delegationToken] ? { delegationToken: env[STORE_ENV.delegationToken] } : {}),
    ...(env[STORE_ENV.allowUntrustedCertificate] === '1' ? { allowUntrustedCertificate: true } : {}),
    ...(Object.keys(s3).length > 0 ? { s3 } : {}),
  };
}

/**
 * A Flink configuration file given with `--conf`; its `s3.secret-key` joins the secrets redacted from all output.
 * @throws UsageError when it cannot be read; StoreError when Flink would not load it.
 */
export function readCliConf(file: string): FlinkConfStore {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--conf ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  const conf = readFlinkConfStore(text, file);
  addSecret(conf.secretKey);
  return conf;
}

/**
 * The location a store command works on: its argument, or with `--conf <file>` and no argument the checkpoint
 * directory that file configures (with the entropy key removed, where Flink writes `_metadata`).
 * @throws UsageError when there is neither.
 */
export function cliLocation(positional: readonly string[], confFile: string | true | undefined, what: string): string {
  if (confFile === true) throw new UsageError('--conf needs a Flink configuration file');
  if (positional.length === 1) return positional[0];
  if (positional.length === 0 && confFile !== undefined) {
    const conf = readCliConf(confFile);
    if (!conf.checkpoints) {
      throw new UsageError(
        `--conf ${confFile}: the file sets no checkpoint directory (execution.checkpointing.dir / state.checkpoints.dir); give ${what}`,
      );
    }
    return conf.checkpoints;
  }
  throw new UsageError(`give ${what}${confFile === undefined ? '' : ' (or only --conf)'}`);
}

/** Opens the store a CLI argument names, rooted at the path the argument gives (with `--conf`'s s3.* keys for S3). */
export function openCliStore(
  location: string,
  timeoutMs?: number,
  env: NodeJS.ProcessEnv = process.env,
  confFile?: string,
): CheckpointStore {
  return openStore(
    parseStoreUri(location),
    storeOptionsFromEnv(env, timeoutMs, confFile !== undefined && isS3Location(location) ? confFile : undefined),
  );
}

/** The store a location lies in, rooted at its top (a server's or disk's `/`, a bucket), with the location's credentials. */
export function openCliStoreRoot(
  location: string,
  timeoutMs?: number,
  env: NodeJS.ProcessEnv = process.env,
): CheckpointStore {
  return openStore({ ...parseStoreUri(location), path: '/' }, storeOptionsFromEnv(env, timeoutMs));
}

/** The same store URI rooted one directory up (for an argument that names a file). */
export function parentUri(uri: StoreUri): StoreUri {
  const dir = uri.scheme === 'file' ? path.dirname(uri.path) : path.posix.dirname(uri.path);
  return { ...uri, path: dir };
}

/**
 * Reads a `_metadata` file from any store: `location` is a store URI naming either the file or the
 * checkpoint/savepoint directory that holds it. Returns the bytes, the redacted URI of the file and the pointer
 * (the directory, as Flink names it) relative state handles resolve against.
 * @throws StoreError (`not-found` when a directory has no `_metadata`: in progress, aborted or not a snapshot).
 */
export async function readSnapshotFile(
  location: string,
  timeoutMs?: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ file: string; bytes: Uint8Array; pointer: string }> {
  const uri = parseStoreUri(location);
  const options = storeOptionsFromEnv(env, timeoutMs);
  let store = openStore(uri, options);
  try {
    const root = await store.stat('/');
    let metadataPath = '/_metadata';
    if (root.kind !== 'directory') {
      await store.close();
      store = openStore(parentUri(uri), options);
      metadataPath = `/${path.posix.basename(uri.path)}`;
    }
    try {
      const bytes = await store.readAll(metadataPath);
      return { file: externalLocation(store.uri, metadataPath), bytes, pointer: externalLocation(store.uri, '/') };
    } catch (error) {
      if (error instanceof StoreError && error.code === 'not-found' && metadataPath === '/_metadata') {
        throw new StoreError(
          'not-found',
          store.label,
          metadataPath,
          'no _metadata here',
          'The checkpoint is still in progress, was aborted, or this is not a checkpoint/savepoint directory.',
        );
      }
      throw error;
    }
  } finally {
    await store.close();
  }
}

/**
 * Runs a command's work on the store `open` returns: a store failure (opening it or any call) prints one line on
 * stderr and exits 1, and the store is closed in every case.
 */
export async function withCliStore(
  command: string,
  io: CliIo,
  open: () => CheckpointStore,
  work: (store: CheckpointStore) => Promise<number>,
): Promise<number> {
  let store: CheckpointStore | undefined;
  try {
    store = open();
    return await work(store);
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    io.err(`flink-checkpoints ${command}: ${error.message}\n`);
    return EXIT_FAILED;
  } finally {
    await store?.close();
  }
}
