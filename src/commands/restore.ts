import * as vscode from 'vscode';
import {
  APPLICATION_TARGETS, ApplicationTarget, CLAIM_MODES, ClaimMode, RestoreOptions, RestoreTarget, RestoreInvocation, SUPPORTED_FLINK_LINES,
  buildRestoreInvocation, formatInvocation, mapToClusterPath,
} from '../core/restore';
import { SnapshotInfo, inspectSnapshots, scanDirectory } from '../core/layout';
import { externalLocation } from '../core/stores/uri';
import { Services } from '../services';
import * as settings from '../settings';
import { registerCommand } from './register';

/** What a caller (the tree, a test) already knows; every field left out is asked for. */
export interface RestorePreset {
  readonly storeId?: string;
  /** A job directory, or a snapshot directory, inside the store. */
  readonly path?: string;
  /** `latest`: take the job's latest complete checkpoint without asking. */
  readonly snapshot?: 'latest';
  readonly target?: RestoreTarget;
  readonly flinkVersion?: string;
  readonly options?: RestoreOptions;
  readonly output?: 'editor' | 'clipboard' | 'terminal';
}

const TARGETS: readonly (vscode.QuickPickItem & { target: RestoreTarget })[] = [
  { target: 'cli', label: '$(terminal) Flink CLI', description: 'flink run -s … on a session cluster' },
  { target: 'application', label: '$(rocket) Application mode', description: 'Kubernetes or YARN application, or a standalone application cluster' },
  { target: 'k8s', label: '$(symbol-namespace) Kubernetes operator', description: 'FlinkDeployment patch and FlinkStateSnapshot' },
  { target: 'sql', label: '$(database) SQL client', description: 'SET the restore path, run the DML, RESET' },
  { target: 'rest', label: '$(cloud-upload) REST API', description: 'POST /jars/:jarid/run body and a curl line' },
];

export function register(services: Services): void {
  registerCommand(services, 'flinkCheckpoints.restoreJob', (arg?: RestorePreset | { storeId: string; path: string }) => restoreJob(services, arg ?? {}));
}

/** Asks one quick pick; undefined when the user cancels. */
async function pick<T extends vscode.QuickPickItem>(items: readonly T[], title: string, placeHolder?: string): Promise<T | undefined> {
  return vscode.window.showQuickPick(items, { title, placeHolder, ignoreFocusOut: true });
}

async function chooseSnapshot(services: Services, storeId: string, startPath: string, takeLatest: boolean): Promise<SnapshotInfo | undefined> {
  const { store } = await services.stores.get(storeId);
  const snapshots = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Reading checkpoints…'), cancellable: true }, async (_p, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    let layout = await scanDirectory(store, startPath, { signal: abort.signal });
    if (layout.kind === 'snapshot') return inspectSnapshots(store, [{ kind: startPath.includes('savepoint-') ? 'savepoint' : 'checkpoint', name: startPath.split('/').pop() ?? startPath, path: startPath }], { signal: abort.signal });
    if (layout.kind === 'checkpoints-base' && layout.jobs.length > 0) {
      const job = layout.jobs.length === 1 ? layout.jobs[0] : (await pick(layout.jobs.map((j) => ({ label: j.jobId, description: j.mtime ? new Date(j.mtime).toLocaleString() : undefined, job: j })), vscode.l10n.t('Restore: job')))?.job;
      if (!job) return [];
      const savepoints = layout.savepoints;
      layout = await scanDirectory(store, job.path, { signal: abort.signal });
      return inspectSnapshots(store, [...layout.checkpoints, ...layout.savepoints, ...savepoints], { signal: abort.signal });
    }
    return inspectSnapshots(store, [...layout.checkpoints, ...layout.savepoints], { signal: abort.signal });
  });
  const complete = snapshots.filter((s) => s.status === 'complete');
  if (snapshots.length > 0 && complete.length === 0) {
    void vscode.window.showWarningMessage(vscode.l10n.t('No complete checkpoint or savepoint here: {0} in progress or broken.', snapshots.length));
    return undefined;
  }
  if (complete.length === 0) return undefined;
  const latest = complete.find((s) => s.kind === 'checkpoint');
  const items = complete.map((s) => ({
    label: `${s.kind === 'savepoint' ? '$(bookmark)' : '$(pass)'} ${s.name}`,
    description: [s === latest ? vscode.l10n.t('latest') : '', s.mtime ? new Date(s.mtime).toLocaleString() : ''].filter(Boolean).join(' · '),
    detail: s.path,
    snapshot: s,
  }));
  const ordered = latest ? [items[complete.indexOf(latest)], ...items.filter((i) => i.snapshot !== latest)] : items;
  if (complete.length === 1) return complete[0];
  if (takeLatest && latest) return latest;
  return (await pick(ordered, vscode.l10n.t('Restore: snapshot'), vscode.l10n.t('The latest complete checkpoint is first')))?.snapshot;
}

