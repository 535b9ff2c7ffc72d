import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { copyScenario, setStores } from './support/extension';

describe('Generate State Reader…: the SQL or State Processor API job that reads an operator state on a cluster', function () {
  this.timeout(60_000);
  let root: string;
  let checkpoint: string;

  before(async () => {
    let jobId: string;
    ({ root, jobId } = copyScenario('2.2.1', 'hashmap'));
    checkpoint = `/${jobId}/${
      fs
        .readdirSync(path.join(root, jobId))
        .filter((n) => n.startsWith('chk-'))
        .sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)))[0]
    }`;
    // The cluster sees the store elsewhere, with credentials of its own: the generated code names that path only.
    await setStores([{ id: 'demo', name: 'Demo', uri: root, clusterPath: 's3://ops:s3cret@bucket/checkpoints' }]);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setStores([]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('opens the Java job for the counter operator: its value state by name and type, the cluster path without credentials', async () => {
    const text = await vscode.commands.executeCommand<string>(
      'flinkCheckpoints.generateStateReader',
      { storeId: 'demo', path: checkpoint },
      { operator: 'counter', language: 'java' },
    );
    assert.ok(text, 'the command returned no code');
    assert.match(text, /new ValueStateDescriptor<>\("count", Types\.LONG\)/);
    assert.match(text, /OperatorIdentifier\.forUid\("counter"\)/);
    assert.ok(text.includes(`"s3://bucket/checkpoints${checkpoint}"`), text.slice(0, 2000));
    assert.doesNotMatch(text, /s3cret/);
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.languageId, 'java');
    assert.equal(editor?.document.getText(), text);
  });

  it('the SQL of an operator without keyed state is refused with why, and nothing opens', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const text = await vscode.commands.executeCommand<string | undefined>(
      'flinkCheckpoints.generateStateReader',
      { storeId: 'demo', path: checkpoint },
      { operator: 'tokenizer', language: 'sql' },
    );
    assert.equal(text, undefined);
    assert.equal(vscode.window.activeTextEditor, undefined);
  });
});
