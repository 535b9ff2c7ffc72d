import * as vscode from 'vscode';
import * as path from 'node:path';
import { abortSignalOf } from '../core/concurrency';
import { FlinkRestClient, JarFileInfo, splitProgramArgs } from '../core/cluster';
import { METADATA_FILE } from '../core/layout';
import { RestoreInvocation, buildRestoreInvocation, shellCommand } from '../core/restore';
import { INSPECTOR_VIEW_TYPE } from '../providers/metadataEditor';
import { Services } from '../services';
import { STORE_SCHEME } from '../workbench/storeRegistry';
import {
  BACK,
  MutableOptions,
  Position,
  Question,
  allowNonRestoredStateQuestion,
  claimModeQuestion,
  clusterPathOf,
  pickStep,
  runQuestions,
  textStep,
} from './restore';
import { registerCommand } from './register';

/** Where the command is started: a snapshot of a store (tree node), of a cluster's history, or its `_metadata` URI. */
type SubmitSource =
  | { readonly storeId: string; readonly path: string }
  | { readonly clusterId: string; readonly externalPath: string }
  | vscode.Uri;

/** Answers a caller already knows (a test, another command); each one given is not asked. */
export interface SubmitChoices {
  readonly clusterId?: string;
  /** A local jar, uploaded before the run. */
  readonly jarFile?: string;
  /** A jar already on the cluster (`GET /jars`). */
  readonly jarId?: string;
  readonly entryClass?: string;
  readonly programArgs?: readonly string[];
  readonly parallelism?: number;
}

type JarChoice = { readonly id: string; readonly name: string; readonly entry?: string } | { readonly file: string };

interface SubmitState {
  /** The snapshot as the JobManager sees it. */
  readonly snapshot: { readonly name: string; readonly path: string };
  clusterId?: string;
  /** The cluster the jars and version below were read from. */
  readFrom?: string;
  client?: FlinkRestClient;
  flinkVersion?: string;
  jars?: readonly JarFileInfo[];
  jar?: JarChoice;
  entryClass?: string;
  programArgs?: readonly string[];
  parallelism?: number;
  options: MutableOptions;
  invocation?: RestoreInvocation;
}

export function register(services: Services): void {
  registerCommand(services, 'flinkCheckpoints.submitRestore', (source?: SubmitSource, given?: SubmitChoices) =>
    submitRestore(services, source, given ?? {}),
  );
}

/** The snapshot a source names, as the cluster sees it; undefined when there is none (the user is told). */
async function resolveSource(
  services: Services,
  source: SubmitSource | undefined,
): Promise<{ name: string; path: string; clusterId?: string } | undefined> {
  let given = source;
  if (given === undefined) {
    // From the palette: the snapshot open in the inspector.
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputCustom && input.viewType === INSPECTOR_VIEW_TYPE) given = input.uri;
  }
  if (given === undefined) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Submit a restore from a snapshot: in Checkpoint Stores, in the inspector, or in a job of the Clusters view.',
      ),
    );
    return undefined;
  }
  if (given instanceof vscode.Uri) {
    const dir = given.path.endsWith(`/${METADATA_FILE}`) ? path.posix.dirname(given.path) : given.path;
    if (given.scheme === STORE_SCHEME) {
      return { name: path.posix.basename(dir), path: await clusterPathOf(services, given.authority, dir) };
    }
    const local = vscode.Uri.file(given.fsPath.endsWith(METADATA_FILE) ? path.dirname(given.fsPath) : given.fsPath);
    return { name: path.basename(local.fsPath), path: `file:${local.fsPath}` };
  }
  if ('externalPath' in given) {
    return {
      name: path.posix.basename(given.externalPath.replace(/\/+$/, '')),
      path: given.externalPath,
      clusterId: given.clusterId,
    };
  }
  return { name: path.posix.basename(given.path), path: await clusterPathOf(services, given.storeId, given.path) };
}

function jarLabel(jar: JarChoice): string {
  return 'file' in jar ? path.basename(jar.file) : jar.name;
}

