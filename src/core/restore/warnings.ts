import type { FlinkVersion } from './flinkVersion';
import type { ClaimMode } from './request';
import type { RemovedCredentials } from './snapshotPath';

/** What each warning's text is made of, by code: the table below turns these facts into the message. */
interface WarningFacts {
  'credentials-removed': { readonly removed: Exclude<RemovedCredentials, 'none'>; readonly host: string | null };
  'credentials-included': Record<string, never>;
  'ftp-file-system': { readonly host: string };
  'ftps-unsupported': { readonly scheme: 'ftps' | 'sftp' };
  'cross-major-restore': { readonly writer: string; readonly target: FlinkVersion };
  /** `writer` names the writers ("Flink 2.1 – 2.3"), `first` the oldest line that reads it; with a metadata version the message quotes Flink's error. */
  'snapshot-too-new': {
    readonly writer: string;
    readonly first: string;
    readonly target: FlinkVersion;
    readonly metadataVersion?: number;
  };
  'snapshot-version-unreadable': { readonly metadataVersion: number };
  'legacy-claim-mode-deprecated': { readonly target: FlinkVersion };
  'claim-mode-ownership': Record<string, never>;
  'claim-mode-not-settable': { readonly claimMode: ClaimMode };
  'claim-mode-native-only': Record<string, never>;
  'local-path-in-application-mode': { readonly path: string };
  'relative-path': { readonly path: string };
  'unrecognised-pointer': { readonly path: string };
  'restore-key-dropped': { readonly key: string };
  'rest-flink-configuration-unsupported': { readonly target: FlinkVersion; readonly keys: readonly string[] };
  placeholder: { readonly placeholders: readonly string[] };
}

/** Why an invocation may not do what the user expects; each has a stable code the UI can key icons or docs on. */
export type RestoreWarningCode = keyof WarningFacts;

/** One warning attached to a generated invocation. */
export interface RestoreWarning {
  readonly code: RestoreWarningCode;
  readonly message: string;
}

