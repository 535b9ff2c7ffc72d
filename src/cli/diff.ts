import { CliCommand, CliIo, EXIT_FAILED, EXIT_OK, TIMEOUT_USAGE, UsageError, parseArgs, timeoutFlag } from './command';
import { MetadataError, MetadataSummary, SnapshotDiff, diffSummaries, summarizeMetadata } from '../core/metadata';
import { InputError, openMetadataInput } from './inspectInput';
import { describeKind, formatBytes, table } from './inspectFormat';

function signed(n: number): string {
  return n === 0 ? '0' : n > 0 ? `+${formatBytes(n)}` : `-${formatBytes(-n)}`;
}

function formatDiff(a: string, b: string, sa: MetadataSummary, sb: MetadataSummary, d: SnapshotDiff): string {
  const out = [
    `a: ${a}  (checkpoint id ${sa.checkpointId}, ${describeKind(sa)}, V${sa.metadataVersion})`,
    `b: ${b}  (checkpoint id ${sb.checkpointId}, ${describeKind(sb)}, V${sb.metadataVersion})`,
    `state size: ${formatBytes(d.stateSize.from)} → ${formatBytes(d.stateSize.to)} (${signed(d.stateSize.delta)})`,
    `files: ${d.files.onlyInA.length} only in a, ${d.files.onlyInB.length} only in b, ${d.files.inBoth.length} in both`,
    '',
  ];
  const label = (o: { uid: string | null; name: string | null }) => o.uid ?? o.name ?? '';
  const rows: string[][] = [
    ...d.operatorsRemoved.map((o) => [
      'removed',
      o.operatorId,
      label(o),
      `${o.parallelism}/${o.maxParallelism}`,
      formatBytes(o.stateSize),
    ]),
    ...d.operatorsAdded.map((o) => [
      'added',
      o.operatorId,
      label(o),
      `${o.parallelism}/${o.maxParallelism}`,
      formatBytes(o.stateSize),
    ]),
    ...d.operators.map((o) => {
      const changes = [o.parallelism && 'parallelism', o.maxParallelism && 'max parallelism']
        .filter(Boolean)
        .join(', ');
      const par = `${o.parallelism ? `${o.parallelism.from}→${o.parallelism.to}` : ''}/${o.maxParallelism ? `${o.maxParallelism.from}→${o.maxParallelism.to}` : ''}`;
      return [
        changes === '' ? 'same' : `changed ${changes}`,
        o.operatorId,
        label(o),
        par === '/' ? '' : par,
        signed(o.stateSize.delta),
      ];
    }),
  ];
  out.push(table(['OPERATOR', 'OPERATOR ID', 'UID/NAME', 'PAR/MAXPAR', 'STATE Δ'], rows));
  return `${out.join('\n')}\n`;
}

export const diffCommand: CliCommand = {
  name: 'diff',
  summary: 'Compare two checkpoints/savepoints: operators added or removed, parallelism, state sizes, files',
  usage: `diff <a> <b> [--json] [--timeout <seconds>]   (each a _metadata file or checkpoint/savepoint directory, path or store URI)\n\n${TIMEOUT_USAGE}`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { positional, flags } = parseArgs(args, ['json'], ['timeout']);
    const timeoutMs = timeoutFlag(flags);
    if (positional.length !== 2) throw new UsageError('give exactly two snapshots to compare');
    const summaries: MetadataSummary[] = [];
    for (const input of positional) {
      try {
        const read = await openMetadataInput(input, timeoutMs);
        try {
          summaries.push(summarizeMetadata(read.data, { pointer: read.pointer }));
        } finally {
          read.close();
        }
      } catch (error) {
        if (!(error instanceof MetadataError) && !(error instanceof InputError)) throw error;
        const offset = error instanceof MetadataError ? error.offset : null;
        if (flags.has('json')) {
          io.out(`${JSON.stringify({ file: input, error: { code: error.code, message: error.message, offset } })}\n`);
        } else io.err(`${input}: ${error.message}\n`);
        return EXIT_FAILED;
      }
    }
    const d = diffSummaries(summaries[0], summaries[1]);
    io.out(
      flags.has('json')
        ? `${JSON.stringify(d)}\n`
        : formatDiff(positional[0], positional[1], summaries[0], summaries[1], d),
    );
    return EXIT_OK;
  },
};