async function submitRestore(
  services: Services,
  source: SubmitSource | undefined,
  given: SubmitChoices,
): Promise<string | undefined> {
  const snapshot = await resolveSource(services, source);
  if (!snapshot) return undefined;
  const clusters = services.clusters.configs();
  if (clusters.length === 0) {
    const add = vscode.l10n.t('Add Cluster…');
    if ((await vscode.window.showInformationMessage(vscode.l10n.t('Add a Flink cluster first.'), add)) === add) {
      await vscode.commands.executeCommand('flinkCheckpoints.addCluster');
    }
    return undefined;
  }
  const state: SubmitState = {
    snapshot,
    clusterId:
      given.clusterId ??
      (clusters.some((c) => c.id === snapshot.clusterId) ? snapshot.clusterId : undefined) ??
      (clusters.length === 1 ? clusters[0].id : undefined),
    ...(given.jarFile !== undefined ? { jar: { file: given.jarFile } } : {}),
    ...(given.jarId !== undefined ? { jar: { id: given.jarId, name: given.jarId } } : {}),
    entryClass: given.entryClass,
    programArgs: given.programArgs,
    parallelism: given.parallelism,
    options: {},
  };
  const title = (what: string): string => vscode.l10n.t('Submit Restore: {0}', what);

  /** Reads the picked cluster's version and jars once per cluster. */
  const readCluster = async (s: SubmitState): Promise<boolean> => {
    if (!s.clusterId || s.readFrom === s.clusterId) return true;
    const client = await services.clusters.client(s.clusterId);
    const [version, jars] = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Reading {0}…', client.label) },
      () => Promise.all([client.version(), client.jars()]),
    );
    Object.assign(s, {
      readFrom: s.clusterId,
      client,
      flinkVersion: version.text,
      jars: [...jars.files].sort((a, b) => b.uploaded - a.uploaded),
    });
    return true;
  };

  const questions: Question<SubmitState>[] = [
    {
      asks: () => given.clusterId === undefined && clusters.length > 1,
      ask: async (s, at) => {
        const items = clusters.map((c) => ({ label: c.name, description: c.url, id: c.id }));
        const picked = await pickStep(items, title(vscode.l10n.t('cluster')), at, {
          active: items.find((i) => i.id === s.clusterId),
          placeholder: vscode.l10n.t('The cluster to start the job from {0} on', s.snapshot.name),
        });
        if (picked === undefined || picked === BACK) return picked;
        if (picked.id !== s.clusterId) Object.assign(s, { clusterId: picked.id, jar: undefined });
        return 'next';
      },
    },
    {
      prepare: readCluster,
      asks: () => given.jarFile === undefined && given.jarId === undefined,
      ask: (s, at) => askJar(s, at, title(vscode.l10n.t('job jar'))),
    },
    {
      asks: () => given.entryClass === undefined,
      ask: async (s, at) => {
        const manifest = s.jar && 'entry' in s.jar ? s.jar.entry : undefined;
        const answer = await textStep(title(vscode.l10n.t('entry class (optional)')), at, {
          prompt: vscode.l10n.t('The main class, when the jar manifest does not name it'),
          value: s.entryClass ?? manifest,
        });
        if (answer === undefined || answer === BACK) return answer;
        s.entryClass = answer.trim() || undefined;
        return 'next';
      },
    },
    {
      asks: () => given.programArgs === undefined,
      ask: async (s, at) => {
        const answer = await textStep(title(vscode.l10n.t('program arguments (optional)')), at, {
          prompt: vscode.l10n.t("The job's main arguments, quoted as in a shell"),
          value: s.programArgs ? shellCommand(s.programArgs) : '',
          validate: (v) => {
            try {
              splitProgramArgs(v);
              return undefined;
            } catch (error) {
              return (error as Error).message;
            }
          },
        });
        if (answer === undefined || answer === BACK) return answer;
        s.programArgs = splitProgramArgs(answer);
        return 'next';
      },
    },
    {
      asks: () => given.parallelism === undefined,
      ask: async (s, at) => {
        const answer = await textStep(title(vscode.l10n.t('parallelism (optional)')), at, {
          prompt: vscode.l10n.t("Empty: the job's own, else the cluster's parallelism.default"),
          value: s.parallelism === undefined ? '' : String(s.parallelism),
          validate: (v) =>
            !v.trim() || /^[1-9]\d*$/.test(v.trim()) ? undefined : vscode.l10n.t('A positive whole number'),
        });
        if (answer === undefined || answer === BACK) return answer;
        s.parallelism = answer.trim() ? Number(answer.trim()) : undefined;
        return 'next';
      },
    },
    claimModeQuestion(),
    allowNonRestoredStateQuestion(),
    {
      prepare: readCluster,
      asks: () => true,
      ask: (s, at) => confirmSubmit(s, at, title(vscode.l10n.t('submit?'))),
    },
  ];
  if (!(await runQuestions(questions, state))) return undefined;
  const { client, jar, invocation } = state;
  if (!client || !jar || !invocation?.request) return undefined;

  const jobId = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Submitting a restore from {0} to {1}…', snapshot.name, client.label),
      cancellable: true,
    },
    async (progress, token) => {
      const signal = abortSignalOf(token);
      let jarId: string;
      if ('file' in jar) {
        progress.report({ message: vscode.l10n.t('uploading {0}', path.basename(jar.file)) });
        const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(jar.file));
        jarId = await client.uploadJar(path.basename(jar.file), Buffer.from(bytes), { signal });
        services.log.info(`Uploaded ${path.basename(jar.file)} to ${client.label} as ${jarId}`);
      } else jarId = jar.id;
      progress.report({ message: vscode.l10n.t('starting the job') });
      return client.runJar(jarId, invocation.request!.body, { signal });
    },
  );
  services.log.info(`Submitted job ${jobId} to ${client.label}, restoring from ${invocation.snapshotPath}`);
  services.clustersTree.refresh();
  void vscode.window.showInformationMessage(
    vscode.l10n.t('Job {0} submitted to {1}, restoring from {2}', jobId, client.label, snapshot.name),
  );
  return jobId;
}