async function askText(title: string, prompt: string, value = '', optional = true): Promise<string | undefined> {
  return vscode.window.showInputBox({ title, prompt, value, ignoreFocusOut: true, validateInput: (v) => (optional || v.trim() ? undefined : vscode.l10n.t('Required')) });
}

/** The options the target needs, asked one after the other; undefined when the user cancels. */
async function askOptions(target: RestoreTarget, preset: RestoreOptions | undefined): Promise<RestoreOptions | undefined> {
  if (preset) return preset;
  const claim = await pick(CLAIM_MODES.map((mode) => ({ label: mode, mode, description: mode === 'no_claim' ? vscode.l10n.t('default: the job does not take ownership of the snapshot') : mode === 'claim' ? vscode.l10n.t('the job owns the snapshot and may delete it') : vscode.l10n.t('deprecated since 1.19') })), vscode.l10n.t('Restore: claim mode'));
  if (!claim) return undefined;
  const nonRestored = await pick([{ label: vscode.l10n.t('No'), allow: false, description: vscode.l10n.t('fail when an operator of the snapshot is missing from the job') }, { label: vscode.l10n.t('Yes'), allow: true, description: vscode.l10n.t('--allowNonRestoredState') }], vscode.l10n.t('Restore: allow non-restored state?'));
  if (!nonRestored) return undefined;
  const options: { -readonly [K in keyof RestoreOptions]: RestoreOptions[K] } = { claimMode: claim.mode as ClaimMode, allowNonRestoredState: nonRestored.allow };
  if (target === 'cli' || target === 'application' || target === 'rest') {
    if (target !== 'rest') {
      const jar = await askText(vscode.l10n.t('Restore: job jar'), vscode.l10n.t('The job jar as the submitting side sees it'), target === 'application' ? 'local:///opt/flink/usrlib/job.jar' : './job.jar', false);
      if (jar === undefined) return undefined;
      options.jar = jar.trim();
    }
    const entryClass = await askText(vscode.l10n.t('Restore: entry class (optional)'), vscode.l10n.t('The main class, when the jar manifest does not name it'));
    if (entryClass === undefined) return undefined;
    if (entryClass.trim()) options.entryClass = entryClass.trim();
    const parallelism = await vscode.window.showInputBox({ title: vscode.l10n.t('Restore: parallelism (optional)'), ignoreFocusOut: true, validateInput: (v) => (!v.trim() || /^[1-9]\d*$/.test(v.trim()) ? undefined : vscode.l10n.t('A positive whole number')) });
    if (parallelism === undefined) return undefined;
    if (parallelism.trim()) options.parallelism = Number(parallelism.trim());
  }
  if (target === 'application') {
    const appTarget = await pick(APPLICATION_TARGETS.map((t) => ({ label: t, target: t })), vscode.l10n.t('Restore: application target'));
    if (!appTarget) return undefined;
    options.applicationTarget = appTarget.target as ApplicationTarget;
    if (appTarget.target === 'kubernetes-application') {
      const clusterId = await askText(vscode.l10n.t('Restore: kubernetes.cluster-id'), vscode.l10n.t('The deployment name of the application cluster'), 'my-flink-job', false);
      if (clusterId === undefined) return undefined;
      options.clusterId = clusterId.trim();
    }
  }
  if (target === 'k8s') {
    const name = await askText(vscode.l10n.t('Restore: FlinkDeployment name'), vscode.l10n.t('metadata.name of the FlinkDeployment to patch'), 'my-flink-job', false);
    if (name === undefined) return undefined;
    options.deploymentName = name.trim();
  }
  return options;
}

