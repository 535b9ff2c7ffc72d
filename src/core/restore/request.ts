import { FlinkVersion } from './flinkVersion';
import { RestoreWarning } from './warnings';

/** Where the restored job is started. */
export type RestoreTarget = 'cli' | 'application' | 'k8s' | 'sql' | 'rest';

/** Every {@link RestoreTarget}, in the order the UI offers them. */
export const RESTORE_TARGETS: readonly RestoreTarget[] = ['cli', 'application', 'k8s', 'sql', 'rest'];

/** Who owns the snapshot after the restore (`NO_CLAIM` is Flink's default since 1.15). */
export type ClaimMode = 'claim' | 'no_claim' | 'legacy';

/** Every {@link ClaimMode}. */
export const CLAIM_MODES: readonly ClaimMode[] = ['claim', 'no_claim', 'legacy'];

/** The application-mode deployment: native Kubernetes, YARN, or a standalone application cluster (`standalone-job`). */
export type ApplicationTarget = 'kubernetes-application' | 'yarn-application' | 'standalone';

/** Every {@link ApplicationTarget}. */
export const APPLICATION_TARGETS: readonly ApplicationTarget[] = [
  'kubernetes-application',
  'yarn-application',
  'standalone',
];

/** `spec.job.upgradeMode` of the Kubernetes operator. */
export type UpgradeMode = 'savepoint' | 'last-state' | 'stateless';

/** Every {@link UpgradeMode}. */
export const UPGRADE_MODES: readonly UpgradeMode[] = ['savepoint', 'last-state', 'stateless'];

/** What is known about the snapshot's writer; drives the version warnings. */
export interface SnapshotProvenance {
  /** The `_metadata` format version (the i32 after the magic number). */
  readonly metadataVersion?: number;
  /** The Flink version that wrote it, when known ("1.18", "1.18.1"). */
  readonly writerVersion?: string;
}

/** Everything a restore can be asked to set; each target uses the fields that apply to it and ignores the rest. */
export interface RestoreOptions {
  /** Default `no_claim`. Always emitted explicitly so the invocation says what it does. */
  readonly claimMode?: ClaimMode;
  readonly allowNonRestoredState?: boolean;
  readonly parallelism?: number;
  readonly entryClass?: string;
  /** The job jar as the submitting side sees it (`local:///opt/flink/usrlib/job.jar` in an image). */
  readonly jar?: string;
  /** Arguments of the job's main method, passed through unchanged. */
  readonly programArgs?: readonly string[];
  /** Further configuration (`-D` on the CLI, `flinkConfiguration` in REST and the operator, `SET` in SQL). */
  readonly flinkConfiguration?: Readonly<Record<string, string>>;
  /** `flink run --detached` (default true). */
  readonly detached?: boolean;
  /** How the Flink CLI is called (default `./bin/flink`). */
  readonly flinkCommand?: string;
  /** For target `application`; default `kubernetes-application`. */
  readonly applicationTarget?: ApplicationTarget;
  /** `kubernetes.cluster-id` of a native Kubernetes application. */
  readonly clusterId?: string;
  /** The container image of a native Kubernetes application. */
  readonly image?: string;
  /** `yarn.application.name` of a YARN application. */
  readonly yarnApplicationName?: string;
  /** The `FlinkDeployment` to patch (target `k8s`). */
  readonly deploymentName?: string;
  readonly namespace?: string;
  /** Default `savepoint`. */
  readonly upgradeMode?: UpgradeMode;
  /** The deployment's current `savepointRedeployNonce`; the patch sets it + 1. Unknown: a value from the clock. */
  readonly currentRedeployNonce?: number;
  /** Name of the `FlinkStateSnapshot`; default derived from the deployment and the snapshot directory. */
  readonly snapshotResourceName?: string;
  /** The DML to run from the snapshot (target `sql`); default a placeholder `INSERT INTO`. */
  readonly sqlStatement?: string;
  /** The dispatcher's REST address (default `http://localhost:8081`). */
  readonly restUrl?: string;
  /** The id `POST /jars/upload` returned (the last segment of its `filename`). */
  readonly jarId?: string;
  readonly snapshot?: SnapshotProvenance;
  /** Keep a password found in the snapshot URI. Off by default: passwords never reach an invocation unasked. */
  readonly includeCredentials?: boolean;
  /** Clock for the redeploy nonce when the current one is unknown (tests pin it). */
  readonly now?: () => number;
}

/** What to restore, where, with which Flink. */
export interface RestoreRequest {
  /** The chk-N / savepoint directory or its `_metadata` file, as the cluster sees it (see `mapToClusterPath`). */
  readonly snapshotPath: string;
  readonly target: RestoreTarget;
  /** A {@link FlinkVersion} or its text ("1.20", "2.0.1"). */
  readonly flinkVersion: string | FlinkVersion;
  readonly options?: RestoreOptions;
}

/** The language of a step's text, as a VS Code language id (for the editor the invocation opens in). */
export type StepLanguage = 'shellscript' | 'yaml' | 'sql' | 'json';

/** One piece of an invocation: a command line, a manifest, a SQL script or a request body. */
export interface InvocationStep {
  readonly title: string;
  readonly language: StepLanguage;
  readonly text: string;
  /** Shell steps: the exact arguments (`text` is them quoted for a POSIX shell), for running without a shell. */
  readonly argv?: readonly string[];
  /** The file name other steps' commands read this step's text from (manifests); the text must be saved under it. */
  readonly fileName?: string;
}

/** The body of `POST /jars/:jarid/run`, fields in the order Flink's REST docs list them. */
export interface JarRunRequestBody {
  readonly entryClass?: string;
  readonly programArgsList?: readonly string[];
  readonly parallelism?: number;
  readonly savepointPath: string;
  readonly allowNonRestoredState: boolean;
  readonly claimMode?: 'CLAIM' | 'NO_CLAIM' | 'LEGACY';
  readonly restoreMode?: 'CLAIM' | 'NO_CLAIM' | 'LEGACY';
  readonly flinkConfiguration?: Readonly<Record<string, string>>;
}

/** The REST call of target `rest`, ready for `fetch`. */
export interface JarRunRequest {
  readonly method: 'POST';
  readonly url: string;
  readonly body: JarRunRequestBody;
}

/** What {@link buildRestoreInvocation} returns. */
export interface RestoreInvocation {
  readonly target: RestoreTarget;
  readonly flinkVersion: FlinkVersion;
  /** The path as put into the invocation (credentials removed unless asked to keep them). */
  readonly snapshotPath: string;
  readonly steps: readonly InvocationStep[];
  readonly warnings: readonly RestoreWarning[];
  /** Target `rest` only. */
  readonly request?: JarRunRequest;
}
