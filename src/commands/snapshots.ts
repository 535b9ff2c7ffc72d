import * as vscode from 'vscode';
import { abortSignalOf } from '../core/concurrency';
import { diffSummaries, MetadataSummary, summarizeMetadata, operatorIdFromUid } from '../core/metadata';
import { inspectSnapshots, scanDirectory, METADATA_FILE } from '../core/layout';
import { joinStorePath } from '../core/stores/paths';
import { externalLocation } from '../core/stores/uri';
import {
  CleanupPlan,
  CleanupResult,
  RestoreResult,
  SafetyOptions,
  TrashDirectory,
  analyseCleanup,
  basePathOf,
  listTrash,
  restoreTrash,
  runCleanup,
  snapshotResolver,
} from '../core/references/safety';
import { openStore, parseStoreUri } from '../core/stores';
import type { CheckpointStore } from '../core/stores/types';
import type { CleanupModel, DiffModel, HistoryModel } from '../../media/protocol';
import { ReportPanel } from '../views/reportPanel';
import { openStoredStateSnapshot, type StoredStateSnapshot } from '../core/state/values/diffStore';
import { STATE_DIFF_PAGE, StateCompare, type CompareStateResult } from '../views/compareState';
import { formatBytes } from '../viewModel/format';
import { displayPath } from '../viewModel/inspectorModel';
import { Services } from '../services';
import { registerCommand } from './register';
import { cleanUpAlsoReferencing } from '../settings';

interface NodeRef {
  readonly storeId: string;
  readonly path: string;
}

