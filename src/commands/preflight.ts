import * as vscode from 'vscode';
import { findLatestCompleteCheckpoint } from '../core/layout';
import { parseFlinkVersion } from '../core/restore/flinkVersion';
import { preflight, verdictText, type PreflightReport } from '../core/state/preflight';
import { jobOfSnapshot, readStoredSnapshot, type StoredSnapshot } from '../core/state/storeSnapshot';
import {
  jobFromPlan,
  jobFromSources,
  scanSource,
  UID_SOURCE_EXTENSIONS,
  type JobDescription,
  type SourceScan,
} from '../core/state/uids';
import { UidLensProvider, type LensOperator } from '../providers/uidLens';
import { Services } from '../services';
import { flinkVersion, uidLensJob } from '../settings';
import { formatBytes } from '../viewModel/format';
import { registerCommand } from './register';

interface NodeRef {
  readonly storeId: string;
  readonly path: string;
}

/** What "Check Restore Against…" compares with; tests and other commands pass it to skip the questions. */
export type PreflightTarget =
  | { readonly kind: 'sources' }
  | { readonly kind: 'plan'; readonly file: string }
  | { readonly kind: 'snapshot'; readonly storeId: string; readonly path: string };

const SOURCE_GLOB = `**/*{${UID_SOURCE_EXTENSIONS.join(',')}}`;
const EXCLUDE_GLOB = '{**/node_modules/**,**/target/**,**/build/**,**/out/**,**/dist/**,**/.git/**}';
const MAX_SOURCE_FILES = 5000;

export function register(services: Services): void {
  const diagnostics = vscode.languages.createDiagnosticCollection('flink-checkpoints-preflight');
  const lens = new UidLensProvider();
  services.context.subscriptions.push(
    diagnostics,
    lens,
    // By file name: Scala and Kotlin have no language of their own in a bare VS Code.
    vscode.languages.registerCodeLensProvider({ pattern: SOURCE_GLOB }, lens),
  );
  const refreshLens = async () => lens.setOperators(await lensOperators(services));
  services.context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('flinkCheckpoints.uidLens.job')) void refreshLens().catch(() => undefined);
    }),
  );
  void refreshLens().catch((error: unknown) => services.log.warn(`uid lenses: ${String(error)}`));

  registerCommand(
    services,
    'flinkCheckpoints.checkRestoreAgainst',
    (node?: NodeRef, target?: PreflightTarget, version?: string) =>
      checkRestoreAgainst(services, diagnostics, node, target, version),
  );
  registerCommand(services, 'flinkCheckpoints.chooseUidLensJob', async (node?: NodeRef) => {
    const job = node ?? (await pickJob(services));
    if (!job) return undefined;
    await vscode.workspace
      .getConfiguration('flinkCheckpoints')
      .update('uidLens.job', `flink-store://${job.storeId}${job.path}`, vscode.ConfigurationTarget.Workspace);
    await refreshLens();
    return job;
  });
  registerCommand(services, 'flinkCheckpoints.refreshUidLenses', refreshLens);
}

async function pickJob(services: Services): Promise<NodeRef | undefined> {
  const stores = services.stores.configs();
  const store = await vscode.window.showQuickPick(
    stores.map((s) => ({ label: s.name, description: s.uri, id: s.id })),
    { title: vscode.l10n.t('Store whose latest checkpoint the uid lenses show') },
  );
  if (!store) return undefined;
  const path = await vscode.window.showInputBox({
    title: vscode.l10n.t('Job directory in {0}', store.label),
    prompt: vscode.l10n.t('The path of the job directory (the one holding chk-N) inside the store, e.g. /<job id>'),
    value: '/',
  });
  return path ? { storeId: store.id, path } : undefined;
}

