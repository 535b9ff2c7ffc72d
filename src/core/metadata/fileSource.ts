import * as fs from 'node:fs';
import type { ByteSource } from './byteReader';

/** A local file as a {@link ByteSource}: positional reads on an open descriptor, which the caller closes. */
export interface FileSource extends ByteSource {
  close(): void;
}

/** Opens `file` for streaming; its size is taken now (a file growing later is read to that size). */
export function openFileSource(file: string): FileSource {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
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
