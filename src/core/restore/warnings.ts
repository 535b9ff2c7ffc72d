/** Why an invocation may not do what the user expects; each has a stable code the UI can key icons or docs on. */
export type RestoreWarningCode =
  | 'credentials-removed'
  | 'credentials-included'
  | 'ftp-file-system'
  | 'ftps-unsupported'
  | 'cross-major-restore'
  | 'snapshot-too-new'
  | 'snapshot-version-unreadable'
  | 'legacy-claim-mode-deprecated'
  | 'claim-mode-ownership'
  | 'claim-mode-not-settable'
  | 'claim-mode-native-only'
  | 'local-path-in-application-mode'
  | 'relative-path'
  | 'unrecognised-pointer'
  | 'restore-key-dropped'
  | 'rest-flink-configuration-unsupported'
  | 'placeholder';

/** One warning attached to a generated invocation. */
export interface RestoreWarning {
  readonly code: RestoreWarningCode;
  readonly message: string;
}
