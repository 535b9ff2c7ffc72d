import * as vscode from 'vscode';
import { diffSummaries, MetadataSummary, summarizeMetadata, operatorIdFromUid } from '../core/metadata';
import { inspectSnapshots, scanDirectory, METADATA_FILE } from '../core/layout';
import { joinStorePath } from '../core/stores/paths';
import { externalLocation } from '../core/stores/uri';
import { CleanupCandidate, OrphanReport, deleteOrphans, findOrphans } from '../core/references/orphans';
import type { CleanupModel, DiffModel, HistoryModel } from '../../media/protocol';
import { ReportPanel } from '../views/reportPanel';
import { formatBytes } from '../viewModel/format';
import { Services } from '../services';
import { registerCommand } from './register';

interface NodeRef {
  readonly storeId: string;
  readonly path: string;
}

export function register(services: Services): void {
  registerCommand(services, 'flinkCheckpoints.compareWith', (node?: NodeRef, other?: NodeRef) => compareWith(services, node, other));
  registerCommand(services, 'flinkCheckpoints.showHistory', (node?: NodeRef) => showHistory(services, node));
  registerCommand(services, 'flinkCheckpoints.cleanUp', (node?: NodeRef) => cleanUp(services, node));
  registerCommand(services, 'flinkCheckpoints.computeOperatorId', async () => {
    const uid = await vscode.window.showInputBox({ title: vscode.l10n.t('Operator id from uid'), prompt: vscode.l10n.t('The uid(...) given to the operator in the job'), ignoreFocusOut: true });
    if (!uid) return undefined;
    const id = operatorIdFromUid(uid);
    const copy = vscode.l10n.t('Copy');
    if ((await vscode.window.showInformationMessage(vscode.l10n.t('uid "{0}" → operator id {1}', uid, id), copy)) === copy) await vscode.env.clipboard.writeText(id);
    return id;
  });
}

function requireNode(node: NodeRef | undefined, what: string): NodeRef | undefined {
  if (node) return node;
  void vscode.window.showInformationMessage(vscode.l10n.t('Run this from the Checkpoint Stores view: right-click a {0}.', what));
  return undefined;
}

async function readSummary(services: Services, node: NodeRef): Promise<MetadataSummary> {
  const { store } = await services.stores.get(node.storeId);
  const pointer = externalLocation(store.uri, node.path);
  const bytes = await store.readAll(joinStorePath(node.path, METADATA_FILE));
  return summarizeMetadata(bytes, { pointer });
}

function diffModel(a: NodeRef, b: NodeRef, left: MetadataSummary, right: MetadataSummary): DiffModel {
  const diff = diffSummaries(left, right);
  const label = (o: { name: string | null; uid: string | null; operatorId: string }) => o.name ?? o.uid ?? o.operatorId;
  return {
    left: a.path,
    right: b.path,
    operators: [
      ...diff.operatorsAdded.map((o) => ({ operatorId: o.operatorId, label: label(o), change: 'added' as const, parallelism: [null, o.parallelism] as const, maxParallelism: [null, o.maxParallelism] as const, stateSize: [null, o.stateSize] as const })),
      ...diff.operatorsRemoved.map((o) => ({ operatorId: o.operatorId, label: label(o), change: 'removed' as const, parallelism: [o.parallelism, null] as const, maxParallelism: [o.maxParallelism, null] as const, stateSize: [o.stateSize, null] as const })),
      ...diff.operators.map((o) => {
        const before = left.operators.find((x) => x.operatorId === o.operatorId)!;
        const after = right.operators.find((x) => x.operatorId === o.operatorId)!;
        const changed = o.parallelism !== null || o.maxParallelism !== null || o.stateSize.delta !== 0;
        return { operatorId: o.operatorId, label: label(o), change: changed ? 'changed' as const : 'same' as const, parallelism: [before.parallelism, after.parallelism] as const, maxParallelism: [before.maxParallelism, after.maxParallelism] as const, stateSize: [before.stateSize, after.stateSize] as const };
      }),
    ],
    filesOnlyLeft: diff.files.onlyInA,
    filesOnlyRight: diff.files.onlyInB,
    filesInBoth: diff.files.inBoth.length,
  };
}

