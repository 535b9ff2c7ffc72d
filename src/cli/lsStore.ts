import * as path from 'node:path';
import { CliIo, EXIT_FAILED } from './command';
import { STORE_ENV } from './storeEnv';
import {
  CheckpointStore, StoreError, StoreOptions, StoreUri, externalLocation, openStore, parseStoreUri,
} from '../core/stores';

/** A failure of a store (not found, refused, unreachable), as opposed to a bug; for callers that load this module lazily. */
export function isStoreFailure(error: unknown): error is StoreError {
  return error instanceof StoreError;
}

export { STORE_ENV, STORE_ENV_HELP } from './storeEnv';

/** Store options from the environment (the URI's own password is the fallback), and the `--timeout` given. */
export function storeOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, timeoutMs?: number): StoreOptions {
  return {
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(env[STORE_ENV.password] ? { password: env[STORE_ENV.password] } : {}),
    ...(env[STORE_ENV.webHdfsAddress] ? { webHdfsAddress: env[STORE_ENV.webHdfsAddress] } : {}),
    ...(env[STORE_ENV.delegationToken] ? { delegationToken: env[STORE_ENV.delegationToken] } : {}),
    ...(env[STORE_ENV.allowUntrustedCertificate] === '1' ? { allowUntrustedCertificate: true } : {}),
    ...(env[STORE_ENV.s3PathStyle] === 'true' || env[STORE_ENV.s3PathStyle] === 'false' ? { s3: { pathStyle: env[STORE_ENV.s3PathStyle] === 'true' } } : {}),
  };
}

/** Opens the store a CLI argument names, rooted at the path the argument gives. */
export function openCliStore(location: string, timeoutMs?: number, env: NodeJS.ProcessEnv = process.env): CheckpointStore {
  return openStore(parseStoreUri(location), storeOptionsFromEnv(env, timeoutMs));
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
export async function readSnapshotFile(location: string, timeoutMs?: number, env: NodeJS.ProcessEnv = process.env): Promise<{ file: string; bytes: Uint8Array; pointer: string }> {
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
        throw new StoreError('not-found', store.label, metadataPath, 'no _metadata here',
          'The checkpoint is still in progress, was aborted, or this is not a checkpoint/savepoint directory.');
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
