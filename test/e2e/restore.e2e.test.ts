import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator } from 'playwright-core';
import { fixtureJob, newestLine } from './support/fixtureJobs';
import { Workbench } from './support/workbench';

/** The newest Flink line's incremental RocksDB job (its `_metadata` only Flink 2.1 and newer read), copied. */
function copyJob(): { root: string; jobId: string; latest: string } {
  const { root, jobId, newest } = fixtureJob(newestLine(), 'rocksdb-incremental', 'restore');
  return { root, jobId, latest: newest };
}

describe('UI: the restore flow asks step by step, safe answers first, and writes files that work as they say', function () {
  this.timeout(300_000);
  let bench: Workbench;
  let job: ReturnType<typeof copyJob>;

  const quickInput = (): Locator => bench.quickInput();
  const title = (): Locator => quickInput().locator('.quick-input-title');
  const input = (): Locator => quickInput().locator('.quick-input-box input');
  const focusedRow = (): Locator => quickInput().locator('.monaco-list-row.focused');
  /** The text of the active editor's visible lines (Monaco renders spaces as no-break spaces). */
  const editorText = async (): Promise<string> =>
    (
      await bench.page.locator('.part.editor .editor-group-container.active .monaco-editor .view-lines').innerText()
    ).replace(/\u00a0/g, ' ');
  const editorTab = (name: string): Locator =>
    bench.page.locator('.part.editor .tabs-container .tab').filter({ hasText: name });

  /** Waits for the question whose title matches, and returns its title text. */
  async function question(pattern: RegExp): Promise<string> {
    const current = title().filter({ hasText: pattern });
    await current.first().waitFor({ timeout: 30_000 });
    return current.first().innerText();
  }

  async function startRestore(): Promise<void> {
    await bench.page.keyboard.press('Escape');
    for (let attempt = 1; ; attempt++) {
      await bench.page.locator('.part.sidebar .composite.title').click();
      await bench.page.keyboard.press('Control+Shift+P');
      try {
        await input().waitFor({ state: 'visible', timeout: 5_000 });
        break;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
    await input().fill('>Flink Checkpoints: Restore Job from Snapshot…');
    await quickInput().locator('.monaco-list-row').filter({ hasText: 'Restore Job from Snapshot' }).first().waitFor();
    await bench.page.keyboard.press('Enter');
  }

  /** Answers the question whose title matches: types `text` when given, or picks the row with `pick`, else Enter. */
  async function answer(pattern: RegExp, how: { text?: string; pick?: string } = {}): Promise<string> {
    const shown = await question(pattern);
    if (how.pick !== undefined) {
      await input().fill(how.pick);
      await focusedRow().filter({ hasText: how.pick }).waitFor();
    }
    if (how.text !== undefined) await input().fill(how.text);
    await input().press('Enter');
    // The next question replaces this one; wait until the title changed so answers do not land on the old one.
    await bench.page.waitForFunction(
      (old) =>
        document.querySelector('.quick-input-widget .quick-input-title')?.textContent !== old ||
        getComputedStyle(document.querySelector('.quick-input-widget')!).display === 'none',
      shown,
      { timeout: 30_000 },
    );
    return shown;
  }

  before(async () => {
    job = copyJob();
    bench = await Workbench.open({
      workspaceFiles: {
        'pom.xml': '<project>\n  <properties>\n    <flink.version>2.2.0</flink.version>\n  </properties>\n</project>\n',
      },
      workspaceSettings: {
        'flinkCheckpoints.stores': [{ id: 'demo', name: 'Demo checkpoints', uri: job.root }],
        'flinkCheckpoints.flinkVersion': '1.20',
      },
    });
    await bench.openContainer('Flink Checkpoints');
    await bench.page
      .locator('.part.sidebar .monaco-list-row[role="treeitem"]')
      .filter({ hasText: 'Demo checkpoints' })
      .first()
      .waitFor({ timeout: 60_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && bench) {
      await bench.screenshot(`failed-${this.currentTest.title.toLowerCase().replace(/\W+/g, '-').slice(0, 60)}`);
    }
  });

  after(async () => {
    await bench?.close();
  });

  it('a checkpoint missing a referenced file is not latest: the tree names the file, the restore picks the one before', async () => {
    const jobDir = path.join(job.root, job.jobId);
    const gone = fs.readdirSync(path.join(jobDir, job.latest)).find((n) => n !== '_metadata' && !n.endsWith('.json'))!;
    const previous = fs
      .readdirSync(jobDir)
      .filter((n) => n.startsWith('chk-') && n !== job.latest)
      .sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)))[0];
    fs.renameSync(path.join(jobDir, job.latest, gone), path.join(job.root, gone));
    try {
      const row = (text: string | RegExp): Locator => bench.treeRow(text);
      for (const name of ['Demo checkpoints', job.jobId]) {
        await row(name).waitFor({ timeout: 30_000 });
        if ((await row(name).getAttribute('aria-expanded')) !== 'true') await row(name).click();
      }
      const broken = row(new RegExp(`${job.latest}.*1 referenced files missing`));
      await broken.waitFor({ timeout: 30_000 });
      assert.match(await row(new RegExp(`${previous}(?!\\d)`)).innerText(), /latest/);
      await broken.hover();
      const tooltip = bench.page.locator('.monaco-hover').filter({ hasText: gone });
      await tooltip.waitFor({ timeout: 15_000 });
      await bench.screenshot('restore-tree-missing-file');
      await bench.page.mouse.move(0, 0);

      await startRestore();
      await question(/Restore: snapshot/);
      assert.match(
        await focusedRow().innerText(),
        new RegExp(`${previous}[\\s\\S]*latest`),
        'the latest restorable checkpoint is preselected',
      );
      assert.match(
        await quickInput().locator('.monaco-list-row').filter({ hasText: job.latest }).innerText(),
        /1 referenced files missing[\s\S]*cannot be restored/,
      );
      await bench.screenshot('restore-picker-missing-file');
      await bench.page.keyboard.press('Escape');
    } finally {
      fs.renameSync(path.join(job.root, gone), path.join(jobDir, job.latest, gone));
    }
  });

  it('Enter through every question of the CLI flow gives no_claim, with "Step k of n" in each title, and a continued command', async () => {
    await startRestore();
    const titles: string[] = [];
    titles.push(await answer(/Restore: snapshot/));
    titles.push(await answer(/Restore: target/, { pick: 'Flink CLI' }));
    const versionTitle = await question(/Flink version/);
    // The snapshot's _metadata is read from Flink 2.1 on; the workspace's pom.xml names 2.2, the setting says 1.20.
    assert.match(await focusedRow().innerText(), /^2\.2(?!\d)/);
    assert.match(await focusedRow().innerText(), /named in pom\.xml/);
    const old = quickInput()
      .locator('.monaco-list-row')
      .filter({ hasText: /^1\.20/ });
    assert.match(await old.innerText(), /cannot read this snapshot/);
    await bench.screenshot('restore-version-step');
    titles.push(await answer(/Flink version/));
    assert.ok(versionTitle);
    const claimTitle = await question(/claim mode/);
    assert.match(await focusedRow().innerText(), /^no_claim/, 'the safe default is preselected');
    await bench.screenshot('restore-claim-mode-step');
    titles.push(await answer(/claim mode/));
    titles.push(await answer(/non-restored/));
    titles.push(await answer(/job jar/));
    titles.push(await answer(/entry class/));
    titles.push(await answer(/parallelism/));
    titles.push(await answer(/where should/));
    const steps = titles.map((t) => /Step (\d+) of (\d+)/.exec(t));
    assert.ok(
      steps.every((m) => m !== null),
      `every title has a step counter: ${titles.join(' | ')}`,
    );
    assert.deepEqual(
      steps.map((m) => Number(m![1])),
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.ok(
      steps.every((m) => m![2] === '9'),
      titles.join(' | '),
    );
    assert.match(claimTitle, /Step 4 of 9/);

    const tab = editorTab(`restore-${job.latest}-cli.sh`);
    await tab.waitFor({ timeout: 30_000 });
    const editor = bench.page.locator('.part.editor .editor-group-container.active .monaco-editor .view-lines');
    await editor.filter({ hasText: '--claimMode no_claim' }).waitFor({ timeout: 30_000 });
    const text = await editorText();
    assert.doesNotMatch(text, /--claimMode claim\b/);
    assert.match(text, /\.\/bin\/flink run \\/, 'the long command is continued over several lines');
    assert.match(text, new RegExp(`--fromSavepoint \\S*${job.jobId}/${job.latest} \\\\`));
    await bench.screenshot('restore-cli-output');
  });

  it('CLAIM asks first and names what it hands over; Enter keeps the snapshot, Back returns to the previous question', async () => {
    await startRestore();
    await answer(/Restore: snapshot/);
    await answer(/Restore: target/, { pick: 'SQL client' });
    await answer(/Flink version/);
    await question(/claim mode/);
    // Back from the claim mode returns to the version question, with the answer given kept.
    await quickInput().locator('.quick-input-left-action-bar .action-label').first().click();
    await question(/Flink version/);
    assert.match(await focusedRow().innerText(), /^2\.2(?!\d)/);
    await answer(/Flink version/);
    await answer(/claim mode/, { pick: 'claim' });
    // The confirmation names the snapshot and what happens to its files; Enter keeps it.
    const asked = await question(/CLAIM hands/);
    assert.match(asked, new RegExp(`CLAIM hands ${job.latest} \\(/${job.jobId}/${job.latest}\\)`));
    assert.match(await focusedRow().innerText(), /keep .* mine: restore with no_claim/);
    assert.match(
      await quickInput()
        .locator('.monaco-list-row')
        .filter({ hasText: /Hand .* over/ })
        .innerText(),
      /Flink deletes them/,
    );
    await bench.screenshot('restore-claim-confirmation');
    await answer(/CLAIM hands/);
    await answer(/non-restored/);
    await answer(/where should/);
    const editor = bench.page.locator('.part.editor .editor-group-container.active .monaco-editor .view-lines');
    await editor.filter({ hasText: 'claim-mode' }).waitFor({ timeout: 30_000 });
    assert.match(await editorText(), /SET 'execution\.state-recovery\.claim-mode' = 'NO_CLAIM';/);
  });

  it('confirming the hand-over restores with CLAIM', async () => {
    await startRestore();
    await answer(/Restore: snapshot/);
    await answer(/Restore: target/, { pick: 'SQL client' });
    await answer(/Flink version/);
    await answer(/claim mode/, { pick: 'claim' });
    await answer(/CLAIM hands/, { pick: 'Hand' });
    await answer(/non-restored/);
    await answer(/where should/);
    const editor = bench.page.locator('.part.editor .editor-group-container.active .monaco-editor .view-lines');
    await editor.filter({ hasText: 'CLAIM' }).waitFor({ timeout: 30_000 });
    assert.match(await editorText(), /SET 'execution\.state-recovery\.claim-mode' = 'CLAIM';/);
  });

  it('the Kubernetes operator output is a named YAML patch, a named FlinkStateSnapshot and the kubectl lines that read those files', async () => {
    await startRestore();
    await answer(/Restore: snapshot/);
    await answer(/Restore: target/, { pick: 'Kubernetes operator' });
    await answer(/Flink version/);
    await answer(/claim mode/);
    await answer(/non-restored/);
    await answer(/FlinkDeployment name/, { text: 'word-count' });
    await answer(/where should/);
    const patchName = 'word-count-restore-patch.yaml';
    const snapshotName = `word-count-${job.latest}.yaml`;
    for (const name of [patchName, snapshotName, `restore-${job.latest}-k8s.sh`]) {
      await editorTab(name).waitFor({ timeout: 30_000 });
    }
    const editor = bench.page.locator('.part.editor .editor-group-container.active .monaco-editor .view-lines');
    await editor.filter({ hasText: 'initialSavepointPath' }).waitFor({ timeout: 30_000 });
    const patch = await editorText();
    assert.match(patch, /^# A merge patch of FlinkDeployment word-count/m);
    assert.doesNotMatch(patch, /kind: FlinkStateSnapshot|kubectl patch/, 'one document per purpose');
    assert.match(await bench.page.locator('.statusbar-item[id="status.editor.mode"]').innerText(), /YAML/);
    await bench.screenshot('restore-k8s-patch');
    await editorTab(`restore-${job.latest}-k8s.sh`).click();
    await editor.filter({ hasText: 'kubectl patch' }).waitFor();
    const commands = await editorText();
    assert.match(
      commands,
      new RegExp(
        `kubectl patch flinkdeployment word-count --type merge --patch-file ${patchName.replace(/\./g, '\\.')}`,
      ),
    );
    assert.match(commands, new RegExp(`kubectl apply --filename ${snapshotName.replace(/\./g, '\\.')}`));
    assert.match(commands, /Path as the cluster sees it/, 'the local-path warning says where to map the path');
    await bench.screenshot('restore-k8s-commands');
  });
});
