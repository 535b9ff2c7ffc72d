import type * as vscode from 'vscode';
import type { StoresTreeProvider } from './views/storesTree';

/** What activate() builds once and hands to every register*() function. */
export interface Services {
  readonly log: vscode.LogOutputChannel;
  readonly storesTree: StoresTreeProvider;
}
