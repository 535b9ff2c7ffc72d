import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import { fixtureJob, newestLine } from './support/fixtureJobs';
import { Workbench } from './support/workbench';
import { S3Server, copyIntoBucket, s3Prerequisites, startVersityGw } from '../servers/s3Servers';

describe('UI: an S3 store on versitygw added through Add Store…, browsed, inspected and cleaned up (dry run)', function () {
  this.timeout(300_000);
  let bench: Workbench;
  let server: S3Server;
  /** The newest Flink line's incremental RocksDB job, as Flink wrote it. */
  const job = fixtureJob(newestLine(), 'rocksdb-incremental');

  const row = (text: string | RegExp): Locator => bench.treeRow(text);
  const webview = (): FrameLocator => bench.activeWebview();

  const answer = (title: RegExp, text?: string): Promise<void> => bench.answer(title, text);

  const startCommand = (title: string): Promise<number> => bench.startCommand(title);

  const expand = (text: string | RegExp): Promise<void> => bench.expand(text, 60_000);

  before(async function () {
    if (s3Prerequisites('versitygw')) this.skip();
    server = await startVersityGw();
    copyIntoBucket(server, 'flink', 'checkpoints', job.root);
    bench = await Workbench.open({ workspaceSettings: { 'flinkCheckpoints.stores': [] } });
    await bench.showStores();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && bench) {
      await bench.screenshot(`failed-${this.currentTest.title.toLowerCase().replace(/\W+/g, '-').slice(0, 60)}`);
    }
  });

  after(async () => {
    await bench?.close();
    await server?.stop();
    if (server) fs.rmSync(path.dirname(server.dataDir), { recursive: true, force: true });
  });

  it('adds the store with a custom endpoint and its secret, and shows the latest checkpoint', async () => {
    await startCommand('Flink Checkpoints: Add Store…');
    await answer(/kind/i, 'S3');
    await answer(/location/i, 's3://flink/checkpoints');
    await answer(/S3 service/, 'Custom endpoint');
    await answer(/S3 endpoint/, server.endpoint);
    await answer(/S3 credentials/, 'Access key and secret');
    await answer(/access key id/, server.accessKey);
    await answer(/secret access key/, server.secretKey);
    await answer(/Add Store: name/, 'Demo S3');
    await expand('Demo S3');
    await expand(job.jobId);
    const latest = row(/latest/);
    await latest.waitFor({ timeout: 60_000 });
    assert.match(await latest.innerText(), new RegExp(job.newest));
    const settings = bench.settingsText();
    assert.match(settings, /Demo S3/, 'the store was saved');
    assert.match(settings, new RegExp(server.endpoint.replace(/[.]/g, '\\.')), 'with its endpoint');
    assert.ok(!settings.includes(server.secretKey), 'the secret is in no settings file');
    await bench.screenshot('s3-store');
  });

  it('opens the latest checkpoint’s _metadata in the inspector', async () => {
    await expand(/latest/);
    const frame = await bench.openInspector();
    assert.ok((await frame.locator('.row.operator').count()) >= 3, 'the word count has its operators');
  });

  it('shows a clean-up dry run naming an old leftover, deleting nothing', async () => {
    const leftover = path.join(server.dataDir, 'flink', 'checkpoints', job.jobId, 'shared', 'leftover-on-s3');
    fs.writeFileSync(leftover, Buffer.alloc(2048));
    const longAgo = new Date(Date.now() - 86_400_000);
    fs.utimesSync(leftover, longAgo, longAgo);
    await row(job.jobId).click({ button: 'right' });
    const entry = bench.page
      .locator('.context-view .monaco-menu .action-item')
      .filter({ hasText: 'Clean Up…' })
      .first();
    await entry.waitFor();
    await entry.hover();
    await entry.click();
    const frame = webview();
    await frame
      .locator('h1')
      .filter({ hasText: /dry run/ })
      .waitFor({ timeout: 60_000 });
    await frame.locator('td').filter({ hasText: 'leftover-on-s3' }).waitFor();
    assert.ok(fs.existsSync(leftover), 'a dry run deletes nothing');
    await bench.screenshot('s3-cleanup');
  });
});
