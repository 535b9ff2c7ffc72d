import * as vscode from 'vscode';
import {
  DirectoryLayout,
  SNAPSHOT_PAGE_SIZE,
  SnapshotInfo,
  SnapshotRef,
  inspectSnapshots,
  markLatestRestorable,
  scanDirectory,
} from '../core/layout';
import { missingFilesCheck } from '../core/references/presence';
import { CheckpointStore, StoreEntry, opensAsDirectory } from '../core/stores/types';
import { joinStorePath } from '../core/stores/paths';
import { StoreConfig, treePageSize } from '../settings';
import { StoreRegistry } from '../workbench/storeRegistry';
import { StoreError } from '../core/stores/errors';
import { formatAge } from './format';
import { formatBytes } from '../viewModel/format';
import { errorDetail, errorMessage } from '../core/errors';
import { reportError } from '../workbench/errors';

/** How often the tree draws its ages again (the smallest step formatAge shows is a minute). */
const AGE_REFRESH_MS = 60_000;

/** Every node knows its store and store path; commands act on these. */
abstract class StoreTreeNode extends vscode.TreeItem {
  constructor(
    readonly storeId: string,
    readonly path: string,
    label: string,
    collapsible: vscode.TreeItemCollapsibleState,
  ) {
    super(label, collapsible);
    this.id = `${storeId}:${path}:${new.target.name}`;
  }
}

/** A long location in a few characters: its last two folders (`…/flink/checkpoints`); the tooltip has it whole. */
function shortLocation(uri: string, max = 40): string {
  if (uri.length <= max) return uri;
  const parts = uri.split(/[\\/]/).filter(Boolean);
  return `…/${parts.slice(-2).join('/')}`;
}

export class StoreNode extends StoreTreeNode {
  constructor(readonly config: StoreConfig) {
    super(config.id, '/', config.name, vscode.TreeItemCollapsibleState.Collapsed);
    this.description = shortLocation(config.uri);
    this.tooltip = new vscode.MarkdownString(
      `**${config.name}**\n\n\`${config.uri}\`${config.writable ? '' : `\n\n${vscode.l10n.t('read-only')}`}`,
    );
    this.iconPath = new vscode.ThemeIcon(
      config.uri.includes('://') && !config.uri.startsWith('file:') ? 'cloud' : 'database',
    );
    this.contextValue = 'store';
  }
}

export class JobNode extends StoreTreeNode {
  constructor(
    storeId: string,
    path: string,
    readonly jobId: string,
    mtime: number | undefined,
  ) {
    super(storeId, path, jobId, vscode.TreeItemCollapsibleState.Collapsed);
    this.description = mtime ? formatAge(mtime) : undefined;
    this.tooltip = vscode.l10n.t('Job {0}', jobId);
    this.iconPath = new vscode.ThemeIcon('server-process');
    this.contextValue = 'job';
  }
}

