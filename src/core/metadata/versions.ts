/**
 * Which Flink release lines write each `_metadata` format version (reference: metadata format, "which Flink writes
 * which"). Version 7 exists only in unreleased sources: no release writes or reads it. The one table the inspector and
 * the restore builders read.
 */
export const METADATA_VERSION_WRITERS: Readonly<Record<number, { readonly first: string; readonly last: string }>> = {
  2: { first: '1.3', last: '1.10' },
  3: { first: '1.11', last: '1.15' },
  4: { first: '1.16', last: '1.20' },
  5: { first: '2.0', last: '2.0' },
  6: { first: '2.1', last: '2.3' },
};

/** "1.16 – 1.20", "2.0"; for a version no release writes, says so. */
export function flinkLinesWriting(metadataVersion: number): string {
  const writers = METADATA_VERSION_WRITERS[metadataVersion];
  if (writers) return writers.first === writers.last ? writers.first : `${writers.first} – ${writers.last}`;
  const newest = Math.max(...Object.keys(METADATA_VERSION_WRITERS).map(Number));
  return metadataVersion > newest
    ? `none released; newer than ${METADATA_VERSION_WRITERS[newest].last}`
    : 'none that this reader supports';
}