/** The jars on the cluster, newest first, after an item that uploads a local one (picked in a file dialog). */
async function askJar(s: SubmitState, at: Position, title: string): Promise<'next' | typeof BACK | undefined> {
  type JarItem = vscode.QuickPickItem & { jar?: JarFileInfo };
  const upload: JarItem = {
    label: vscode.l10n.t('$(cloud-upload) Upload a Local Jar…'),
    description: vscode.l10n.t('POST /jars/upload, then run it'),
  };
  const onCluster: JarItem[] = (s.jars ?? []).map((jar) => ({
    label: `$(package) ${jar.name}`,
    description: [new Date(jar.uploaded).toLocaleString(), ...jar.entry.map((e) => e.name)].join(' · '),
    detail: jar.id,
    jar,
  }));
  const items = [upload, ...onCluster];
  for (;;) {
    const current = s.jar && 'id' in s.jar ? s.jar.id : undefined;
    const picked = await pickStep(items, title, at, {
      active: onCluster.find((i) => i.jar?.id === current) ?? onCluster[0] ?? upload,
      placeholder: vscode.l10n.t('A jar already on the cluster, or one of this machine'),
    });
    if (picked === undefined || picked === BACK) return picked;
    if (picked.jar) {
      s.jar = { id: picked.jar.id, name: picked.jar.name, entry: picked.jar.entry[0]?.name };
      return 'next';
    }
    const [file] =
      (await vscode.window.showOpenDialog({
        canSelectFiles: true,
        canSelectFolders: false,
        canSelectMany: false,
        filters: { [vscode.l10n.t('Job jar')]: ['jar'] },
        title: vscode.l10n.t('The job jar to upload'),
        openLabel: vscode.l10n.t('Upload'),
      })) ?? [];
    if (file) {
      s.jar = { file: file.fsPath };
      return 'next';
    }
  }
}

/** The last step: what will be sent, Flink's version warnings, and Submit preselected (Back changes an answer). */
async function confirmSubmit(s: SubmitState, at: Position, title: string): Promise<'next' | typeof BACK | undefined> {
  if (!s.client || !s.jar || !s.flinkVersion) return undefined;
  s.invocation = buildRestoreInvocation({
    snapshotPath: s.snapshot.path,
    target: 'rest',
    flinkVersion: s.flinkVersion,
    options: {
      ...s.options,
      ...(s.entryClass ? { entryClass: s.entryClass } : {}),
      ...(s.programArgs?.length ? { programArgs: s.programArgs } : {}),
      ...(s.parallelism !== undefined ? { parallelism: s.parallelism } : {}),
      ...('id' in s.jar ? { jarId: s.jar.id } : {}),
      restUrl: s.client.label,
    },
  });
  const body = s.invocation.request!.body;
  const summary = [
    jarLabel(s.jar),
    body.entryClass ?? vscode.l10n.t('the manifest main class'),
    body.programArgsList?.length ? shellCommand(body.programArgsList) : vscode.l10n.t('no arguments'),
    body.parallelism === undefined
      ? vscode.l10n.t('default parallelism')
      : vscode.l10n.t('parallelism {0}', body.parallelism),
    `${body.claimMode ?? body.restoreMode ?? ''}`,
    body.allowNonRestoredState ? 'allowNonRestoredState' : '',
  ].filter(Boolean);
  const warnings = s.invocation.warnings.filter((w) => w.code !== 'placeholder').map((w) => w.message);
  const items = [
    {
      submit: true,
      label: vscode.l10n.t('$(play) Submit to {0} (Flink {1})', s.client.label, s.flinkVersion),
      description: s.snapshot.path,
      detail: summary.join(' · '),
    },
    { submit: false, label: vscode.l10n.t('$(close) Cancel') },
  ];
  const picked = await pickStep(items, title, at, {
    active: items[0],
    ...(warnings.length > 0 ? { placeholder: warnings.join(' ') } : {}),
  });
  if (picked === undefined || picked === BACK) return picked;
  return picked.submit ? 'next' : undefined;
}