async function compareWith(services: Services, node: NodeRef | undefined, other: NodeRef | undefined): Promise<DiffModel | undefined> {
  const a = requireNode(node, vscode.l10n.t('complete checkpoint or savepoint'));
  if (!a) return undefined;
  let b = other;
  if (!b) {
    const { store } = await services.stores.get(a.storeId);
    const parent = a.path.slice(0, a.path.lastIndexOf('/')) || '/';
    const layout = await scanDirectory(store, parent);
    const candidates = (await inspectSnapshots(store, [...layout.checkpoints, ...layout.savepoints])).filter((s) => s.status === 'complete' && s.path !== a.path);
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No other complete snapshot beside {0} to compare with.', a.path));
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(candidates.map((s) => ({ label: s.name, description: s.stateSize !== undefined ? formatBytes(s.stateSize) : undefined, snapshot: s })), { title: vscode.l10n.t('Compare {0} with…', a.path.split('/').pop() ?? a.path) });
    if (!picked) return undefined;
    b = { storeId: a.storeId, path: picked.snapshot.path };
  }
  const [left, right] = await Promise.all([readSummary(services, a), readSummary(services, b)]);
  const model = diffModel(a, b, left, right);
  new ReportPanel(services, vscode.l10n.t('Compare {0} ⟷ {1}', a.path.split('/').pop() ?? '', b.path.split('/').pop() ?? ''), { type: 'diff', model });
  return model;
}

async function showHistory(services: Services, node: NodeRef | undefined): Promise<HistoryModel | undefined> {
  const job = requireNode(node, vscode.l10n.t('job'));
  if (!job) return undefined;
  const { store } = await services.stores.get(job.storeId);
  const snapshots = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Reading the snapshots of {0}…', job.path) }, async () => {
    const layout = await scanDirectory(store, job.path);
    return inspectSnapshots(store, [...layout.checkpoints, ...layout.savepoints]);
  });
  const points = snapshots
    .filter((s) => s.status === 'complete')
    .map((s) => ({ label: s.name, checkpointId: s.metadataCheckpointId ?? s.checkpointId ?? 0, time: s.mtime ?? null, stateSize: s.stateSize ?? 0, kind: s.kind }))
    .sort((x, y) => (x.time !== null && y.time !== null ? x.time - y.time : x.checkpointId - y.checkpointId));
  const model: HistoryModel = { job: job.path.split('/').pop() ?? job.path, points };
  new ReportPanel(services, vscode.l10n.t('History of {0}', model.job), { type: 'history', model });
  return model;
}

function cleanupModel(report: OrphanReport): CleanupModel {
  return {
    job: report.jobPath,
    retained: report.retained.map((s) => s.path),
    referencedFiles: report.referencedFiles,
    candidates: report.candidates.map((c) => ({ uri: c.path, size: c.size, reason: c.reason })),
    totalBytes: report.totalBytes,
  };
}

async function cleanUp(services: Services, node: NodeRef | undefined): Promise<OrphanReport | undefined> {
  const job = requireNode(node, vscode.l10n.t('job'));
  if (!job) return undefined;
  const { store, config } = await services.stores.get(job.storeId);
  const analyse = () => vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Finding what no retained snapshot of {0} references…', job.path), cancellable: true }, (_p, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    return findOrphans(store, job.path, { signal: abort.signal });
  });
  let report = await analyse();
  if (report.sharedStateBlocked) void vscode.window.showWarningMessage(vscode.l10n.t('Shared state is left alone: {0}', report.sharedStateBlocked));
  const panel: ReportPanel = new ReportPanel(services, vscode.l10n.t('Clean Up {0}', job.path.split('/').pop() ?? job.path), { type: 'cleanup', model: cleanupModel(report) }, async (message) => {
    if (message.type !== 'confirmCleanup' || report.candidates.length === 0) return;
    if (!config.writable) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Store "{0}" is read-only. Enable "writable" in Edit Store… to delete files.', config.name));
      return;
    }
    const confirm = vscode.l10n.t('Delete');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('Delete {0} entries ({1}) from {2}? Files a retained snapshot references are never deleted; this cannot be undone.', report.candidates.length, formatBytes(report.totalBytes), config.name),
      { modal: true }, confirm);
    if (answer !== confirm) return;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Deleting…') }, () =>
      deleteOrphans(store, job.path, report.candidates, (c: CleanupCandidate) => services.log.info(`Deleted ${config.name}:${c.path} (${c.reason}, ${c.size} bytes)`)));
    if (result.skipped.length) services.log.info(`Skipped ${result.skipped.length} entries that were no longer candidates`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Deleted {0} entries; {1} skipped.', result.deleted.length, result.skipped.length));
    services.storesTree.refresh();
    report = await analyse();
    panel.update({ type: 'cleanup', model: cleanupModel(report) });
  });
  return report;
}
