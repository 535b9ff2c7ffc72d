import * as vscode from 'vscode';
import * as path from 'node:path';
import { abortSignalOf } from '../core/concurrency';
import { addSecret, redact } from '../core/redact';
import { formatStoreUri, parseStoreUri, splitPassword } from '../core/stores/uri';
import { StoreConfig, StoreS3Settings } from '../settings';
import { askS3Settings, storesFromFlinkConfig } from './s3Stores';
import { Services } from '../services';
import { registerCommand } from './register';
import { errorMessage } from '../core/errors';

interface KindPick extends vscode.QuickPickItem {
  readonly scheme: 'file' | 'ftp' | 'ftps' | 'hdfs' | 's3';
  /** The URI schemes a location of this kind may have. */
  readonly schemes: readonly string[];
  readonly example: string;
}

const KINDS: readonly KindPick[] = [
  {
    scheme: 'file',
    schemes: ['file'],
    label: '$(folder) Local, NFS or Kubernetes volume',
    description: 'a directory on this machine',
    example: '/mnt/flink/checkpoints',
  },
  {
    scheme: 'ftp',
    schemes: ['ftp'],
    label: '$(globe) FTP',
    description: 'ftp://user@host[:port]/path',
    example: 'ftp://flink@ftp.example.com/checkpoints',
  },
  {
    scheme: 'ftps',
    schemes: ['ftps'],
    label: '$(lock) FTPS',
    description: 'explicit TLS, ftps://user@host[:port]/path',
    example: 'ftps://flink@ftp.example.com/checkpoints',
  },
  {
    scheme: 'hdfs',
    schemes: ['hdfs', 'webhdfs', 'swebhdfs'],
    label: '$(server) HDFS over WebHDFS',
    description: 'hdfs://namenode[:port]/path, webhdfs:// or swebhdfs://',
    example: 'hdfs://namenode:8020/flink/checkpoints',
  },
  {
    scheme: 's3',
    schemes: ['s3', 's3a', 's3p'],
    label: '$(cloud) S3 or S3-compatible',
    description: 's3://bucket/prefix (s3a://, s3p://): AWS, MinIO, Ceph, GCS, OSS',
    example: 's3://flink-state/checkpoints',
  },
];

function kindName(kind: KindPick): string {
  return kind.label.replace(/^\$\([^)]*\)\s*/, '');
}

export function register(services: Services): void {
  registerCommand(services, 'flinkCheckpoints.addStore', (prefill?: { location?: string }) =>
    addStore(services, prefill?.location),
  );
  registerCommand(services, 'flinkCheckpoints.addStoreFromFlinkConfig', () => addStoreFromFlinkConfig(services));
  registerCommand(services, 'flinkCheckpoints.editStore', (node?: { storeId?: string }) =>
    editStore(services, node?.storeId),
  );
  registerCommand(services, 'flinkCheckpoints.removeStore', (node?: { storeId?: string }) =>
    removeStore(services, node?.storeId),
  );
  registerCommand(services, 'flinkCheckpoints.testConnection', (node?: { storeId?: string }) =>
    testConnection(services, node?.storeId),
  );
}

