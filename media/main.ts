import type { FromWebview, ToWebview } from './protocol';
import { renderInspector, renderLoadError, renderParseError } from './inspector';
import { renderCleanup, renderDiff, renderHistory } from './reports';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (message: FromWebview) => vscode.postMessage(message);
const root = document.getElementById('root') as HTMLElement;

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  switch (message.type) {
    case 'inspector':
      renderInspector(root, message.model, post);
      break;
    case 'parseError':
      renderParseError(root, message.error);
      break;
    case 'loadError':
      renderLoadError(root, message.error);
      break;
    case 'diff':
      renderDiff(root, message.model, post);
      break;
    case 'history':
      renderHistory(root, message.model);
      break;
    case 'cleanup':
      renderCleanup(root, message.model, post);
      break;
    case 'uidResult':
    case 'subtasks':
    case 'stateDiffStates':
    case 'stateDiffProgress':
    case 'stateDiffCounts':
    case 'stateDiffChanges':
      // Answers to the inspector's own requests: it listens for them itself.
      return;
  }
  document.body.dataset.state = message.type;
});

post({ type: 'ready' });
