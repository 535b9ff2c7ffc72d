import { keysFor, lookupOption, NEWEST_CATALOG_LINE } from './catalog';
import { ConfigFormat } from './document';
import { FlinkLine, parseFlinkLine } from './versions';

/** A configuration snippet in VS Code's snippet syntax (`${1:placeholder}`), in the keys of one Flink line. */
export interface ConfigSnippet {
  /** Stable id, also the VS Code snippet name. */
  id: string;
  /** What the user types to get it. */
  prefix: string;
  description: string;
  /** Snippet body lines. */
  body: string[];
  /** The option keys it writes, in the target line's spelling. */
  keys: string[];
}

/**
 * The key a line uses for an option known today as `modernKey`: the key itself when the line has it, otherwise the
 * older key the line reads that was later renamed to it (found through the catalog's replacement links).
 */
export function keyForLine(modernKey: string, line: FlinkLine): string {
  const info = lookupOption(modernKey, line);
  if (info && info.status === 'current') return modernKey;
  for (const candidate of keysFor(line, false)) {
    const later = lookupOption(candidate, NEWEST_CATALOG_LINE);
    if (later && (later.latestReplacement === modernKey || later.replacements.includes(modernKey))) return candidate;
  }
  return modernKey;
}

type Line = [string, string] | string;

interface Template {
  id: string;
  prefix: string;
  description: string;
  lines: Line[];
}

const TEMPLATES: Template[] = [
  {
    id: 'checkpoints-hdfs',
    prefix: 'flink-checkpoints-hdfs',
    description: 'Checkpoints and savepoints on HDFS, retained on cancellation',
    lines: [
      ['execution.checkpointing.interval', '${1:1 min}'],
      ['execution.checkpointing.storage', 'filesystem'],
      ['execution.checkpointing.dir', 'hdfs://${2:namenode}:${3:8020}/${4:flink/checkpoints}'],
      ['execution.checkpointing.savepoint-dir', 'hdfs://${2:namenode}:${3:8020}/${5:flink/savepoints}'],
      ['execution.checkpointing.externalized-checkpoint-retention', 'RETAIN_ON_CANCELLATION'],
    ],
  },
  {
    id: 'checkpoints-ftp',
    prefix: 'flink-checkpoints-ftp',
    description: 'Checkpoints on FTP through Hadoop, credentials in Hadoop keys (not in the URI)',
    lines: [
      '# Needs Hadoop on the classpath (HADOOP_CLASSPATH); no Flink plugin handles ftp://.',
      ['execution.checkpointing.interval', '${1:1 min}'],
      ['execution.checkpointing.storage', 'filesystem'],
      ['execution.checkpointing.dir', 'ftp://${2:ftp.example.com}:${3:21}/${4:flink/checkpoints}'],
      ['flink.hadoop.fs.ftp.user.${2:ftp.example.com}', '${5:flink}'],
      ['flink.hadoop.fs.ftp.password.${2:ftp.example.com}', '${6:password}'],
      ['flink.hadoop.fs.ftp.data.connection.mode', 'PASSIVE_LOCAL_DATA_CONNECTION_MODE'],
      ['flink.hadoop.fs.ftp.transfer.mode', 'STREAM_TRANSFER_MODE'],
    ],
  },
  {
    id: 'checkpoints-volume',
    prefix: 'flink-checkpoints-volume',
    description: 'Checkpoints on a local or Kubernetes volume (ReadWriteMany, same mount path in every pod)',
    lines: [
      '# The volume must be shared (ReadWriteMany) and mounted at the same path in the JobManager and all TaskManagers.',
      ['execution.checkpointing.interval', '${1:1 min}'],
      ['execution.checkpointing.storage', 'filesystem'],
      ['execution.checkpointing.dir', 'file://${2:/flink-data}/checkpoints'],
      ['execution.checkpointing.savepoint-dir', 'file://${2:/flink-data}/savepoints'],
      ['execution.checkpointing.externalized-checkpoint-retention', 'RETAIN_ON_CANCELLATION'],
    ],
  },
  {
    id: 'rocksdb-incremental',
    prefix: 'flink-rocksdb-incremental',
    description: 'RocksDB state backend with incremental checkpoints',
    lines: [
      ['state.backend.type', 'rocksdb'],
      ['execution.checkpointing.incremental', 'true'],
      ['state.backend.rocksdb.localdir', '${1:/tmp/rocksdb}'],
    ],
  },
  {
    id: 'unaligned-checkpoints',
    prefix: 'flink-unaligned-checkpoints',
    description: 'Unaligned checkpoints (start aligned, switch after a timeout)',
    lines: [
      ['execution.checkpointing.mode', 'EXACTLY_ONCE'],
      ['execution.checkpointing.unaligned.enabled', 'true'],
      ['execution.checkpointing.aligned-checkpoint-timeout', '${1:30 s}'],
      ['execution.checkpointing.max-concurrent-checkpoints', '1'],
    ],
  },
  {
    id: 'retain-on-cancellation',
    prefix: 'flink-retain-on-cancellation',
    description: 'Keep the latest checkpoints when the job is cancelled',
    lines: [
      ['execution.checkpointing.externalized-checkpoint-retention', 'RETAIN_ON_CANCELLATION'],
      ['execution.checkpointing.num-retained', '${1:3}'],
    ],
  },
  {
    id: 'changelog',
    prefix: 'flink-changelog',
    description: 'Changelog state backend (generic log-based incremental checkpoints)',
    lines: [
      ['state.changelog.enabled', 'true'],
      ['state.changelog.storage', 'filesystem'],
      ['state.changelog.dstl.dfs.base-path', '${1:hdfs://namenode:8020/flink/changelog}'],
      ['state.changelog.periodic-materialize.interval', '${2:10 min}'],
    ],
  },
];

/** The snippets in the keys of the target version. Flat keys work in both flink-conf.yaml and config.yaml. */
export function snippetsFor(version: string, format: ConfigFormat = 'yaml'): ConfigSnippet[] {
  const line = parseFlinkLine(version);
  return TEMPLATES.map((t) => {
    const keys: string[] = [];
    const body = t.lines.map((l) => {
      if (typeof l === 'string') return l;
      const key = l[0].startsWith('flink.hadoop.') ? l[0] : keyForLine(l[0], line);
      keys.push(key);
      const value = format === 'yaml' && /[:#]/.test(l[1].replace(/\$\{\d+:[^}]*\}/g, '')) ? `'${l[1]}'` : l[1];
      return `${key}: ${value}`;
    });
    return { id: t.id, prefix: t.prefix, description: `${t.description} (Flink ${line})`, body, keys };
  });
}

/** Snippets as the JSON object of a VS Code snippets file. */
export function toVsCodeSnippets(
  snippets: ConfigSnippet[],
): Record<string, { prefix: string; description: string; body: string[] }> {
  return Object.fromEntries(
    snippets.map((s) => [s.id, { prefix: s.prefix, description: s.description, body: s.body }]),
  );
}
