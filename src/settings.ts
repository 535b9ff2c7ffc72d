import * as vscode from 'vscode';

/** One store as kept in the `flinkCheckpoints.stores` setting. Never holds a password. */
export interface StoreConfig {
  /** Stable id used in `flink-store://<id>/` URIs and as the secret-storage key. */
  id: string;
  name: string;
  uri: string;
  /** Allows writes through the mounted file system (for example to edit a remote flink-conf.yaml). */
  writable?: boolean;
  /** How the JobManager sees this store's root, for restore invocations (for example `s3://bucket/cp` or a PV mount path). */
  clusterPath?: string;
  /** hdfs:// stores: the NameNode's WebHDFS address, `host:port`. */
  webHdfsAddress?: string;
  /** FTPS: accept a self-signed server certificate. */
  allowUntrustedCertificate?: boolean;
  /** FTP: connections in the pool. */
  poolSize?: number;
  /** s3://, s3a://, s3p://: endpoint, region, addressing and credentials (the secret key is the store's password). */
  s3?: StoreS3Settings;
}

/** The S3 settings of a store; never a secret (an access key id is not one, its secret key is). */
export interface StoreS3Settings {
  region?: string;
  endpoint?: string;
  pathStyle?: boolean;
  profile?: string;
  accessKeyId?: string;
  /** Flink's `s3.entropy.key`, `s3.entropy.length` and the checkpoint directory with the key in it. */
  entropyKey?: string;
  entropyLength?: number;
  entropyDirectory?: string;
}

const SECTION = 'flinkCheckpoints';

/**
 * Every setting the extension reads, under `flinkCheckpoints.`, with the default package.json declares (VS Code
 * returns that default when the user set nothing; this one applies only where the contribution is missing).
 */
export const SETTING_DEFAULTS = {
  flinkVersion: '2.2',
  timeoutSeconds: 30,
  'ftp.poolSize': 4,
  'tree.pageSize': 500,
  'config.fileNames': [] as string[],
  'cleanUp.alsoReferencing': [] as string[],
  clusterRefreshSeconds: 10,
  'uidLens.job': '',
  'stateCache.maxMegabytes': 256,
} as const;

type SettingKey = keyof typeof SETTING_DEFAULTS;

function read<K extends SettingKey>(key: K): (typeof SETTING_DEFAULTS)[K] {
  return vscode.workspace.getConfiguration(SECTION).get(key, SETTING_DEFAULTS[key]);
}

/** The Flink line configuration files are checked against and restore invocations are built for. */
export function flinkVersion(): string {
  return read('flinkVersion');
}

/** How long a store call may go without progress before it fails. */
export function storeTimeoutMs(): number {
  return read('timeoutSeconds') * 1000;
}

/** Connections an FTP store opens at most, unless the store sets its own. */
export function ftpPoolSize(): number {
  return read('ftp.poolSize');
}

/** Entries the stores tree shows per page before "Load more…". */
export function treePageSize(): number {
  return read('tree.pageSize');
}

/** File names besides flink-conf.yaml and conf/config.yaml that are Flink configuration files. */
export function configFileNames(): readonly string[] {
  return read('config.fileNames');
}

/** Snapshot directories beyond a job's checkpoint base whose references Clean Up respects (URIs or store paths). */
export function cleanUpAlsoReferencing(): readonly string[] {
  return read('cleanUp.alsoReferencing');
}

/** How often the Clusters view asks its clusters again while it is visible; 0 turns the timer off. */
export function clusterRefreshMs(): number {
  return Math.max(0, read('clusterRefreshSeconds')) * 1000;
}

/** Bytes of remote state reads the state cache keeps. */
export function stateCacheBytes(): number {
  return Math.max(0, read('stateCache.maxMegabytes')) * 1024 * 1024;
}

/** The job directory whose latest checkpoint the uid lenses show (`flink-store://<store id>/<job path>`), if set. */
export function uidLensJob(): { storeId: string; path: string } | null {
  const match = /^flink-store:\/\/([^/]+)(\/.*)$/.exec(read('uidLens.job').trim());
  return match ? { storeId: match[1], path: match[2] } : null;
}