/** Why `text` is not a location of this kind (a local store needs an absolute path, the others their URI), or undefined. */
function locationProblem(kind: KindPick, text: string): string | undefined {
  const value = text.trim();
  if (!value) return vscode.l10n.t('Enter a location');
  if (kind.scheme === 'file' && !/^file:/i.test(value) && !path.isAbsolute(value)) {
    return vscode.l10n.t('Enter an absolute path, such as {0}', kind.example);
  }
  try {
    const { scheme } = parseStoreUri(splitPassword(value).uri);
    if (!kind.schemes.includes(scheme)) {
      return vscode.l10n.t('Not a {0} location: enter a URI such as {1}', kindName(kind), kind.example);
    }
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}

async function pickStore(services: Services, id: string | undefined, title: string): Promise<StoreConfig | undefined> {
  const stores = services.stores.configs();
  if (id) return stores.find((s) => s.id === id);
  if (stores.length === 0) {
    void vscode.window
      .showInformationMessage(vscode.l10n.t('No checkpoint stores are configured yet.'), vscode.l10n.t('Add Store…'))
      .then((choice) => (choice ? vscode.commands.executeCommand('flinkCheckpoints.addStore') : undefined));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    stores.map((s) => ({ label: s.name, description: s.uri, store: s })),
    { title, placeHolder: vscode.l10n.t('Pick a store') },
  );
  return picked?.store;
}

/**
 * The location input, validated for the kind as it is typed. A local store's input has a button that opens a folder
 * picker. Undefined on cancel.
 */
function enterLocation(kind: KindPick, value: string | undefined): Promise<string | undefined> {
  const input = vscode.window.createInputBox();
  input.title = vscode.l10n.t('{0}: location', kindName(kind));
  input.prompt =
    kind.scheme === 'file'
      ? vscode.l10n.t(
          'The checkpoint directory (state.checkpoints.dir / execution.checkpointing.dir), a job directory or a savepoint directory',
        )
      : kind.scheme === 's3'
        ? vscode.l10n.t(
            'The bucket and key prefix Flink writes to (execution.checkpointing.dir); the service and credentials come next',
          )
        : vscode.l10n.t('A password typed here is moved to secret storage; the saved URI keeps none');
  input.placeholder = kind.example;
  input.value = value ?? '';
  input.ignoreFocusOut = true;
  const browse: vscode.QuickInputButton = {
    iconPath: new vscode.ThemeIcon('folder-opened'),
    tooltip: vscode.l10n.t('Choose a folder…'),
  };
  if (kind.scheme === 'file') input.buttons = [browse];
  return new Promise((resolve) => {
    let picking = false;
    const done = (result: string | undefined) => {
      resolve(result);
      input.dispose();
    };
    input.onDidChangeValue((text) => {
      input.validationMessage = text.trim() ? locationProblem(kind, text) : undefined;
    });
    input.onDidAccept(() => {
      const problem = locationProblem(kind, input.value);
      if (problem) input.validationMessage = problem;
      else done(input.value.trim());
    });
    input.onDidTriggerButton(async () => {
      picking = true;
      const [folder] =
        (await vscode.window.showOpenDialog({
          canSelectFolders: true,
          canSelectFiles: false,
          canSelectMany: false,
          title: vscode.l10n.t('Checkpoint directory'),
          openLabel: vscode.l10n.t('Use as Store'),
        })) ?? [];
      picking = false;
      if (folder) done(folder.fsPath);
      else input.show();
    });
    // The folder picker takes the focus, which hides the input; only a hide the user caused cancels.
    input.onDidHide(() => {
      if (!picking) done(undefined);
    });
    input.show();
  });
}

/** Asks for the location (and password, user, WebHDFS address or S3 service where the kind has them). Undefined on cancel. */
async function askLocation(
  kind: KindPick,
  current?: Pick<StoreConfig, 'uri' | 'webHdfsAddress' | 's3'>,
  hasPassword = false,
): Promise<{ uri: string; password?: string; webHdfsAddress?: string; s3?: StoreS3Settings } | undefined> {
  const entered = await enterLocation(kind, current?.uri);
  if (entered === undefined) return undefined;
  if (kind.scheme === 's3') {
    const answers = await askS3Settings(current?.s3);
    return answers && { uri: entered, password: answers.secret, s3: answers.s3 };
  }
  let split = splitPassword(entered);
  let parsed = parseStoreUri(split.uri);
  if ((parsed.scheme === 'ftp' || parsed.scheme === 'ftps') && !parsed.user) {
    const user = await vscode.window.showInputBox({
      title: vscode.l10n.t('User on {0}', parsed.host),
      prompt: vscode.l10n.t('Leave empty to log in as anonymous'),
      ignoreFocusOut: true,
    });
    if (user === undefined) return undefined;
    if (user.trim()) {
      split = { ...split, uri: formatStoreUri({ ...parsed, user: user.trim() }) };
      parsed = parseStoreUri(split.uri);
    }
  }
  let password = split.password;
  if (
    (parsed.scheme === 'ftp' || parsed.scheme === 'ftps') &&
    password === undefined &&
    parsed.user &&
    parsed.user !== 'anonymous'
  ) {
    password = await vscode.window.showInputBox({
      title: vscode.l10n.t('Password of {0}', parsed.user),
      prompt: hasPassword
        ? vscode.l10n.t("Kept in the editor's secret storage, never in settings. Leave empty to keep the current one.")
        : vscode.l10n.t(
            "Kept in the editor's secret storage, never in settings. Leave empty if the server asks for none.",
          ),
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) return undefined;
    if (password === '') password = undefined;
  }
  let webHdfsAddress = current?.webHdfsAddress;
  if (parsed.scheme === 'hdfs') {
    const address = await vscode.window.showInputBox({
      title: vscode.l10n.t('WebHDFS address of the NameNode'),
      prompt: vscode.l10n.t(
        "host:port of the NameNode's HTTP server (dfs.namenode.http-address); the RPC port of the hdfs:// URI is not used",
      ),
      value: webHdfsAddress ?? `${parsed.host}:9870`,
      ignoreFocusOut: true,
      validateInput: (value) =>
        /^(https?:\/\/)?[^\s/:]+(:\d+)?(\/\S*)?$/.test(value.trim()) ? undefined : vscode.l10n.t('Enter host:port'),
    });
    if (address === undefined) return undefined;
    webHdfsAddress = address.trim();
  }
  return { uri: split.uri, password, webHdfsAddress };
}

/** Opens the store, reads its root and one page of entries; reports what it found or why it failed. */
async function probe(
  services: Services,
  config: Omit<StoreConfig, 'id'>,
  password: string | undefined,
): Promise<string | undefined> {
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Connecting to {0}…', config.name),
      cancellable: true,
    },
    async (_progress, token) => {
      const signal = abortSignalOf(token);
      const store = await services.stores.openUnsaved(config, password);
      try {
        const root = await store.stat('/', { signal });
        if (root.kind !== 'directory') return vscode.l10n.t('{0} is a file, not a directory', config.uri);
        let entries = 0;
        for await (const page of store.list('/', { signal, pageSize: 200 })) {
          entries += page.length;
          break;
        }
        services.log.info(`Test connection to "${config.name}": ok, ${entries} entries at the root`);
        return undefined;
      } catch (error) {
        addSecret(password);
        const message = redact(errorMessage(error));
        services.log.warn(`Test connection to "${config.name}" failed: ${message}`);
        return message;
      } finally {
        await store.close();
      }
    },
  );
}

