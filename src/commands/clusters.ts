import * as vscode from 'vscode';
import {
  CheckpointType,
  ClusterError,
  FlinkRestClient,
  SavepointFormatType,
  WaitOptions,
  checkpointTypesOf,
  storeLocationFor,
} from '../core/cluster';
import { METADATA_FILE } from '../core/layout';
import { joinStorePath } from '../core/stores/paths';
import { ClusterConfig } from '../settings';
import { findInStores } from '../workbench/clusterStores';
import { INSPECTOR_VIEW_TYPE } from '../providers/metadataEditor';
import { Services } from '../services';
import { ClusterCheckpointNode, ClusterJobNode, ClusterNode, RestoredNode } from '../views/clustersTree';
import { registerCommand } from './register';

/** Trigger Savepoint's answers, for callers of the command that know them (the questions are then skipped). */
interface SavepointChoices {
  readonly formatType: SavepointFormatType;
  /** Empty: the cluster's configured savepoint directory. */
  readonly targetDirectory: string;
}

/** A job as the commands receive it: from the tree, or picked when run from the palette. */
interface JobRef {
  readonly clusterId: string;
  readonly jobId: string;
  readonly name?: string;
}

export function register(services: Services): void {
  registerCommand(services, 'flinkCheckpoints.addCluster', () => addCluster(services));
  registerCommand(services, 'flinkCheckpoints.removeCluster', (node?: ClusterNode) => removeCluster(services, node));
  registerCommand(services, 'flinkCheckpoints.refreshClusters', () => services.clusters.reset());
  registerCommand(services, 'flinkCheckpoints.triggerSavepoint', (node?: ClusterJobNode, given?: SavepointChoices) =>
    triggerSavepoint(services, node, false, given),
  );
  registerCommand(services, 'flinkCheckpoints.stopWithSavepoint', (node?: ClusterJobNode) =>
    triggerSavepoint(services, node, true),
  );
  registerCommand(services, 'flinkCheckpoints.triggerCheckpoint', (node?: ClusterJobNode, type?: CheckpointType) =>
    triggerCheckpoint(services, node, type),
  );
  registerCommand(services, 'flinkCheckpoints.cancelJob', (node?: ClusterJobNode) => cancelJob(services, node));
  registerCommand(services, 'flinkCheckpoints.disposeSavepoint', (node?: ClusterCheckpointNode) =>
    disposeSavepoint(services, node),
  );
  registerCommand(services, 'flinkCheckpoints.addStoreForSnapshot', (node?: { externalPath?: string }) =>
    node?.externalPath ? addStoreFor(node.externalPath) : undefined,
  );
  registerCommand(
    services,
    'flinkCheckpoints.openClusterSnapshot',
    (node?: ClusterCheckpointNode | RestoredNode | { externalPath: string }) =>
      node?.externalPath ? openSnapshot(services, node.externalPath) : undefined,
  );
}

