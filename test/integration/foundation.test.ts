import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './support/extension';

/** The commands the foundation ships; later areas add their own, which the same test checks. */
const FOUNDATION_COMMANDS = ['flinkCheckpoints.addStore', 'flinkCheckpoints.refreshStores', 'flinkCheckpoints.showLog'];

interface ContributedView {
  id: string;
  name: string;
}

function extension(): vscode.Extension<unknown> {
  const found = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(found, `${EXTENSION_ID} is not loaded in this extension host`);
  return found;
}

/** Polls until `probe` returns a value, so the suite waits on the workbench instead of sleeping a fixed time. */
async function eventually<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('foundation: the extension in a real VS Code', () => {
  it('activates and hands back its services', async () => {
    const services = await extension().activate();
    assert.equal(extension().isActive, true);
    assert.ok(services && typeof services === 'object' && 'log' in services && 'storesTree' in services);
  });

  it('registers every command it declares', async () => {
    const declared = (extension().packageJSON.contributes.commands as Array<{ command: string }>).map((c) => c.command);
    for (const command of FOUNDATION_COMMANDS) assert.ok(declared.includes(command), `${command} is not declared`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((command) => !registered.has(command));
    assert.deepEqual(missing, [], 'commands declared in package.json but not registered by activate()');
  });

  it('contributes the Checkpoint Stores and Clusters views in their own container, which the workbench can open', async () => {
    const contributes = extension().packageJSON.contributes;
    const views = contributes.views.flinkCheckpoints as ContributedView[];
    assert.deepEqual(
      views.map((view) => [view.id, view.name]),
      [
        ['flinkCheckpoints.stores', 'Checkpoint Stores'],
        ['flinkCheckpoints.clusters', 'Clusters'],
      ],
    );
    // The workbench registers `<view id>.focus` only for views it knows; running it opens the container.
    await vscode.commands.executeCommand('workbench.view.extension.flinkCheckpoints');
    await vscode.commands.executeCommand('flinkCheckpoints.stores.focus');
    await vscode.commands.executeCommand('flinkCheckpoints.clusters.focus');
  });

  it("points the welcome view's button at a registered command", async () => {
    const welcome = extension().packageJSON.contributes.viewsWelcome as Array<{ view: string; contents: string }>;
    const storesWelcome = welcome.find((entry) => entry.view === 'flinkCheckpoints.stores');
    assert.ok(storesWelcome, 'no welcome content for flinkCheckpoints.stores');
    const target = /\[Add Store…\]\(command:([\w.]+)\)/.exec(storesWelcome.contents)?.[1];
    assert.equal(target, 'flinkCheckpoints.addStore');
    assert.ok((await vscode.commands.getCommands(true)).includes(target));
  });

  it('cancelling Add Store leaves the configured stores unchanged', async () => {
    const before = vscode.workspace.getConfiguration('flinkCheckpoints').get<unknown[]>('stores');
    let settled = false;
    const running = Promise.resolve(vscode.commands.executeCommand('flinkCheckpoints.addStore')).finally(
      () => (settled = true),
    );
    // Dismiss the input box (Escape) once it is up; until then closing is a no-op, so keep trying.
    await eventually('Add Store to end after its input box is dismissed', () => {
      if (!settled) void vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      return settled ? true : undefined;
    });
    await running;
    assert.deepEqual(vscode.workspace.getConfiguration('flinkCheckpoints').get<unknown[]>('stores'), before);
  });

  it('logs its activation to the "Flink Checkpoints" output channel, which Show Log opens', async () => {
    await extension().activate();
    await vscode.commands.executeCommand('flinkCheckpoints.showLog');
    const channel = await eventually('the Flink Checkpoints output document', () =>
      vscode.workspace.textDocuments.find(
        (document) => document.uri.scheme === 'output' && document.uri.path.includes('Flink Checkpoints'),
      ),
    );
    await eventually('the activation line in the log', () =>
      /Activated in \d+(\.\d+)? ms/.test(channel.getText()) ? true : undefined,
    );
  });
});
