/**
 * Why a call to a Flink cluster's REST API failed, in terms a caller can act on. The CLI prints the message; the
 * extension shows it in the notification and the log.
 */
export type ClusterErrorCode =
  | 'invalid-url'
  | 'unreachable'
  | 'tls'
  | 'timeout'
  | 'cancelled'
  | 'not-flink'
  | 'auth-failed'
  | 'not-found'
  | 'rejected'
  | 'operation-failed'
  | 'unsupported';

/** What to do next, per code; used when the call gives no more precise hint. */
const ADVICE: Record<ClusterErrorCode, string> = {
  'invalid-url': 'Give the REST address of the JobManager as http(s)://host:port (the Web UI address).',
  unreachable: 'Check that the cluster is running and that the URL (host and rest.port, default 8081) is right.',
  tls: "Check the https URL, or give the CA certificate that signed the cluster's certificate.",
  timeout: 'The cluster did not answer in time; retry, or raise the timeout if the JobManager is busy.',
  cancelled: 'The request was cancelled.',
  'not-flink':
    "The URL answers, but not with Flink's REST API: give the JobManager's REST address, not a proxy page or login form.",
  'auth-failed':
    "Check the user name and password (or token) for this cluster's gateway; it is not retried automatically.",
  'not-found': "Refresh: the job or checkpoint may have ended or aged out of the cluster's history.",
  rejected: "Flink's message says why; the JobManager log has the full stack trace.",
  'operation-failed': "That is Flink's root cause; the JobManager log has the full stack trace.",
  unsupported: 'Use a Flink version that has this REST call, or the Flink CLI.',
};

/** The one error type every cluster call rejects with. The message names the cluster by its redacted URL. */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  /**
   * @param code what went wrong
   * @param cluster the cluster's redacted REST URL (never contains a password)
   * @param detail what happened, in a few words or Flink's own message
   * @param advice what to do; defaults to a per-code hint
   * @param status the HTTP status, when the cluster answered
   */
  constructor(
    readonly code: ClusterErrorCode,
    readonly cluster: string,
    readonly detail: string,
    advice?: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`Flink cluster ${cluster}: ${detail}${/[.!?]$/.test(detail) ? '' : '.'} ${advice ?? ADVICE[code]}`, options);
  }
}

/** True when `error` is a ClusterError with one of the given codes (any code when none are given). */
export function isClusterError(error: unknown, ...codes: ClusterErrorCode[]): error is ClusterError {
  return error instanceof ClusterError && (codes.length === 0 || codes.includes(error.code));
}
