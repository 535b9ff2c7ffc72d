import * as vscode from 'vscode';
import { CheckpointMetadata, MetadataError, operatorIdFromUid, parseMetadata, summarize } from '../core/metadata';
import { FromWebview, ToWebview } from '../../media/protocol';
import { buildInspectorModel, subtaskRows } from '../views/inspectorModel';
import { WebviewChannel, webviewHtml, webviewOptions } from '../views/webview';
import { Services } from '../services';
import { checkFiles, locateSnapshot } from './snapshotLocation';

export const INSPECTOR_VIEW_TYPE = 'flinkCheckpoints.metadataInspector';

/** What one open inspector keeps: the view to (re)post, how to open referenced files, and the parsed metadata. */
interface LoadedSnapshot {
  readonly view: ToWebview;
  resolve(file: string): vscode.Uri | undefined;
  readonly metadata?: CheckpointMetadata;
}

/**
 * The read-only editor for every file named `_metadata`: parses it once per open and shows the inspector webview.
 * A file that does not parse shows the parser's error and byte offset instead of a blank page.
 */
export class MetadataEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly services: Services) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const { extensionUri } = this.services.context;
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, vscode.l10n.t('Flink Snapshot Inspector'));
    const state = this.load(document.uri);
    const channel: WebviewChannel = new WebviewChannel(panel.webview, (message): Promise<void> => this.onMessage(message, state, channel), this.services.log);
    panel.onDidDispose(() => channel.dispose());
  }

  private async load(uri: vscode.Uri): Promise<LoadedSnapshot> {
    const source = uri.scheme === 'file' ? uri.fsPath : uri.toString();
    const location = await locateSnapshot(this.services.stores, uri);
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Reading {0}', source) }, async () => {
      const bytes = await vscode.workspace.fs.readFile(uri);
      try {
        const metadata = parseMetadata(bytes, { pointer: location.pointer });
        const summary = summarize(metadata, { pointer: location.pointer });
        const status = await checkFiles(location, summary.referencedFiles);
        const model = buildInspectorModel(source, summary, status);
        this.services.log.info(`Inspected ${source}: ${summary.operators.length} operators, ${summary.referencedFiles.length} files`);
        return { view: { type: 'inspector', model }, resolve: location.resolve, metadata };
      } catch (error) {
        if (!(error instanceof MetadataError)) throw error;
        this.services.log.warn(`${source}: ${error.message}`);
        return { view: { type: 'parseError', error: { source, code: error.code, message: error.message, offset: error.offset } }, resolve: location.resolve };
      }
    });
  }

  private async onMessage(message: FromWebview, state: Promise<LoadedSnapshot>, channel: WebviewChannel): Promise<void> {
    switch (message.type) {
      case 'ready':
        channel.post((await state).view);
        return;
      case 'openFile': {
        const target = (await state).resolve(message.uri);
        if (!target) {
          void vscode.window.showWarningMessage(vscode.l10n.t('{0} is not in a configured store. Add a store for its location to open it.', message.uri));
          return;
        }
        await vscode.commands.executeCommand('vscode.open', target);
        return;
      }
      case 'loadSubtasks': {
        const { metadata } = await state;
        const operator = metadata?.operators.find((o) => o.operatorId === message.operatorId);
        if (metadata && operator) channel.post({ type: 'subtasks', operatorId: operator.operatorId, rows: subtaskRows(metadata, operator) });
        return;
      }
      case 'computeUid':
        channel.post({ type: 'uidResult', uid: message.uid, operatorId: operatorIdFromUid(message.uid) });
        return;
      case 'copy':
        await vscode.env.clipboard.writeText(message.text);
        return;
      case 'confirmCleanup':
        return;
    }
  }
}
