/** A Flink release line such as `1.20` or `2.2`; patch numbers never change which options exist. */
export type FlinkLine = string;

/** Thrown for a version string that is not `major.minor[.patch]`. */
export class FlinkVersionError extends Error {
  constructor(readonly input: string) {
    super(`"${input}" is not a Flink version; write it as major.minor, e.g. 1.20 or 2.2`);
    this.name = 'FlinkVersionError';
  }
}

/** Parses `1.20`, `1.20.1`, `v1_20` or `2.2-SNAPSHOT` into its release line (`1.20`). */
export function parseFlinkLine(input: string): FlinkLine {
  const m = /^v?(\d+)[._](\d+)(?:[._]\d+)?(?:-[A-Za-z0-9.]+)?$/.exec(input.trim());
  if (!m) throw new FlinkVersionError(input);
  return `${Number(m[1])}.${Number(m[2])}`;
}

/** Orders two release lines: negative when `a` is older. */
export function compareLines(a: FlinkLine, b: FlinkLine): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am - bm || an - bn;
}

/** True when `line` is `since` or newer. */
export function isAtLeast(line: FlinkLine, since: FlinkLine): boolean {
  return compareLines(line, since) >= 0;
}