export function register(services: Services): void {
  registerCommand(services, 'flinkCheckpoints.compareWith', (node?: NodeRef, other?: NodeRef) =>
    compareWith(services, node, other),
  );
  registerCommand(
    services,
    'flinkCheckpoints.compareState',
    (a?: NodeRef, b?: NodeRef, target?: { operatorId: string; state: string }, options?: CompareStateOptions) =>
      compareState(services, a, b, target, options),
  );
  registerCommand(services, 'flinkCheckpoints.showHistory', (node?: NodeRef) => showHistory(services, node));
  registerCommand(services, 'flinkCheckpoints.cleanUp', (node?: NodeRef, options?: CleanUpOptions) =>
    cleanUp(services, node, options),
  );
  registerCommand(services, 'flinkCheckpoints.computeOperatorId', async () => {
    const uid = await vscode.window.showInputBox({
      title: vscode.l10n.t('Operator id from uid'),
      prompt: vscode.l10n.t('The uid(...) given to the operator in the job'),
      ignoreFocusOut: true,
    });
    if (!uid) return undefined;
    const id = operatorIdFromUid(uid);
    const copy = vscode.l10n.t('Copy');
    if (
      (await vscode.window.showInformationMessage(vscode.l10n.t('uid "{0}" → operator id {1}', uid, id), copy)) === copy
    ) {
      await vscode.env.clipboard.writeText(id);
    }
    return id;
  });
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

function requireNode(node: NodeRef | undefined, what: string): NodeRef | undefined {
  if (node) return node;
  void vscode.window.showInformationMessage(
    vscode.l10n.t('Run this from the Checkpoint Stores view: right-click a {0}.', what),
  );
  return undefined;
}

async function readSummary(services: Services, node: NodeRef): Promise<MetadataSummary> {
  const { store } = await services.stores.get(node.storeId);
  const pointer = externalLocation(store.uri, node.path);
  const bytes = await store.readAll(joinStorePath(node.path, METADATA_FILE));
  return summarizeMetadata(bytes, { pointer });
}

/**
 * The summary with its referenced files as store paths, resolved the way the inspector and cleanup resolve them (a
 * moved tree, the cluster's path), so relative and absolute references read alike and compare by where they lie.
 * A reference no store location fits stays as Flink wrote it.
 */
async function inStorePaths(services: Services, node: NodeRef, summary: MetadataSummary): Promise<MetadataSummary> {
  const { store, config } = await services.stores.get(node.storeId);
  const resolve = snapshotResolver(
    node.path,
    summary.checkpointId,
    summary.referencedFiles,
    store.uri,
    config.clusterPath ? [config.clusterPath] : [],
  );
  const referencedFiles = summary.referencedFiles.map((file) => resolve(file)[0] ?? file);
  return { ...summary, referencedFiles: [...new Set(referencedFiles)].sort() };
}

function diffModel(a: NodeRef, b: NodeRef, left: MetadataSummary, right: MetadataSummary): DiffModel {
  const diff = diffSummaries(left, right);
  // Two snapshots of one job: paths relative to its directory (chk-3/…, shared/…), as the inspector shows them.
  const sameJob = a.storeId === b.storeId && parentOf(a.path) === parentOf(b.path);
  const shown = (file: string) => (sameJob ? displayPath(file, a.path) : file);
  const label = (o: { name: string | null; uid: string | null; operatorId: string }) => o.name ?? o.uid ?? o.operatorId;
  return {
    left: a.path,
    right: b.path,
    operators: [
      ...diff.operatorsAdded.map((o) => ({
        operatorId: o.operatorId,
        label: label(o),
        change: 'added' as const,
        parallelism: [null, o.parallelism] as const,
        maxParallelism: [null, o.maxParallelism] as const,
        stateSize: [null, o.stateSize] as const,
      })),
      ...diff.operatorsRemoved.map((o) => ({
        operatorId: o.operatorId,
        label: label(o),
        change: 'removed' as const,
        parallelism: [o.parallelism, null] as const,
        maxParallelism: [o.maxParallelism, null] as const,
        stateSize: [o.stateSize, null] as const,
      })),
      ...diff.operators.map((o) => {
        const before = left.operators.find((x) => x.operatorId === o.operatorId)!;
        const after = right.operators.find((x) => x.operatorId === o.operatorId)!;
        const changed = o.parallelism !== null || o.maxParallelism !== null || o.stateSize.delta !== 0;
        return {
          operatorId: o.operatorId,
          label: label(o),
          change: changed ? ('changed' as const) : ('same' as const),
          parallelism: [before.parallelism, after.parallelism] as const,
          maxParallelism: [before.maxParallelism, after.maxParallelism] as const,
          stateSize: [before.stateSize, after.stateSize] as const,
        };
      }),
    ],
    filesOnlyLeft: diff.files.onlyInA.map(shown),
    filesOnlyRight: diff.files.onlyInB.map(shown),
    filesInBoth: diff.files.inBoth.length,
  };
}

async function compareWith(
  services: Services,
  node: NodeRef | undefined,
  other: NodeRef | undefined,
): Promise<DiffModel | undefined> {
  const a = requireNode(node, vscode.l10n.t('complete checkpoint or savepoint'));
  if (!a) return undefined;
  let b = other;
  if (!b) {
    const { store } = await services.stores.get(a.storeId);
    const parent = a.path.slice(0, a.path.lastIndexOf('/')) || '/';
    const layout = await scanDirectory(store, parent);
    const candidates = (await inspectSnapshots(store, [...layout.checkpoints, ...layout.savepoints])).filter(
      (s) => s.status === 'complete' && s.path !== a.path,
    );
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('No other complete snapshot beside {0} to compare with.', a.path),
      );
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      candidates.map((s) => ({
        label: s.name,
        description: s.stateSize !== undefined ? formatBytes(s.stateSize) : undefined,
        snapshot: s,
      })),
      { title: vscode.l10n.t('Compare {0} with…', a.path.split('/').pop() ?? a.path) },
    );
    if (!picked) return undefined;
    b = { storeId: a.storeId, path: picked.snapshot.path };
  }
  const [left, right] = await Promise.all([
    readSummary(services, a).then((summary) => inStorePaths(services, a, summary)),
    readSummary(services, b).then((summary) => inStorePaths(services, b, summary)),
  ]);
  // Older to newer, whichever was right-clicked: a change reads as what happened since.
  const older = left.checkpointId > right.checkpointId;
  const model = older ? diffModel(b, a, right, left) : diffModel(a, b, left, right);
  // The State tab reads state entries only when asked: counts per state, then pages of changed keys.
  const state = new StateCompare(stateOpener(services), older ? b : a, older ? a : b, (message) => panel.post(message));
  const panel = new ReportPanel(
    services,
    vscode.l10n.t('Compare {0} ⟷ {1}', model.left.split('/').pop() ?? '', model.right.split('/').pop() ?? ''),
    { type: 'diff', model },
    async (message) => {
      await state.handle(message);
    },
  );
  panel.onDidDispose(() => state.dispose());
  return model;
}

