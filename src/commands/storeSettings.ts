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
}

const SECTION = 'flinkCheckpoints';

/** A URI authority-safe id derived from a name, unique among `taken`. */
export function storeIdFor(name: string, taken: ReadonlySet<string>): string {
  const base = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'store';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

/**
 * Stores from settings. Entries without a name or URI are skipped rather than breaking the tree; entries without an id
 * (written by hand) get one derived from the name. In an untrusted workspace only user-level stores are used, because
 * a workspace could otherwise point the extension at arbitrary servers.
 */
export function readStoreConfigs(): StoreConfig[] {
  const configuration = vscode.workspace.getConfiguration(SECTION);
  const raw = vscode.workspace.isTrusted
    ? configuration.get<unknown[]>('stores', [])
    : configuration.inspect<unknown[]>('stores')?.globalValue ?? [];
  const taken = new Set<string>();
  const stores: StoreConfig[] = [];
  for (const entry of Array.isArray(raw) ? raw : []) {
    const candidate = entry as Partial<StoreConfig> | null;
    if (typeof candidate?.name !== 'string' || typeof candidate.uri !== 'string') continue;
    const id = typeof candidate.id === 'string' && candidate.id && !taken.has(candidate.id) ? candidate.id : storeIdFor(candidate.name, taken);
    taken.add(id);
    stores.push({ ...candidate, id, name: candidate.name, uri: candidate.uri });
  }
  return stores;
}

/** Writes the stores where they are defined now: the workspace's settings when it has them (they shadow the user's), else the user's. */
export async function writeStoreConfigs(stores: StoreConfig[]): Promise<void> {
  const configuration = vscode.workspace.getConfiguration(SECTION);
  const inspected = configuration.inspect<unknown[]>('stores');
  const target = vscode.workspace.isTrusted && inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await configuration.update('stores', stores, target);
}
