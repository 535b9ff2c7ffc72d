import * as path from 'node:path';
import { findFiles, repoRoot } from '../../test/support/repo';

export { repoRoot };

/**
 * Every real `_metadata` file this checkout can see: ../shared/flink-metadata-fixtures (minus the V1 file Flink
 * refuses) and the real-Flink fixtures under test/fixtures/flink. Names are relative, for reports.
 */
export function realMetadataFiles(): { name: string; file: string }[] {
  const root = repoRoot();
  const shared = path.resolve(root, '..', 'shared', 'flink-metadata-fixtures');
  const out: { name: string; file: string }[] = [];
  for (const file of findFiles(shared, '_metadata')) {
    if (path.basename(path.dirname(file)).startsWith('v1-')) continue;
    out.push({ name: `shared/${path.relative(shared, path.dirname(file))}`, file });
  }
  const local = path.join(root, 'test', 'fixtures', 'flink');
  for (const file of findFiles(local, '_metadata')) {
    out.push({ name: `fixtures/${path.relative(local, path.dirname(file))}`, file });
  }
  return out;
}
