import * as path from 'node:path';
import { CliIo, EXIT_FAILED } from './command';
import {
  CheckpointStore, StoreError, StoreOptions, StoreUri, externalLocation, openStore, parseStoreUri, redactSecrets,
} from '../core/stores';

/**
 * A failure of a store (not found, refused, unreachable), as opposed to a bug. Asked here because this module is a
 * bundle of its own (dist/cli-lsStore.js) with its own StoreError class: another bundle's `instanceof` would miss it.
 */
export function isStoreFailure(error: unknown): error is StoreError {
  return error instanceof StoreError;
}

/** Environment variables the CLI reads store secrets and options from (never from the command line). */
export const STORE_ENV = {
  /** Password for ftp/ftps (or HTTP Basic for a WebHDFS gateway); replaces one written in the URI. */
  password: 'FLINK_CHECKPOINTS_PASSWORD',
  /** hdfs://: the NameNode's WebHDFS address (host:port or http(s)://host:port). */
  webHdfsAddress: 'FLINK_CHECKPOINTS_WEBHDFS_ADDRESS',
  /** WebHDFS delegation token. */
  delegationToken: 'FLINK_CHECKPOINTS_HDFS_DELEGATION_TOKEN',
  /** "1": accept self-signed FTPS certificates. */
  allowUntrustedCertificate: 'FLINK_CHECKPOINTS_ALLOW_UNTRUSTED_CERTIFICATE',
  /** s3://: "true" or "false" forces path-style addressing (default: on for an IP or localhost endpoint). */
  s3PathStyle: 'FLINK_CHECKPOINTS_S3_PATH_STYLE',
} as const;

/** AWS variables that hold secrets: redacted from every message, although the SDK does not echo them. */
const AWS_SECRET_ENV = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

/** Help text naming the environment variables, for command usage lines. */
export const STORE_ENV_HELP = `Passwords come from ${STORE_ENV.password} (or the URI); hdfs:// takes its WebHDFS address from ${STORE_ENV.webHdfsAddress} (default port 9870); s3:// uses the AWS environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL).`;

/** Store options from the environment, with the URI's own password as the fallback. */
export function storeOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): StoreOptions {
  return {
    ...(env[STORE_ENV.password] ? { password: env[STORE_ENV.password] } : {}),
    ...(env[STORE_ENV.webHdfsAddress] ? { webHdfsAddress: env[STORE_ENV.webHdfsAddress] } : {}),
    ...(env[STORE_ENV.delegationToken] ? { delegationToken: env[STORE_ENV.delegationToken] } : {}),
    ...(env[STORE_ENV.allowUntrustedCertificate] === '1' ? { allowUntrustedCertificate: true } : {}),
    ...(env[STORE_ENV.s3PathStyle] === 'true' || env[STORE_ENV.s3PathStyle] === 'false' ? { s3: { pathStyle: env[STORE_ENV.s3PathStyle] === 'true' } } : {}),
  };
}

/** Opens the store a CLI argument names, rooted at the path the argument gives. */
export function openCliStore(location: string, env: NodeJS.ProcessEnv = process.env): CheckpointStore {
  return openStore(parseStoreUri(location), storeOptionsFromEnv(env));
}

/** The same store URI rooted one directory up (for an argument that names a file). */
export function parentUri(uri: StoreUri): StoreUri {
  const dir = uri.scheme === 'file' ? path.dirname(uri.path) : path.posix.dirname(uri.path);
  return { ...uri, path: dir };
}

/** A store failure as one line for stderr, with any secret the environment holds redacted. */
export function describeFailure(error: StoreError, env: NodeJS.ProcessEnv = process.env): string {
  return redactSecrets(error.message, [env[STORE_ENV.password], env[STORE_ENV.delegationToken], ...AWS_SECRET_ENV.map((name) => env[name])]);
}

/**
 * Reads a `_metadata` file from any store: `location` is a store URI naming either the file or the
 * checkpoint/savepoint directory that holds it. Returns the bytes, the redacted URI of the file and the pointer
 * (the directory, as Flink names it) relative state handles resolve against.
 * @throws StoreError (`not-found` when a directory has no `_metadata`: in progress, aborted or not a snapshot).
 */
export async function readSnapshotFile(location: string, env: NodeJS.ProcessEnv = process.env): Promise<{ file: string; bytes: Uint8Array; pointer: string }> {
  const uri = parseStoreUri(location);
  const options = storeOptionsFromEnv(env);
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
 * Runs a command's work on the store `open` returns: a store failure (opening it or any call) prints one redacted
 * line on stderr and exits 1, and the store is closed in every case.
 */
export async function withCliStore(
  command: string,
  io: CliIo,
  open: () => CheckpointStore,
  work: (store: CheckpointStore) => Promise<number>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let store: CheckpointStore | undefined;
  try {
    store = open();
    return await work(store);
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    io.err(`flink-checkpoints ${command}: ${describeFailure(error, env)}\n`);
    return EXIT_FAILED;
  } finally {
    await store?.close();
  }
}