/** The operators of the latest restorable checkpoint of the job the `uidLens.job` setting names. */
async function lensOperators(services: Services): Promise<{ snapshot: string; operators: LensOperator[] } | null> {
  const job = uidLensJob();
  if (job === null) return null;
  const { store } = await services.stores.get(job.storeId);
  const { latest } = await findLatestCompleteCheckpoint(store, job.path);
  if (!latest) return { snapshot: vscode.l10n.t('no restorable checkpoint in {0}', job.path), operators: [] };
  const snapshot = await readStoredSnapshot(store, latest.path);
  return {
    snapshot: latest.name,
    operators: snapshot.metadata.operators.map((op) => ({
      operatorId: op.operatorId,
      size: snapshot.stateSizes.get(op.operatorId) ?? 0,
      states: (snapshot.schemas.find((s) => s.operatorId === op.operatorId)?.states ?? []).map((s) => ({
        name: s.name,
        kind: s.kind,
      })),
    })),
  };
}

async function workspaceJob(): Promise<JobDescription> {
  const files = await vscode.workspace.findFiles(SOURCE_GLOB, EXCLUDE_GLOB, MAX_SOURCE_FILES);
  const scans: SourceScan[] = [];
  for (const uri of files) {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const scan = scanSource(uri.toString(), text);
    if (scan.uids.length > 0 || scan.unnamed.length > 0) scans.push(scan);
  }
  return jobFromSources(vscode.l10n.t('the workspace sources'), scans);
}

async function pickTarget(node: NodeRef): Promise<PreflightTarget | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      {
        label: `$(code) ${vscode.l10n.t('Workspace sources')}`,
        detail: vscode.l10n.t("the uids the workspace's Java, Scala, Kotlin and Python files assign"),
        target: 'sources' as const,
      },
      {
        label: `$(json) ${vscode.l10n.t('Job plan JSON…')}`,
        detail: vscode.l10n.t('env.getExecutionPlan(), flink info, or REST /jobs/:id/plan'),
        target: 'plan' as const,
      },
      {
        label: `$(history) ${vscode.l10n.t('Another snapshot…')}`,
        detail: vscode.l10n.t('a checkpoint or savepoint of the new job, in the same store'),
        target: 'snapshot' as const,
      },
    ],
    { title: vscode.l10n.t('Check restore of {0} against…', node.path) },
  );
  if (!picked) return undefined;
  if (picked.target === 'sources') return { kind: 'sources' };
  if (picked.target === 'plan') {
    const files = await vscode.window.showOpenDialog({ filters: { JSON: ['json'] }, canSelectMany: false });
    return files?.[0] ? { kind: 'plan', file: files[0].fsPath } : undefined;
  }
  const path = await vscode.window.showInputBox({
    title: vscode.l10n.t('Snapshot of the new job'),
    prompt: vscode.l10n.t('Its path in the store, e.g. /<job id>/chk-42 or /savepoint-…'),
    value: node.path.slice(0, node.path.lastIndexOf('/') + 1),
  });
  return path ? { kind: 'snapshot', storeId: node.storeId, path } : undefined;
}

function severityOf(p: PreflightReport['problems'][number]): vscode.DiagnosticSeverity {
  switch (p.severity) {
    case 'fatal':
      return vscode.DiagnosticSeverity.Error;
    case 'dropped':
    case 'warning':
      return vscode.DiagnosticSeverity.Warning;
    default:
      return vscode.DiagnosticSeverity.Information;
  }
}

/** The report's problems on the source lines that assign the uids; problems of removed operators on the report. */
function publish(diagnostics: vscode.DiagnosticCollection, report: PreflightReport): void {
  diagnostics.clear();
  const byFile = new Map<string, vscode.Diagnostic[]>();
  for (const p of report.problems) {
    if (!p.location) continue;
    const range = new vscode.Range(
      p.location.line,
      p.location.column,
      p.location.line,
      p.location.column + p.location.length,
    );
    const d = new vscode.Diagnostic(range, p.message, severityOf(p));
    d.source = 'Flink restore pre-flight';
    d.code = p.code;
    const list = byFile.get(p.location.file) ?? [];
    list.push(d);
    byFile.set(p.location.file, list);
  }
  for (const [file, list] of byFile) diagnostics.set(vscode.Uri.parse(file), list);
}