async function addCluster(services: Services): Promise<ClusterConfig | undefined> {
  const url = await vscode.window.showInputBox({
    title: vscode.l10n.t('Add Cluster: REST address'),
    prompt: vscode.l10n.t("The JobManager's REST address, as the Flink Web UI is opened"),
    value: 'http://localhost:8081',
    ignoreFocusOut: true,
    validateInput: (value) =>
      /^https?:\/\/[^\s/]+/.test(value.trim()) ? undefined : vscode.l10n.t('Enter an http:// or https:// address'),
  });
  if (!url) return undefined;
  const name = await vscode.window.showInputBox({
    title: vscode.l10n.t('Add Cluster: name'),
    value: new URL(url.trim()).host,
    ignoreFocusOut: true,
  });
  if (!name?.trim()) return undefined;
  const authKinds = [
    { label: vscode.l10n.t('No authentication'), auth: 'none' as const },
    { label: vscode.l10n.t('Basic (user and password)'), auth: 'basic' as const },
    { label: vscode.l10n.t('Bearer token'), auth: 'bearer' as const },
  ];
  const auth = (
    await vscode.window.showQuickPick(authKinds, {
      title: vscode.l10n.t('Add Cluster: a gateway in front of the cluster'),
    })
  )?.auth;
  if (!auth) return undefined;
  let user: string | undefined;
  let secret: string | undefined;
  if (auth === 'basic') {
    user = await vscode.window.showInputBox({ title: vscode.l10n.t('Add Cluster: user'), ignoreFocusOut: true });
    if (user === undefined) return undefined;
  }
  if (auth !== 'none') {
    secret = await vscode.window.showInputBox({
      title: auth === 'basic' ? vscode.l10n.t('Add Cluster: password') : vscode.l10n.t('Add Cluster: token'),
      password: true,
      ignoreFocusOut: true,
    });
    if (secret === undefined) return undefined;
  }
  const config = await services.clusters.add(
    { name: name.trim(), url: url.trim(), ...(auth !== 'none' ? { auth } : {}), ...(user ? { user } : {}) },
    secret,
  );
  services.log.info(`Added cluster "${config.name}"`);
  // Ask once now, so a wrong address shows at once rather than as a red node later.
  try {
    const version = await (await services.clusters.client(config.id)).version();
    void vscode.window.showInformationMessage(vscode.l10n.t('Cluster {0}: Flink {1}', config.name, version.text));
  } catch (error) {
    if (!(error instanceof ClusterError)) throw error;
    void vscode.window.showWarningMessage(vscode.l10n.t('Cluster {0} was added, but: {1}', config.name, error.message));
  }
  return config;
}

async function pickCluster(services: Services, title: string): Promise<ClusterConfig | undefined> {
  const clusters = services.clusters.configs();
  if (clusters.length <= 1) return clusters[0];
  return (
    await vscode.window.showQuickPick(
      clusters.map((c) => ({ label: c.name, description: c.url, config: c })),
      { title },
    )
  )?.config;
}

async function removeCluster(services: Services, node: ClusterNode | undefined): Promise<void> {
  const config = node?.config ?? (await pickCluster(services, vscode.l10n.t('Remove Cluster')));
  if (!config) return;
  const remove = vscode.l10n.t('Remove');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t(
      'Remove cluster "{0}" from the Clusters view? The cluster and its jobs are not touched.',
      config.name,
    ),
    { modal: true },
    remove,
  );
  if (answer !== remove) return;
  await services.clusters.remove(config.id);
}

async function pickJob(
  services: Services,
  node: ClusterJobNode | undefined,
  title: string,
  running = true,
): Promise<JobRef | undefined> {
  if (node) return { clusterId: node.clusterId, jobId: node.jobId, name: node.job.name };
  const cluster = await pickCluster(services, title);
  if (!cluster) return undefined;
  const jobs = (await (await services.clusters.client(cluster.id)).jobs()).filter(
    (j) => !running || j.state === 'RUNNING',
  );
  if (jobs.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No running job on {0}', cluster.name));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    jobs.map((j) => ({ label: j.name, description: `${j.jid} · ${j.state}`, job: j })),
    { title },
  );
  return picked && { clusterId: cluster.id, jobId: picked.job.jid, name: picked.job.name };
}

/** Runs a trigger-and-poll operation under a cancellable notification; cancelling stops the wait, not the operation. */
function withOperation<T>(title: string, run: (wait: WaitOptions) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return run({
        signal: abort.signal,
        onPoll: (elapsed) => progress.report({ message: vscode.l10n.t('{0} s', Math.round(elapsed / 1000)) }),
      });
    },
  );
}

