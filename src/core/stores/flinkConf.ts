import { effectiveMap, formatOfFileName } from '../config/document';
import { parseConfig } from '../config/parse';
import { StoreError } from './errors';
import type { S3Options } from './types';
import { isS3Uri, parseStoreUri } from './uri';

/** What a Flink configuration file says about where checkpoints go and how Flink reaches S3. */
export interface FlinkConfStore {
  /** The checkpoint directory (entropy key removed: where `_metadata` files are), if the file sets one. */
  readonly checkpoints?: string;
  /** The default savepoint directory (entropy key removed), if the file sets one. */
  readonly savepoints?: string;
  /** The `s3.*` settings Flink's S3 file systems use, as store options (no secret). */
  readonly s3: S3Options;
  /** `s3.secret-key`, when the file holds one: to be moved to secret storage (or the environment), never kept. */
  readonly secretKey?: string;
  /** `s3.entropy.key`, when set. */
  readonly entropyKey?: string;
  /** The keys read, for messages (`s3.secret-key` named, never its value). */
  readonly keysRead: readonly string[];
}

/** The first key of each list that the file sets; checkpoint keys of every Flink line, newest first. */
const CHECKPOINT_KEYS = ['execution.checkpointing.dir', 'state.checkpoints.dir'];
const SAVEPOINT_KEYS = ['execution.checkpointing.savepoint-dir', 'state.savepoints.dir'];
const ENDPOINT_KEYS = ['s3.endpoint', 'fs.s3a.endpoint'];
const PATH_STYLE_KEYS = ['s3.path.style.access', 's3.path-style-access', 'fs.s3a.path.style.access'];
const ACCESS_KEYS = ['s3.access-key', 's3.access.key', 'fs.s3a.access.key'];
const SECRET_KEYS = ['s3.secret-key', 's3.secret.key', 'fs.s3a.secret.key'];
const REGION_KEYS = ['s3.endpoint.region', 'fs.s3a.endpoint.region'];

/**
 * Flink writes `_metadata` with the entropy key removed from the path (data files get random characters in its
 * place), so the directory to browse is the configured one without the key.
 */
export function withoutEntropyKey(location: string, entropyKey: string | undefined): string {
  if (!entropyKey) return location;
  const at = location.indexOf(entropyKey);
  if (at < 0) return location;
  const removed = location.slice(0, at) + location.slice(at + entropyKey.length);
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.exec(removed)?.[0] ?? '';
  return (
    scheme +
    removed
      .slice(scheme.length)
      .replace(/\/{2,}/g, '/')
      .replace(/(.)\/$/, '$1')
  );
}

/**
 * Reads the checkpoint and savepoint directories and the `s3.*` keys from a `flink-conf.yaml` (legacy) or
 * `config.yaml` (nested YAML, Flink 1.19+) text.
 * @throws StoreError `invalid-uri` when Flink itself would not load the file.
 */
export function readFlinkConfStore(text: string, fileName: string): FlinkConfStore {
  const map = effectiveMap(parseConfig(text, formatOfFileName(fileName)));
  if (!map) {
    throw new StoreError(
      'invalid-uri',
      fileName,
      undefined,
      'Flink would not load this configuration file',
      'Fix the errors the configuration editor shows, then try again.',
    );
  }
  const keysRead: string[] = [];
  const first = (keys: readonly string[]): string | undefined => {
    for (const key of keys) {
      const value = map.get(key)?.trim();
      if (value) {
        keysRead.push(key);
        return value;
      }
    }
    return undefined;
  };
  const entropyKey = first(['s3.entropy.key']);
  const checkpoints = first(CHECKPOINT_KEYS);
  const savepoints = first(SAVEPOINT_KEYS);
  const endpoint = first(ENDPOINT_KEYS);
  const pathStyle = first(PATH_STYLE_KEYS);
  const accessKeyId = first(ACCESS_KEYS);
  const secretKey = first(SECRET_KEYS);
  const region = first(REGION_KEYS);
  const entropyLength = first(['s3.entropy.length']);
  const s3: { -readonly [K in keyof S3Options]: S3Options[K] } = {};
  // Flink's S3 file systems take a host without scheme as https.
  if (endpoint) s3.endpoint = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`;
  if (pathStyle) s3.pathStyle = pathStyle.toLowerCase() === 'true';
  if (accessKeyId) s3.accessKeyId = accessKeyId;
  if (region) s3.region = region;
  if (entropyKey) {
    // Data files lie where the key is replaced by random characters: the store maps them from the directory as configured.
    s3.entropyKey = entropyKey;
    if (checkpoints?.includes(entropyKey)) s3.entropyDirectory = checkpoints;
    if (entropyLength && /^\d+$/.test(entropyLength)) s3.entropyLength = Number(entropyLength);
  }
  return {
    ...(checkpoints ? { checkpoints: withoutEntropyKey(checkpoints, entropyKey) } : {}),
    ...(savepoints ? { savepoints: withoutEntropyKey(savepoints, entropyKey) } : {}),
    s3,
    ...(secretKey ? { secretKey } : {}),
    ...(entropyKey ? { entropyKey } : {}),
    keysRead,
  };
}

/** Whether a directory from a Flink configuration is in S3 (the S3 settings then apply to it). */
export function isS3Location(location: string | undefined): boolean {
  if (!location) return false;
  try {
    return isS3Uri(parseStoreUri(location));
  } catch {
    return false;
  }
}