/** The message of every warning code, from its facts. */
const MESSAGES: { readonly [C in RestoreWarningCode]: (facts: WarningFacts[C]) => string } = {
  'credentials-removed': ({ removed, host }) =>
    removed === 'password'
      ? 'The password was removed from the snapshot path. Give the file system its credentials through the Flink configuration or a secret mounted into the cluster, not the command line.'
      : `The ${removed === 'user' ? 'user was' : 'user and password were'} removed from the snapshot path: Hadoop's FTP file system ` +
        `takes them from flink.hadoop.fs.ftp.user.${host ?? '<host>'} and flink.hadoop.fs.ftp.password.${host ?? '<host>'} in the Flink configuration ` +
        '(keep the password in a secret). A user in the URI without its password makes it log in with no password.',
  'credentials-included': () =>
    'The snapshot path still holds a password, as asked: the invocation shows it to anyone who sees the command, the shell history or the job configuration.',
  'ftp-file-system': ({ host }) =>
    "Flink has no FTP file system of its own: ftp:// paths go through Hadoop's FTPFileSystem, so Hadoop must be on the " +
    "JobManager's and TaskManagers' classpath (HADOOP_CLASSPATH; no Flink plugin provides it). Its defaults fail against " +
    'most servers: ACTIVE data connections (blocked by NAT, pod networks and firewalls), block transfer mode (MODE B, ' +
    'which most servers reject) and no credentials. Configure instead: ' +
    'flink.hadoop.fs.ftp.data.connection.mode: PASSIVE_LOCAL_DATA_CONNECTION_MODE, ' +
    `flink.hadoop.fs.ftp.transfer.mode: STREAM_TRANSFER_MODE, flink.hadoop.fs.ftp.user.${host} and ` +
    `flink.hadoop.fs.ftp.password.${host} (from a secret). A copy on a shared volume, HDFS or S3 is more reliable; ` +
    'a savepoint directory can be moved as a whole, a retained checkpoint cannot (its _metadata holds absolute paths).',
  'ftps-unsupported': ({ scheme }) =>
    `Flink cannot read ${scheme}:// snapshots: it has no such file system (Hadoop's ${scheme === 'sftp' ? "SFTPFileSystem is not wired into Flink's loaders by default" : 'FTP file system speaks plain FTP only'}). ` +
    'Copy the snapshot to storage the cluster reads (a shared volume, HDFS, S3) and restore from there.',
  'cross-major-restore': ({ writer, target }) =>
    `The snapshot was written by ${writer} and is restored with Flink ${target.line}: state compatibility between 1.x and ` +
    '2.x is not guaranteed (Flink 2.0 release notes; e.g. the Kryo 5 upgrade). Try the restore on a copy and keep the snapshot until the 2.x job has checkpointed.',
  'snapshot-too-new': ({ writer, first, target, metadataVersion }) =>
    metadataVersion === undefined
      ? `The snapshot was written by ${writer}; Flink ${target.line} is older and is not guaranteed to read it. Restore with Flink ${first} or newer.`
      : `_metadata format version ${metadataVersion} is written by ${writer}; Flink ${target.line} cannot read it ` +
        `("Unrecognized checkpoint version number: ${metadataVersion}"). Restore with ${first} or newer.`,
  'snapshot-version-unreadable': ({ metadataVersion }) =>
    `No Flink from 1.15 to 2.3 reads _metadata format version ${metadataVersion} ("Unrecognized checkpoint version number").`,
  'legacy-claim-mode-deprecated': ({ target }) =>
    `LEGACY claim mode is deprecated since Flink 1.19 (Flink ${target.line} still accepts it with a warning): new incremental checkpoints may reference the snapshot's files, so nobody can safely delete it. Prefer NO_CLAIM.`,
  'claim-mode-ownership': () =>
    'CLAIM hands the snapshot to the new job: Flink deletes it once a newer checkpoint subsumes it. Do not start a second job from it.',
  'claim-mode-not-settable': ({ claimMode }) =>
    `A standalone application cluster takes only --fromSavepoint and --allowNonRestoredState: claim mode ${claimMode.toUpperCase()} cannot be set there (a --claimMode token silently ends its option parsing, and -D is overwritten), so it restores with NO_CLAIM.`,
  'claim-mode-native-only': () =>
    'The claim mode in flinkConfiguration is honoured by native deployments only: for a FlinkDeployment with spec.mode: standalone the operator passes --fromSavepoint to the standalone entrypoint, whose command line resets it to NO_CLAIM.',
  'local-path-in-application-mode': ({ path }) =>
    `The JobManager opens '${path}' inside the cluster, not on this machine: it must be a volume mounted at this ` +
    'same path in the JobManager and TaskManager pods (ReadWriteMany), or use a shared URI (hdfs://, s3://). When the ' +
    'cluster mounts the store elsewhere, set the store\'s "Path as the cluster sees it" (Edit Store…; --path-map on the command line).',
  'relative-path': ({ path }) =>
    `'${path}' is relative: the JobManager resolves it against its own working directory. Give an absolute path or a URI.`,
  'unrecognised-pointer': ({ path }) =>
    `'${path}' does not end in chk-<n>, savepoint-… or _metadata. Flink needs the directory holding _metadata ` +
    '(or the file itself); a job directory or the checkpoint root fails with "Cannot find meta data file \'_metadata\'".',
  'restore-key-dropped': ({ key }) =>
    `'${key}' was left out of the configuration: the invocation sets the snapshot path, claim mode and allow-non-restored-state itself (and the Flink CLI overwrites these keys when given with -D).`,
  'rest-flink-configuration-unsupported': ({ target, keys }) =>
    `The jar-run REST body of Flink ${target.line} has no flinkConfiguration (it came with 1.17): ${keys.join(', ')} left out; set them in the cluster's configuration.`,
  placeholder: ({ placeholders }) => `Replace ${placeholders.join(', ')} before running: the value was not given.`,
};

/** The warning `code` with its message made from `facts`. */
export function restoreWarning<C extends RestoreWarningCode>(code: C, facts: WarningFacts[C]): RestoreWarning {
  return { code, message: MESSAGES[code](facts) };
}
