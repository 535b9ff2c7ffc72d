import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { FromWebview, ToWebview, isFromWebview } from '../../media/protocol';
import { reportError } from '../workbench/errors';

/** Local resources a webview may load: the webview bundle and the stylesheet, nothing else. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'dist', 'media'),
      vscode.Uri.joinPath(extensionUri, 'media'),
    ],
  };
}

/** The page shell: a strict CSP with a per-load nonce, no network, theme colours come from VS Code's CSS variables. */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'media', 'main.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'styles.css'));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const escapedTitle = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>${escapedTitle}</title>
</head>
<body>
<main id="root" aria-busy="true"><p>Loading…</p></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/**
 * Typed messaging with one webview. Messages from the page are validated before the handler sees them. The page says
 * `ready` on every (re)load, so handlers post their state in answer to it rather than before.
 */
export class WebviewChannel implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly webview: vscode.Webview,
    handler: (message: FromWebview) => void | Promise<void>,
    log: vscode.LogOutputChannel,
    /** What the page is, for error messages ("Flink Snapshot Inspector"). */
    title: string,
  ) {
    this.subscription = webview.onDidReceiveMessage(async (message: unknown) => {
      if (!isFromWebview(message)) {
        log.warn('Dropped a malformed message from a webview');
        return;
      }
      try {
        await handler(message);
      } catch (error) {
        reportError(log, title, error);
      }
    });
  }

  post(message: ToWebview): void {
    void this.webview.postMessage(message);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