/** Opens snapshots of the configured stores for reading state, their files found as cleanup finds them. */
function stateOpener(services: Services): (ref: NodeRef) => Promise<StoredStateSnapshot> {
  return async (ref) => {
    const { store, config } = await services.stores.get(ref.storeId);
    // Through the entry browser's cache: a shared file is read once for both sides, and Clear State Cache clears it.
    return openStoredStateSnapshot(
      store,
      ref.path,
      config.clusterPath ? [config.clusterPath] : [],
      undefined,
      services.stateCache,
    );
  };
}

interface CompareStateOptions {
  readonly skip?: number;
  readonly limit?: number;
}

/**
 * The State tab's answers without the page, for scripts and tests: one state's counts from `a` to `b`, and a page of
 * its changed keys with their field-level changes.
 */
async function compareState(
  services: Services,
  a: NodeRef | undefined,
  b: NodeRef | undefined,
  target: { operatorId: string; state: string } | undefined,
  options: CompareStateOptions = {},
): Promise<CompareStateResult | undefined> {
  if (!a || !b || !target) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Use Compare With… and its State tab.'));
    return undefined;
  }
  const compare = new StateCompare(stateOpener(services), a, b, () => undefined);
  try {
    const counts = await compare.count(target);
    const page = await compare.page(target, options.skip ?? 0, options.limit ?? STATE_DIFF_PAGE);
    return { counts: counts.counts, problems: counts.problems, changes: page.changes, more: page.more };
  } finally {
    compare.dispose();
  }
}

async function showHistory(services: Services, node: NodeRef | undefined): Promise<HistoryModel | undefined> {
  const job = requireNode(node, vscode.l10n.t('job'));
  if (!job) return undefined;
  const { store } = await services.stores.get(job.storeId);
  const snapshots = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Reading the snapshots of {0}…', job.path) },
    async () => {
      const layout = await scanDirectory(store, job.path);
      return inspectSnapshots(store, [...layout.checkpoints, ...layout.savepoints]);
    },
  );
  const points = snapshots
    .filter((s) => s.status === 'complete')
    .map((s) => ({
      label: s.name,
      checkpointId: s.metadataCheckpointId ?? s.checkpointId ?? 0,
      time: s.completedAt ?? null,
      stateSize: s.stateSize ?? 0,
      kind: s.kind,
    }))
    // By checkpoint id, which Flink counts up per job: directory times tie, and change when a file inside is removed.
    .sort((x, y) => x.checkpointId - y.checkpointId || (x.time ?? 0) - (y.time ?? 0));
  const model: HistoryModel = { job: job.path.split('/').pop() ?? job.path, points };
  new ReportPanel(services, vscode.l10n.t('History of {0}', model.job), { type: 'history', model });
  return model;
}

function plural(n: number): string {
  return n === 1 ? vscode.l10n.t('1 entry') : vscode.l10n.t('{0} entries', n);
}

