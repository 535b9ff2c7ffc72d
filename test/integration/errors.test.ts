import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { eventually, services, setStores } from './support/extension';

/**
 * Records the error messages the extension shows while `run` runs. The suite and the extension share one `vscode`
 * API object (both load from the extension's folder), so this sees what a user would see as notifications.
 */
async function shownErrors(run: () => Thenable<unknown>): Promise<{ result: unknown; messages: string[] }> {
  const messages: string[] = [];
  const original = vscode.window.showErrorMessage;
  (vscode.window as { showErrorMessage: unknown }).showErrorMessage = (message: string) => {
    messages.push(message);
    return Promise.resolve(undefined);
  };
  try {
    return { result: await run(), messages };
  } finally {
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = original;
  }
}

/** Everything the extension's output channel wrote so far (VS Code keeps a log channel in the extension's log folder). */
async function logText(): Promise<string> {
  const folder = (await services()).context.logUri.fsPath;
  if (!fs.existsSync(folder)) return '';
  return fs
    .readdirSync(folder)
    .filter((n) => n.endsWith('.log'))
    .map((n) => fs.readFileSync(path.join(folder, n), 'utf8'))
    .join('\n');
}

describe('errors: every command fails through one path that shows one message and logs the cause', function () {
  this.timeout(60_000);
  let missing: string;

  before(async () => {
    missing = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fc-errors-')), 'not-mounted');
    await setStores([{ id: 'gone', name: 'Gone volume', uri: missing }]);
  });

  after(() => setStores([]));

  it('shows one message named after the command and logs the store error with its errno', async () => {
    const { result, messages } = await shownErrors(() =>
      vscode.commands.executeCommand('flinkCheckpoints.showHistory', { storeId: 'gone', path: '/job-a' }),
    );
    assert.equal(result, undefined, 'a failed command returns nothing');
    assert.equal(messages.length, 1, `one message, got ${JSON.stringify(messages)}`);
    assert.match(messages[0], /^Show Snapshot History failed: /);
    assert.ok(messages[0].includes(`${missing}/job-a: no such file or directory`), messages[0]);
    assert.doesNotMatch(messages[0], /unexpected/, "a store error is the product's own message");
    const logged = await eventually('the log entry', async () => {
      const text = await logText();
      const at = text.indexOf(`Show Snapshot History failed: StoreError: ${missing}/job-a`);
      return at < 0 ? undefined : text.slice(at, at + 1000);
    });
    assert.match(logged, /caused by Error: ENOENT/, 'the log has the cause');
  });

  it('says the same for a store id that is not configured, from restore and from the file system', async () => {
    const { messages } = await shownErrors(() =>
      vscode.commands.executeCommand('flinkCheckpoints.restoreJob', { storeId: 'no-such-store', path: '/' }),
    );
    assert.equal(messages.length, 1, `one message, got ${JSON.stringify(messages)}`);
    assert.match(
      messages[0],
      /^Restore Job from Snapshot failed: store "no-such-store": no store with this id is configured\./,
    );
    const s = await services();
    await assert.rejects(
      Promise.resolve(vscode.workspace.fs.stat(s.stores.uriFor('no-such-store', '/'))),
      (error: unknown) => error instanceof vscode.FileSystemError && error.code === 'FileNotFound',
    );
  });

  it("marks an error that is not the product's own as unexpected and logs its stack", async () => {
    const { messages } = await shownErrors(() =>
      vscode.commands.executeCommand('flinkCheckpoints.loadMore', undefined),
    );
    assert.equal(messages.length, 1, `one message, got ${JSON.stringify(messages)}`);
    assert.match(messages[0], /^Load More failed: .*\(unexpected; details in the log\)$/);
    const logged = await eventually('the stack in the log', async () => {
      const text = await logText();
      const at = text.indexOf('Load More failed: TypeError');
      return at < 0 ? undefined : text.slice(at, at + 2000);
    });
    assert.match(logged, /\n\s+at /, 'the stack follows the message');
  });
});