/** The last folder of the location (`checkpoints`), or the host for a server's root; with the host when that name is taken. */
function suggestName(uri: string, taken: readonly string[]): string {
  const parsed = parseStoreUri(uri);
  const folder = parsed.path.split(/[\\/]/).filter(Boolean).pop();
  const name = folder ?? parsed.host ?? uri;
  return taken.includes(name) && folder && parsed.host ? vscode.l10n.t('{0} on {1}', folder, parsed.host) : name;
}

/** The kind a location names by its scheme (a plain path is local); undefined for a scheme no kind reads. */
function kindOf(location: string): KindPick | undefined {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(location)?.[1].toLowerCase() ?? 'file';
  return KINDS.find((k) => k.schemes.includes(scheme));
}

/** `prefilled`: a location to start from (Add Store for a snapshot Flink reported); its kind is not asked. */
async function addStore(services: Services, prefilled?: string): Promise<void> {
  const kind =
    (prefilled !== undefined ? kindOf(prefilled) : undefined) ??
    (await vscode.window.showQuickPick(KINDS, {
      title: vscode.l10n.t('Add Store: kind'),
      placeHolder: vscode.l10n.t('Where does Flink write its checkpoints?'),
    }));
  if (!kind) return;
  let draft: Omit<StoreConfig, 'id'> | undefined;
  for (;;) {
    const location = await askLocation(kind, draft ?? (prefilled !== undefined ? { uri: prefilled } : undefined));
    if (!location) return;
    const taken = services.stores.configs().map((s) => s.name);
    const name = await vscode.window.showInputBox({
      title: vscode.l10n.t('Add Store: name'),
      value: draft?.name ?? suggestName(location.uri, taken),
      ignoreFocusOut: true,
      validateInput: (value) =>
        !value.trim()
          ? vscode.l10n.t('Enter a name')
          : taken.includes(value.trim())
            ? vscode.l10n.t('A store with this name exists')
            : undefined,
    });
    if (!name) return;
    const config: Omit<StoreConfig, 'id'> = { name: name.trim(), uri: location.uri };
    if (location.webHdfsAddress) config.webHdfsAddress = location.webHdfsAddress;
    if (location.s3) config.s3 = location.s3;
    const problem = await probe(services, config, location.password);
    if (problem) {
      // The safe answer comes first, so Enter goes back to the location rather than saving a store that does not work.
      const edit = vscode.l10n.t('Edit Location…');
      const save = vscode.l10n.t('Save Anyway');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('Could not read {0}: {1}', config.name, problem),
        { modal: true },
        edit,
        save,
      );
      if (choice === edit) {
        draft = config;
        continue;
      }
      if (choice !== save) return;
    }
    await services.stores.add(config, location.password);
    services.log.info(`Added store "${config.name}" (${config.uri})`);
    return;
  }
}

