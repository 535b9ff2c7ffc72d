import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../support/repo';

export { SKIP_NO_SHARED, repoRoot } from '../../support/repo';

/** A `_metadata` file of `../shared/flink-metadata-fixtures`, or undefined when this checkout has no shared folder. */
export function sharedMetadataFile(fixture: string): string | undefined {
  const file = path.resolve(repoRoot(), '..', 'shared', 'flink-metadata-fixtures', fixture, '_metadata');
  return fs.existsSync(file) ? file : undefined;
}
