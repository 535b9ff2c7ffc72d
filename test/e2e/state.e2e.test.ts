import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { FrameLocator } from 'playwright-core';
import { fixtureJob } from './support/fixtureJobs';
import { Workbench } from './support/workbench';

const VERSION = '2.2.1';
const SCENARIO = 'rocksdb-full';

describe("UI: the inspector's State section on a Flink 2.2 RocksDB checkpoint", function () {
  this.timeout(300_000);
  let bench: Workbench;
  let root: string;
  let jobId: string;
  let newest: string;

  const webview = (): FrameLocator => bench.activeWebview();

  const expand = (text: string | RegExp): Promise<void> => bench.expand(text);

  before(async () => {
    ({ root, jobId, newest } = fixtureJob(VERSION, SCENARIO, 'state'));
    bench = await Workbench.open({
      workspaceSettings: { 'flinkCheckpoints.stores': [{ id: 'rocks', name: 'RocksDB full', uri: root }] },
    });
    await bench.showStores();
    await expand('RocksDB full');
    await expand(jobId);
    await expand(newest);
    await bench.openInspector();
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
