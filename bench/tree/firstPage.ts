/*
 * How long expanding a job with 1,000 retained checkpoints takes before the tree can show its first page: the same
 * core calls the tree makes (one listing of the job directory, then the newest page of snapshots inspected, each
 * `_metadata` read and parsed to the end), on a local store built from a real Flink checkpoint.
 *
 *   node out/bench/tree/firstPage.js [--checkpoints 1000] [--runs 7]
 *
 * Target (issue "Sidebar browsing"): the first page in under 300 ms locally.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../../src/core/stores';
import { SNAPSHOT_PAGE_SIZE, inspectSnapshots, scanDirectory } from '../../src/core/layout';

function realMetadata(): string {
  const root = path.resolve(__dirname, '../../../test/fixtures/flink');
  const versions = fs
    .readdirSync(root)
    .filter((v) => /^\d/.test(v))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const scenario = path.join(root, versions[versions.length - 1], 'hashmap');
  const job = fs.readdirSync(scenario).find((n) => /^[0-9a-f]{32}$/.test(n))!;
  const chk = fs.readdirSync(path.join(scenario, job)).find((n) => n.startsWith('chk-'))!;
  return path.join(scenario, job, chk, '_metadata');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { checkpoints: { type: 'string', default: '1000' }, runs: { type: 'string', default: '7' } },
  });
  const count = Number(values.checkpoints);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-tree-'));
  const jobId = '0123456789abcdef0123456789abcdef';
  const metadata = realMetadata();
  for (let i = 1; i <= count; i++) {
    fs.mkdirSync(path.join(dir, jobId, `chk-${i}`), { recursive: true });
    fs.copyFileSync(metadata, path.join(dir, jobId, `chk-${i}`, '_metadata'));
  }
  fs.mkdirSync(path.join(dir, jobId, 'shared'));
  const store = openStore(dir);
  const times: number[] = [];
  for (let run = 0; run < Number(values.runs); run++) {
    const started = performance.now();
    const layout = await scanDirectory(store, `/${jobId}`);
    const page = await inspectSnapshots(
      store,
      [...layout.checkpoints, ...layout.savepoints].slice(0, SNAPSHOT_PAGE_SIZE),
    );
    times.push(performance.now() - started);
    if (page.length !== Math.min(count, SNAPSHOT_PAGE_SIZE) || page[0].status !== 'complete') {
      throw new Error('unexpected first page');
    }
  }
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    JSON.stringify({
      checkpoints: count,
      pageSize: SNAPSHOT_PAGE_SIZE,
      runs: times.length,
      medianMs: Math.round(median),
      maxMs: Math.round(times[times.length - 1]),
      targetMs: 300,
      ratioToTarget: +(median / 300).toFixed(2),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
