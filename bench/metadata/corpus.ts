import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root, found from this file's location (out/bench/metadata or bench/metadata). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

function findMetadata(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findMetadata(full));
    else if (entry.name === '_metadata') found.push(full);
  }
  return found.sort();
}

/**
 * Every real `_metadata` file this checkout can see: ../shared/flink-metadata-fixtures (minus the V1 file Flink
 * refuses) and the real-Flink fixtures under test/fixtures/flink. Names are relative, for reports.
 */
export function realMetadataFiles(): { name: string; file: string }[] {
  const root = repoRoot();
  const shared = path.resolve(root, '..', 'shared', 'flink-metadata-fixtures');
  const out: { name: string; file: string }[] = [];
  for (const file of findMetadata(shared)) {
    if (path.basename(path.dirname(file)).startsWith('v1-')) continue;
    out.push({ name: `shared/${path.relative(shared, path.dirname(file))}`, file });
  }
  const local = path.join(root, 'test', 'fixtures', 'flink');
  for (const file of findMetadata(local)) out.push({ name: `fixtures/${path.relative(local, path.dirname(file))}`, file });
  return out;
}
