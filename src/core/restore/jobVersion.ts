import { FlinkVersion, parseFlinkVersion } from './flinkVersion';

/** A Flink version a workspace file names for the job, and where. */
export interface NamedFlinkVersion {
  readonly version: FlinkVersion;
  /** What in the file named it, e.g. `spec.flinkVersion: v1_20` or `<flink.version>1.20.0</flink.version>`. */
  readonly evidence: string;
}

/**
 * The ways build and deployment files name the job's Flink version: an operator manifest's `flinkVersion: v1_20`, a
 * Maven `<flink.version>`, a Gradle `flinkVersion = '…'` or `flink.version=…`, and a `flink:<version>` image.
 */
const PATTERNS: readonly RegExp[] = [
  /^\s*flinkVersion:\s*["']?(v\d+_\d+)["']?\s*(?:#.*)?$/m,
  /<flink\.version>\s*(\d+\.\d+(?:\.\d+)?)\s*<\/flink\.version>/,
  /^\s*(?:flinkVersion|flink\.version|flink_version)\s*[=:]\s*["']?(\d+\.\d+(?:\.\d+)?)["']?\s*$/m,
  /(?:^|[\s"'=/])flink:(\d+\.\d+(?:\.\d+)?)(?:[-\w.]*)?(?=["'\s]|$)/m,
];

/**
 * The Flink version `text` names (the first pattern that matches with a line the restore builders know), or
 * undefined. Versions outside 1.15 .. 2.3 are passed over: no invocation could be built for them.
 */
export function flinkVersionNamedIn(text: string): NamedFlinkVersion | undefined {
  for (const pattern of PATTERNS) {
    const match = pattern.exec(text);
    if (!match) continue;
    try {
      return { version: parseFlinkVersion(match[1]), evidence: match[0].trim() };
    } catch {
      continue;
    }
  }
  return undefined;
}
