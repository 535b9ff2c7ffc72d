import * as vscode from 'vscode';
import { FromWebview, ToWebview } from '../../media/protocol';
import { WebviewChannel, webviewHtml, webviewOptions } from '../workbench/webview';

/**
 * A webview panel showing one report (diff, history, cleanup). The current report is posted whenever the page
 * (re)loads; `update` replaces it.
 */
export class ReportPanel {
  private readonly panel: vscode.WebviewPanel;
  private readonly channel: WebviewChannel;

  constructor(
    services: { readonly context: vscode.ExtensionContext; readonly log: vscode.LogOutputChannel },
    title: string,
    private view: ToWebview,
    onMessage: (message: FromWebview) => void | Promise<void> = () => undefined,
  ) {
    const { extensionUri } = services.context;
    this.panel = vscode.window.createWebviewPanel(
      'flinkCheckpoints.report',
      title,
      vscode.ViewColumn.Active,
      webviewOptions(extensionUri),
    );
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icons', 'flink-checkpoints.svg');
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, title);
    this.channel = new WebviewChannel(
      this.panel.webview,
      async (message) => {
        if (message.type === 'ready') this.channel.post(this.view);
        else await onMessage(message);
      },
      services.log,
      title,
    );
    this.panel.onDidDispose(() => this.channel.dispose());
  }

  /** Posts a message to the page (answers to its requests), dropped once the panel is closed. */
  post(message: ToWebview): void {
    this.channel.post(message);
  }

  onDidDispose(listener: () => void): void {
    this.panel.onDidDispose(listener);
  }

  update(view: ToWebview): void {
    this.view = view;
    this.channel.post(view);
  }
}
