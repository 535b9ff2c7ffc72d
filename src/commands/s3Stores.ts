import * as vscode from 'vscode';
import { readFlinkConfStore } from '../core/stores/flinkConf';
import { isS3Uri, parseStoreUri } from '../core/stores/uri';
import { errorMessage } from '../core/errors';
import { StoreConfig, StoreS3Settings } from '../settings';

interface PresetPick extends vscode.QuickPickItem {
  readonly preset: 'aws' | 'custom' | 'gcs' | 'oss';
}

const PRESETS: readonly PresetPick[] = [
  {
    preset: 'aws',
    label: 'Amazon S3',
    description: 'a region; credentials from the AWS chain, a profile or an access key',
  },
  {
    preset: 'custom',
    label: 'Custom endpoint',
    description: 'MinIO, Ceph RGW, versitygw, SeaweedFS…: http(s)://host:port, path-style addressing',
  },
  {
    preset: 'gcs',
    label: 'Google Cloud Storage',
    description: 'interoperability endpoint storage.googleapis.com with an HMAC key',
  },
  { preset: 'oss', label: 'Alibaba Cloud OSS', description: 'oss-<region>.aliyuncs.com with an AccessKey' },
];

/** What the S3 questions produce: settings for the store and, for an access key, its secret (for secret storage). */
export interface S3Answers {
  readonly s3: StoreS3Settings;
  readonly secret?: string;
}

function input(
  title: string,
  prompt: string,
  value: string,
  validate?: (v: string) => string | undefined,
  password = false,
): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt,
    value,
    password,
    ignoreFocusOut: true,
    validateInput: validate ? (v) => validate(v.trim()) : undefined,
  });
}

function endpointProblem(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:'
      ? undefined
      : vscode.l10n.t('Enter http(s)://host[:port]');
  } catch {
    return vscode.l10n.t('Enter http(s)://host[:port]');
  }
}

/** Asks for the access key id and its secret (the secret goes to secret storage). */
async function accessKey(
  current: StoreS3Settings | undefined,
  what: string,
): Promise<{ accessKeyId: string; secret?: string } | undefined> {
  const id = await input(
    vscode.l10n.t('{0}: access key id', what),
    vscode.l10n.t('Not a secret; kept in settings'),
    current?.accessKeyId ?? '',
    (v) => (v ? undefined : vscode.l10n.t('Enter the access key id')),
  );
  if (id === undefined) return undefined;
  const secret = await input(
    vscode.l10n.t('{0}: secret access key', what),
    current?.accessKeyId
      ? vscode.l10n.t("Kept in the editor's secret storage, never in settings. Leave empty to keep the current one.")
      : vscode.l10n.t("Kept in the editor's secret storage, never in settings."),
    '',
    undefined,
    true,
  );
  if (secret === undefined) return undefined;
  return { accessKeyId: id.trim(), ...(secret ? { secret } : {}) };
}

/**
 * The questions for an S3 store after its URI: where the service is (a preset) and how to authenticate. Undefined
 * on cancel.
 */
