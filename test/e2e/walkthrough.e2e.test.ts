import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator } from 'playwright-core';
import { Workbench, repoRoot } from './support/workbench';
import { expectStepMedia, expectWalkthrough, walkthroughPage } from './support/walkthrough';

const FIXTURES = path.join(repoRoot, 'test/fixtures/flink');

/** The newest Flink line's incremental RocksDB job, copied so nothing the walkthrough starts touches the fixtures. */
function copyJob(): string {
  const versions = fs
    .readdirSync(FIXTURES)
    .filter((v) => /^\d/.test(v))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-walkthrough-'));
  fs.cpSync(path.join(FIXTURES, versions[versions.length - 1], 'rocksdb-incremental'), root, { recursive: true });
  return root;
}

describe('UI: the Get Started walkthrough', function () {
  this.timeout(300_000);
  let bench: Workbench;
  let store: string;

  const step = (title: string): Locator =>
    walkthroughPage(bench)
      .locator('.getting-started-step')
      .filter({ has: bench.page.locator('.step-title', { hasText: title }) });
  const select = async (title: string): Promise<Locator> => {
    const s = step(title);
    if ((await s.getAttribute('aria-expanded')) !== 'true') await s.locator('.step-title').click();
    await walkthroughPage(bench)
      .locator('.getting-started-step.expanded')
      .filter({ has: bench.page.locator('.step-title', { hasText: title }) })
      .waitFor();
    return s;
  };
  const button = (s: Locator, label: string): Locator =>
    s.locator('.button-container .monaco-button').filter({ hasText: label });
  const checked = (s: Locator): Promise<void> =>
    s.and(bench.page.locator('[aria-checked="true"]')).waitFor({ timeout: 30_000 });

  before(async () => {
    store = copyJob();
    bench = await Workbench.open({
      workspaceFiles: { 'conf/flink-conf.yaml': 'state.backend.type: rocksdb\n' },
      workspaceSettings: { 'flinkCheckpoints.stores': [{ id: 'demo', name: 'Demo checkpoints', uri: store }] },
      // The walkthrough shows a step's media only beside the steps, which the newer workbench's chat bar leaves no room for.
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
    });
  });
  after(async () => {
    await bench?.close();
    fs.rmSync(store, { recursive: true, force: true });
  });

  it('opens from Welcome: Open Walkthrough… with its four steps', async () => {
    // The command goes on in a quick pick of its own, so the palette is not waited to close (it may never look closed).
    await bench.page.keyboard.press('Control+Shift+P');
    const input = bench.page.locator('.quick-input-widget .quick-input-box input');
    await input.fill('>Welcome: Open Walkthrough...');
    await bench.page
      .locator('.quick-input-widget .monaco-list-row')
      .filter({ hasText: 'Welcome: Open Walkthrough...' })
      .first()
      .waitFor();
    await input.press('Enter');
    await bench.page
      .locator('.quick-input-widget .monaco-list-row')
      .filter({ hasText: 'Get Started with Flink Checkpoints' })
      .click();
    await expectWalkthrough(bench);
    await bench.screenshot('walkthrough');
  });

  it('adds a store: the button starts Add Store… and the step is checked', async () => {
    const s = await select('Add a checkpoint store');
    await button(s, 'Add Store…').click();
    await bench.page
      .locator('.quick-input-widget .monaco-list-row')
      .filter({ hasText: 'Local, NFS or Kubernetes volume' })
      .first()
      .waitFor();
    await bench.page.keyboard.press('Escape');
    await checked(s);
  });

  it('opens the latest checkpoint: the button shows the stores with the latest complete checkpoint', async () => {
    const s = await select('Open the latest checkpoint');
    await button(s, 'Show Checkpoint Stores').click();
    const rows = bench.page.locator('.part.sidebar .monaco-list-row[role="treeitem"]');
    await rows.filter({ hasText: 'Demo checkpoints' }).first().waitFor({ timeout: 60_000 });
  });

  it('restores: its markdown explains the steps and the button starts the restore', async () => {
    const s = await select('Restore a job');
    await expectStepMedia(bench, 'Restore a job from a snapshot');
    await bench.screenshot('walkthrough-restore');
    await button(s, 'Restore Job from Snapshot…').click();
    // One store with one job: the first question is the snapshot, the latest complete checkpoint first.
    const first = bench.page.locator('.quick-input-widget .monaco-list-row').first();
    await first.filter({ hasText: /chk-\d+/ }).waitFor({ timeout: 60_000 });
    await bench.page.keyboard.press('Escape');
    await checked(s);
  });

  it('checks a configuration: the button opens the Flink version setting with what each version changes', async () => {
    const s = await select('Check a Flink configuration');
    await button(s, 'Choose the Flink Version').click();
    const setting = bench.page
      .locator('.settings-editor .setting-item-contents')
      .filter({ hasText: 'Flink Version' })
      .first();
    await setting.waitFor({ timeout: 30_000 });
    await bench.screenshot('walkthrough-settings');
  });
});
