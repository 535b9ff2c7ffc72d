import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { Workbench, repoRoot } from './support/workbench';

const ZOO = path.join(repoRoot, 'test', 'fixtures', 'flink-zoo', '2.2.1');

describe('UI: Compare With… State tab on two savepoints of the Flink 2.2 serializer zoo', function () {
  this.timeout(300_000);
  let bench: Workbench;
  let root: string;
  let savepoints: { canonical: string; native: string };

  const webview = (): FrameLocator => bench.activeWebview();

  before(async () => {
    savepoints = JSON.parse(fs.readFileSync(path.join(ZOO, 'scenarios.json'), 'utf8')).scenarios.savepoints.savepoints;
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-state-diff-'));
    fs.cpSync(path.join(ZOO, 'savepoints'), root, { recursive: true });
    bench = await Workbench.open({
      workspaceSettings: { 'flinkCheckpoints.stores': [{ id: 'zoo', name: 'Zoo savepoints', uri: root }] },
    });
    await bench.showStores();
    await bench.expand('Zoo savepoints');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && bench) await bench.screenshot('failed-state-diff');
  });

  after(async () => {
    await bench?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('counts a state’s changed keys on request and lists them with their field-level changes', async () => {
    await bench.contextMenu(bench.treeRow(savepoints.canonical), 'Compare With…', bench.quickInput());
    await bench.answer(/Compare/, savepoints.native);
    const frame = webview();
    await frame.locator('h1').filter({ hasText: 'Snapshot comparison' }).waitFor({ timeout: 60_000 });
    await frame.getByRole('tab', { name: 'State' }).click();
    const zoo = frame.locator('details.state-operator').filter({ hasText: 'Zoo' }).first();
    const row = zoo.locator('tr[data-state="v-pojo"]');
    await row.waitFor({ timeout: 60_000 });
    // Nothing is counted until asked.
    assert.deepEqual(await row.locator('td.num').allInnerTexts(), ['·', '·', '·', '·']);
    await row.getByRole('button', { name: 'Compare' }).click();
    await row.locator('td.num').first().filter({ hasNotText: '·' }).waitFor({ timeout: 60_000 });
    // Eight buckets, every one visited between the savepoints: all eight POJOs changed.
    assert.deepEqual(await row.locator('td.num').allInnerTexts(), ['0', '0', '8', '0']);
    const list = frame.locator('section.state-changes');
    await list.locator('h2').filter({ hasText: 'Changed keys of v-pojo (8)' }).waitFor({ timeout: 60_000 });
    const rows = list.locator('.row.change');
    assert.equal(await rows.count(), 8);
    await rows.nth(1).click();
    const fields = list.locator('.change-detail table.fields');
    const paths = await fields.locator('tbody tr td:first-child').allInnerTexts();
    assert.ok(paths.includes('.balance') && paths.includes('.id'), paths.join(', '));
    const balance = fields.locator('tbody tr').filter({ hasText: '.balance' });
    const [before, after] = [
      Number(await balance.locator('td.before').innerText()),
      Number(await balance.locator('td.after').innerText()),
    ];
    assert.ok(after > before, `the native savepoint came later: ${before} → ${after}`);
    assert.equal(
      await fields.locator('tbody tr').filter({ hasText: '.id' }).locator('td.after').innerText(),
      `"account-${after}"`,
    );
    // A state of one name whose serializers differ would be named here; these two snapshots are of one job.
    assert.equal(await zoo.locator('tr.state-problems .error-message').count(), 0);
    await bench.screenshot('compare-state-tab');
  });
});
