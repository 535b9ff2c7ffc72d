import * as vscode from 'vscode';
import { addSecret, secretsInUris } from '../core/redact';
import { openStore } from '../core/stores';
import { StoreError } from '../core/stores/errors';
import { CheckpointStore } from '../core/stores/types';
import { StoreConfig, ftpPoolSize, readStoreConfigs, storeIdFor, storeTimeoutMs, writeStoreConfigs } from '../settings';

export const STORE_SCHEME = 'flink-store';

/** A configured store and, once something needed it, its open transport. */
export interface RegisteredStore {
  readonly config: StoreConfig;
  readonly store: CheckpointStore;
}

function secretKey(id: string): string {
  return `flinkCheckpoints.store.${id}.password`;
}

/** The error for a store id that is not (or no longer) in the settings, wherever it is looked up. */
function unknownStore(id: string): StoreError {
  return new StoreError(
    'not-found',
    `store "${id}"`,
    undefined,
    'no store with this id is configured',
    'Pick a store from the Checkpoint Stores view, or add it with Add Store….',
  );
}

/**
 * The stores of the `flinkCheckpoints.stores` setting, opened lazily with their passwords from SecretStorage, and the
 * one owner of that setting: adapters read, add, change and remove stores here, never in the settings themselves.
 * Transports are kept open (FTP pools connections) until the setting changes or the extension is deactivated.
 */
export class StoreRegistry implements vscode.Disposable {
  private readonly open = new Map<string, Promise<RegisteredStore>>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when stores were added, removed or reconfigured. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  configs(): StoreConfig[] {
    return readStoreConfigs();
  }

  config(id: string): StoreConfig | undefined {
    return this.configs().find((c) => c.id === id);
  }

  /** Saves a new store (its id made unique from its name) and its password; returns what was saved. */
  async add(store: Omit<StoreConfig, 'id'>, password: string | undefined): Promise<StoreConfig> {
    const stores = this.configs();
    const config: StoreConfig = { ...store, id: storeIdFor(store.name, new Set(stores.map((s) => s.id))) };
    if (password) await this.secrets.store(secretKey(config.id), password);
    await writeStoreConfigs([...stores, config]);
    return config;
  }

  /** Replaces a store's configuration (same id) and reconnects it with the new settings. */
  async update(config: StoreConfig): Promise<void> {
    await writeStoreConfigs(this.configs().map((s) => (s.id === config.id ? config : s)));
    await this.reset(config.id);
  }

  /** Forgets a store and its password; nothing in the store is touched. */
  async remove(id: string): Promise<void> {
    await this.secrets.delete(secretKey(id));
    await writeStoreConfigs(this.configs().filter((s) => s.id !== id));
    await this.reset(id);
  }

  /** The transport of a store; rejects with a `not-found` StoreError for an id no longer configured. */
  get(id: string): Promise<RegisteredStore> {
    let entry = this.open.get(id);
    if (!entry) {
      entry = this.connect(id);
      this.open.set(id, entry);
      entry.catch(() => this.open.delete(id));
    }
    return entry;
  }

  /** Opens a transport for a config that need not be saved yet (Test Connection). The caller closes it. */
  async openUnsaved(config: Omit<StoreConfig, 'id'>, password: string | undefined): Promise<CheckpointStore> {
    return openStore(config.uri, this.storeOptions(config, password));
  }

  async password(id: string): Promise<string | undefined> {
    return this.secrets.get(secretKey(id));
  }

  async setPassword(id: string, password: string | undefined): Promise<void> {
    if (password) await this.secrets.store(secretKey(id), password);
    else await this.secrets.delete(secretKey(id));
    await this.reset(id);
  }

  /** Closes a store's transport so the next call reconnects with the current settings and secrets. */
  async reset(id?: string): Promise<void> {
    const ids = id === undefined ? [...this.open.keys()] : [id];
    await Promise.all(
      ids.map(async (key) => {
        const entry = this.open.get(key);
        this.open.delete(key);
        if (entry) {
          await entry.then(
            (s) => s.store.close(),
            () => undefined,
          );
        }
      }),
    );
    this.changed.fire();
  }

  uriFor(id: string, storePath: string): vscode.Uri {
    return vscode.Uri.from({
      scheme: STORE_SCHEME,
      authority: id,
      path: storePath.startsWith('/') ? storePath : `/${storePath}`,
    });
  }

  private async connect(id: string): Promise<RegisteredStore> {
    const config = this.config(id);
    if (!config) throw unknownStore(id);
    const password = await this.password(id);
    this.log.info(`Opening store "${config.name}"`);
    return { config, store: openStore(config.uri, this.storeOptions(config, password)) };
  }

  private storeOptions(config: Omit<StoreConfig, 'id'>, password: string | undefined) {
    // Every password a store is opened with is one the log must never show (src/views/log.ts redacts).
    addSecret(password);
    for (const secret of secretsInUris(config.uri)) addSecret(secret);
    return {
      password,
      timeoutMs: storeTimeoutMs(),
      poolSize: config.poolSize ?? ftpPoolSize(),
      allowUntrustedCertificate: config.allowUntrustedCertificate,
      webHdfsAddress: config.webHdfsAddress,
      // A writable S3 store may create objects; deletion goes through the safety model either way.
      ...(config.s3 || config.writable ? { s3: { ...config.s3, allowWrites: config.writable === true } } : {}),
    };
  }

  dispose(): void {
    void this.reset();
    this.changed.dispose();
  }
}
