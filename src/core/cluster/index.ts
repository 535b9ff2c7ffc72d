export { ClusterError, isClusterError } from './errors';
export type { ClusterErrorCode } from './errors';
export { DEFAULT_CLUSTER_TIMEOUT_MS, describeFlinkErrors, rootCause } from './http';
export type { ClusterAuth, ClusterCallOptions, ClusterConnection } from './http';
export { FlinkRestClient, parseClusterVersion } from './client';
export type { ClusterVersion, SavepointOptions, StopOptions, WaitOptions } from './client';
export * from './types';
export { jobCheckpointDirectory, mergeHistory } from './history';
export type { HistoryEntry } from './history';