async function triggerSavepoint(
  services: Services,
  node: ClusterJobNode | undefined,
  stop: boolean,
  given?: SavepointChoices,
): Promise<string | undefined> {
  const job = await pickJob(
    services,
    node,
    stop ? vscode.l10n.t('Stop with Savepoint') : vscode.l10n.t('Trigger Savepoint'),
  );
  if (!job) return undefined;
  const client = await services.clusters.client(job.clusterId);
  const formats = [
    {
      label: vscode.l10n.t('Canonical'),
      description: vscode.l10n.t('portable between state backends'),
      format: 'CANONICAL' as SavepointFormatType,
    },
    {
      label: vscode.l10n.t('Native'),
      description: vscode.l10n.t("the state backend's own format: faster, for the same backend"),
      format: 'NATIVE' as SavepointFormatType,
    },
  ];
  const format =
    given?.formatType ??
    (await vscode.window.showQuickPick(formats, { title: vscode.l10n.t('Savepoint format') }))?.format;
  if (!format) return undefined;
  const dir =
    given?.targetDirectory ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Savepoint directory'),
      prompt: vscode.l10n.t(
        "Empty: the cluster's configured savepoint directory (execution.checkpointing.savepoint-dir)",
      ),
      ignoreFocusOut: true,
    }));
  if (dir === undefined) return undefined;
  let drain = false;
  if (stop) {
    const choices = [
      {
        label: vscode.l10n.t('Stop'),
        description: vscode.l10n.t('to resume later: timers and windows stay as they are'),
        drain: false,
      },
      {
        label: vscode.l10n.t('Stop and drain'),
        description: vscode.l10n.t('for good: emits MAX_WATERMARK, so event-time timers fire and windows close'),
        drain: true,
      },
    ];
    const picked = await vscode.window.showQuickPick(choices, {
      title: vscode.l10n.t('Stop job {0}', job.name ?? job.jobId),
    });
    if (!picked) return undefined;
    drain = picked.drain;
    const confirm = vscode.l10n.t('Stop Job');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t(
        'Stop job "{0}" ({1}) on {2}{3}? It ends once the savepoint is complete.',
        job.name ?? '',
        job.jobId,
        client.label,
        drain ? vscode.l10n.t(' and drain it') : '',
      ),
      { modal: true },
      confirm,
    );
    if (answer !== confirm) return undefined;
  }
  const options = { formatType: format, ...(dir.trim() ? { targetDirectory: dir.trim() } : {}) };
  const location = await withOperation(
    stop
      ? vscode.l10n.t('Stopping {0} with a savepoint…', job.name ?? job.jobId)
      : vscode.l10n.t('Savepoint of {0}…', job.name ?? job.jobId),
    (wait) =>
      stop
        ? client.stopWithSavepoint(job.jobId, { ...options, drain }, wait)
        : client.savepoint(job.jobId, options, wait),
  );
  services.log.info(`${stop ? 'Stopped job' : 'Savepoint of job'} ${job.jobId} on ${client.label}: ${location}`);
  services.clustersTree.refresh();
  void offerSnapshot(services, vscode.l10n.t('Savepoint written to {0}', location), location);
  return location;
}

async function triggerCheckpoint(
  services: Services,
  node: ClusterJobNode | undefined,
  given?: CheckpointType,
): Promise<number | undefined> {
  const job = await pickJob(services, node, vscode.l10n.t('Trigger Checkpoint'));
  if (!job) return undefined;
  const client = await services.clusters.client(job.clusterId);
  const labels: Record<CheckpointType, { label: string; description: string }> = {
    CONFIGURED: {
      label: vscode.l10n.t('As configured'),
      description: vscode.l10n.t("the job's own checkpoint type: incremental when the state backend is"),
    },
    FULL: {
      label: vscode.l10n.t('Full'),
      description: vscode.l10n.t('all state, independent of earlier checkpoints'),
    },
    INCREMENTAL: {
      label: vscode.l10n.t('Incremental'),
      description: vscode.l10n.t('only what changed since the last checkpoint, where the state backend can'),
    },
  };
  // Only the types this cluster's Flink takes (the version is asked once per cluster).
  const types = given ? [] : checkpointTypesOf(await client.version()).map((type) => ({ ...labels[type], type }));
  if (!given && types.length === 0) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Flink {0} cannot trigger a checkpoint over REST (1.17+ can).', (await client.version()).text),
    );
    return undefined;
  }
  const type = given ?? (await vscode.window.showQuickPick(types, { title: vscode.l10n.t('Checkpoint type') }))?.type;
  if (!type) return undefined;
  const id = await withOperation(vscode.l10n.t('Checkpoint of {0}…', job.name ?? job.jobId), (wait) =>
    client.checkpoint(job.jobId, type, wait),
  );
  services.log.info(`Checkpoint ${id} of job ${job.jobId} on ${client.label} completed`);
  services.clustersTree.refresh();
  const path = (await client.checkpointDetails(job.jobId, id).catch(() => undefined))?.external_path;
  if (path) void offerSnapshot(services, vscode.l10n.t('Checkpoint {0} completed: {1}', id, path), path);
  else void vscode.window.showInformationMessage(vscode.l10n.t('Checkpoint {0} completed', id));
  return id;
}