function reportText(snapshot: string, report: PreflightReport): string {
  const lines = [
    `# ${vscode.l10n.t('Restore pre-flight')}: ${verdictText(report.verdict)}`,
    '',
    `- ${vscode.l10n.t('Snapshot')}: ${snapshot}`,
    `- ${vscode.l10n.t('Against')}: ${report.target.label}`,
    `- Flink: ${report.flink ?? '-'}`,
  ];
  if (report.lost.length > 0) {
    lines.push('', `## ${vscode.l10n.t('Dropped with --allowNonRestoredState')}`, '');
    for (const l of report.lost) {
      lines.push(
        `- ${l.uid ?? l.name ?? l.operatorId} (${l.operatorId}): ${formatBytes(l.size)}${l.states.length ? `, ${l.states.join(', ')}` : ''}`,
      );
    }
  }
  if (report.problems.length > 0) {
    lines.push('', `## ${vscode.l10n.t('Findings')}`, '');
    for (const p of report.problems) lines.push(`- **${p.severity}** ${p.message}`);
  }
  if (report.expectedError) {
    lines.push('', `## ${vscode.l10n.t('Flink will report')}`, '', '```', report.expectedError, '```');
  }
  return `${lines.join('\n')}\n`;
}

async function checkRestoreAgainst(
  services: Services,
  diagnostics: vscode.DiagnosticCollection,
  node: NodeRef | undefined,
  given: PreflightTarget | undefined,
  version: string | undefined,
): Promise<PreflightReport | undefined> {
  if (!node) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Run Check Restore Against… on a complete checkpoint or savepoint in the Checkpoint Stores view.'),
    );
    return undefined;
  }
  const target = given ?? (await pickTarget(node));
  if (!target) return undefined;
  const flink = parseFlinkVersion(version ?? flinkVersion());
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking the restore of {0}…', node.path) },
    async () => {
      const { store } = await services.stores.get(node.storeId);
      const source: StoredSnapshot = await readStoredSnapshot(store, node.path);
      let job: JobDescription;
      let targetSchemas = null;
      if (target.kind === 'sources') job = await workspaceJob();
      else if (target.kind === 'plan') {
        const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(target.file)));
        job = jobFromPlan(target.file, JSON.parse(text) as unknown);
      } else {
        const other = await readStoredSnapshot((await services.stores.get(target.storeId)).store, target.path);
        job = jobOfSnapshot(target.path, other.metadata);
        targetSchemas = other.schemas;
      }
      return preflight({
        metadata: source.metadata,
        pointer: source.pointer,
        stateSizes: source.stateSizes,
        schemas: source.schemas,
        kind: source.kind,
        savepointFormat: source.savepointFormat,
        target: job,
        targetSchemas,
        flink,
      });
    },
  );
  publish(diagnostics, report);
  services.log.info(`pre-flight of ${node.path} against ${report.target.label}: ${verdictText(report.verdict)}`);
  const message = vscode.l10n.t('Restore of {0}: {1}', node.path, verdictText(report.verdict));
  const details = vscode.l10n.t('Show Details');
  const show =
    report.verdict === 'will-fail'
      ? vscode.window.showErrorMessage(message, details)
      : report.verdict === 'will-restore'
        ? vscode.window.showInformationMessage(message, details)
        : vscode.window.showWarningMessage(message, details);
  void show.then(async (choice) => {
    if (choice === details) {
      const doc = await vscode.workspace.openTextDocument({
        language: 'markdown',
        content: reportText(node.path, report),
      });
      await vscode.window.showTextDocument(doc, { preview: true });
    }
  });
  return report;
}
