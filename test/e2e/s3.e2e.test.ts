import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import { Workbench, repoRoot } from './support/workbench';
import { S3Server, copyIntoBucket, s3Prerequisites, startVersityGw } from '../servers/s3Servers';

const FIXTURES = path.join(repoRoot, 'test/fixtures/flink');

/** The newest Flink line's incremental RocksDB job, as Flink wrote it. */
function newestJob(): { root: string; jobId: string } {
  const versions = fs
    .readdirSync(FIXTURES)
    .filter((v) => /^\d/.test(v))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const root = path.join(FIXTURES, versions[versions.length - 1], 'rocksdb-incremental');
  return { root, jobId: fs.readdirSync(root).find((n) => /^[0-9a-f]{32}$/.test(n))! };
}

describe('UI: an S3 store on versitygw added through Add Store…, browsed, inspected and cleaned up (dry run)', function () {
  this.timeout(300_000);
  let bench: Workbench;
  let server: S3Server;
  const job = newestJob();

  const row = (text: string | RegExp): Locator =>
    bench.page.locator('.part.sidebar .monaco-list-row[role="treeitem"]').filter({ hasText: text }).first();
  const quickInput = () => bench.page.locator('.quick-input-widget');
  const webview = (): FrameLocator =>
    bench.page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('#active-frame');

  /** Answers the open quick input whose title matches: types `text` (if any) and accepts. */
  async function answer(title: RegExp, text?: string): Promise<void> {
    await quickInput()
      .locator('.quick-input-title, .quick-input-header')
      .filter({ hasText: title })
      .first()
      .waitFor({ timeout: 30_000 });
    const input = quickInput().locator('.quick-input-box input');
    if (text !== undefined) await input.fill(text);
    await input.press('Enter');
  }

  async function startCommand(title: string): Promise<void> {
    const input = quickInput().locator('.quick-input-box input');
    for (let attempt = 1; ; attempt++) {
      await bench.page.locator('.part.sidebar .composite.title').click();
      await bench.page.keyboard.press('Control+Shift+P');
      try {
        await input.waitFor({ state: 'visible', timeout: 5_000 });
        break;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
    await input.fill(`>${title}`);
    await quickInput().locator('.monaco-list-row').filter({ hasText: title }).first().waitFor();
    await bench.page.keyboard.press('Enter');
  }

  async function expand(text: string | RegExp): Promise<void> {
    const target = row(text);
    await target.waitFor({ timeout: 60_000 });
    if ((await target.getAttribute('aria-expanded')) !== 'true') await target.click();
    await bench.page
      .locator('.part.sidebar .monaco-list-row[aria-expanded="true"]')
      .filter({ hasText: text })
      .first()
      .waitFor();
  }

  before(async function () {
    if (s3Prerequisites('versitygw')) this.skip();
    server = await startVersityGw();
    copyIntoBucket(server, 'flink', 'checkpoints', job.root);
    bench = await Workbench.open({ workspaceSettings: { 'flinkCheckpoints.stores': [] } });
    await bench.openContainer('Flink Checkpoints');
    await bench.expandView('Checkpoint Stores');
    await bench.collapseView('Clusters');
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
    const newest = fs
      .readdirSync(path.join(job.root, job.jobId))
      .filter((n) => n.startsWith('chk-'))
      .sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)))[0];
    const latest = row(/latest/);
    await latest.waitFor({ timeout: 60_000 });
    assert.match(await latest.innerText(), new RegExp(newest));
    const settings = [
      path.join(bench.server.workspace, '.vscode/settings.json'),
      path.join(bench.server.userDataDir, 'User/settings.json'),
    ]
      .filter((file) => fs.existsSync(file))
      .map((file) => fs.readFileSync(file, 'utf8'))
      .join('\n');
    assert.match(settings, /Demo S3/, 'the store was saved');
    assert.match(settings, new RegExp(server.endpoint.replace(/[.]/g, '\\.')), 'with its endpoint');
    assert.ok(!settings.includes(server.secretKey), 'the secret is in no settings file');
    await bench.screenshot('s3-store');
  });

  it('opens the latest checkpoint’s _metadata in the inspector', async () => {
    await expand(/latest/);
    await row('_metadata').click();
    const frame = webview();
    await frame
      .locator('h1')
      .filter({ hasText: /Checkpoint \d+/ })
      .waitFor({ timeout: 60_000 });
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
