import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { ClusterAuth, ClusterError, FlinkRestClient } from '../core/cluster';
import { ClusterConfig, clusterIdFor, readClusterConfigs, storeTimeoutMs, writeClusterConfigs } from '../settings';

function secretKey(id: string): string {
  return `flinkCheckpoints.cluster.${id}.secret`;
}

/** The clusters of the settings, each with one REST client built lazily with its secret from SecretStorage. */
export class ClusterRegistry implements vscode.Disposable {
  private readonly clients = new Map<string, Promise<FlinkRestClient>>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when clusters were added, removed or reconfigured. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  configs(): ClusterConfig[] {
    return readClusterConfigs();
  }

  config(id: string): ClusterConfig | undefined {
    return this.configs().find((c) => c.id === id);
  }

  /** The REST client of a configured cluster. */
  client(id: string): Promise<FlinkRestClient> {
    let client = this.clients.get(id);
    if (!client) {
      client = this.connect(id);
      this.clients.set(id, client);
      client.catch(() => this.clients.delete(id));
    }
    return client;
  }

  async add(config: Omit<ClusterConfig, 'id'>, secret: string | undefined): Promise<ClusterConfig> {
    const configs = this.configs();
    const added: ClusterConfig = { ...config, id: clusterIdFor(config.name, new Set(configs.map((c) => c.id))) };
    if (secret) await this.secrets.store(secretKey(added.id), secret);
    await writeClusterConfigs([...configs, added]);
    this.reset();
    return added;
  }

  async remove(id: string): Promise<void> {
    await writeClusterConfigs(this.configs().filter((c) => c.id !== id));
    await this.secrets.delete(secretKey(id));
    this.reset();
  }

  /** Drops the clients so the next call uses the current settings and secrets. */
  reset(): void {
    for (const client of this.clients.values()) {
      void client.then(
        (c) => c.close(),
        () => undefined,
      );
    }
    this.clients.clear();
    this.changed.fire();
  }

  private async connect(id: string): Promise<FlinkRestClient> {
    const config = this.config(id);
    if (!config) {
      throw new ClusterError(
        'invalid-url',
        `"${id}"`,
        'no cluster with this id is configured',
        'Pick a cluster from the Clusters view, or add it with Add Cluster….',
      );
    }
    const secret =
      config.auth === 'basic' || config.auth === 'bearer' ? await this.secrets.get(secretKey(id)) : undefined;
    const auth: ClusterAuth | undefined =
      config.auth === 'basic'
        ? { kind: 'basic', user: config.user ?? '', password: secret ?? '' }
        : config.auth === 'bearer'
          ? { kind: 'bearer', token: secret ?? '' }
          : undefined;
    let ca: Buffer | undefined;
    if (config.caFile) {
      try {
        ca = await fs.readFile(config.caFile);
      } catch (error) {
        throw new ClusterError(
          'tls',
          config.url,
          `the CA file ${config.caFile} cannot be read (${(error as Error).message})`,
          "Fix caFile in the cluster's settings.",
        );
      }
    }
    const client = new FlinkRestClient({
      url: config.url,
      timeoutMs: storeTimeoutMs(),
      ...(auth ? { auth } : {}),
      ...(ca ? { ca } : {}),
    });
    this.log.info(`Cluster "${config.name}": ${client.label}`);
    return client;
  }

  dispose(): void {
    this.reset();
    this.changed.dispose();
  }
}