async function editStore(services: Services, id: string | undefined): Promise<void> {
  const store = await pickStore(services, id, vscode.l10n.t('Edit Store'));
  if (!store) return;
  const fields = [
    { label: vscode.l10n.t('Location'), description: store.uri, field: 'uri' as const },
    { label: vscode.l10n.t('Name'), description: store.name, field: 'name' as const },
    {
      label: vscode.l10n.t('Password'),
      description: vscode.l10n.t('kept in secret storage'),
      field: 'password' as const,
    },
    {
      label: vscode.l10n.t('Writable'),
      description: store.writable ? vscode.l10n.t('yes: files can be changed') : vscode.l10n.t('no: read-only'),
      field: 'writable' as const,
    },
    {
      label: vscode.l10n.t('Path as the cluster sees it'),
      description: store.clusterPath ?? vscode.l10n.t('same as the location'),
      field: 'clusterPath' as const,
    },
  ];
  const picked = await vscode.window.showQuickPick(fields, { title: vscode.l10n.t('Edit Store "{0}"', store.name) });
  if (!picked) return;
  const updated: StoreConfig = { ...store };
  switch (picked.field) {
    case 'uri': {
      const scheme = parseStoreUri(store.uri).scheme;
      const kind = KINDS.find((k) => k.schemes.includes(scheme)) ?? KINDS[0];
      const location = await askLocation(kind, store, (await services.stores.password(store.id)) !== undefined);
      if (!location) return;
      updated.uri = location.uri;
      if (location.webHdfsAddress) updated.webHdfsAddress = location.webHdfsAddress;
      if (location.s3) updated.s3 = location.s3;
      if (location.password) await services.stores.setPassword(store.id, location.password);
      break;
    }
    case 'name': {
      const name = await vscode.window.showInputBox({
        title: vscode.l10n.t('Store name'),
        value: store.name,
        validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a name')),
      });
      if (!name) return;
      updated.name = name.trim();
      break;
    }
    case 'password': {
      const password = await vscode.window.showInputBox({
        title: vscode.l10n.t('Password for {0}', store.name),
        prompt: vscode.l10n.t('Leave empty to remove the saved password'),
        password: true,
        ignoreFocusOut: true,
      });
      if (password === undefined) return;
      await services.stores.setPassword(store.id, password || undefined);
      return;
    }
    case 'writable': {
      const choice = await vscode.window.showQuickPick(
        [
          {
            label: vscode.l10n.t('Read-only'),
            writable: false,
            description: vscode.l10n.t('recommended for checkpoint stores'),
          },
          {
            label: vscode.l10n.t('Writable'),
            writable: true,
            description: vscode.l10n.t('files of this store can be edited, renamed and deleted'),
          },
        ],
        { title: vscode.l10n.t('Access to "{0}"', store.name) },
      );
      if (!choice) return;
      updated.writable = choice.writable;
      break;
    }
    case 'clusterPath': {
      const value = await vscode.window.showInputBox({
        title: vscode.l10n.t('Path as the cluster sees it'),
        prompt: vscode.l10n.t(
          "The URI or path of this store's root as the JobManager reaches it (for example the PV mount path in the pods, or s3://bucket/checkpoints). Empty: same as the location.",
        ),
        value: store.clusterPath ?? '',
        ignoreFocusOut: true,
      });
      if (value === undefined) return;
      if (value.trim()) updated.clusterPath = value.trim();
      else delete updated.clusterPath;
      break;
    }
  }
  await services.stores.update(updated);
}

