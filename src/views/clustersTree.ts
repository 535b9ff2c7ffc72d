import * as vscode from 'vscode';
import {
  CheckpointStatistics,
  HistoryEntry,
  JobOverview,
  TERMINAL_JOB_STATES,
  jobCheckpointDirectory,
  mergeHistory,
} from '../core/cluster';
import { scanDirectory, SnapshotRef } from '../core/layout';
import { errorMessage } from '../core/errors';
import { ClusterConfig } from '../settings';
import { ClusterRegistry } from '../workbench/clusterRegistry';
import { StoreRegistry } from '../workbench/storeRegistry';
import { findInStores } from '../workbench/clusterStores';
import { formatBytes } from '../viewModel/format';
import { clusterRefreshMs, affects } from '../settings';
import { formatAge } from './format';

export class ClusterNode extends vscode.TreeItem {
  readonly clusterId: string;
  constructor(readonly config: ClusterConfig) {
    super(config.name, vscode.TreeItemCollapsibleState.Collapsed);
    this.clusterId = config.id;
    this.id = `cluster:${config.id}`;
    this.description = config.url.replace(/\/\/[^@/]*@/, '//');
    this.tooltip = new vscode.MarkdownString(`**${config.name}**\n\n\`${this.description}\``);
    this.iconPath = new vscode.ThemeIcon('server-environment');
    this.contextValue = 'cluster';
  }
}

function formatDuration(ms: number): string {
  if (ms < 0) return '-';
  const s = Math.round(ms / 1000);
  if (s < 60) return vscode.l10n.t('{0} s', s);
  const m = Math.floor(s / 60);
  if (m < 120) return vscode.l10n.t('{0} min', m);
  return vscode.l10n.t('{0} h {1} min', Math.floor(m / 60), m % 60);
}

