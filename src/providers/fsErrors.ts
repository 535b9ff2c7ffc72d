import * as vscode from 'vscode';
import { StoreError } from '../core/stores/errors';
import { errorMessage } from '../core/errors';

/** The one place store errors become `FileSystemError`s; the message (already redacted) is kept for the user. */
export function toFileSystemError(error: unknown): Error {
  if (error instanceof vscode.FileSystemError) return error;
  if (!(error instanceof StoreError)) return vscode.FileSystemError.Unavailable(errorMessage(error));
  switch (error.code) {
    case 'not-found':
      return vscode.FileSystemError.FileNotFound(error.message);
    case 'already-exists':
      return vscode.FileSystemError.FileExists(error.message);
    case 'not-a-directory':
      return vscode.FileSystemError.FileNotADirectory(error.message);
    case 'is-a-directory':
      return vscode.FileSystemError.FileIsADirectory(error.message);
    case 'permission-denied':
    case 'auth-failed':
      return vscode.FileSystemError.NoPermissions(error.message);
    default:
      return vscode.FileSystemError.Unavailable(error.message);
  }
}
