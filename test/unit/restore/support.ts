import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root, found by walking up from the compiled test (out/test/unit/restore) to package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** A `_metadata` file of `../shared/flink-metadata-fixtures`, or undefined when this checkout has no shared folder. */
export function sharedMetadataFile(fixture: string): string | undefined {
  const file = path.resolve(repoRoot(), '..', 'shared', 'flink-metadata-fixtures', fixture, '_metadata');
  return fs.existsSync(file) ? file : undefined;
}

export const SKIP_NO_SHARED = 'needs ../shared/flink-metadata-fixtures beside the repository (real Flink _metadata files)';