export class ClusterJobNode extends vscode.TreeItem {
  constructor(
    readonly clusterId: string,
    readonly job: JobOverview,
    parallelism: number | undefined,
  ) {
    super(job.name, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `cluster:${clusterId}:job:${job.jid}`;
    const running = !TERMINAL_JOB_STATES.includes(job.state);
    this.description = [
      job.state,
      formatDuration(job.duration),
      parallelism !== undefined ? vscode.l10n.t('parallelism {0}', parallelism) : '',
    ]
      .filter(Boolean)
      .join(' · ');
    this.tooltip = new vscode.MarkdownString(
      `**${job.name}**\n\n${vscode.l10n.t('Job')} \`${job.jid}\`\n\n${job.state}, ${vscode.l10n.t('started')} ${new Date(job['start-time']).toLocaleString()}`,
    );
    this.iconPath = new vscode.ThemeIcon(
      running ? 'play-circle' : job.state === 'FAILED' ? 'error' : 'circle-slash',
      running ? new vscode.ThemeColor('testing.iconPassed') : undefined,
    );
    this.contextValue = running ? 'clusterJob.running' : 'clusterJob.ended';
  }

  get jobId(): string {
    return this.job.jid;
  }
}

/** A checkpoint or savepoint of a job: from the cluster's history, from storage, or both. */
export class ClusterCheckpointNode extends vscode.TreeItem {
  /** The snapshot directory as Flink names it, when known. */
  readonly externalPath: string | undefined;
  constructor(
    readonly clusterId: string,
    readonly jobId: string,
    readonly entry: HistoryEntry,
    storedPath: string | undefined,
  ) {
    super(
      entry.rest?.is_savepoint ? vscode.l10n.t('Savepoint {0}', entry.id) : vscode.l10n.t('Checkpoint {0}', entry.id),
      vscode.TreeItemCollapsibleState.None,
    );
    this.id = `cluster:${clusterId}:job:${jobId}:chk:${entry.id}`;
    const rest: CheckpointStatistics | undefined = entry.rest;
    this.externalPath = rest?.external_path ?? storedPath;
    const marks = [
      entry.latestCompleted ? vscode.l10n.t('latest') : '',
      entry.latestSavepoint ? vscode.l10n.t('latest savepoint') : '',
      entry.restoredFrom ? vscode.l10n.t('restored from') : '',
      entry.latestFailed ? vscode.l10n.t('latest failed') : '',
    ].filter(Boolean);
    const parts = rest
      ? [
          ...marks,
          rest.status,
          rest.is_savepoint
            ? `${rest.checkpoint_type}${rest.savepointFormat ? ` ${rest.savepointFormat}` : ''}`
            : rest.checkpoint_type,
          formatAge(rest.trigger_timestamp),
          rest.status === 'COMPLETED' ? `${rest.end_to_end_duration} ms` : '',
          formatBytes(rest.state_size),
          rest.checkpointed_size !== undefined && rest.checkpointed_size !== rest.state_size
            ? vscode.l10n.t('+{0} incremental', formatBytes(rest.checkpointed_size))
            : '',
          rest.discarded ? vscode.l10n.t('discarded') : '',
        ]
      : [
          ...marks,
          entry.newerThanHistory
            ? vscode.l10n.t("in storage, newer than the cluster's last answer")
            : vscode.l10n.t("in storage, beyond the cluster's history"),
        ];
    this.description = parts.filter(Boolean).join(' · ');
    const lines = [`**${this.label as string}**`];
    if (rest) {
      lines.push(
        `${vscode.l10n.t('Status')}: ${rest.status}`,
        `${vscode.l10n.t('Type')}: ${rest.checkpoint_type}`,
        `${vscode.l10n.t('Triggered')}: ${new Date(rest.trigger_timestamp).toLocaleString()}`,
      );
      if (rest.status === 'COMPLETED') {
        lines.push(
          `${vscode.l10n.t('Completed')}: ${new Date(rest.trigger_timestamp + rest.end_to_end_duration).toLocaleString()} (${rest.end_to_end_duration} ms)`,
        );
      }
      lines.push(`${vscode.l10n.t('Full size')}: ${formatBytes(rest.state_size)}`);
      if (rest.checkpointed_size !== undefined) {
        lines.push(`${vscode.l10n.t('Checkpointed (incremental) size')}: ${formatBytes(rest.checkpointed_size)}`);
      }
      if (rest.failure_message) lines.push(`${vscode.l10n.t('Failure')}: ${rest.failure_message}`);
    }
    if (this.externalPath) lines.push(`\`${this.externalPath}\``);
    this.tooltip = new vscode.MarkdownString(lines.join('\n\n'));
    this.iconPath =
      rest?.status === 'FAILED'
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
        : rest?.status === 'IN_PROGRESS'
          ? new vscode.ThemeIcon('loading~spin')
          : entry.latestCompleted
            ? new vscode.ThemeIcon('star-full', new vscode.ThemeColor('charts.yellow'))
            : rest?.is_savepoint
              ? new vscode.ThemeIcon('bookmark', new vscode.ThemeColor('charts.purple'))
              : entry.restoredFrom
                ? new vscode.ThemeIcon('history')
                : new vscode.ThemeIcon(rest ? 'pass' : 'database');
    const kind =
      rest?.status === 'FAILED'
        ? 'failed'
        : rest?.status === 'IN_PROGRESS'
          ? 'inprogress'
          : rest?.is_savepoint
            ? 'savepoint'
            : 'checkpoint';
    this.contextValue = `clusterCheckpoint.${kind}${this.externalPath && !rest?.discarded ? '.path' : ''}`;
    if (this.externalPath && !rest?.discarded && kind !== 'failed' && kind !== 'inprogress') {
      this.command = {
        command: 'flinkCheckpoints.openClusterSnapshot',
        title: vscode.l10n.t('Open in Store'),
        arguments: [this],
      };
    }
  }
}

/** Where the job was last restored from (`latest.restored`), when that is not in its own history. */
export class RestoredNode extends vscode.TreeItem {
  constructor(
    readonly clusterId: string,
    readonly jobId: string,
    readonly externalPath: string,
    id: number,
    savepoint: boolean,
    at: number,
  ) {
    super(
      vscode.l10n.t('Restored from {0} {1}', savepoint ? vscode.l10n.t('savepoint') : vscode.l10n.t('checkpoint'), id),
      vscode.TreeItemCollapsibleState.None,
    );
    this.id = `cluster:${clusterId}:job:${jobId}:restored`;
    this.description = `${formatAge(at)} · ${externalPath}`;
    this.tooltip = externalPath;
    this.iconPath = new vscode.ThemeIcon('history');
    this.contextValue = 'clusterRestored.path';
    this.command = {
      command: 'flinkCheckpoints.openClusterSnapshot',
      title: vscode.l10n.t('Open in Store'),
      arguments: [this],
    };
  }
}

export class ClusterMessageNode extends vscode.TreeItem {
  constructor(id: string, message: string, error: boolean) {
    super(message, vscode.TreeItemCollapsibleState.None);
    this.id = `${id}#message`;
    this.tooltip = message;
    this.iconPath = new vscode.ThemeIcon(
      error ? 'warning' : 'info',
      error ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined,
    );
    if (error) this.command = { command: 'flinkCheckpoints.refreshClusters', title: vscode.l10n.t('Retry') };
  }
}

export type ClusterTreeNode = ClusterNode | ClusterJobNode | ClusterCheckpointNode | RestoredNode | ClusterMessageNode;

/** Most jobs whose details (parallelism) are asked for per refresh. */
const DETAILED_JOBS = 20;

/**
 * Clusters → jobs (state, duration, parallelism) → checkpoints: the cluster's history merged with the `chk-N`
 * directories of the job's checkpoint directory when a configured store holds it. Nothing is cached: a refresh asks
 * the cluster again (the view refreshes on a timer while visible).
 */
export class ClustersTreeProvider implements vscode.TreeDataProvider<ClusterTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ClusterTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly clusters: ClusterRegistry,
    private readonly stores: StoreRegistry,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = clusters.onDidChange(() => this.refresh());
  }

  refresh(node?: ClusterTreeNode): void {
    this.changed.fire(node);
  }

  getTreeItem(node: ClusterTreeNode): vscode.TreeItem {
    return node;
  }

  async getChildren(node?: ClusterTreeNode): Promise<ClusterTreeNode[]> {
    if (!node) return this.clusters.configs().map((c) => new ClusterNode(c));
    try {
      if (node instanceof ClusterNode) return await this.jobs(node);
      if (node instanceof ClusterJobNode) return await this.checkpoints(node);
    } catch (error) {
      this.log.warn(`Clusters view: ${errorMessage(error)}`);
      return [new ClusterMessageNode(String(node.id), errorMessage(error), true)];
    }
    return [];
  }

  private async jobs(node: ClusterNode): Promise<ClusterTreeNode[]> {
    const client = await this.clusters.client(node.clusterId);
    const jobs = await client.jobs();
    if (jobs.length === 0) {
      return [new ClusterMessageNode(String(node.id), vscode.l10n.t('No jobs on this cluster'), false)];
    }
    const parallelism = await Promise.all(
      jobs.map(async (job, i) => {
        if (i >= DETAILED_JOBS) return undefined;
        const details = await client.job(job.jid).catch(() => undefined);
        return details ? Math.max(...details.vertices.map((v) => v.parallelism)) : undefined;
      }),
    );
    return jobs.map((job, i) => new ClusterJobNode(node.clusterId, job, parallelism[i]));
  }

  private async checkpoints(node: ClusterJobNode): Promise<ClusterTreeNode[]> {
    const client = await this.clusters.client(node.clusterId);
    const stats = await client.checkpoints(node.jobId);
    const stored = await this.storedCheckpoints(jobCheckpointDirectory(stats));
    const entries = mergeHistory(stats, stored?.refs);
    const nodes: ClusterTreeNode[] = [];
    const restored = stats.latest.restored;
    if (restored && !entries.some((e) => e.restoredFrom)) {
      nodes.push(
        new RestoredNode(
          node.clusterId,
          node.jobId,
          restored.external_path,
          restored.id,
          restored.is_savepoint,
          restored.restore_timestamp,
        ),
      );
    }
    for (const entry of entries) {
      const storedPath = entry.stored && stored ? `${stored.directory}/${entry.stored.name}` : undefined;
      nodes.push(new ClusterCheckpointNode(node.clusterId, node.jobId, entry, storedPath));
    }
    if (nodes.length === 0) {
      nodes.push(new ClusterMessageNode(String(node.id), vscode.l10n.t('No checkpoints yet'), false));
    }
    return nodes;
  }

  /** The `chk-N` directories of the job's checkpoint directory, when a configured store holds it. */
  private async storedCheckpoints(
    directory: string | undefined,
  ): Promise<{ directory: string; refs: readonly SnapshotRef[] } | undefined> {
    if (directory === undefined) return undefined;
    const found = findInStores(this.stores, directory);
    if (!found) return undefined;
    try {
      const { store } = await this.stores.get(found.storeId);
      const layout = await scanDirectory(store, found.storePath);
      return { directory, refs: layout.checkpoints };
    } catch (error) {
      this.log.warn(`Clusters view: the store scan of ${directory} failed: ${errorMessage(error)}`);
      return undefined;
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Calls `refresh` every `flinkCheckpoints.clusterRefreshSeconds` while the view is visible, and not otherwise. */
export function refreshWhileVisible(view: vscode.TreeView<unknown>, refresh: () => void): vscode.Disposable {
  let timer: ReturnType<typeof setInterval> | undefined;
  const update = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    const every = clusterRefreshMs();
    if (view.visible && every > 0) timer = setInterval(refresh, every);
  };
  update();
  const subscriptions = [
    view.onDidChangeVisibility(update),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affects(event, 'clusterRefreshSeconds')) update();
    }),
  ];
  return new vscode.Disposable(() => {
    if (timer !== undefined) clearInterval(timer);
    for (const s of subscriptions) s.dispose();
  });
}
