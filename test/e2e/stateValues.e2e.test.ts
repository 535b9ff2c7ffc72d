import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import { Workbench, repoRoot } from './support/workbench';
import { FtpServer, serverPrerequisites, startPyFtpd } from '../servers/servers';

/** The serializer-zoo job of Flink 2.2 on RocksDB (full checkpoints), as Flink wrote it. */
const ZOO = path.join(repoRoot, 'test/fixtures/flink-zoo/2.2.1/rocksdb-full');
const ZOO_OPERATOR = '3e998f41e72b1c44f2161cbe3ff93388';
const PASSWORD = 'z00:s@fe';
const KEY = '5';

describe('UI: find a key’s value in a checkpoint on an FTP store added through Add Store…', function () {
  this.timeout(300_000);
  let bench: Workbench;
  let ftp: FtpServer;
  let root: string;
  let jobId: string;
  let chk: string;

  const row = (text: string | RegExp): Locator =>
    bench.page.locator('.part.sidebar .monaco-list-row[role="treeitem"]').filter({ hasText: text }).first();
  const quickInput = () => bench.page.locator('.quick-input-widget');
  const webview = (): FrameLocator =>
    bench.page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('#active-frame');

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
    if (serverPrerequisites('pyftpdlib')) this.skip();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-zoo-'));
    fs.cpSync(ZOO, root, { recursive: true });
    jobId = fs.readdirSync(root).find((n) => /^[0-9a-f]{32}$/.test(n))!;
    chk = fs.readdirSync(path.join(root, jobId)).find((n) => n.startsWith('chk-'))!;
    ftp = await startPyFtpd(root, [{ name: 'flink', password: PASSWORD }]);
    bench = await Workbench.open({ workspaceSettings: { 'flinkCheckpoints.stores': [] } });
    await bench.openContainer('Flink Checkpoints');
    await bench.expandView('Checkpoint Stores');
    await bench.collapseView('Clusters');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && bench) await bench.screenshot('failed-state-values');
  });

  after(async () => {
    await bench?.close();
    await ftp?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('adds the store, opens the checkpoint’s _metadata, filters a state by key and reads the value', async () => {
    await bench.startCommand('Flink Checkpoints: Add Store…');
    await answer(/kind/i, 'FTP');
    await answer(/location/i, `ftp://127.0.0.1:${ftp.port}/`);
    await answer(/User on/i, 'flink');
    await answer(/Password of/i, PASSWORD);
    await answer(/Add Store: name/, 'Zoo FTP');
    await expand('Zoo FTP');
    await expand(jobId);
    await expand(chk);
    await row('_metadata').click();
    const frame = webview();
    await frame
      .locator('h1')
      .filter({ hasText: /Checkpoint \d+/ })
      .waitFor({ timeout: 60_000 });

    const section = frame.locator('section[data-section="state"]');
    await section.scrollIntoViewIfNeeded();
    await section.getByRole('button', { name: 'Read state schemas' }).click();
    const pojo = section.locator(`details[data-operator="${ZOO_OPERATOR}"] .state[data-state="v-pojo"]`);
    await pojo.waitFor({ timeout: 60_000 });
    assert.equal(await pojo.locator('.entry-browser').count(), 0, 'no entry is read before the user asks');
    await pojo.getByRole('button', { name: 'Browse entries' }).click();
    const browser = pojo.locator('.entry-browser');
    const status = browser.locator('.entry-status');
    await status.filter({ hasText: /8 entries loaded, all of them/ }).waitFor({ timeout: 60_000 });
    await browser.scrollIntoViewIfNeeded();
    await bench.screenshot('state-values-ftp-first-page');

    await browser.getByLabel('Filter by').selectOption('key');
    await browser.getByLabel('Key filter').fill(KEY);
    await browser.getByRole('button', { name: 'Show entries' }).click();
    await status.filter({ hasText: /1 entry matching the filter loaded/ }).waitFor({ timeout: 60_000 });
    const rows = browser.locator('.row.entry:not(.head)');
    assert.equal(await rows.count(), 1);
    await rows.first().click();
    const detail = browser.locator('.entry-detail');
    await detail.locator('.value-tree').first().waitFor();

    // What the CLI reads from the local copy of the same checkpoint: the page must show that value.
    const cli = execFileSync(
      process.execPath,
      [
        path.join(repoRoot, 'dist/cli.js'),
        'state',
        path.join(root, jobId, chk, '_metadata'),
        '--operator',
        'zoo',
        '--state',
        'v-pojo',
        '--key',
        KEY,
        '--json',
      ],
      { encoding: 'utf8' },
    );
    const expected = JSON.parse(cli.trim()) as { key: number; value: { id: string; balance: number } };
    assert.equal(expected.key, Number(KEY));
    const tree = await detail.innerText();
    assert.match(tree, new RegExp(`key: ${KEY}\\b`));
    assert.ok(tree.includes(`id: "${expected.value.id}"`), `the value's id ${expected.value.id} in:\n${tree}`);
    assert.ok(tree.includes(`balance: ${expected.value.balance}`), `the value's balance in:\n${tree}`);
    assert.equal(await browser.locator('.error-message').count(), 0, 'the state was read whole');
    await browser.scrollIntoViewIfNeeded();
    await bench.screenshot('state-values-ftp-key');

    // A map state shows each map key beside its value.
    const map = section.locator(`details[data-operator="${ZOO_OPERATOR}"] .state[data-state="m-row"]`);
    await map.getByRole('button', { name: 'Browse entries' }).click();
    const mapBrowser = map.locator('.entry-browser');
    await mapBrowser
      .locator('.entry-status')
      .filter({ hasText: /\d+ entries loaded/ })
      .waitFor({ timeout: 60_000 });
    assert.match(await mapBrowser.locator('.row.entry:not(.head) .entry-user-key').first().innerText(), /^"k\d"$/);
    await mapBrowser.scrollIntoViewIfNeeded();
    await bench.screenshot('state-values-ftp-map');
  });
});
