import * as vscode from 'vscode';
import { abortSignalOf } from '../core/concurrency';
import {
  APPLICATION_TARGETS,
  ApplicationTarget,
  ClaimMode,
  FlinkLine,
  FlinkVersion,
  InvocationStep,
  METADATA_VERSION_WRITERS,
  NamedFlinkVersion,
  RestoreInvocation,
  RestoreOptions,
  RestoreTarget,
  SUPPORTED_FLINK_LINES,
  StepLanguage,
  buildRestoreInvocation,
  flinkVersionNamedIn,
  formatSteps,
  mapToClusterPath,
  parseFlinkVersion,
  readsMetadataVersion,
} from '../core/restore';
import { DirectoryLayout, SnapshotInfo, inspectSnapshots, markLatestRestorable, scanDirectory } from '../core/layout';
import { missingFilesCheck } from '../core/references/presence';
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
  {
    target: 'application',
    label: '$(rocket) Application mode',
    description: 'Kubernetes or YARN application, or a standalone application cluster',
  },
  {
    target: 'k8s',
    label: '$(symbol-namespace) Kubernetes operator',
    description: 'FlinkDeployment patch and FlinkStateSnapshot',
  },
  { target: 'sql', label: '$(database) SQL client', description: 'SET the restore path, run the DML, RESET' },
  { target: 'rest', label: '$(cloud-upload) REST API', description: 'POST /jars/:jarid/run body and a curl line' },
];

/** Files that may name the job's Flink version (operator manifests, Maven, Gradle, container images). */
const VERSION_FILES =
  '{**/pom.xml,**/build.gradle,**/build.gradle.kts,**/gradle.properties,**/Dockerfile,**/docker-compose*.yml,**/docker-compose*.yaml,**/*flink*.yaml,**/*flink*.yml,**/k8s/**/*.yaml,**/deploy/**/*.yaml}';
const VERSION_FILES_EXCLUDED = '{**/node_modules/**,**/.git/**,**/target/**,**/build/**,**/out/**}';

