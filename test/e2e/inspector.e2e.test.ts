import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import { fixtureJob } from './support/fixtureJobs';
import { Workbench, resultsDir } from './support/workbench';
import { parseMetadata, snapshotDetails, summarize } from '../../src/core/metadata';
import { formatBytes } from '../../src/viewModel/format';

const VERSION = '2.2.1';
const SCENARIO = 'file-merging';
/** Where Flink wrote the scenario (the fixtures record it); the copy here stands for it. */
const WRITTEN = `file:/tmp/flink-fixtures/${VERSION}/${SCENARIO}`;
/** The completion time the flow gives the newest `_metadata`; its directory gets a later one. */
const COMPLETED = Date.UTC(2026, 0, 2, 3, 4, 5);

describe('UI: the snapshot inspector on a Flink 2.2 checkpoint with file merging', function () {
  this.timeout(300_000);
  let bench: Workbench;
  let root: string;
  let jobId: string;
  let newest: string;

  const quickInput = (): Locator => bench.quickInput();
  const webview = (): FrameLocator => bench.activeWebview();
  const tab = (title: string | RegExp): Locator =>
    bench.page.locator('.part.editor .tabs-container .tab').filter({ hasText: title });

  const expand = (text: string | RegExp): Promise<void> => bench.expand(text);

  /** What the page must show, computed here from the same bytes with the core and from the files on disk. */
  function expected() {
    const dir = path.join(root, jobId, newest);
    const bytes = new Uint8Array(fs.readFileSync(path.join(dir, '_metadata')));
    const metadata = parseMetadata(bytes, { pointer: `${WRITTEN}/${jobId}/${newest}` });
    const summary = summarize(metadata);
    const details = snapshotDetails(metadata);
    const onDisk = (uri: string) => path.join(root, uri.slice(WRITTEN.length));
    const footprint = summary.referencedFiles.reduce((sum, uri) => sum + fs.statSync(onDisk(uri)).size, bytes.length);
    return { summary, details, footprint };
  }

  before(async () => {
    ({ root, jobId, newest } = fixtureJob(VERSION, SCENARIO, 'inspector'));
    const metadata = path.join(root, jobId, newest, '_metadata');
    fs.utimesSync(metadata, new Date(COMPLETED), new Date(COMPLETED));
    // A file removed from the checkpoint directory later moves the directory's time, never the completion time.
    fs.writeFileSync(path.join(root, jobId, newest, 'removed'), 'x');
    fs.rmSync(path.join(root, jobId, newest, 'removed'));
    bench = await Workbench.open({
      // The editor at its usual width: VS Code 1.13x opens its chat bar beside it (the demo hides it the same way).
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
      workspaceSettings: {
        'flinkCheckpoints.stores': [{ id: 'merging', name: 'File merging', uri: root }],
      },
    });
    await bench.showStores();
    await expand('File merging');
    await expand(jobId);
    await expand(newest);
    await bench.openInspector();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && bench) {
      await bench.screenshot(
        `failed-inspector-${this.currentTest.title.toLowerCase().replace(/\W+/g, '-').slice(0, 50)}`,
      );
    }
  });

  after(async () => {
    await bench?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('shows the checkpoint id, its type, when _metadata was written, the full size, the delta and the footprint', async () => {
    const frame = webview();
    const { summary, details, footprint } = expected();
    const card = (name: string) => frame.locator(`.card[data-card="${name}"] .card-value`);
    const value = async (label: string) =>
      (await frame.locator('.card').filter({ hasText: label }).first().locator('.card-value').innerText()).trim();
    assert.equal(await value('Checkpoint ID'), String(summary.checkpointId));
    assert.equal(await value('Type'), 'incremental checkpoint');
    // The page formats in its own locale: ask it for the same instant.
    const shown = await frame.locator('body').evaluate((_, t) => new Date(t).toLocaleString(), COMPLETED);
    assert.equal((await card('completed').innerText()).trim(), shown);
    assert.equal((await card('full-size').innerText()).trim(), formatBytes(summary.stateSize));
    assert.equal((await card('checkpointed-size').innerText()).trim(), formatBytes(details.checkpointedSize));
    assert.ok(details.checkpointedSize < summary.stateSize, 'the delta is smaller than the whole');
    assert.equal((await card('footprint').innerText()).trim(), formatBytes(footprint));
    await bench.screenshot('inspector-times-type-footprint');
  });

  it('groups the file-merging segments under their physical file, present in the store, with offsets and lengths', async () => {
    const frame = webview();
    const { details } = expected();
    const list = frame.locator('.files-table .vlist');
    await list.scrollIntoViewIfNeeded();
    const rows = await list.locator('.row').evaluateAll((elements) =>
      elements.map((e) => ({
        segment: e.classList.contains('segment'),
        text: (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim(),
        status: e.getAttribute('data-status'),
        path: e.querySelector('.path')?.textContent ?? null,
      })),
    );
    // The first physical file, then its segments in offset order, then the next file.
    assert.equal(rows[0].segment, false);
    const first = details.mergedFiles.find((f) => f.path === `${WRITTEN}/${jobId}/${rows[0].path}`);
    assert.ok(first, `${rows[0].path} is a merged file of the snapshot, shown relative to the job directory`);
    assert.equal(rows[0].status, 'present');
    assert.match(rows[0].text, new RegExp(`${first.segments.length} segments? present`));
    const segments = rows.slice(1, 1 + first.segments.length);
    assert.deepEqual(
      segments.map((r) =>
        /segment at offset ([\d,]+), ([\d,]+) bytes/
          .exec(r.text)
          ?.slice(1)
          .map((n) => n.replace(/,/g, '')),
      ),
      first.segments.map((s) => [String(s.startPos), String(s.size)]),
    );
    assert.ok(segments.every((r) => r.segment));
    assert.equal(rows[1 + first.segments.length].segment, false, 'the next physical file follows its segments');
    // Long paths give way in their folder part: every file name shows whole, the tooltip has the whole path.
    const names = await list.locator('.row.file:not(.segment) .path').evaluateAll((links) =>
      links.map((a) => ({
        title: a.getAttribute('title') ?? '',
        name: a.querySelector('.path-name')!.getBoundingClientRect(),
        cell: a.getBoundingClientRect(),
        full: a.textContent ?? '',
      })),
    );
    assert.ok(names.length > 5);
    for (const { title, name, cell, full } of names) {
      assert.ok(name.right <= cell.right + 0.5, `the file name of ${full} is not cut`);
      assert.ok(title.includes(`In the store: ${full}`), title);
    }
    await list.screenshot({ path: path.join(resultsDir, 'inspector-segments.png') });
  });

  it('draws the operator table without cut header labels or empty space below its rows', async () => {
    const frame = webview();
    const table = frame.locator('.table.operators');
    const headers = await table
      .locator('.row.head .cell')
      .evaluateAll((cells) =>
        cells.map((c) => ({ text: (c as HTMLElement).innerText, scroll: c.scrollWidth, client: c.clientWidth })),
      );
    assert.ok(headers.some((h) => /Max parallelism/.test(h.text)));
    for (const h of headers) assert.ok(h.scroll <= h.client, `"${h.text}" fits: ${h.scroll} <= ${h.client}`);
    // The table is not wider than the editor at this width either.
    const [tableScroll, tableClient] = await table.evaluate((t) => [t.scrollWidth, t.clientWidth]);
    assert.ok(tableScroll <= tableClient, `no sideways scrolling: ${tableScroll} <= ${tableClient}`);
    const { summary } = expected();
    const [listHeight, rowsHeight] = await table
      .locator('.vlist')
      .evaluate((list) => [list.clientHeight, list.querySelectorAll('.row').length * 26]);
    assert.equal(rowsHeight, summary.operators.length * 26);
    assert.ok(listHeight <= rowsHeight, `the list is as tall as its ${summary.operators.length} rows: ${listHeight}`);
    await table.screenshot({ path: path.join(resultsDir, 'inspector-operators.png') });
  });

  it('opens a referenced file beside the inspector, which stays open', async () => {
    const frame = webview();
    const file = frame.locator('.files-table .row.file:not(.segment) .path').first();
    const name = (await file.locator('.path-name').innerText()).trim();
    await file.click();
    await tab(name).first().waitFor({ timeout: 30_000 });
    assert.equal(await tab('_metadata').count(), 1, 'the inspector tab is still open');
    assert.equal(await bench.page.locator('.part.editor .editor-group-container').count(), 2, 'in a group beside it');
    await bench.screenshot('inspector-file-beside');
    await tab('_metadata').first().click();
  });

  it('compares this snapshot with another from its Compare With… action, with paths shown one way', async () => {
    await tab('_metadata').first().click();
    await webview().getByRole('button', { name: 'Compare With…' }).click();
    await quickInput()
      .locator('.quick-input-title, .quick-input-header')
      .filter({ hasText: /Compare/ })
      .first()
      .waitFor();
    await quickInput().locator('.quick-input-box input').press('Enter');
    const frame = webview();
    await frame.locator('h1').filter({ hasText: 'Snapshot comparison' }).waitFor({ timeout: 30_000 });
    const only = await frame.locator('ul.files li').allInnerTexts();
    assert.ok(only.length > 0, 'each checkpoint has files of its own');
    for (const file of only) assert.match(file, /^(chk-\d+|shared|taskowned)\/\S+$/, file);
    await bench.screenshot('compare-paths');
  });

  it('starts Restore… for this snapshot from the inspector', async () => {
    await tab('_metadata').first().click();
    await webview().getByRole('button', { name: 'Restore…' }).click();
    await quickInput()
      .locator('.quick-input-title, .quick-input-header')
      .filter({ hasText: /Restore/ })
      .first()
      .waitFor({ timeout: 30_000 });
    await bench.page.keyboard.press('Escape');
  });
});
