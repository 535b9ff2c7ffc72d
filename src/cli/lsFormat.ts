import type { SnapshotInfo } from '../core/layout';

/** Bytes as a short human figure (1.2 MiB). */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** An mtime as UTC ISO without milliseconds. */
export function formatTime(ms: number | undefined): string {
  return ms === undefined ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Left-aligned columns separated by two spaces. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The JSON shape of one snapshot in `ls --json` and `latest --json`. */
export function snapshotJson(info: SnapshotInfo, location: string): Record<string, unknown> {
  return {
    name: info.name,
    kind: info.kind,
    path: info.path,
    location,
    status: info.status,
    checkpointId: info.metadataCheckpointId ?? info.checkpointId ?? null,
    stateSize: info.stateSize ?? null,
    metadataSize: info.metadataSize ?? null,
    metadataVersion: info.metadataVersion ?? null,
    snapshotKind: info.snapshotKind ?? null,
    mtime: info.mtime ?? null,
    reason: info.reason ?? null,
    ...(info.missingFiles ? { missingFiles: info.missingFiles } : {}),
  };
}

/** One table row for a snapshot; `note` is e.g. "latest". */
export function snapshotRow(info: SnapshotInfo, note = ''): string[] {
  const status = info.status === 'complete' ? 'complete' : info.status;
  return [
    info.name,
    status,
    formatBytes(info.stateSize),
    formatBytes(info.metadataSize),
    formatTime(info.mtime),
    [note, info.reason ?? ''].filter(Boolean).join('; '),
  ];
}

export const SNAPSHOT_HEADER = ['NAME', 'STATUS', 'STATE SIZE', 'METADATA', 'MODIFIED', 'NOTE'];
