import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanSource, UID_SOURCE_EXTENSIONS, type SourceScan } from './uids';

/** Directories that hold build output, dependencies or VCS data, never the job's sources. */
const SKIPPED = new Set([
  'node_modules',
  '.git',
  'target',
  'build',
  'out',
  'dist',
  '.gradle',
  '.idea',
  '__pycache__',
  '.venv',
  'venv',
]);
/** Bounds of one scan: a job's sources are far smaller; a home directory given by mistake ends here. */
const MAX_FILES = 20000;
const MAX_FILE_BYTES = 4 * 1024 * 1024;

export class SourceTreeError extends Error {
  override readonly name = 'SourceTreeError';
}

export interface SourceTreeScan {
  readonly scans: SourceScan[];
  readonly files: number;
}

/**
 * Scans the Java, Scala, Kotlin and Python files under `root` for uid assignments, skipping build output and
 * dependency directories and following no symbolic links.
 */
export async function scanSourceTree(root: string): Promise<SourceTreeScan> {
  const scans: SourceScan[] = [];
  let files = 0;
  let seen = 0;
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (dir === root) throw new SourceTreeError(`cannot list '${root}': ${(error as Error).message}`);
      continue;
    }
    for (const e of entries) {
      if (++seen > MAX_FILES * 5) {
        throw new SourceTreeError(
          `'${root}' holds more than ${MAX_FILES * 5} entries: give the job's source directory`,
        );
      }
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED.has(e.name)) pending.push(full);
      } else if (e.isFile() && UID_SOURCE_EXTENSIONS.some((x) => e.name.endsWith(x))) {
        if (++files > MAX_FILES) {
          throw new SourceTreeError(
            `'${root}' holds more than ${MAX_FILES} source files: give the job's source directory`,
          );
        }
        const stat = await fs.promises.stat(full);
        if (stat.size > MAX_FILE_BYTES) continue;
        const text = await fs.promises.readFile(full, 'utf8');
        const scan = scanSource(path.relative(root, full), text);
        if (scan.uids.length > 0 || scan.unnamed.length > 0 || scan.unresolved.length > 0) scans.push(scan);
      }
    }
  }
  return { scans, files };
}
