import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { copyScenario, eventually, setStores } from './support/extension';
import type { PreflightReport } from '../../src/core/state/preflight';
import { WORD_COUNT_WITHOUT_COUNTER_UID as JOB } from '../support/workspaceJobs';

describe('restore pre-flight: Check Restore Against…, diagnostics and uid lenses', function () {
  this.timeout(60_000);
  let root: string;
  let jobId: string;
  let savepoint: string;
  let source: vscode.Uri;

  before(async () => {
    ({ root, jobId } = copyScenario('2.2.1', 'hashmap'));
    savepoint = `/${jobId}/${
      fs
        .readdirSync(path.join(root, jobId))
        .filter((n) => n.startsWith('chk-'))
        .sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)))[0]
    }`;
    await setStores([{ id: 'demo', name: 'Demo', uri: root }]);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test host opens a workspace folder');
    source = vscode.Uri.joinPath(folder.uri, 'src', 'WordCount.java');
    await vscode.workspace.fs.writeFile(source, new TextEncoder().encode(JOB));
  });

  after(async () => {
    await vscode.workspace.fs.delete(source);
    await vscode.workspace
      .getConfiguration('flinkCheckpoints')
      .update('uidLens.job', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setStores([]);
  });

  it('against the workspace job without the counter uid: needs --allowNonRestoredState, with a diagnostic on the call', async () => {
    const report = await vscode.commands.executeCommand<PreflightReport>(
      'flinkCheckpoints.checkRestoreAgainst',
      { storeId: 'demo', path: savepoint },
      { kind: 'sources' },
      '2.2',
    );
    assert.ok(report, 'the command returned no report');
    assert.equal(report.verdict, 'needs-allow-non-restored-state');
    assert.deepEqual(
      report.lost.map((l) => l.uid),
      ['counter'],
    );
    assert.ok(report.lost[0].states.includes('count'));
    const diagnostics = await eventually('the pre-flight diagnostic', () => {
      const list = vscode.languages.getDiagnostics(source);
      return list.length > 0 ? list : undefined;
    });
    const [d] = diagnostics;
    assert.equal(d.range.start.line, 7);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(d.message, /process\(…\) has no uid.*uid 'counter'/);
  });

  it('against the job itself (the same snapshot) it will restore, and a 2.x snapshot will fail on Flink 1.20', async () => {
    const same = await vscode.commands.executeCommand<PreflightReport>(
      'flinkCheckpoints.checkRestoreAgainst',
      { storeId: 'demo', path: savepoint },
      { kind: 'snapshot', storeId: 'demo', path: savepoint },
      '2.2',
    );
    assert.equal(same?.verdict, 'will-restore');
    const old = await vscode.commands.executeCommand<PreflightReport>(
      'flinkCheckpoints.checkRestoreAgainst',
      { storeId: 'demo', path: savepoint },
      { kind: 'snapshot', storeId: 'demo', path: savepoint },
      '1.20',
    );
    assert.equal(old?.verdict, 'will-fail');
    assert.match(old?.expectedError ?? '', /Unrecognized checkpoint version number/);
  });

  it('lenses above .uid("…") show the operator\'s states and size in the latest checkpoint of the chosen job', async () => {
    const document = await vscode.workspace.openTextDocument(source);
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('flinkCheckpoints.chooseUidLensJob', { storeId: 'demo', path: `/${jobId}` });
    const lenses = await eventually(
      'lenses with state',
      async () => {
        const list = await vscode.commands.executeCommand<vscode.CodeLens[]>(
          'vscode.executeCodeLensProvider',
          source,
          10,
        );
        return list.some((l) =>
          /stop-word-filter: .* in chk-\d+ · stop-words \(broadcast\)/.test(l.command?.title ?? ''),
        )
          ? list
          : undefined;
      },
      30_000,
    );
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.equal(titles.length, 6, titles.join('\n'));
    assert.ok(
      titles.some((t) => /^lines: .* in chk-\d+ · emitted-lines \(list\)$/.test(t)),
      titles.join('\n'),
    );
    assert.equal(lenses.find((l) => l.command?.title.startsWith('lines:'))?.range.start.line, 2);
  });
});