export async function askS3Settings(current?: StoreS3Settings): Promise<S3Answers | undefined> {
  const preset = await vscode.window.showQuickPick(PRESETS, {
    title: vscode.l10n.t('S3 service'),
    placeHolder: vscode.l10n.t('Which service holds the bucket?'),
    ignoreFocusOut: true,
  });
  if (!preset) return undefined;
  const s3: StoreS3Settings = {};
  if (preset.preset === 'custom') {
    const endpoint = await input(
      vscode.l10n.t('S3 endpoint'),
      vscode.l10n.t("The service's address (Flink's s3.endpoint), for example http://minio.internal:9000"),
      current?.endpoint ?? 'http://',
      endpointProblem,
    );
    if (endpoint === undefined) return undefined;
    s3.endpoint = endpoint.trim();
    s3.pathStyle = true;
  } else if (preset.preset === 'gcs') {
    s3.endpoint = 'https://storage.googleapis.com';
    s3.region = 'auto';
  } else if (preset.preset === 'oss') {
    const region = await input(
      vscode.l10n.t('OSS region'),
      vscode.l10n.t('For example cn-hangzhou or eu-central-1'),
      current?.region ?? 'cn-hangzhou',
      (v) => (/^[a-z0-9-]+$/.test(v) ? undefined : vscode.l10n.t('Enter a region id')),
    );
    if (region === undefined) return undefined;
    s3.region = region.trim();
    s3.endpoint = `https://oss-${s3.region}.aliyuncs.com`;
    s3.pathStyle = false;
  } else {
    const region = await input(
      vscode.l10n.t('AWS region'),
      vscode.l10n.t("The bucket's region; a wrong one is corrected from S3's redirect"),
      current?.region ?? process.env.AWS_REGION ?? 'us-east-1',
      (v) => (/^[a-z0-9-]+$/.test(v) ? undefined : vscode.l10n.t('Enter a region such as eu-central-1')),
    );
    if (region === undefined) return undefined;
    s3.region = region.trim();
  }
  if (preset.preset === 'gcs' || preset.preset === 'oss') {
    const key = await accessKey(current, preset.label);
    return key && { s3: { ...s3, accessKeyId: key.accessKeyId }, ...(key.secret ? { secret: key.secret } : {}) };
  }
  const how = await vscode.window.showQuickPick(
    [
      {
        label: vscode.l10n.t('Access key and secret'),
        description: vscode.l10n.t('the secret is kept in secret storage'),
        how: 'key' as const,
      },
      {
        label: vscode.l10n.t('Default AWS credential chain'),
        description: vscode.l10n.t('environment, shared files, SSO, web identity, container or instance role'),
        how: 'chain' as const,
      },
      {
        label: vscode.l10n.t('A profile'),
        description: vscode.l10n.t('of ~/.aws/config and ~/.aws/credentials'),
        how: 'profile' as const,
      },
    ],
    { title: vscode.l10n.t('S3 credentials'), ignoreFocusOut: true },
  );
  if (!how) return undefined;
  if (how.how === 'profile') {
    const profile = await input(
      vscode.l10n.t('AWS profile'),
      vscode.l10n.t('A profile name of the shared AWS files'),
      current?.profile ?? 'default',
      (v) => (v ? undefined : vscode.l10n.t('Enter a profile name')),
    );
    if (profile === undefined) return undefined;
    return { s3: { ...s3, profile: profile.trim() } };
  }
  if (how.how === 'chain') return { s3 };
  const key = await accessKey(current, vscode.l10n.t('S3'));
  return key && { s3: { ...s3, accessKeyId: key.accessKeyId }, ...(key.secret ? { secret: key.secret } : {}) };
}

/** A store to add, as read from a Flink configuration: settings and, when the file held one, the secret key. */
export interface StoreFromConfig {
  readonly config: Omit<StoreConfig, 'id'>;
  readonly secret?: string;
  /** Shown to the user: `s3.secret-key` in a workspace file is a secret in plain text. */
  readonly warnings: readonly string[];
}

/**
 * The stores a Flink configuration file describes: its checkpoint directory and, when it differs, its savepoint
 * directory, with the `s3.*` keys Flink's S3 file systems use. Throws when the file sets neither directory.
 */
export function storesFromFlinkConfig(text: string, file: vscode.Uri): StoreFromConfig[] {
  const conf = readFlinkConfStore(text, file.path);
  const base = file.path.replace(/^.*\//, '');
  const dirs = [
    { dir: conf.checkpoints, name: vscode.l10n.t('Checkpoints of {0}', base) },
    {
      dir: conf.savepoints !== conf.checkpoints ? conf.savepoints : undefined,
      name: vscode.l10n.t('Savepoints of {0}', base),
    },
  ].filter((d): d is { dir: string; name: string } => d.dir !== undefined);
  if (dirs.length === 0) {
    throw new Error(
      vscode.l10n.t(
        '{0} sets no checkpoint or savepoint directory (execution.checkpointing.dir, state.checkpoints.dir, execution.checkpointing.savepoint-dir, state.savepoints.dir)',
        base,
      ),
    );
  }
  const warnings = conf.secretKey
    ? [
        vscode.l10n.t(
          '{0} holds s3.secret-key in plain text: it was moved to secret storage for the new store. Consider taking it out of the file (Flink also reads it from the environment or a secret mount).',
          base,
        ),
      ]
    : [];
  return dirs.map(({ dir, name }) => {
    let s3Store = false;
    try {
      s3Store = isS3Uri(parseStoreUri(dir));
    } catch (error) {
      throw new Error(`${base}: ${errorMessage(error)}`);
    }
    const s3 = s3Store && Object.keys(conf.s3).length > 0 ? { s3: { ...conf.s3 } } : {};
    return {
      config: { name, uri: dir, ...s3 },
      ...(s3Store && conf.secretKey && conf.s3.accessKeyId ? { secret: conf.secretKey } : {}),
      warnings,
    };
  });
}