function cleanupModel(
  storeName: string,
  plan: CleanupPlan,
  jobStopped: boolean,
  trash: readonly TrashDirectory[],
  lastRun: string | null,
): CleanupModel {
  return {
    store: storeName,
    job: plan.jobPath,
    retained: plan.retained.map((s) => s.external ?? s.path),
    referencedFiles: plan.referencedFiles,
    // An entropy-injected S3 object is shown where it really lies, not at the path it stands for.
    candidates: plan.candidates.map((c) => ({
      uri: c.location ?? c.path,
      size: c.size,
      reason: c.reason,
      kind: c.kind,
    })),
    totalBytes: plan.totalBytes,
    kept: plan.kept.map((k) => ({ uri: k.path, why: k.why })),
    blocked: plan.sharedStateBlocked ?? null,
    keptWhileRunning: plan.sharedStateKept ?? null,
    jobStopped,
    reversible: plan.reversible,
    trash: [...trash].reverse().map((t) => ({ path: t.path, time: t.time })),
    lastRun,
  };
}

/**
 * Snapshot directories beyond the checkpoint base that may reference a job's files (the setting
 * `flinkCheckpoints.cleanUp.alsoReferencing`): a path inside the store, or a location of its own.
 */
function alsoDirectories(store: CheckpointStore, opened: CheckpointStore[]): SafetyOptions['also'] {
  return cleanUpAlsoReferencing()
    .filter((d) => typeof d === 'string' && d.trim() !== '')
    .map((dir) => {
      if (dir.startsWith('/') && !/^[a-z][a-z0-9+.-]*:/i.test(dir) && store.uri.scheme !== 'file') {
        return { store, path: dir };
      }
      const other = openStore(parseStoreUri(dir));
      opened.push(other);
      return { store: other, path: '/' };
    });
}

/**
 * For callers other than the page (scripts, tests): `jobStopped` judges as if the job were stopped; `apply` removes
 * the candidates without the confirmation dialog; `putBack` restores a quarantine directory of the base.
 */
interface CleanUpOptions {
  readonly jobStopped?: boolean;
  readonly apply?: boolean;
  readonly putBack?: string;
}

type CleanUpOutcome = CleanupPlan & { readonly result?: CleanupResult; readonly restored?: RestoreResult };

