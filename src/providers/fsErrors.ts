import * as vscode from 'vscode';
import { StoreError } from '../core/stores/errors';

/** The one place store errors become `FileSystemError`s; the message (already redacted) is kept for the user. */
export function toFileSystemError(error: unknown, uri: vscode.Uri): Error {
  if (error instanceof vscode.FileSystemError) return error;
  if (!(error instanceof StoreError)) return vscode.FileSystemError.Unavailable(error instanceof Error ? error.message : String(error));
  switch (error.code) {
    case 'not-found':
      return vscode.FileSystemError.FileNotFound(uri);
    case 'already-exists':
      return vscode.FileSystemError.FileExists(uri);
    case 'not-a-directory':
      return vscode.FileSystemError.FileNotADirectory(uri);
    case 'is-a-directory':
      return vscode.FileSystemError.FileIsADirectory(uri);
    case 'permission-denied':
    case 'auth-failed':
      return vscode.FileSystemError.NoPermissions(error.message);
    default:
      return vscode.FileSystemError.Unavailable(error.message);
  }
}
