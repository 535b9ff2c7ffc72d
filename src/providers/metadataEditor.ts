import * as vscode from 'vscode';
import { operatorIdFromUid } from '../core/metadata';
import { FromWebview, ToWebview } from '../../media/protocol';
import { MetadataFileFacts, buildInspectorModel } from '../viewModel/inspectorModel';
import { STORE_SCHEME, StoreRegistry } from '../workbench/storeRegistry';
import { MetadataWorkerClient } from './metadataWorkerClient';
import type { StateBrowser } from './stateBrowser';
import { WebviewChannel, webviewHtml, webviewOptions } from '../workbench/webview';
import { checkFiles, locateSnapshot } from './snapshotLocation';
import { errorDetail } from '../core/errors';
import { userMessage } from '../workbench/errors';

export const INSPECTOR_VIEW_TYPE = 'flinkCheckpoints.metadataInspector';

/** What one open inspector keeps: the view to (re)post, how to open referenced files, the worker holding the metadata. */
interface LoadedSnapshot {
  readonly view: ToWebview;
  resolve(file: string): vscode.Uri | undefined;
}

/**
 * The read-only editor for every file named `_metadata`: parses it once per open and shows the inspector webview.
 * A file that does not parse shows the parser's error and byte offset instead of a blank page.
 */
export class MetadataEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(
    private readonly services: {
      readonly context: vscode.ExtensionContext;
      readonly log: vscode.LogOutputChannel;
      readonly stores: StoreRegistry;
      stateBrowser(metadataUri: vscode.Uri): StateBrowser;
    },
  ) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const { extensionUri } = this.services.context;
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, vscode.l10n.t('Flink Snapshot Inspector'));
    const worker = new MetadataWorkerClient(vscode.Uri.joinPath(extensionUri, 'dist', 'metadataWorker.js').fsPath);
    const state = this.load(document.uri, worker);
    const states = this.services.stateBrowser(document.uri);
    const channel: WebviewChannel = new WebviewChannel(
      panel.webview,
      (message): Promise<void> => this.onMessage(message, document.uri, state, channel, worker, states),
      this.services.log,
      vscode.l10n.t('Flink Snapshot Inspector'),
    );
    panel.onDidDispose(() => {
      channel.dispose();
      worker.dispose();
      states.dispose();
    });
  }

  /** Never rejects: any failure becomes the page's error view (and the log's entry), so the page never stays at "Loading…". */
  private async load(uri: vscode.Uri, worker: MetadataWorkerClient): Promise<LoadedSnapshot> {
    const source = uri.scheme === 'file' ? uri.fsPath : uri.toString();
    try {
      return await this.read(uri, source, worker);
    } catch (error) {
      this.services.log.error(`Opening ${source} in the inspector failed: ${errorDetail(error)}`);
      return { view: { type: 'loadError', error: { source, message: userMessage(error) } }, resolve: () => undefined };
    }
  }

  private async read(uri: vscode.Uri, source: string, worker: MetadataWorkerClient): Promise<LoadedSnapshot> {
    const location = await locateSnapshot(this.services.stores, uri);
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Reading {0}', source) },
      async () => {
        const read = await vscode.workspace.fs.readFile(uri);
        // Taken before the bytes move to the worker (a moved buffer reads as empty).
        const metadataSize = read.byteLength;
        // The bytes move to the worker: copy them out of a larger or shared buffer first.
        const bytes =
          read.byteOffset === 0 && read.byteLength === read.buffer.byteLength && read.buffer instanceof ArrayBuffer
            ? read.buffer
            : read.slice().buffer;
        const reply = await worker.request({ type: 'parse', bytes, pointer: location.pointer }, [bytes]);
        if (reply.type === 'error') {
          this.services.log.warn(`${source}: ${reply.message}`);
          return {
            view: {
              type: 'parseError',
              error: { source, code: reply.code, message: reply.message, offset: reply.offset },
            },
            resolve: location.resolve,
          };
        }
        if (reply.type !== 'summary') throw new Error(`unexpected metadata worker reply ${reply.type}`);
        const { summary, details } = reply;
        const located = location.withReferences?.(summary.checkpointId, summary.referencedFiles) ?? location;
        const [status, modified] = await Promise.all([
          checkFiles(located, summary.referencedFiles),
          // Flink writes `_metadata` last, when the snapshot completes; the file records no time of its own.
          Promise.resolve(vscode.workspace.fs.stat(uri)).then(
            (stat) => (stat.mtime > 0 ? stat.mtime : undefined),
            () => undefined,
          ),
        ]);
        const directory = vscode.Uri.joinPath(uri, '..');
        const facts: MetadataFileFacts = {
          size: metadataSize,
          inStore: uri.scheme === STORE_SCHEME,
          directory: directory.scheme === 'file' ? directory.fsPath : directory.path,
          ...(modified === undefined ? {} : { modified }),
        };
        this.services.log.info(
          `Inspected ${source}: ${summary.operators.length} operators, ${summary.referencedFiles.length} files`,
        );
        return {
          view: { type: 'inspector', model: buildInspectorModel(source, summary, status, details, facts) },
          resolve: located.resolve,
        };
      },
    );
  }

  private async onMessage(
    message: FromWebview,
    uri: vscode.Uri,
    state: Promise<LoadedSnapshot>,
    channel: WebviewChannel,
    worker: MetadataWorkerClient,
    states: StateBrowser,
  ): Promise<void> {
    switch (message.type) {
      case 'ready':
        channel.post((await state).view);
        return;
      case 'openFile': {
        const target = (await state).resolve(message.uri);
        if (!target) {
          void vscode.window.showWarningMessage(
            vscode.l10n.t('{0} is not in a configured store. Add a store for its location to open it.', message.uri),
          );
          return;
        }
        // Beside the inspector and not as a preview: the inspector stays open to pick the next file from.
        await vscode.commands.executeCommand('vscode.open', target, {
          viewColumn: vscode.ViewColumn.Beside,
          preview: false,
        } satisfies vscode.TextDocumentShowOptions);
        return;
      }
      case 'restore':
      case 'compare': {
        const node = snapshotNode(uri);
        if (!node) {
          void vscode.window.showInformationMessage(
            vscode.l10n.t('Open this _metadata from the Checkpoint Stores view to restore or compare it.'),
          );
          return;
        }
        await vscode.commands.executeCommand(
          message.type === 'restore' ? 'flinkCheckpoints.restoreJob' : 'flinkCheckpoints.compareWith',
          node,
        );
        return;
      }
      case 'loadSubtasks': {
        await state;
        const reply = await worker.request({ type: 'subtasks', operatorId: message.operatorId });
        if (reply.type === 'subtasks') channel.post(reply);
        return;
      }
      case 'loadStates':
      case 'loadEntries':
      case 'cancelEntries':
      case 'copyEntries':
        await states.handle(message, (reply) => channel.post(reply));
        return;
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

/** The tree node a store snapshot's commands take (store id and the snapshot directory's store path). */
function snapshotNode(metadataUri: vscode.Uri): { storeId: string; path: string } | undefined {
  if (metadataUri.scheme !== STORE_SCHEME) return undefined;
  return { storeId: metadataUri.authority, path: vscode.Uri.joinPath(metadataUri, '..').path };
}
