/**
 * Short descriptions, in this project's own words, for the checkpoint, state, restore, file-system and HA options.
 * Old keys fall back to the description of the option that replaced them (see catalog.ts).
 */
const DESCRIPTIONS: Record<string, string> = {
  // Checkpointing
  'execution.checkpointing.interval':
    'How often a checkpoint starts. Setting it turns checkpointing on. A bare number is milliseconds.',
  'execution.checkpointing.timeout':
    'A checkpoint that has not completed after this long is aborted. A bare number is milliseconds.',
  'execution.checkpointing.min-pause': 'Minimum time between the end of one checkpoint and the start of the next.',
  'execution.checkpointing.max-concurrent-checkpoints': 'How many checkpoints may be in progress at once.',
  'execution.checkpointing.mode':
    'EXACTLY_ONCE aligns barriers; AT_LEAST_ONCE skips alignment and may replay records after a failure.',
  'execution.checkpointing.tolerable-failed-checkpoints':
    'How many consecutive checkpoint failures the job survives before it fails over.',
  'execution.checkpointing.externalized-checkpoint-retention':
    'What happens to the latest checkpoints when the job ends: RETAIN_ON_CANCELLATION keeps them after a cancel (you delete them), DELETE_ON_CANCELLATION keeps them only after a failure.',
  'execution.checkpointing.dir':
    'Directory (URI) where checkpoint data and metadata go. Every JobManager and TaskManager must reach it at the same path.',
  'execution.checkpointing.savepoint-dir': 'Default directory for savepoints when a savepoint command names none.',
  'execution.checkpointing.storage':
    'Where checkpoints are stored: jobmanager (in JobManager memory, small state only) or filesystem (the checkpoint directory).',
  'execution.checkpointing.num-retained': 'How many completed checkpoints are kept; older ones are deleted.',
  'execution.checkpointing.incremental':
    'Upload only changed files with each checkpoint (RocksDB and ForSt); the first checkpoint is still full.',
  'execution.checkpointing.unaligned.enabled':
    'Let barriers overtake in-flight data so checkpoints finish under backpressure; the in-flight data is stored with the checkpoint.',
  'execution.checkpointing.unaligned.forced':
    'Use unaligned checkpoints even where Flink would otherwise fall back to aligned ones.',
  'execution.checkpointing.aligned-checkpoint-timeout':
    'Start aligned and switch to unaligned when alignment takes longer than this (0 = always unaligned).',
  'execution.checkpointing.create-subdir': "Put each job's checkpoints in a sub-directory named after the job id.",
  'execution.checkpointing.data-inline-threshold':
    'State smaller than this is stored inside the checkpoint metadata instead of its own file.',
  'execution.checkpointing.write-buffer-size': 'Buffer size for writing checkpoint streams to the file system.',
  'execution.checkpointing.local-backup.enabled':
    'Keep a local copy of each checkpoint on the TaskManager for faster recovery.',
  'execution.checkpointing.local-backup.dirs':
    'Local directories for the local checkpoint copies; use fast, local disks.',
  'execution.checkpointing.checkpoints-after-tasks-finish':
    'Keep checkpointing when some tasks of the job have finished.',
  'execution.checkpointing.cleaner.parallel-mode': 'Delete discarded checkpoint files in parallel.',
  'execution.checkpointing.file-merging.enabled':
    'Merge many small checkpoint files into fewer physical files (FLIP-306), easing pressure on the file system.',
  'execution.checkpointing.file-merging.max-file-size': 'Largest physical file that checkpoint file merging writes.',
  'execution.checkpointing.file-merging.across-checkpoint-boundary':
    'Let file merging put files of different checkpoints into one physical file.',
  'execution.checkpointing.interval-during-backlog':
    'Checkpoint interval while sources report a backlog (0 disables checkpoints during backlog).',
  'execution.checkpointing.snapshot-compression': 'Compress keyed state in full snapshots and savepoints (Snappy).',
  'execution.checkpointing.unaligned.max-subtasks-per-channel-state-file':
    'How many subtasks may share one file of in-flight data in an unaligned checkpoint.',
  'execution.checkpointing.unaligned.interruptible-timers.enabled':
    'Let firing timers be interrupted by an unaligned checkpoint barrier.',
  // Restore
  'execution.state-recovery.path': 'Checkpoint or savepoint (directory or its _metadata file) to start the job from.',
  'execution.state-recovery.claim-mode':
    'Who owns the snapshot after a restore: NO_CLAIM (you; the first checkpoint is full), CLAIM (Flink deletes it once subsumed), LEGACY (deprecated).',
  'execution.state-recovery.ignore-unclaimed-state':
    'Allow a restore even when some state in the snapshot belongs to no operator of the new job.',
  'execution.state-recovery.from-local': 'Recover from the local checkpoint copies when they are available.',
  'execution.state-recovery.without-channel-state.checkpoint-id':
    'Restore this unaligned checkpoint without its in-flight data.',
  'execution.state-recovery.approximate-local-recovery':
    'Restart only failed tasks, accepting data loss (at-most-once for the failed region).',
  // State backends
  'state.backend.type':
    'State backend for keyed state: hashmap (on the heap), rocksdb (on local disk), forst (2.x, disaggregated), or a factory class.',
  'state.backend.rocksdb.localdir':
    'Local directories where RocksDB keeps its working files; fast local disks, not the checkpoint directory.',
  'state.backend.rocksdb.checkpointdir':
    "Despite its name, the old key for RocksDB's local working directory, not a checkpoint location (set execution.checkpointing.dir for that). Removed in 2.0.",
  'state.backend.rocksdb.memory.managed': "Let RocksDB use the TaskManager's managed memory budget.",
  'state.backend.rocksdb.timer-service.factory': 'Where timers live with RocksDB: ROCKSDB or HEAP.',
  'state.backend.rocksdb.predefined-options': 'A predefined RocksDB tuning profile.',
  'state.changelog.enabled':
    'Write state changes to a changelog so checkpoints complete fast and independently of backend snapshots.',
  'state.changelog.storage': 'Where the state changelog is written (filesystem).',
  'state.changelog.periodic-materialize.interval':
    'How often the state backend is snapshotted so the changelog can be truncated.',
  'state.changelog.dstl.dfs.base-path':
    'Directory for changelog files; must be shared by all processes, like the checkpoint directory.',
  'state.changelog.max-failures-allowed': 'How many failed materializations are tolerated before the job fails.',
  'state.changelog.periodic-materialize.enabled':
    'Snapshot the state backend periodically so the changelog can be truncated.',
  'state.changelog.dstl.dfs.upload.timeout': 'How long one changelog upload may take before it is retried.',
  'state.changelog.dstl.dfs.preemptive-persist-threshold':
    'Upload the changelog early once this much has piled up since the last checkpoint.',
  'state.latency-track.keyed-state-enabled': 'Measure the latency of keyed state access (adds overhead).',
  'state.backend.rocksdb.memory.fixed-per-slot':
    'A fixed amount of memory for RocksDB per task slot, instead of managed memory.',
  'state.backend.rocksdb.memory.write-buffer-ratio': "Share of RocksDB's memory used for write buffers (memtables).",
  'state.backend.rocksdb.writebuffer.size': 'Size of one RocksDB memtable. A bare number is bytes.',
  'state.backend.rocksdb.block.cache-size': 'RocksDB block cache size per column family (when memory is not managed).',
  'state.backend.rocksdb.thread.num': 'Background threads RocksDB uses for flushes and compactions.',
  'state.backend.rocksdb.compaction.style': 'RocksDB compaction style: LEVEL, UNIVERSAL or FIFO.',
  'state.backend.rocksdb.checkpoint.transfer.thread.num':
    'Threads that upload and download RocksDB files for checkpoints and restores.',
  'state.backend.local-recovery':
    'Keep local copies of checkpoints and recover from them (older key; split into two keys in 1.20).',
  'taskmanager.state.local.root-dirs': 'Local directories for local-recovery copies (older key).',
  // File systems
  'fs.default-scheme':
    'Scheme (and authority) used for paths without one, e.g. hdfs://namenode:8020/. Without it such paths are local to each process.',
  'fs.allowed-fallback-filesystems':
    'Schemes (s3, gs, ...) that may fall back to Hadoop file systems when no Flink plugin handles them.',
  'env.hadoop.conf.dir': "Directory with Hadoop's core-site.xml and hdfs-site.xml.",
  'fs.hdfs.hadoopconf': 'Old way to point Flink at the Hadoop configuration directory; removed in 2.0.',
  // High availability
  'high-availability.type': 'High-availability services: NONE, ZOOKEEPER, KUBERNETES or a factory class.',
  'high-availability.storageDir':
    'Shared directory where the JobManager persists metadata needed to recover after a JobManager failure.',
  'high-availability.cluster-id':
    'Separates the HA data of clusters sharing the same ZooKeeper or Kubernetes namespace.',
  'high-availability.zookeeper.quorum': 'ZooKeeper servers (host:port,...) used for leader election and HA metadata.',
  'high-availability.zookeeper.path.root': 'Root ZooKeeper node under which Flink keeps its HA data.',
  'high-availability.jobmanager.port': 'Port (or range) the JobManager binds to when HA is enabled.',
  'high-availability.zookeeper.path.execution-plans':
    'ZooKeeper node under which submitted jobs (execution plans) are kept for recovery.',
  'high-availability.zookeeper.client.session-timeout':
    'ZooKeeper session timeout; a longer one rides out short network hiccups without a leader change.',
  'high-availability.zookeeper.client.connection-timeout': 'How long to wait for a ZooKeeper connection.',
  'high-availability.kubernetes.leader-election.lease-duration':
    'How long a Kubernetes leader lease is valid without renewal.',
  'job-result-store.storage-path':
    'Where the results of finished jobs are kept so a recovering JobManager does not run them again; defaults to a directory under high-availability.storageDir.',
  'job-result-store.delete-on-commit': "Delete a job's result entry once its clean-up has finished.",
  'kubernetes.cluster-id': 'Name of the Flink cluster on Kubernetes; also names its HA ConfigMaps.',
  'kubernetes.jobmanager.replicas': 'JobManager pods; more than 1 needs Kubernetes HA (standby JobManagers).',
  'pipeline.max-parallelism':
    "Upper bound for rescaling: the number of key groups keyed state is split into. A restore fails when it differs from the snapshot's, and when unset it follows the first run's parallelism, so set it before the first production run.",
  'pipeline.auto-generate-uids':
    'When false, every operator needs an explicit uid, so its state still maps to it after the job graph changes.',
  // Restarts
  'restart-strategy.type': 'How failed jobs restart: none, fixed-delay, failure-rate or exponential-delay.',
};

/** Our description of an option key, or undefined when we have none. */
export function describeOption(key: string): string | undefined {
  return DESCRIPTIONS[key];
}

/** Keys that have a description (for tests and the report). */
export function describedKeys(): string[] {
  return Object.keys(DESCRIPTIONS);
}
