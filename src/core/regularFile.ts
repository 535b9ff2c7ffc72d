import * as fs from 'node:fs';

/** What a path is when it is not a regular file, in words; null for a regular file. */
export function specialFileKind(stats: fs.Stats): string | null {
  if (stats.isFile()) return null;
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'something other than a file';
}

/** Opening never waits: a FIFO without a writer would otherwise block the open itself, and with it the process. */
export const OPEN_READ_NOW = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/** A path that is a FIFO, device, socket or directory where a regular file was expected. */
export class NotRegularFileError extends Error {
  constructor(
    readonly file: string,
    readonly kind: string,
  ) {
    super(`${file} is ${kind}, not a regular file`);
  }
}

/**
 * Reads a regular file as UTF-8 text, at most `maxBytes` of it: a FIFO, device or socket is refused at once and a
 * file past the limit (or growing past it while read) fails, so reading can neither wait forever nor fill memory.
 * @throws NotRegularFileError, FileTooLargeError, or the file system's own error (ENOENT, EISDIR, ...)
 */
export async function readRegularText(file: string, maxBytes: number): Promise<string> {
  const handle = await fs.promises.open(file, OPEN_READ_NOW);
  try {
    const stats = await handle.stat();
    const special = specialFileKind(stats);
    if (special === 'a directory') throw Object.assign(new Error(`${file} is a directory`), { code: 'EISDIR' });
    if (special !== null) throw new NotRegularFileError(file, special);
    if (stats.size > maxBytes) throw new FileTooLargeError(file, maxBytes);
    const buffer = Buffer.alloc(maxBytes + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled > maxBytes) throw new FileTooLargeError(file, maxBytes);
    }
    return buffer.toString('utf8', 0, filled);
  } finally {
    await handle.close();
  }
}

/** A file larger than what its reader accepts. */
export class FileTooLargeError extends Error {
  constructor(
    readonly file: string,
    readonly maxBytes: number,
  ) {
    super(`${file} is larger than ${maxBytes} bytes`);
  }
}