async function restoreJob(services: Services, preset: RestorePreset): Promise<RestoreInvocation | undefined> {
  const stores = services.stores.configs();
  let storeId = preset.storeId;
  if (!storeId) {
    if (stores.length === 0) {
      const add = vscode.l10n.t('Add Store…');
      if ((await vscode.window.showInformationMessage(vscode.l10n.t('Add a checkpoint store first.'), add)) === add) await vscode.commands.executeCommand('flinkCheckpoints.addStore');
      return undefined;
    }
    storeId = stores.length === 1 ? stores[0].id : (await pick(stores.map((s) => ({ label: s.name, description: s.uri, id: s.id })), vscode.l10n.t('Restore: store')))?.id;
    if (!storeId) return undefined;
  }
  const { config } = await services.stores.get(storeId);
  const snapshot = await chooseSnapshot(services, storeId, preset.path ?? '/', preset.snapshot === 'latest');
  if (!snapshot) return undefined;

  const target = preset.target ?? (await pick(TARGETS, vscode.l10n.t('Restore: target')))?.target;
  if (!target) return undefined;
  const configured = settings.flinkVersion();
  const flinkVersion = preset.flinkVersion ?? (await pick([configured, ...SUPPORTED_FLINK_LINES.filter((l) => l !== configured)].map((line) => ({ label: line, description: line === configured ? vscode.l10n.t('default (setting flinkCheckpoints.flinkVersion)') : undefined })), vscode.l10n.t('Restore: Flink version of the cluster')))?.label;
  if (!flinkVersion) return undefined;
  const options = await askOptions(target, preset.options);
  if (!options) return undefined;

  const { store } = await services.stores.get(storeId);
  const storePath = externalLocation(store.uri, snapshot.path);
  const clusterPath = config.clusterPath ? mapToClusterPath(storePath, [{ storePrefix: externalLocation(store.uri, '/'), clusterPrefix: config.clusterPath }]).path : storePath;
  const invocation = buildRestoreInvocation({
    snapshotPath: clusterPath,
    target,
    flinkVersion,
    options: { ...options, snapshot: { metadataVersion: snapshot.metadataVersion, ...options.snapshot } },
  });
  services.log.info(`Restore invocation for ${snapshot.path} (${target}, Flink ${flinkVersion}) with ${invocation.warnings.length} warnings`);
  await deliver(invocation, preset.output);
  return invocation;
}

async function deliver(invocation: RestoreInvocation, preset: RestorePreset['output']): Promise<void> {
  const warnings = invocation.warnings.map((w) => `# ${vscode.l10n.t('Warning')}: ${w.message}`).join('\n');
  const text = `${warnings ? `${warnings}\n\n` : ''}${formatInvocation(invocation)}`;
  const shellOnly = invocation.steps.every((s) => s.language === 'shellscript');
  const outputs = [
    { label: vscode.l10n.t('$(go-to-file) Open in Editor'), output: 'editor' as const },
    { label: vscode.l10n.t('$(copy) Copy to Clipboard'), output: 'clipboard' as const },
    ...(shellOnly ? [{ label: vscode.l10n.t('$(terminal) Type in Terminal'), description: vscode.l10n.t('typed, not run'), output: 'terminal' as const }] : []),
  ];
  const output = preset ?? (await pick(outputs, vscode.l10n.t('Restore: where should the invocation go?')))?.output;
  if (!output) return;
  if (invocation.warnings.length > 0) void vscode.window.showWarningMessage(invocation.warnings.map((w) => w.message).join(' '));
  if (output === 'editor') {
    const language = invocation.steps.length === 1 ? invocation.steps[0].language : invocation.steps.every((s) => s.language === invocation.steps[0].language) ? invocation.steps[0].language : 'plaintext';
    const document = await vscode.workspace.openTextDocument({ content: text, language });
    await vscode.window.showTextDocument(document);
  } else if (output === 'clipboard') {
    await vscode.env.clipboard.writeText(text);
    void vscode.window.showInformationMessage(vscode.l10n.t('Restore invocation copied.'));
  } else {
    const terminal = vscode.window.activeTerminal ?? vscode.window.createTerminal(vscode.l10n.t('Flink restore'));
    terminal.show();
    const commands = invocation.steps.map((s) => s.text.trim()).join(' && ');
    terminal.sendText(commands, false);
    const run = vscode.l10n.t('Run It');
    if ((await vscode.window.showInformationMessage(vscode.l10n.t('The restore command is typed in the terminal. Run it now?'), { modal: true }, run)) === run) terminal.sendText('', true);
  }
}
