import { StoreError } from './errors';

/**
 * Store paths are POSIX, absolute and relative to the store root: `/` is the directory the store URI names,
 * `/<jobId>/chk-12/_metadata` a file below it. They never contain `..` or a trailing `/`.
 */
export function normalizeStorePath(p: string, store: string): string {
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new StoreError('invalid-path', store, p, '".." is not allowed in store paths');
    if (part.includes('\0')) throw new StoreError('invalid-path', store, p, 'the path contains a NUL character');
    parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Joins a store directory path and a child name. */
export function joinStorePath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** Parent of a store path (`/` for `/` itself). */
export function parentStorePath(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** Last segment of a store path (empty for `/`). */
export function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