async function cancelJob(services: Services, node: ClusterJobNode | undefined): Promise<void> {
  const job = await pickJob(services, node, vscode.l10n.t('Cancel Job'));
  if (!job) return;
  const client = await services.clusters.client(job.clusterId);
  const confirm = vscode.l10n.t('Cancel Job');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t(
      'Cancel job "{0}" ({1}) on {2} without a savepoint? Its state survives only in retained checkpoints.',
      job.name ?? '',
      job.jobId,
      client.label,
    ),
    { modal: true },
    confirm,
  );
  if (answer !== confirm) return;
  await client.cancelJob(job.jobId);
  services.log.info(`Cancelled job ${job.jobId} on ${client.label}`);
  services.clustersTree.refresh();
}

async function disposeSavepoint(services: Services, node: ClusterCheckpointNode | undefined): Promise<void> {
  let clusterId = node?.clusterId;
  let target = node?.externalPath;
  if (clusterId === undefined || target === undefined) {
    const cluster = await pickCluster(services, vscode.l10n.t('Dispose Savepoint'));
    if (!cluster) return;
    clusterId = cluster.id;
    target = (
      await vscode.window.showInputBox({
        title: vscode.l10n.t('Dispose Savepoint: path'),
        prompt: vscode.l10n.t('The savepoint directory as the cluster sees it'),
        ignoreFocusOut: true,
      })
    )?.trim();
    if (!target) return;
  }
  const path = target;
  const client: FlinkRestClient = await services.clusters.client(clusterId);
  const confirm = vscode.l10n.t('Dispose');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t(
      'Delete savepoint {0} and all its files through {1}? A job cannot be restored from it afterwards.',
      path,
      client.label,
    ),
    { modal: true },
    confirm,
  );
  if (answer !== confirm) return;
  await withOperation(vscode.l10n.t('Disposing {0}…', path), (wait) => client.disposeSavepoint(path, wait));
  services.log.info(`Disposed savepoint ${path} through ${client.label}`);
  services.clustersTree.refresh();
  void vscode.window.showInformationMessage(vscode.l10n.t('Savepoint {0} disposed', path));
}

async function offerSnapshot(services: Services, message: string, path: string): Promise<void> {
  const open = vscode.l10n.t('Open in Inspector');
  if ((await vscode.window.showInformationMessage(message, open)) === open) await openSnapshot(services, path);
}

/** Opens a snapshot Flink named by path in the inspector of the store that holds it, or offers to add such a store. */
async function openSnapshot(services: Services, flinkPath: string): Promise<void> {
  const found = findInStores(services.stores, flinkPath);
  if (found) {
    await vscode.commands.executeCommand(
      'vscode.openWith',
      services.stores.uriFor(found.storeId, joinStorePath(found.storePath, METADATA_FILE)),
      INSPECTOR_VIEW_TYPE,
    );
    return;
  }
  const add = vscode.l10n.t('Add Store for this Location');
  const answer = await vscode.window.showInformationMessage(
    vscode.l10n.t('No checkpoint store holds {0}.', flinkPath),
    add,
  );
  if (answer === add) await addStoreFor(flinkPath);
}

/** Add Store, its location filled in with the directory above the snapshot (see `storeLocationFor`). */
function addStoreFor(flinkPath: string): Thenable<unknown> {
  const location = storeLocationFor(flinkPath);
  return vscode.commands.executeCommand('flinkCheckpoints.addStore', location ? { location } : undefined);
}
