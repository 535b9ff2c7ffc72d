import * as fs from 'node:fs';
import { NotRegularFileError, OPEN_READ_NOW, specialFileKind } from '../regularFile';
import type { ByteSource } from './byteReader';

/** A local file as a {@link ByteSource}: positional reads on an open descriptor, which the caller closes. */
export interface FileSource extends ByteSource {
  close(): void;
}

/**
 * Opens `file` for streaming; its size is taken now (a file growing later is read to that size).
 * @throws NotRegularFileError for anything but a regular file, at once (a FIFO or device could block or never end).
 */
export function openFileSource(file: string): FileSource {
  const fd = fs.openSync(file, OPEN_READ_NOW);
  try {
    const stats = fs.fstatSync(fd);
    const special = specialFileKind(stats);
    if (special !== null) throw new NotRegularFileError(file, special);
    const size = stats.size;
    return {
      size,
      read: (target, offset, length, position) => fs.readSync(fd, target, offset, length, position),
      close: () => fs.closeSync(fd),
    };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}