async function removeStore(services: Services, id: string | undefined): Promise<void> {
  const store = await pickStore(services, id, vscode.l10n.t('Remove Store'));
  if (!store) return;
  const remove = vscode.l10n.t('Remove');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('Remove store "{0}"? Nothing in the store is deleted.', store.name),
    { modal: true },
    remove,
  );
  if (choice !== remove) return;
  await services.stores.remove(store.id);
  services.log.info(`Removed store "${store.name}"`);
}

async function testConnection(services: Services, id: string | undefined): Promise<void> {
  const store = await pickStore(services, id, vscode.l10n.t('Test Connection'));
  if (!store) return;
  const problem = await probe(services, store, await services.stores.password(store.id));
  if (problem) void vscode.window.showErrorMessage(vscode.l10n.t('{0}: {1}', store.name, problem));
  else void vscode.window.showInformationMessage(vscode.l10n.t('{0}: connected.', store.name));
}

/**
 * Adds the stores a workspace Flink configuration describes (checkpoint and savepoint directories, with the `s3.*`
 * keys Flink uses); an `s3.secret-key` in the file goes to secret storage with a warning.
 */
async function addStoreFromFlinkConfig(services: Services): Promise<void> {
  const files = await vscode.workspace.findFiles(
    '**/{flink-conf.yaml,config.yaml,*.flink-conf.yaml}',
    '**/node_modules/**',
    100,
  );
  const choices = [
    ...files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { label: vscode.l10n.t('$(folder-opened) Choose a file…'), uri: undefined },
  ];
  const picked = await vscode.window.showQuickPick(choices, {
    title: vscode.l10n.t('Add Store from Flink Configuration'),
    placeHolder: vscode.l10n.t('The flink-conf.yaml or config.yaml of the job'),
  });
  if (!picked) return;
  const file =
    picked.uri ??
    (
      await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { YAML: ['yaml', 'yml'] },
        title: vscode.l10n.t('Flink configuration'),
      })
    )?.[0];
  if (!file) return;
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
  const found = storesFromFlinkConfig(text, file);
  const taken = new Set(services.stores.configs().map((s) => s.name));
  const added: string[] = [];
  for (const { config, secret } of found) {
    if (secret) addSecret(secret);
    const unique = { ...config, name: taken.has(config.name) ? suggestName(config.uri, [...taken]) : config.name };
    const problem = await probe(services, unique, secret);
    if (problem) {
      const save = vscode.l10n.t('Save Anyway');
      if (
        (await vscode.window.showWarningMessage(
          vscode.l10n.t('Could not read {0}: {1}', unique.name, problem),
          { modal: true },
          save,
        )) !== save
      ) {
        continue;
      }
    }
    await services.stores.add(unique, secret);
    taken.add(unique.name);
    added.push(unique.name);
    services.log.info(`Added store "${unique.name}" (${unique.uri}) from ${vscode.workspace.asRelativePath(file)}`);
  }
  for (const warning of found[0]?.warnings ?? []) void vscode.window.showWarningMessage(warning);
  if (added.length > 0) void vscode.window.showInformationMessage(vscode.l10n.t('Added {0}.', added.join(', ')));
}