export class SnapshotNode extends StoreTreeNode {
  constructor(
    storeId: string,
    readonly snapshot: SnapshotInfo,
    latest: boolean,
  ) {
    super(storeId, snapshot.path, snapshot.name, vscode.TreeItemCollapsibleState.Collapsed);
    const parts: string[] = [];
    if (latest) parts.push(vscode.l10n.t('latest'));
    if (snapshot.status === 'in-progress') parts.push(vscode.l10n.t('in progress'));
    if (snapshot.status === 'broken') parts.push(vscode.l10n.t('broken'));
    const missing = snapshot.missingFiles ?? [];
    if (missing.length > 0) parts.push(vscode.l10n.t('{0} referenced files missing', missing.length));
    if (snapshot.stateSize !== undefined) parts.push(formatBytes(snapshot.stateSize));
    // The time `_metadata` was written (completion); an in-progress snapshot has none yet.
    if (snapshot.completedAt) parts.push(formatAge(snapshot.completedAt));
    this.description = parts.join(' · ');
    const kind = snapshot.kind === 'savepoint' ? vscode.l10n.t('Savepoint') : vscode.l10n.t('Checkpoint');
    this.tooltip = new vscode.MarkdownString(
      [
        `**${kind} ${snapshot.metadataCheckpointId ?? snapshot.checkpointId ?? ''}** — ${snapshot.status}${latest ? `, ${vscode.l10n.t('latest complete checkpoint')}` : ''}`,
        missing.length > 0
          ? `\n\n${vscode.l10n.t('Cannot be restored: these referenced files are not in the store')}:\n\n${missing
              .slice(0, 10)
              .map((f) => `- \`${f}\``)
              .join('\n')}${missing.length > 10 ? `\n- ${vscode.l10n.t('and {0} more', missing.length - 10)}` : ''}`
          : snapshot.reason
            ? `\n\n${snapshot.reason}`
            : '',
        snapshot.stateSize !== undefined
          ? `\n\n${vscode.l10n.t('State size')}: ${formatBytes(snapshot.stateSize)}`
          : '',
        snapshot.metadataVersion !== undefined
          ? `\n\n${vscode.l10n.t('Metadata version')}: ${snapshot.metadataVersion}`
          : '',
        snapshot.completedAt
          ? `\n\n${vscode.l10n.t('Completed')}: ${new Date(snapshot.completedAt).toLocaleString()} (${vscode.l10n.t('when _metadata was written')})`
          : '',
      ].join(''),
    );
    this.iconPath =
      snapshot.status === 'broken'
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
        : missing.length > 0
          ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
          : snapshot.status === 'in-progress'
            ? new vscode.ThemeIcon('loading~spin')
            : latest
              ? new vscode.ThemeIcon('star-full', new vscode.ThemeColor('charts.yellow'))
              : new vscode.ThemeIcon(
                  snapshot.kind === 'savepoint' ? 'bookmark' : 'pass',
                  new vscode.ThemeColor(snapshot.kind === 'savepoint' ? 'charts.purple' : 'testing.iconPassed'),
                );
    this.contextValue = `snapshot.${snapshot.status === 'in-progress' ? 'inprogress' : snapshot.status}`;
  }
}

export class DirNode extends StoreTreeNode {
  constructor(storeId: string, path: string, name: string, uri: vscode.Uri, description?: string) {
    super(storeId, path, name, vscode.TreeItemCollapsibleState.Collapsed);
    this.resourceUri = uri;
    this.description = description;
    this.iconPath = vscode.ThemeIcon.Folder;
    this.contextValue = 'dir';
  }
}

export class FileNode extends StoreTreeNode {
  constructor(
    storeId: string,
    readonly entry: StoreEntry,
    uri: vscode.Uri,
  ) {
    super(storeId, entry.path, entry.name, vscode.TreeItemCollapsibleState.None);
    this.resourceUri = uri;
    this.description = formatBytes(entry.size);
    this.iconPath = vscode.ThemeIcon.File;
    this.contextValue = 'file';
    this.command = { command: 'vscode.open', title: vscode.l10n.t('Open'), arguments: [uri] };
  }
}

export class LoadMoreNode extends StoreTreeNode {
  constructor(
    readonly parent: ParentNode,
    shown: number,
  ) {
    super(parent.storeId, `${parent.path}#more`, vscode.l10n.t('Load more…'), vscode.TreeItemCollapsibleState.None);
    this.description = vscode.l10n.t('{0} shown', shown);
    this.iconPath = new vscode.ThemeIcon('ellipsis');
    this.contextValue = 'loadMore';
    this.command = { command: 'flinkCheckpoints.loadMore', title: vscode.l10n.t('Load More…'), arguments: [this] };
  }
}

/**
 * A failure in a few words, for a tree label that the view cuts: what went wrong first, then the last part of where;
 * the tooltip carries the whole message with its advice.
 */
function failureLabel(error: unknown): string {
  if (error instanceof StoreError) {
    const where = (error.path && error.path !== '/' ? error.path : error.store).split(/[\\/]/).filter(Boolean).pop();
    return where ? `${error.detail} (${where})` : error.detail;
  }
  return errorMessage(error);
}

export class MessageNode extends StoreTreeNode {
  /** `message` is the label (and tooltip) of an information node; an error node is labelled by the error. */
  constructor(
    readonly parent: ParentNode,
    message: string | { error: unknown },
  ) {
    const error = typeof message === 'string' ? undefined : message.error;
    super(
      parent.storeId,
      `${parent.path}#message`,
      error === undefined ? (message as string) : failureLabel(error),
      vscode.TreeItemCollapsibleState.None,
    );
    this.tooltip = error === undefined ? (message as string) : errorMessage(error);
    this.iconPath = new vscode.ThemeIcon(
      error !== undefined ? 'warning' : 'info',
      error !== undefined ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined,
    );
    if (error !== undefined) {
      this.description = vscode.l10n.t('Retry');
      this.contextValue = 'error';
      this.command = { command: 'flinkCheckpoints.refreshNode', title: vscode.l10n.t('Retry'), arguments: [parent] };
    }
  }
}

