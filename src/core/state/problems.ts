import { isCancellation } from '../errors';
import { StoreError } from '../stores/errors';
import { StateSchemaError } from './errors';
import { SstError } from './sst';

/**
 * What a failure says about one state file, when it is that file's problem rather than a reason to stop the whole
 * read: bytes that do not parse (with their offset) or a read the store refused (missing, moved, outside the store,
 * not a regular file). Cancellations and bugs are not: undefined, and the caller rethrows.
 */
export function fileProblem(error: unknown): { offset: number | null; message: string } | undefined {
  if (error instanceof StateSchemaError || error instanceof SstError) {
    return { offset: error.offset, message: error.message };
  }
  if (error instanceof StoreError && !isCancellation(error)) return { offset: null, message: error.message };
  return undefined;
}

/**
 * One line for a file the state readers could not read: `cannot read <file> [at byte N]: <why>`. A store's message
 * starts with the place it looked; where that is the file itself it is said once.
 */
export function problemLine(problem: { file: string; offset?: number | null; message: string }): string {
  const { file, offset } = problem;
  let message = problem.message;
  for (const lead of [file, file.replace(/^file:(\/\/(?=\/))?/, '')]) {
    if (message.startsWith(`${lead}: `)) {
      message = message.slice(lead.length + 2);
      break;
    }
  }
  return `cannot read ${file}${offset === null || offset === undefined ? '' : ` at byte ${offset}`}: ${message}`;
}
