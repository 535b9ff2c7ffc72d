import { RestoreError } from './errors';

/** The Flink lines the generator knows the restore flags, keys and REST fields of. */
export const SUPPORTED_FLINK_LINES = [
  '1.15',
  '1.16',
  '1.17',
  '1.18',
  '1.19',
  '1.20',
  '2.0',
  '2.1',
  '2.2',
  '2.3',
] as const;

/** One of {@link SUPPORTED_FLINK_LINES}. */
export type FlinkLine = (typeof SUPPORTED_FLINK_LINES)[number];

/** A Flink release line (and patch, when given) that restore invocations are generated for. */
export interface FlinkVersion {
  readonly major: number;
  readonly minor: number;
  /** Present when the text named a patch release ("1.20.1"); invocations do not depend on it. */
  readonly patch?: number;
  /** "1.20", "2.0", ... */
  readonly line: FlinkLine;
}

const VERSION_PATTERN = /^v?(\d+)[._](\d+)(?:[._](\d+))?(?:-[0-9A-Za-z.]+)?$/;

/**
 * Parses "1.20", "1.20.1", "2.0", "2.0.0", "1.19-SNAPSHOT" or the operator's "v1_20".
 *
 * @throws RestoreError `invalid-version` for text that is not a version, `unsupported-version` for a line outside
 *   1.15 .. 2.3 (claim modes, which every invocation sets, came with 1.15).
 */
export function parseFlinkVersion(text: string): FlinkVersion {
  const match = VERSION_PATTERN.exec(text.trim());
  if (!match) {
    throw new RestoreError('invalid-version', `'${text}' is not a Flink version: write it as 1.20, 1.20.1 or 2.0`);
  }
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const line = `${major}.${minor}`;
  if (!(SUPPORTED_FLINK_LINES as readonly string[]).includes(line)) {
    throw new RestoreError(
      'unsupported-version',
      `Flink ${line} is not supported: restore invocations are generated for Flink ${SUPPORTED_FLINK_LINES[0]} to ` +
        `${SUPPORTED_FLINK_LINES[SUPPORTED_FLINK_LINES.length - 1]}`,
    );
  }
  return match[3] === undefined
    ? { major, minor, line: line as FlinkLine }
    : { major, minor, patch: Number(match[3]), line: line as FlinkLine };
}

/** True when `version` is the line `major.minor` or newer. */
export function isAtLeast(version: FlinkVersion, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}