async function cleanUp(
  services: Services,
  node: NodeRef | undefined,
  options: CleanUpOptions = {},
): Promise<CleanUpOutcome | undefined> {
  const job = requireNode(node, vscode.l10n.t('job'));
  if (!job) return undefined;
  const { store, config } = await services.stores.get(job.storeId);
  const base = basePathOf(job.path);
  let jobStopped = options.jobStopped ?? false;
  let lastRun: string | null = null;
  const journal = (line: string) => services.log.info(`Clean Up ${config.name}: ${line}`);
  const safety = (opened: CheckpointStore[]): SafetyOptions => ({
    jobStopped,
    also: alsoDirectories(store, opened),
    ...(config.clusterPath ? { clusterPaths: [config.clusterPath] } : {}),
  });
  const analyse = () =>
    vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Reading the checkpoint base of {0} in {1}…', job.path, config.name),
        cancellable: true,
      },
      async (_p, token) => {
        const opened: CheckpointStore[] = [];
        try {
          return await analyseCleanup(store, job.path, { ...safety(opened), signal: abortSignalOf(token) });
        } finally {
          for (const other of opened) await other.close();
        }
      },
    );
  let plan = await analyse();
  let trash = await listTrash(store, base);
  const show = () => ({ type: 'cleanup' as const, model: cleanupModel(config.name, plan, jobStopped, trash, lastRun) });
  const refresh = async () => {
    plan = await analyse();
    trash = await listTrash(store, base);
    panel.update(show());
  };
  const title = vscode.l10n.t('Clean Up {0} — {1}', job.path.split('/').pop() ?? job.path, config.name);
  const writable = (): boolean => {
    if (config.writable) return true;
    void vscode.window.showErrorMessage(
      vscode.l10n.t('Store "{0}" is read-only. Enable "writable" in Edit Store… to change files.', config.name),
    );
    return false;
  };
  const putBack = async (path: string): Promise<RestoreResult | undefined> => {
    if (!trash.some((t) => t.path === path) || !writable()) return undefined;
    const result = await restoreTrash(store, path, { journal });
    lastRun = vscode.l10n.t(
      'Put back {0} from {1}; {2} left in the trash.',
      plural(result.restored.length),
      path,
      plural(result.skipped.length),
    );
    services.storesTree.refresh();
    await refresh();
    return result;
  };
  const apply = async (): Promise<CleanupResult | undefined> => {
    if (plan.candidates.length === 0 || !writable()) return undefined;
    const opened: CheckpointStore[] = [];
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: plan.reversible ? vscode.l10n.t('Moving to the trash…') : vscode.l10n.t('Deleting…'),
      },
      async () => {
        try {
          return await runCleanup(store, plan, { ...safety(opened), journal });
        } finally {
          for (const other of opened) await other.close();
        }
      },
    );
    const done = result.trashPath
      ? vscode.l10n.t('Moved {0} to {1}.', plural(result.moved.length), result.trashPath)
      : vscode.l10n.t('Deleted {0} for good.', plural(result.deleted.length));
    const skipped = result.skipped.length
      ? ` ${vscode.l10n.t('Skipped {0}: {1}', plural(result.skipped.length), [...new Set(result.skipped.map((s) => s.why))].join('; '))}`
      : '';
    const stopped = result.stopped ? ` ${vscode.l10n.t('Stopped: {0} since the dry run.', result.stopped)}` : '';
    lastRun = `${done}${skipped}${stopped}`;
    void (result.stopped ? vscode.window.showWarningMessage(lastRun) : vscode.window.showInformationMessage(lastRun));
    services.storesTree.refresh();
    await refresh();
    return result;
  };
  const panel: ReportPanel = new ReportPanel(services, title, show(), async (message) => {
    if (message.type === 'cleanupJobStopped') {
      jobStopped = message.stopped;
      await refresh();
      return;
    }
    if (message.type === 'restoreTrash') {
      await putBack(message.path);
      return;
    }
    if (message.type !== 'confirmCleanup' || plan.candidates.length === 0) return;
    const names =
      plan.candidates
        .slice(0, 5)
        .map((c) => c.path)
        .join('\n') +
      (plan.candidates.length > 5 ? `\n… ${vscode.l10n.t('and {0} more', plan.candidates.length - 5)}` : '');
    const confirm = plan.reversible ? vscode.l10n.t('Move to Trash') : vscode.l10n.t('Delete for Good');
    const question = plan.reversible
      ? vscode.l10n.t(
          'Move {0} ({1}) of {2} in store "{3}" to .flink-checkpoints-trash in its checkpoint base?',
          plural(plan.candidates.length),
          formatBytes(plan.totalBytes),
          job.path,
          config.name,
        )
      : vscode.l10n.t(
          'Delete {0} ({1}) of {2} in store "{3}" for good? This store cannot move them to a trash.',
          plural(plan.candidates.length),
          formatBytes(plan.totalBytes),
          job.path,
          config.name,
        );
    const detail = `${names}\n\n${vscode.l10n.t('The checkpoint base is read again before each batch; the run stops if a snapshot appears or completes. Files a retained snapshot references are never removed.')}`;
    const answer = await vscode.window.showWarningMessage(question, { modal: true, detail }, confirm);
    if (answer === confirm) await apply();
  });
  if (options.putBack) {
    const restored = await putBack(options.putBack);
    return { ...plan, ...(restored ? { restored } : {}) };
  }
  if (options.apply) {
    const dryRun = plan;
    const result = await apply();
    return { ...dryRun, ...(result ? { result } : {}) };
  }
  return plan;
}
