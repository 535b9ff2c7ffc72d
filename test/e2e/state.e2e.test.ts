import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import { Workbench, repoRoot } from './support/workbench';

const VERSION = '2.2.1';
const SCENARIO = 'rocksdb-full';

describe("UI: the inspector's State section on a Flink 2.2 RocksDB checkpoint", function () {
  this.timeout(300_000);
  let bench: Workbench;
  let root: string;
  let jobId: string;
  let newest: string;

  const row = (text: string | RegExp): Locator =>
    bench.page.locator('.part.sidebar .monaco-list-row[role="treeitem"]').filter({ hasText: text }).first();
  const webview = (): FrameLocator =>
    bench.page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('#active-frame');

  async function expand(text: string | RegExp): Promise<void> {
    const target = row(text);
    await target.waitFor({ timeout: 30_000 });
    if ((await target.getAttribute('aria-expanded')) !== 'true') await target.click();
    await bench.page
      .locator('.part.sidebar .monaco-list-row[aria-expanded="true"]')
      .filter({ hasText: text })
      .first()
      .waitFor();
  }

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-state-'));
    fs.cpSync(path.join(repoRoot, 'test/fixtures/flink', VERSION, SCENARIO), root, { recursive: true });
    jobId = fs.readdirSync(root).find((n) => /^[0-9a-f]{32}$/.test(n))!;
    newest = fs
      .readdirSync(path.join(root, jobId))
      .filter((n) => n.startsWith('chk-'))
      .sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)))[0];
    bench = await Workbench.open({
      workspaceSettings: { 'flinkCheckpoints.stores': [{ id: 'rocks', name: 'RocksDB full', uri: root }] },
    });
    await bench.openContainer('Flink Checkpoints');
    await bench.expandView('Checkpoint Stores');
    await bench.collapseView('Clusters');
    await expand('RocksDB full');
    await expand(jobId);
    await expand(newest);
    await row('_metadata').click();
    await webview()
      .locator('h1')
      .filter({ hasText: /Checkpoint \d+/ })
      .waitFor({ timeout: 60_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && bench) await bench.screenshot('failed-state-section');
  });

  after(async () => {
    await bench?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('reads the states of each operator, with kinds and collapsible serializer trees', async () => {
    const frame = webview();
    const section = frame.locator('section[data-section="state"]');
    await section.scrollIntoViewIfNeeded();
    await section.getByRole('button', { name: 'Read state schemas' }).click();
    const counter = section.locator('.state[data-state="count"]');
    await counter.waitFor({ timeout: 60_000 });
    assert.match(await counter.locator('.state-head').innerText(), /count\s+value · keyed/);
    assert.match(await counter.locator('.serializer-tree').first().innerText(), /value: LongSerializer v\d+/);
    assert.match(
      await section.locator('.state[data-state="stop-words"] .state-head').innerText(),
      /stop-words\s+broadcast · broadcast/,
    );
    assert.match(
      await section.locator('.state[data-state="words-seen"] .state-head').innerText(),
      /words-seen\s+union · operator/,
    );
    // A composite serializer opens into its parts: the timers' key and namespace serializers.
    const timers = section
      .locator('.state[data-state="_timer_state/processing_user-timers"] details')
      .filter({ hasText: 'TimerSerializer' })
      .first();
    assert.equal(await timers.getAttribute('open'), null, 'serializer trees start collapsed');
    await timers.locator('summary').first().click();
    assert.match(await timers.innerText(), /\[0\]: StringSerializer[\s\S]*\[1\]: VoidNamespaceSerializer/);
    assert.equal(await section.locator('.error-message').count(), 0, 'every state file was read');
    await bench.screenshot('inspector-state-section');
  });
});
