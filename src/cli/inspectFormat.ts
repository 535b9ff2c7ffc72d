import type { MetadataSummary } from '../core/metadata';
import { describeCoordinatorState } from '../core/state/values/connectors';

/** Bytes as a short human figure (binary units, as Flink's web UI shows state sizes). */
export function formatBytes(n: number): string {
  if (n < 0) return 'unknown';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** Lays out rows as a left-aligned text table with a header rule. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** What the snapshot is, in one phrase: "savepoint (native, Suspend Savepoint)", "checkpoint", "unknown (V3)". */
export function describeKind(s: MetadataSummary): string {
  if (s.kind === null) {
    return s.properties === 'null' ? 'unknown (properties are null)' : 'unknown (not recorded before format V4)';
  }
  const details = [s.savepointFormat, s.checkpointType].filter((d): d is string => d !== null && d !== '');
  return details.length > 0 ? `${s.kind} (${details.join(', ')})` : s.kind;
}

/** The human-readable report of one snapshot. */
export function formatSummary(file: string, s: MetadataSummary, fileCount = s.referencedFiles.length): string {
  const b = s.operators.reduce(
    (acc, o) => ({
      inline: acc.inline + o.stateSizeBreakdown.inline,
      exclusive: acc.exclusive + o.stateSizeBreakdown.exclusiveFiles,
      shared: acc.shared + o.stateSizeBreakdown.sharedFiles,
    }),
    { inline: 0, exclusive: 0, shared: 0 },
  );
  const head = [
    `${file}`,
    `  format version   ${s.metadataVersion}`,
    `  checkpoint id    ${s.checkpointId}`,
    `  kind             ${describeKind(s)}`,
    `  state size       ${formatBytes(s.stateSize)} (inline ${formatBytes(b.inline)}, exclusive files ${formatBytes(b.exclusive)}, shared files ${formatBytes(b.shared)})`,
    `  operators        ${s.operators.length}`,
    `  referenced files ${fileCount}`,
  ];
  for (const m of s.masterStates) {
    head.push(`  master state     ${m.name} (version ${m.version}, ${formatBytes(m.size)})`);
  }
  const rows = s.operators.map((o) => [
    o.operatorId,
    o.uid ?? '',
    o.name ?? '',
    String(o.parallelism),
    String(o.maxParallelism),
    o.finished ? 'finished' : `${o.subtaskStates}${o.finishedSubtasks > 0 ? ` +${o.finishedSubtasks} finished` : ''}`,
    formatBytes(o.stateSize),
    Object.entries(o.handleTypes)
      .map(([t, n]) => `${t}×${n}`)
      .join(' '),
  ]);
  const body = table(['OPERATOR ID', 'UID', 'NAME', 'PAR', 'MAXPAR', 'SUBTASKS', 'STATE', 'HANDLES'], rows);
  const coordinators = s.operators.flatMap((o) =>
    o.coordinatorState === undefined
      ? []
      : [`  coordinator of ${o.uid ?? o.operatorId}: ${describeCoordinatorState(o.coordinatorState)}`],
  );
  return `${head.join('\n')}\n\n${body}\n${coordinators.length > 0 ? `\n${coordinators.join('\n')}\n` : ''}`;
}
