import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { copyScenario, eventually, newestFixtureVersion, services, setStores } from './support/extension';
import { FtpServer, serverPrerequisites, startPyFtpd } from '../servers/servers';
import type { CleanupPlan, CleanupResult, RestoreResult } from '../../src/core/references/safety';

type Outcome = CleanupPlan & { result?: CleanupResult; restored?: RestoreResult };

/** Old enough that no running checkpoint can own it. */
function plantLeftover(jobDir: string): string {
  const leftover = path.join(jobDir, 'shared', 'leftover-from-a-failed-checkpoint');
  fs.writeFileSync(leftover, Buffer.alloc(4096, 1));
  const longAgo = new Date(Date.now() - 86_400_000);
  fs.utimesSync(leftover, longAgo, longAgo);
  return leftover;
}

function cleanUpTab(storeName: string): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .find((t) => t.label.startsWith('Clean Up') && t.label.endsWith(`— ${storeName}`));
}

/** Dry run, move to the trash, put back: what the Clean Up page's buttons do, through the command it runs. */
async function quarantineRoundTrip(storeId: string, storeName: string, root: string, jobId: string): Promise<void> {
  const leftover = plantLeftover(path.join(root, jobId));
  const dry = await vscode.commands.executeCommand<Outcome>('flinkCheckpoints.cleanUp', { storeId, path: `/${jobId}` });
  assert.deepEqual(
    dry.candidates.map((c) => c.path),
    [`/${jobId}/shared/leftover-from-a-failed-checkpoint`],
  );
  assert.equal(dry.reversible, true);
  assert.ok(fs.existsSync(leftover), 'a dry run removes nothing');
  await eventually('a Clean Up tab naming the store', () => cleanUpTab(storeName));

  const moved = await vscode.commands.executeCommand<Outcome>(
    'flinkCheckpoints.cleanUp',
    { storeId, path: `/${jobId}` },
    { apply: true },
  );
  assert.ok(moved.result, 'the run happened');
  assert.deepEqual(
    moved.result.moved.map((c) => c.path),
    [`/${jobId}/shared/leftover-from-a-failed-checkpoint`],
  );
  assert.ok(!fs.existsSync(leftover));
  const trash = moved.result.trashPath;
  assert.ok(trash && trash.startsWith('/.flink-checkpoints-trash/'));
  assert.ok(
    fs.existsSync(path.join(root, trash, jobId, 'shared', 'leftover-from-a-failed-checkpoint')),
    'quarantined below the base with its path',
  );

  const back = await vscode.commands.executeCommand<Outcome>(
    'flinkCheckpoints.cleanUp',
    { storeId, path: `/${jobId}` },
    { putBack: trash },
  );
  assert.deepEqual(back.restored?.restored, [`/${jobId}/shared/leftover-from-a-failed-checkpoint`]);
  assert.ok(fs.existsSync(leftover), 'put back where it was');
  assert.ok(!fs.existsSync(path.join(root, trash)), 'the emptied trash directory is gone');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

describe('Clean Up: quarantine and restore from the trash on real Flink checkpoints', function () {
  this.timeout(120_000);
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setStores([]);
  });

  it('on a local store', async () => {
    const { root, jobId } = copyScenario(newestFixtureVersion(), 'rocksdb-incremental');
    await setStores([{ id: 'local-cleanup', name: 'Local cleanup', uri: root, writable: true }]);
    await quarantineRoundTrip('local-cleanup', 'Local cleanup', root, jobId);
  });

  it('refuses to move anything from a read-only store', async () => {
    const { root, jobId } = copyScenario(newestFixtureVersion(), 'rocksdb-incremental');
    const leftover = plantLeftover(path.join(root, jobId));
    await setStores([{ id: 'read-only', name: 'Read only', uri: root }]);
    const outcome = await vscode.commands.executeCommand<Outcome>(
      'flinkCheckpoints.cleanUp',
      { storeId: 'read-only', path: `/${jobId}` },
      { apply: true },
    );
    assert.equal(outcome.result, undefined);
    assert.ok(fs.existsSync(leftover));
  });

  describe('on an FTP store (pyftpdlib)', () => {
    let server: FtpServer;
    let fixture: { root: string; jobId: string };
    before(async function () {
      if (serverPrerequisites('pyftpdlib')) this.skip();
      fixture = copyScenario(newestFixtureVersion(), 'rocksdb-incremental');
      server = await startPyFtpd(fixture.root, [{ name: 'flink', password: 'cleanup-secret' }]);
      await setStores([
        { id: 'ftp-cleanup', name: 'FTP cleanup', uri: `ftp://flink@127.0.0.1:${server.port}/`, writable: true },
      ]);
      await (await services()).stores.setPassword('ftp-cleanup', 'cleanup-secret');
    });
    after(async () => server?.stop());

    it('moves to the trash and puts back over FTP', async () => {
      await quarantineRoundTrip('ftp-cleanup', 'FTP cleanup', fixture.root, fixture.jobId);
    });
  });
});