export function register(services: Services): void {
  registerCommand(services, 'flinkCheckpoints.restoreJob', (arg?: RestorePreset | { storeId: string; path: string }) =>
    restoreJob(services, arg ?? {}),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// A multi-step quick input: every question shows "Step k of n" in its title and a Back button from the second on.

export const BACK = Symbol('back');
export type Answer<T> = T | typeof BACK | undefined;

export interface Position {
  readonly step: number;
  readonly total: number;
}

function stepTitle(title: string, at: Position): string {
  return vscode.l10n.t('{0} — Step {1} of {2}', title, at.step, at.total);
}

/** One quick pick; `active` is preselected (Enter takes it). Undefined when the user cancels, BACK for Back. */
export function pickStep<T extends vscode.QuickPickItem>(
  items: readonly T[],
  title: string,
  at: Position,
  options: { active?: T; placeholder?: string } = {},
): Promise<Answer<T>> {
  return new Promise((resolve) => {
    const input = vscode.window.createQuickPick<T>();
    input.title = stepTitle(title, at);
    input.placeholder = options.placeholder;
    input.ignoreFocusOut = true;
    input.items = items;
    if (options.active) input.activeItems = [options.active];
    input.buttons = at.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    let settled = false;
    const finish = (value: Answer<T>): void => {
      if (settled) return;
      settled = true;
      resolve(value);
      input.dispose();
    };
    input.onDidTriggerButton((button) => {
      if (button === vscode.QuickInputButtons.Back) finish(BACK);
    });
    input.onDidAccept(() => {
      const [chosen] = input.selectedItems;
      if (chosen) finish(chosen);
    });
    input.onDidHide(() => finish(undefined));
    input.show();
  });
}

/** One input box, the same way as {@link pickStep}. */
export function textStep(
  title: string,
  at: Position,
  options: { prompt?: string; value?: string; validate?: (value: string) => string | undefined },
): Promise<Answer<string>> {
  return new Promise((resolve) => {
    const input = vscode.window.createInputBox();
    input.title = stepTitle(title, at);
    input.prompt = options.prompt;
    input.value = options.value ?? '';
    input.ignoreFocusOut = true;
    input.buttons = at.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    let settled = false;
    const finish = (value: Answer<string>): void => {
      if (settled) return;
      settled = true;
      resolve(value);
      input.dispose();
    };
    const check = (): string | undefined => options.validate?.(input.value);
    input.onDidChangeValue(() => {
      input.validationMessage = check();
    });
    input.onDidTriggerButton((button) => {
      if (button === vscode.QuickInputButtons.Back) finish(BACK);
    });
    input.onDidAccept(() => {
      const problem = check();
      input.validationMessage = problem;
      if (!problem) finish(input.value);
    });
    input.onDidHide(() => finish(undefined));
    input.show();
  });
}

/** A question of the flow: `prepare` reads what it needs (false: stop the flow), `asks` says whether it is shown. */
export interface Question<S> {
  readonly prepare?: (state: S) => Promise<boolean>;
  readonly asks: (state: S) => boolean;
  readonly ask: (state: S, at: Position) => Promise<'next' | typeof BACK | undefined>;
}

/**
 * Asks `questions` in order; Back returns to the previous question that was shown. The total counts the questions
 * that ask given the answers so far, so it may change when an answer opens or closes a branch. False when cancelled.
 */
export async function runQuestions<S>(questions: readonly Question<S>[], state: S): Promise<boolean> {
  const shown: number[] = [];
  for (let i = 0; i < questions.length;) {
    const question = questions[i];
    if (question.prepare && !(await question.prepare(state))) return false;
    if (!question.asks(state)) {
      i++;
      continue;
    }
    const at = { step: shown.length + 1, total: shown.length + questions.slice(i).filter((q) => q.asks(state)).length };
    const result = await question.ask(state, at);
    if (result === undefined) return false;
    if (result === BACK) {
      i = shown.pop() ?? i;
      continue;
    }
    shown.push(i);
    i++;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// The restore flow.

export type MutableOptions = { -readonly [K in keyof RestoreOptions]: RestoreOptions[K] };

interface FlowState {
  storeId?: string;
  /** The layout of the start path in the store, once read. */
  layout?: DirectoryLayout;
  jobPath?: string;
  /** Every snapshot found (complete or not), once read; the checked checkpoints carry `missingFiles`. */
  snapshots?: SnapshotInfo[];
  /** The newest complete checkpoint that holds all its referenced files. */
  latest?: SnapshotInfo;
  snapshot?: SnapshotInfo;
  target?: RestoreTarget;
  flinkVersion?: string;
  options: MutableOptions;
  output?: RestorePreset['output'];
}

async function restoreJob(services: Services, preset: RestorePreset): Promise<RestoreInvocation | undefined> {
  const stores = services.stores.configs();
  if (!preset.storeId && stores.length === 0) {
    const add = vscode.l10n.t('Add Store…');
    if ((await vscode.window.showInformationMessage(vscode.l10n.t('Add a checkpoint store first.'), add)) === add) {
      await vscode.commands.executeCommand('flinkCheckpoints.addStore');
    }
    return undefined;
  }
  const state: FlowState = {
    storeId: preset.storeId ?? (stores.length === 1 ? stores[0].id : undefined),
    target: preset.target,
    flinkVersion: preset.flinkVersion,
    options: { ...preset.options },
    output: preset.output,
  };
  const startPath = preset.path ?? '/';
  const takeLatest = preset.snapshot === 'latest';
  const named = preset.flinkVersion === undefined ? await findNamedFlinkVersion() : undefined;

  /** Reads the layout and the snapshots the answers so far point at; false when cancelled or nothing is restorable. */
  const readSnapshots = async (s: FlowState): Promise<boolean> => {
    if (s.snapshots || !s.storeId) return true;
    const { store } = await services.stores.get(s.storeId);
    const found = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Reading checkpoints…'),
        cancellable: true,
      },
      async (_p, token) => {
        const signal = abortSignalOf(token);
        s.layout ??= await scanDirectory(store, startPath, { signal });
        const root = s.layout;
        if (root.kind === 'snapshot') {
          return inspectSnapshots(
            store,
            [
              {
                kind: startPath.includes('savepoint-') ? 'savepoint' : 'checkpoint',
                name: startPath.split('/').pop() ?? startPath,
                path: startPath,
              },
            ],
            { signal },
          );
        }
        if (root.kind === 'checkpoints-base' && root.jobs.length > 0) {
          if (root.jobs.length === 1) s.jobPath = root.jobs[0].path;
          // Several jobs: the job question comes first.
          if (!s.jobPath) return undefined;
          const job = await scanDirectory(store, s.jobPath, { signal });
          return inspectSnapshots(store, [...job.checkpoints, ...job.savepoints, ...root.savepoints], { signal });
        }
        return inspectSnapshots(store, [...root.checkpoints, ...root.savepoints], { signal });
      },
    );
    if (found === undefined) return true;
    const clusterPaths = stores.find((c) => c.id === s.storeId)?.clusterPath;
    const marked = await markLatestRestorable(
      found,
      missingFilesCheck(store, { clusterPaths: clusterPaths ? [clusterPaths] : [] }),
    );
    s.snapshots = marked.snapshots;
    s.latest = marked.latest;
    const complete = marked.snapshots.filter(restorable);
    if (complete.length === 0) {
      if (found.length > 0) {
        void vscode.window.showWarningMessage(
          vscode.l10n.t(
            'No restorable checkpoint or savepoint here: {0} in progress, broken or missing referenced files.',
            found.length,
          ),
        );
      }
      return false;
    }
    if (complete.length === 1) s.snapshot = complete[0];
    else if (takeLatest && marked.latest) s.snapshot = marked.latest;
    return true;
  };

  const questions: Question<FlowState>[] = [
    {
      asks: () => !preset.storeId && stores.length > 1,
      ask: async (s, at) => {
        const items = stores.map((c) => ({ label: c.name, description: c.uri, id: c.id }));
        const picked = await pickStep(items, vscode.l10n.t('Restore: store'), at, {
          active: items.find((i) => i.id === s.storeId),
        });
        if (picked === undefined || picked === BACK) return picked;
        if (picked.id !== s.storeId) {
          Object.assign(s, {
            storeId: picked.id,
            layout: undefined,
            jobPath: undefined,
            snapshots: undefined,
            latest: undefined,
            snapshot: undefined,
          });
        }
        return 'next';
      },
    },
    {
      prepare: readSnapshots,
      asks: (s) => s.layout?.kind === 'checkpoints-base' && s.layout.jobs.length > 1,
      ask: async (s, at) => {
        const jobs = (s.layout?.jobs ?? []).map((j) => ({
          label: j.jobId,
          description: j.mtime ? new Date(j.mtime).toLocaleString() : undefined,
          path: j.path,
        }));
        const picked = await pickStep(jobs, vscode.l10n.t('Restore: job'), at, {
          active: jobs.find((j) => j.path === s.jobPath),
        });
        if (picked === undefined || picked === BACK) return picked;
        if (picked.path !== s.jobPath) {
          Object.assign(s, { jobPath: picked.path, snapshots: undefined, latest: undefined, snapshot: undefined });
        }
        return 'next';
      },
    },
    {
      prepare: readSnapshots,
      asks: (s) => !(takeLatest && s.snapshot) && (s.snapshots ?? []).filter((x) => x.status === 'complete').length > 1,
      ask: async (s, at) => {
        const complete = (s.snapshots ?? []).filter((x) => x.status === 'complete');
        const latest = s.latest;
        for (;;) {
          // Checkpoints missing referenced files are listed, marked, and refused: Flink cannot restore them.
          const items = [...(latest ? [latest] : []), ...complete.filter((x) => x !== latest)].map((x) => ({
            label: `${x.missingFiles?.length ? '$(warning)' : x.kind === 'savepoint' ? '$(bookmark)' : '$(pass)'} ${x.name}`,
            description: [
              x === latest ? vscode.l10n.t('latest') : '',
              x.missingFiles?.length ? vscode.l10n.t('{0} referenced files missing', x.missingFiles.length) : '',
              x.completedAt ? new Date(x.completedAt).toLocaleString() : '',
            ]
              .filter(Boolean)
              .join(' · '),
            detail: x.missingFiles?.length
              ? vscode.l10n.t('cannot be restored: {0}', x.missingFiles.slice(0, 3).join(', '))
              : x.path,
            snapshot: x,
          }));
          const picked = await pickStep(items, vscode.l10n.t('Restore: snapshot'), at, {
            active: items.find((i) => i.snapshot.path === (s.snapshot ?? latest)?.path),
            placeholder: vscode.l10n.t('The latest restorable checkpoint is first'),
          });
          if (picked === undefined || picked === BACK) return picked;
          if (restorable(picked.snapshot)) {
            s.snapshot = picked.snapshot;
            return 'next';
          }
          void vscode.window.showErrorMessage(
            vscode.l10n.t(
              '{0} cannot be restored: {1} referenced files are not in the store ({2}).',
              picked.snapshot.name,
              picked.snapshot.missingFiles?.length ?? 0,
              (picked.snapshot.missingFiles ?? []).slice(0, 3).join(', '),
            ),
          );
        }
      },
    },
    {
      asks: () => preset.target === undefined,
      ask: async (s, at) => {
        const picked = await pickStep(TARGETS, vscode.l10n.t('Restore: target'), at, {
          active: TARGETS.find((t) => t.target === s.target),
        });
        if (picked === undefined || picked === BACK) return picked;
        s.target = picked.target;
        return 'next';
      },
    },
    {
      asks: () => preset.flinkVersion === undefined,
      ask: async (s, at) => {
        const { items, preselected } = flinkVersionItems(s.snapshot?.metadataVersion, named);
        const picked = await pickStep(items, vscode.l10n.t('Restore: Flink version of the cluster'), at, {
          active: items.find((i) => i.label === s.flinkVersion) ?? preselected,
        });
        if (picked === undefined || picked === BACK) return picked;
        s.flinkVersion = picked.label;
        return 'next';
      },
    },
    ...(preset.options === undefined ? optionQuestions() : []),
    {
      asks: () => preset.output === undefined,
      ask: async (s, at) => {
        const shellOnly =
          s.target === 'cli' || (s.target === 'application' && s.options.applicationTarget !== 'standalone');
        const outputs = [
          { label: vscode.l10n.t('$(go-to-file) Open in Editor'), output: 'editor' as const },
          { label: vscode.l10n.t('$(copy) Copy to Clipboard'), output: 'clipboard' as const },
          ...(shellOnly
            ? [
                {
                  label: vscode.l10n.t('$(terminal) Type in Terminal'),
                  description: vscode.l10n.t('typed, not run'),
                  output: 'terminal' as const,
                },
              ]
            : []),
        ];
        const picked = await pickStep(outputs, vscode.l10n.t('Restore: where should the invocation go?'), at, {
          active: outputs.find((o) => o.output === s.output),
        });
        if (picked === undefined || picked === BACK) return picked;
        s.output = picked.output;
        return 'next';
      },
    },
  ];
  if (!(await runQuestions(questions, state))) return undefined;

  if (!state.storeId || !state.snapshot || !state.target || !state.flinkVersion) return undefined;
  const clusterPath = await clusterPathOf(services, state.storeId, state.snapshot.path);
  const invocation = buildRestoreInvocation({
    snapshotPath: clusterPath,
    target: state.target,
    flinkVersion: state.flinkVersion,
    options: {
      ...state.options,
      snapshot: { metadataVersion: state.snapshot.metadataVersion, ...state.options.snapshot },
    },
  });
  services.log.info(
    `Restore invocation for ${state.snapshot.path} (${state.target}, Flink ${state.flinkVersion}) with ${invocation.warnings.length} warnings`,
  );
  await deliver(invocation, state.snapshot, state.output ?? 'editor');
  return invocation;
}

/** A snapshot of a store as the JobManager sees it: mapped through the store's "Path as the cluster sees it". */
export async function clusterPathOf(services: Services, storeId: string, snapshotPath: string): Promise<string> {
  const { store, config } = await services.stores.get(storeId);
  const storePath = externalLocation(store.uri, snapshotPath);
  return config.clusterPath
    ? mapToClusterPath(storePath, [
        { storePrefix: externalLocation(store.uri, '/'), clusterPrefix: config.clusterPath },
      ]).path
    : storePath;
}

/** Complete, and not known to miss a referenced file. */
function restorable(snapshot: SnapshotInfo): boolean {
  return snapshot.status === 'complete' && !snapshot.missingFiles?.length;
}

/**
 * The Flink lines, oldest first. Those that cannot read the snapshot's `_metadata` format are marked; the preselected
 * one reads it: the version a workspace file names, else the setting, else the oldest line that reads it.
 */
function flinkVersionItems(
  metadataVersion: number | undefined,
  named: { version: NamedFlinkVersion; file: string } | undefined,
): { items: (vscode.QuickPickItem & { label: string })[]; preselected?: vscode.QuickPickItem & { label: string } } {
  const configured = settings.flinkVersion();
  const writers = metadataVersion === undefined ? undefined : METADATA_VERSION_WRITERS[metadataVersion];
  const items = SUPPORTED_FLINK_LINES.map((line) => {
    const version: FlinkVersion = parseFlinkVersion(line);
    const reads = readsMetadataVersion(version, metadataVersion) !== false;
    const notes: string[] = [];
    if (named?.version.version.line === line) {
      notes.push(vscode.l10n.t('named in {0} ({1})', named.file, named.version.evidence));
    }
    if (line === configured) notes.push(vscode.l10n.t('setting flinkCheckpoints.flinkVersion'));
    return {
      label: line,
      reads,
      description: notes.join(' · ') || undefined,
      detail: reads
        ? undefined
        : writers
          ? vscode.l10n.t(
              '$(error) cannot read this snapshot: _metadata format {0} is written by Flink {1} and read from {1} on',
              metadataVersion ?? '',
              writers.first,
            )
          : vscode.l10n.t(
              '$(error) cannot read this snapshot: no Flink release reads _metadata format {0}',
              metadataVersion ?? '',
            ),
    };
  });
  const readable = new Set(items.filter((i) => i.reads).map((i) => i.label));
  const shown = items.map((i): vscode.QuickPickItem & { label: string } => ({
    label: i.label,
    description: i.description,
    detail: i.detail,
  }));
  const preference = [named?.version.version.line, configured, ...SUPPORTED_FLINK_LINES].filter(
    (l): l is string => l !== undefined && readable.has(l as FlinkLine),
  );
  return { items: shown, preselected: shown.find((i) => i.label === preference[0]) };
}

/** The first Flink version a build or deployment file of the workspace names, with the file's name. */
async function findNamedFlinkVersion(): Promise<{ version: NamedFlinkVersion; file: string } | undefined> {
  if (!vscode.workspace.workspaceFolders?.length) return undefined;
  const files = await vscode.workspace.findFiles(VERSION_FILES, VERSION_FILES_EXCLUDED, 50);
  files.sort((a, b) => a.path.localeCompare(b.path));
  for (const file of files) {
    let text: string;
    try {
      const bytes = await vscode.workspace.fs.readFile(file);
      // A build file is small: a large one is generated or data, not where a version is named.
      if (bytes.byteLength > 1024 * 1024) continue;
      text = new TextDecoder().decode(bytes);
    } catch {
      continue;
    }
    const version = flinkVersionNamedIn(text);
    if (version) return { version, file: vscode.workspace.asRelativePath(file) };
  }
  return undefined;
}

const CLAIM_MODE_ITEMS: readonly (vscode.QuickPickItem & { mode: ClaimMode })[] = [
  {
    mode: 'no_claim',
    label: 'no_claim',
    description: vscode.l10n.t('default: the snapshot stays yours; Flink never deletes it'),
  },
  {
    mode: 'claim',
    label: 'claim',
    description: vscode.l10n.t('the new job owns the snapshot and deletes it once a newer checkpoint subsumes it'),
  },
  {
    mode: 'legacy',
    label: 'legacy',
    description: vscode.l10n.t(
      'deprecated since 1.19: new checkpoints may reference its files, so nobody can safely delete it',
    ),
  },
];

/**
 * CLAIM hands the snapshot's files to the new job, which deletes them later: asked once more, naming the snapshot, as
 * a pick whose preselected answer keeps it (a modal dialog's Enter presses its action, not Cancel).
 */
async function confirmClaim(
  snapshot: { readonly name: string; readonly path: string } | undefined,
  at: Position,
): Promise<Answer<boolean>> {
  const name = snapshot?.name ?? vscode.l10n.t('the snapshot');
  const items = [
    { handOver: false, label: vscode.l10n.t('$(shield) No, keep {0} mine: restore with no_claim', name) },
    {
      handOver: true,
      label: vscode.l10n.t('$(warning) Hand {0} over to the new job', name),
      detail: vscode.l10n.t(
        "Its _metadata and the state files only it references become the new job's: Flink deletes them once a newer checkpoint subsumes it, so {0} cannot be restored again, and no second job may start from it.",
        name,
      ),
    },
  ];
  const picked = await pickStep(
    items,
    vscode.l10n.t('Restore: CLAIM hands {0} ({1}) over to the new job', name, snapshot?.path ?? ''),
    at,
    { active: items[0] },
  );
  return picked === undefined || picked === BACK ? picked : picked.handOver;
}

/** What the claim-mode and allow-non-restored-state questions read and set. */
interface SnapshotOptionsState {
  readonly snapshot?: { readonly name: string; readonly path: string };
  readonly options: MutableOptions;
}

/** The claim mode, `no_claim` preselected; CLAIM is confirmed naming the snapshot it hands over. */
export function claimModeQuestion<S extends SnapshotOptionsState>(): Question<S> {
  return {
    asks: () => true,
    ask: async (s, at) => {
      for (;;) {
        const picked = await pickStep(CLAIM_MODE_ITEMS, vscode.l10n.t('Restore: claim mode'), at, {
          active: CLAIM_MODE_ITEMS.find((i) => i.mode === (s.options.claimMode ?? 'no_claim')),
        });
        if (picked === undefined || picked === BACK) return picked;
        const confirmed = picked.mode !== 'claim' || (await confirmClaim(s.snapshot, at));
        if (confirmed === undefined) return undefined;
        // Back from the confirmation asks the claim mode again.
        if (confirmed === BACK) continue;
        s.options.claimMode = confirmed ? picked.mode : 'no_claim';
        return 'next';
      }
    },
  };
}

/** `--allowNonRestoredState`, No preselected. */
export function allowNonRestoredStateQuestion<S extends SnapshotOptionsState>(): Question<S> {
  return {
    asks: () => true,
    ask: async (s, at) => {
      const items = [
        {
          label: vscode.l10n.t('No'),
          allow: false,
          description: vscode.l10n.t('default: fail when an operator of the snapshot is missing from the job'),
        },
        {
          label: vscode.l10n.t('Yes'),
          allow: true,
          description: vscode.l10n.t('--allowNonRestoredState: drop the state of operators the job no longer has'),
        },
      ];
      const picked = await pickStep(items, vscode.l10n.t('Restore: allow non-restored state?'), at, {
        active: items.find((i) => i.allow === (s.options.allowNonRestoredState === true)),
      });
      if (picked === undefined || picked === BACK) return picked;
      s.options.allowNonRestoredState = picked.allow;
      return 'next';
    },
  };
}

/** The options each target needs, as questions of the flow. */
function optionQuestions(): Question<FlowState>[] {
  // Before the target is chosen these count the CLI's questions, the flow most take.
  const usesJar = (s: FlowState): boolean => s.target === undefined || s.target === 'cli' || s.target === 'application';
  const usesProgram = (s: FlowState): boolean => usesJar(s) || s.target === 'rest';
  return [
    claimModeQuestion(),
    allowNonRestoredStateQuestion(),
    {
      asks: (s) => s.target === 'application',
      ask: async (s, at) => {
        const items = APPLICATION_TARGETS.map((t) => ({ label: t, target: t }));
        const picked = await pickStep(items, vscode.l10n.t('Restore: application target'), at, {
          active: items.find((i) => i.target === s.options.applicationTarget),
        });
        if (picked === undefined || picked === BACK) return picked;
        s.options.applicationTarget = picked.target as ApplicationTarget;
        return 'next';
      },
    },
    {
      asks: usesJar,
      ask: async (s, at) => {
        const answer = await textStep(vscode.l10n.t('Restore: job jar'), at, {
          prompt: vscode.l10n.t('The job jar as the submitting side sees it'),
          value: s.options.jar ?? (s.target === 'application' ? 'local:///opt/flink/usrlib/job.jar' : './job.jar'),
          validate: (v) => (v.trim() ? undefined : vscode.l10n.t('Required')),
        });
        if (answer === undefined || answer === BACK) return answer;
        s.options.jar = answer.trim();
        return 'next';
      },
    },
    {
      asks: usesProgram,
      ask: async (s, at) => {
        const answer = await textStep(vscode.l10n.t('Restore: entry class (optional)'), at, {
          prompt: vscode.l10n.t('The main class, when the jar manifest does not name it'),
          value: s.options.entryClass,
        });
        if (answer === undefined || answer === BACK) return answer;
        s.options.entryClass = answer.trim() || undefined;
        return 'next';
      },
    },
    {
      asks: usesProgram,
      ask: async (s, at) => {
        const answer = await textStep(vscode.l10n.t('Restore: parallelism (optional)'), at, {
          value: s.options.parallelism === undefined ? '' : String(s.options.parallelism),
          validate: (v) =>
            !v.trim() || /^[1-9]\d*$/.test(v.trim()) ? undefined : vscode.l10n.t('A positive whole number'),
        });
        if (answer === undefined || answer === BACK) return answer;
        s.options.parallelism = answer.trim() ? Number(answer.trim()) : undefined;
        return 'next';
      },
    },
    {
      asks: (s) =>
        s.target === 'application' &&
        (s.options.applicationTarget ?? 'kubernetes-application') === 'kubernetes-application',
      ask: async (s, at) => {
        const answer = await textStep(vscode.l10n.t('Restore: kubernetes.cluster-id'), at, {
          prompt: vscode.l10n.t('The deployment name of the application cluster'),
          value: s.options.clusterId ?? 'my-flink-job',
          validate: (v) => (v.trim() ? undefined : vscode.l10n.t('Required')),
        });
        if (answer === undefined || answer === BACK) return answer;
        s.options.clusterId = answer.trim();
        return 'next';
      },
    },
    {
      asks: (s) => s.target === 'k8s',
      ask: async (s, at) => {
        const answer = await textStep(vscode.l10n.t('Restore: FlinkDeployment name'), at, {
          prompt: vscode.l10n.t('metadata.name of the FlinkDeployment to patch'),
          value: s.options.deploymentName ?? 'my-flink-job',
          validate: (v) =>
            /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v.trim())
              ? undefined
              : vscode.l10n.t("A Kubernetes name: lower-case letters, digits, '-' and '.'"),
        });
        if (answer === undefined || answer === BACK) return answer;
        s.options.deploymentName = answer.trim();
        return 'next';
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Delivering the invocation.

const EXTENSIONS: Record<StepLanguage, string> = { shellscript: 'sh', yaml: 'yaml', sql: 'sql', json: 'json' };

/** One editor document of the invocation: a named untitled file, so its tab and a Save say what it is. */
interface InvocationDocument {
  readonly name: string;
  readonly language: StepLanguage;
  readonly steps: InvocationStep[];
}

/**
 * The invocation as documents: each step with a file name (a manifest another step's command reads) alone under that
 * name, the other steps together per language as `restore-<snapshot>-<target>.<ext>`.
 */
function invocationDocuments(invocation: RestoreInvocation, snapshot: SnapshotInfo): InvocationDocument[] {
  const documents: InvocationDocument[] = [];
  for (const step of invocation.steps) {
    if (step.fileName) {
      documents.push({ name: step.fileName, language: step.language, steps: [step] });
      continue;
    }
    const name = `restore-${snapshot.name}-${invocation.target}.${EXTENSIONS[step.language]}`;
    const existing = documents.find((d) => d.name === name);
    if (existing) existing.steps.push(step);
    else documents.push({ name, language: step.language, steps: [step] });
  }
  return documents;
}

function commentLines(language: StepLanguage, lines: readonly string[]): string {
  const prefix = language === 'sql' ? '--' : '#';
  return lines.map((line) => `${prefix} ${line}\n`).join('');
}

/** Opens (or refills) the untitled document `name` with `content`; shown in the editor. */
async function showNamedDocument(
  name: string,
  language: StepLanguage,
  content: string,
  preview: boolean,
): Promise<vscode.TextEditor> {
  const uri = vscode.Uri.from({ scheme: 'untitled', path: name });
  const document = await vscode.workspace.openTextDocument(uri);
  if (document.getText() !== content) {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(
      uri,
      new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)),
      content,
    );
    await vscode.workspace.applyEdit(edit);
  }
  if (document.languageId !== language) await vscode.languages.setTextDocumentLanguage(document, language);
  return vscode.window.showTextDocument(document, { preview, preserveFocus: false });
}

async function deliver(
  invocation: RestoreInvocation,
  snapshot: SnapshotInfo,
  output: NonNullable<RestorePreset['output']>,
): Promise<void> {
  const warnings = invocation.warnings.map((w) => `${vscode.l10n.t('Warning')}: ${w.message}`);
  if (invocation.warnings.length > 0) {
    void vscode.window.showWarningMessage(invocation.warnings.map((w) => w.message).join(' '));
  }
  if (output === 'editor') {
    const documents = invocationDocuments(invocation, snapshot);
    // Warnings go where comments can hold them, before the commands; the first non-JSON document is shown last.
    const commented =
      documents.find((d) => d.language === 'shellscript' || d.language === 'sql') ??
      documents.find((d) => d.language !== 'json');
    const main = documents.find((d) => d.language !== 'json') ?? documents[0];
    for (const document of [...documents.filter((d) => d !== main), main]) {
      const header =
        document === commented && warnings.length > 0 ? `${commentLines(document.language, warnings)}\n` : '';
      // A manifest is the file its command reads: its text alone, as it must be saved.
      // JSON has no comments: a request body is its text alone too.
      const bare =
        document.language === 'json' || (document.steps.length === 1 && document.steps[0].fileName !== undefined);
      const body = bare
        ? document.steps.map((step) => step.text).join('\n')
        : formatSteps(document.steps, { wrapCommands: true });
      await showNamedDocument(document.name, document.language, `${header}${body}`, false);
    }
  } else if (output === 'clipboard') {
    await vscode.env.clipboard.writeText(
      `${warnings.length > 0 ? `${commentLines('shellscript', warnings)}\n` : ''}${formatSteps(invocation.steps, { wrapCommands: true })}`,
    );
    void vscode.window.showInformationMessage(vscode.l10n.t('Restore invocation copied.'));
  } else {
    const terminal = vscode.window.activeTerminal ?? vscode.window.createTerminal(vscode.l10n.t('Flink restore'));
    terminal.show();
    terminal.sendText(invocation.steps.map((s) => s.text.trim()).join(' && '), false);
    const run = vscode.l10n.t('Run It');
    if (
      (await vscode.window.showInformationMessage(
        vscode.l10n.t('The restore command is typed in the terminal. Run it now?'),
        { modal: true },
        run,
      )) === run
    ) {
      terminal.sendText('', true);
    }
  }
}