export type ParentNode = StoreNode | JobNode | SnapshotNode | DirNode;
export type TreeNode = ParentNode | FileNode | LoadMoreNode | MessageNode;

/** A directory listing being read page by page; "Load more…" pulls the next page. */
interface Listing {
  readonly iterator: AsyncIterator<StoreEntry[]>;
  readonly entries: StoreEntry[];
  done: boolean;
}

/** A job's snapshots: the newest `shown` are inspected (read `_metadata`), the rest wait for "Load more…". */
interface SnapshotPage {
  readonly layout: DirectoryLayout;
  readonly refs: readonly SnapshotRef[];
  readonly inspected: SnapshotInfo[];
  /** The newest complete checkpoint that holds all its referenced files (the ones above it carry `missingFiles`). */
  readonly latest?: SnapshotInfo;
}

export class StoresTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly listings = new Map<string, Listing>();
  private readonly snapshotPages = new Map<string, SnapshotPage>();
  private readonly subscription: vscode.Disposable;
  private readonly ages: ReturnType<typeof setInterval>;

  constructor(
    private readonly registry: StoreRegistry,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = registry.onDidChange(() => this.refresh());
    // Ages ("5 min ago") are drawn again from what was read, without reading the stores again.
    this.ages = setInterval(() => {
      if (this.snapshotPages.size > 0) this.changed.fire(undefined);
    }, AGE_REFRESH_MS);
  }

  /** Forgets cached listings below a node (or everywhere) and re-reads them. */
  refresh(target?: TreeNode): void {
    // Retry on an error node (or its "Load more…") reads its parent again.
    const node = target instanceof MessageNode || target instanceof LoadMoreNode ? target.parent : target;
    if (!node) {
      this.listings.clear();
      this.snapshotPages.clear();
    } else {
      const prefix = `${node.storeId}:${node.path === '/' ? '' : node.path}`;
      for (const cache of [this.listings, this.snapshotPages] as Map<string, unknown>[]) {
        for (const key of [...cache.keys()]) {
          if (key === `${node.storeId}:${node.path}` || key.startsWith(`${prefix}/`)) cache.delete(key);
        }
      }
    }
    this.changed.fire(node instanceof StoreNode || node === undefined ? undefined : node);
  }

  async loadMore(node: LoadMoreNode): Promise<void> {
    const key = `${node.parent.storeId}:${node.parent.path}`;
    const page = this.snapshotPages.get(key);
    const listing = this.listings.get(key);
    try {
      const { store } = await this.registry.get(node.storeId);
      if (page) {
        const next = page.refs.slice(page.inspected.length, page.inspected.length + this.snapshotPageSize());
        page.inspected.push(...(await this.withProgress(() => inspectSnapshots(store, next))));
      } else if (listing) {
        await this.withProgress(() => this.pull(listing));
      }
    } catch (error) {
      reportError(this.log, vscode.l10n.t('Load more'), error);
    }
    this.changed.fire(node.parent);
  }

  getTreeItem(element: TreeNode): vscode.TreeItem {
    return element;
  }

  async getChildren(element?: TreeNode): Promise<TreeNode[]> {
    if (!element) return this.registry.configs().map((config) => new StoreNode(config));
    if (element instanceof FileNode || element instanceof LoadMoreNode || element instanceof MessageNode) return [];
    try {
      const { store } = await this.registry.get(element.storeId);
      const requestsBefore = requestCount(store);
      const children =
        element instanceof StoreNode || element instanceof JobNode
          ? await this.withProgress(() => this.layoutChildren(store, element))
          : await this.withProgress(() => this.directoryChildren(store, element));
      // S3 bills and throttles per request: each expansion says what it cost (concurrent expansions share the count).
      if (requestsBefore !== undefined) {
        this.log.info(`Expanded ${element.storeId}:${element.path}: ${requestCount(store)! - requestsBefore} requests`);
      }
      return children;
    } catch (error) {
      this.log.warn(`Listing ${element.storeId}:${element.path} failed: ${errorDetail(error)}`);
      return [new MessageNode(element, { error })];
    }
  }

  private pageSize(): number {
    return treePageSize();
  }

  /** Snapshots shown per page: each one costs a `_metadata` read, which on a remote store is a round trip. */
  private snapshotPageSize(): number {
    return Math.min(this.pageSize(), SNAPSHOT_PAGE_SIZE);
  }

  private withProgress<T>(task: () => Promise<T>): Promise<T> {
    return Promise.resolve(vscode.window.withProgress({ location: { viewId: 'flinkCheckpoints.stores' } }, task));
  }

  /** Children of a store root or job directory, arranged by what Flink keeps there. */
  private async layoutChildren(store: CheckpointStore, node: StoreNode | JobNode): Promise<TreeNode[]> {
    const key = `${node.storeId}:${node.path}`;
    let page = this.snapshotPages.get(key);
    if (!page) {
      const layout = await scanDirectory(store, node.path);
      const refs = [...layout.checkpoints, ...layout.savepoints];
      const inspected = await inspectSnapshots(store, refs.slice(0, this.snapshotPageSize()));
      const restorable = await markLatestRestorable(inspected, missingFilesCheck(store));
      page = { layout, refs, inspected: restorable.snapshots, latest: restorable.latest };
      this.snapshotPages.set(key, page);
    }
    const { layout } = page;
    if (layout.kind === 'snapshot') return this.directoryChildren(store, node);
    const nodes: TreeNode[] = layout.jobs.map((job) => new JobNode(node.storeId, job.path, job.jobId, job.mtime));
    nodes.push(...page.inspected.map((snapshot) => new SnapshotNode(node.storeId, snapshot, snapshot === page.latest)));
    if (page.inspected.length < page.refs.length) nodes.push(new LoadMoreNode(node, page.inspected.length));
    if (layout.hasShared) {
      nodes.push(
        this.dirNode(node.storeId, joinStorePath(node.path, 'shared'), 'shared', vscode.l10n.t('shared state')),
      );
    }
    if (layout.hasTaskOwned) {
      nodes.push(
        this.dirNode(
          node.storeId,
          joinStorePath(node.path, 'taskowned'),
          'taskowned',
          vscode.l10n.t('task-owned state'),
        ),
      );
    }
    for (const entry of layout.others) nodes.push(this.entryNode(node.storeId, entry));
    if (nodes.length === 0) {
      return [
        new MessageNode(
          node,
          layout.kind === 'empty'
            ? vscode.l10n.t('Empty: no checkpoints yet')
            : vscode.l10n.t('No checkpoints or savepoints here'),
        ),
      ];
    }
    return nodes;
  }

  private async directoryChildren(store: CheckpointStore, node: ParentNode): Promise<TreeNode[]> {
    const key = `${node.storeId}:${node.path}`;
    let listing = this.listings.get(key);
    if (!listing) {
      listing = {
        iterator: store.list(node.path, { pageSize: this.pageSize() })[Symbol.asyncIterator](),
        entries: [],
        done: false,
      };
      this.listings.set(key, listing);
      try {
        await this.pull(listing);
      } catch (error) {
        this.listings.delete(key);
        throw error;
      }
    }
    const sorted = [...listing.entries].sort((a, b) =>
      opensAsDirectory(a) === opensAsDirectory(b) ? a.name.localeCompare(b.name) : opensAsDirectory(a) ? -1 : 1,
    );
    const nodes: TreeNode[] = sorted.map((entry) => this.entryNode(node.storeId, entry));
    if (!listing.done) nodes.push(new LoadMoreNode(node, listing.entries.length));
    if (nodes.length === 0) nodes.push(new MessageNode(node, vscode.l10n.t('Empty directory')));
    return nodes;
  }

  /** Reads transport pages until one tree page is filled: transports may page in smaller batches than the tree. */
  private async pull(listing: Listing): Promise<void> {
    const target = listing.entries.length + this.pageSize();
    while (!listing.done && listing.entries.length < target) {
      const next = await listing.iterator.next();
      if (next.done) listing.done = true;
      else listing.entries.push(...next.value);
    }
  }

  private dirNode(storeId: string, path: string, name: string, description?: string): DirNode {
    return new DirNode(storeId, path, name, this.registry.uriFor(storeId, path), description);
  }

  private entryNode(storeId: string, entry: StoreEntry): TreeNode {
    return opensAsDirectory(entry)
      ? this.dirNode(storeId, entry.path, entry.name, entry.kind === 'link' ? vscode.l10n.t('link') : undefined)
      : new FileNode(storeId, entry, this.registry.uriFor(storeId, entry.path));
  }

  dispose(): void {
    clearInterval(this.ages);
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Requests a store has sent so far, for stores that count them (S3). */
function requestCount(store: CheckpointStore): number | undefined {
  const count = (store as { requestCount?: unknown }).requestCount;
  return typeof count === 'number' ? count : undefined;
}