/** True when a configuration change touches one of the given settings (keys under `flinkCheckpoints.`). */
export function affects(
  event: vscode.ConfigurationChangeEvent,
  ...keys: (SettingKey | 'stores' | 'clusters')[]
): boolean {
  return keys.some((key) => event.affectsConfiguration(`${SECTION}.${key}`));
}

/** A URI authority-safe id derived from a name, unique among `taken`. */
export function storeIdFor(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'store';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

/**
 * Stores from settings (read through `StoreRegistry`, their one owner). Entries without a name or URI are skipped rather than breaking the tree; entries without an id
 * (written by hand) get one derived from the name. In an untrusted workspace only user-level stores are used, because
 * a workspace could otherwise point the extension at arbitrary servers.
 */
export function readStoreConfigs(): StoreConfig[] {
  const configuration = vscode.workspace.getConfiguration(SECTION);
  const raw = vscode.workspace.isTrusted
    ? configuration.get<unknown[]>('stores', [])
    : (configuration.inspect<unknown[]>('stores')?.globalValue ?? []);
  const taken = new Set<string>();
  const stores: StoreConfig[] = [];
  for (const entry of Array.isArray(raw) ? raw : []) {
    const candidate = entry as Partial<StoreConfig> | null;
    if (typeof candidate?.name !== 'string' || typeof candidate.uri !== 'string') continue;
    const id =
      typeof candidate.id === 'string' && candidate.id && !taken.has(candidate.id)
        ? candidate.id
        : storeIdFor(candidate.name, taken);
    taken.add(id);
    stores.push({ ...candidate, id, name: candidate.name, uri: candidate.uri });
  }
  return stores;
}

/** Writes the stores where they are defined now: the workspace's settings when it has them (they shadow the user's), else the user's. */
export async function writeStoreConfigs(stores: StoreConfig[]): Promise<void> {
  const configuration = vscode.workspace.getConfiguration(SECTION);
  const inspected = configuration.inspect<unknown[]>('stores');
  const target =
    vscode.workspace.isTrusted && inspected?.workspaceValue !== undefined
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
  await configuration.update('stores', stores, target);
}

/** One cluster as kept in the `flinkCheckpoints.clusters` setting. Never holds a password or token. */
export interface ClusterConfig {
  /** Stable id: the secret-storage key and tree ids. */
  id: string;
  name: string;
  /** The JobManager's REST address (the Web UI address). */
  url: string;
  /** How a gateway in front of the cluster authenticates (the secret is in SecretStorage). */
  auth?: 'none' | 'basic' | 'bearer';
  /** User name for Basic auth. */
  user?: string;
  /** PEM file of the CA that signed an https endpoint's certificate. */
  caFile?: string;
}

/** A stable id for a new cluster from its name, unique among `taken`. */
export function clusterIdFor(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'cluster';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

/**
 * Clusters from settings. Entries without a name or URL are skipped; entries without an id get one from the name. In
 * an untrusted workspace only user-level clusters are used: a workspace must not send requests (and credentials) to
 * servers of its choosing.
 */
export function readClusterConfigs(): ClusterConfig[] {
  const configuration = vscode.workspace.getConfiguration(SECTION);
  const raw = vscode.workspace.isTrusted
    ? configuration.get<unknown[]>('clusters', [])
    : (configuration.inspect<unknown[]>('clusters')?.globalValue ?? []);
  const taken = new Set<string>();
  const clusters: ClusterConfig[] = [];
  for (const entry of Array.isArray(raw) ? raw : []) {
    const candidate = entry as Partial<ClusterConfig> | null;
    if (typeof candidate?.name !== 'string' || typeof candidate.url !== 'string') continue;
    const id =
      typeof candidate.id === 'string' && candidate.id && !taken.has(candidate.id)
        ? candidate.id
        : clusterIdFor(candidate.name, taken);
    taken.add(id);
    clusters.push({ ...candidate, id, name: candidate.name, url: candidate.url });
  }
  return clusters;
}

/** Writes the clusters where they are defined now (see writeStoreConfigs). */
export async function writeClusterConfigs(clusters: ClusterConfig[]): Promise<void> {
  const configuration = vscode.workspace.getConfiguration(SECTION);
  const inspected = configuration.inspect<unknown[]>('clusters');
  const target =
    vscode.workspace.isTrusted && inspected?.workspaceValue !== undefined
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
  await configuration.update('clusters', clusters, target);
}
