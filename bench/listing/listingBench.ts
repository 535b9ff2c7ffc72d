/**
 * Listing benchmark: 10,000 and 100,000 entries through each store transport against the bare protocol on the same
 * server in the same run (local: readdir + stat; FTP: a raw basic-ftp `list`; HDFS: one WebHDFS LISTSTATUS with
 * fetch). Each figure is the median of several alternating runs, connection setup included on both sides.
 * Run: npm run bench:listing [-- --runs 5 --sizes 10000,100000 --skip-hdfs]
 * Writes bench/results/listing.json and prints a Markdown table.
 */
import { Client } from 'basic-ftp';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { inspectSnapshots, scanDirectory } from '../../src/core/layout';
import { CheckpointStore, openStore } from '../../src/core/stores';
import { measureListing } from '../../test/servers/measure';
import { serverPrerequisites, startMiniHdfs, startPyFtpd } from '../../test/servers/servers';

interface Row {
  transport: string;
  entries: number;
  bareMs: number;
  storeMs: number;
  overheadPct: number;
  storeFirstPageMs: number;
  storeMaxStallMs: number;
  /** CPU time of this process (user + system), which scheduling noise on a busy machine does not inflate. */
  bareCpuMs: number;
  storeCpuMs: number;
  bareMaxStallMs: number;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const RUNS = Number(arg('runs') ?? 5);
const SIZES = (arg('sizes') ?? '10000,100000').split(',').map(Number);
const SKIP_HDFS = process.argv.includes('--skip-hdfs');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(fn: () => Promise<number>, expected: number): Promise<number> {
  const start = performance.now();
  const n = await fn();
  const ms = performance.now() - start;
  if (n !== expected) throw new Error(`listed ${n} entries, expected ${expected}`);
  return ms;
}

/** Alternates bare and store runs (after one warm-up each) so drift on a shared machine hits both alike. */
async function compare(
  transport: string,
  entries: number,
  bare: () => Promise<number>,
  store: () => ReturnType<typeof measureListing>,
): Promise<Row> {
  await bare();
  await store();
  const bareMs: number[] = [];
  const bareCpu: number[] = [];
  const bareStall: number[] = [];
  const storeCpu: number[] = [];
  const storeRuns: Awaited<ReturnType<typeof measureListing>>[] = [];
  for (let i = 0; i < RUNS; i++) {
    let cpu = process.cpuUsage();
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    bareMs.push(await timed(bare, entries));
    histogram.disable();
    bareStall.push(histogram.max / 1e6);
    bareCpu.push(cpuMs(cpu));
    cpu = process.cpuUsage();
    const m = await store();
    storeCpu.push(cpuMs(cpu));
    if (m.entries !== entries) throw new Error(`${transport}: store listed ${m.entries}, expected ${entries}`);
    storeRuns.push(m);
  }
  const b = median(bareMs);
  const s = median(storeRuns.map((m) => m.totalMs));
  const row: Row = {
    transport,
    entries,
    bareMs: b,
    storeMs: s,
    overheadPct: ((s - b) / b) * 100,
    storeFirstPageMs: median(storeRuns.map((m) => m.firstPageMs)),
    storeMaxStallMs: median(storeRuns.map((m) => m.maxStallMs)),
    bareCpuMs: median(bareCpu),
    storeCpuMs: median(storeCpu),
    bareMaxStallMs: median(bareStall),
  };
  console.error(JSON.stringify(row));
  return row;
}

interface ExpandRow {
  transport: string;
  scanMs: number;
  inspectFirst100Ms: number;
}

/** Expanding a job with 1,000 checkpoints as the tree does: list and sort the job, then classify the first page. */
async function expandJob(transport: string, open: () => CheckpointStore): Promise<ExpandRow> {
  const scans: number[] = [];
  const inspections: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const store = open();
    try {
      const start = performance.now();
      const layout = await scanDirectory(store, '/job');
      const scanned = performance.now();
      const infos = await inspectSnapshots(store, layout.checkpoints.slice(0, 100));
      if (layout.checkpoints.length !== 1000 || infos.some((info) => info.status !== 'complete')) {
        throw new Error(`${transport}: expected 1000 complete checkpoints`);
      }
      if (i > 0) {
        scans.push(scanned - start);
        inspections.push(performance.now() - scanned);
      }
    } finally {
      await store.close();
    }
  }
  const row = { transport, scanMs: median(scans), inspectFirst100Ms: median(inspections) };
  console.error(JSON.stringify(row));
  return row;
}

/** A job directory with 1,000 chk-N holding a real `_metadata` (from test/fixtures/flink), or undefined without one. */
function makeJob(root: string): boolean {
  const fixtures = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'flink');
  const version = fs.existsSync(fixtures)
    ? fs
        .readdirSync(fixtures)
        .filter((v) => /^\d/.test(v))
        .sort()
        .pop()
    : undefined;
  if (!version) return false;
  const scenario = path.join(fixtures, version, 'hashmap');
  const job = fs.readdirSync(scenario).find((name) => /^[0-9a-f]{32}$/.test(name));
  const chk = job && fs.readdirSync(path.join(scenario, job)).find((name) => name.startsWith('chk-'));
  if (!chk) return false;
  const metadata = fs.readFileSync(path.join(scenario, job, chk, '_metadata'));
  for (let i = 1; i <= 1000; i++) {
    fs.mkdirSync(path.join(root, 'job', `chk-${i}`), { recursive: true });
    fs.writeFileSync(path.join(root, 'job', `chk-${i}`, '_metadata'), metadata);
  }
  return true;
}

function makeDir(root: string, name: string, entries: number): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  for (let i = 0; i < entries; i++) {
    fs.closeSync(fs.openSync(path.join(dir, `entry-${String(i).padStart(6, '0')}`), 'w'));
  }
  return dir;
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-bench-listing-'));
  const rows: Row[] = [];
  const expandRows: ExpandRow[] = [];
  try {
    for (const n of SIZES) makeDir(root, `d${n}`, n);
    const haveJob = makeJob(root);
    if (haveJob) expandRows.push(await expandJob('local', () => openStore(root)));

    for (const n of SIZES) {
      const dir = path.join(root, `d${n}`);
      const store = openStore(root);
      rows.push(
        await compare(
          'local',
          n,
          async () => {
            const names = await fs.promises.readdir(dir);
            await Promise.all(names.map((name) => fs.promises.stat(path.join(dir, name))));
            return names.length;
          },
          () => measureListing(store, `/d${n}`),
        ),
      );
    }

    if (!serverPrerequisites('pyftpdlib')) {
      const server = await startPyFtpd(root, [{ name: 'flink', password: 'secret' }]);
      try {
        if (haveJob) {
          expandRows.push(
            await expandJob('ftp (pyftpdlib)', () => openStore(`ftp://flink:secret@127.0.0.1:${server.port}/`)),
          );
        }
        for (const n of SIZES) {
          rows.push(
            await compare(
              'ftp (pyftpdlib)',
              n,
              async () => {
                const client = new Client(60_000);
                try {
                  await client.access({ host: '127.0.0.1', port: server.port, user: 'flink', password: 'secret' });
                  return (await client.list(`/d${n}`)).length;
                } finally {
                  client.close();
                }
              },
              async () => {
                const store = openStore(`ftp://flink:secret@127.0.0.1:${server.port}/`, { timeoutMs: 60_000 });
                try {
                  return await measureListing(store, `/d${n}`);
                } finally {
                  await store.close();
                }
              },
            ),
          );
        }
      } finally {
        await server.stop();
      }
    } else {
      console.error(`skipping FTP: ${serverPrerequisites('pyftpdlib')}`);
    }

    if (!SKIP_HDFS && !serverPrerequisites('hdfs')) {
      console.error('starting MiniDFSCluster and creating the directories (a minute or two)...');
      const server = await startMiniHdfs({ populate: Object.fromEntries(SIZES.map((n) => [`/bench/d${n}`, n])) });
      try {
        const base = `http://127.0.0.1:${server.httpPort}/webhdfs/v1`;
        for (const n of SIZES) {
          const store = openStore(`webhdfs://${server.superUser}@127.0.0.1:${server.httpPort}/bench`, {
            timeoutMs: 120_000,
          });
          rows.push(
            await compare(
              'hdfs (WebHDFS)',
              n,
              async () => {
                const response = await fetch(`${base}/bench/d${n}?op=LISTSTATUS&user.name=${server.superUser}`);
                const body = (await response.json()) as { FileStatuses: { FileStatus: unknown[] } };
                return body.FileStatuses.FileStatus.length;
              },
              () => measureListing(store, `/d${n}`),
            ),
          );
        }
      } finally {
        await server.stop();
      }
    } else if (!SKIP_HDFS) {
      console.error(`skipping HDFS: ${serverPrerequisites('hdfs')}`);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }

  const table = [
    '| transport | entries | bare protocol (ms) | store (ms) | overhead | bare CPU (ms) | store CPU (ms) | store first page (ms) | max event-loop stall, bare / store (ms) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.transport} | ${r.entries.toLocaleString('en')} | ${r.bareMs.toFixed(0)} | ${r.storeMs.toFixed(0)} | ${r.overheadPct >= 0 ? '+' : ''}${r.overheadPct.toFixed(0)}% | ${r.bareCpuMs.toFixed(0)} | ${r.storeCpuMs.toFixed(0)} | ${r.storeFirstPageMs.toFixed(0)} | ${r.bareMaxStallMs.toFixed(0)} / ${r.storeMaxStallMs.toFixed(0)} |`,
    ),
  ].join('\n');
  const results = path.resolve(__dirname, '..', '..', '..', 'bench', 'results');
  fs.mkdirSync(results, { recursive: true });
  fs.writeFileSync(
    path.join(results, 'listing.json'),
    `${JSON.stringify({ runs: RUNS, cpus: os.cpus().length, loadavg: os.loadavg(), rows, expandRows }, null, 2)}\n`,
  );
  console.log(table);
  if (expandRows.length > 0) {
    console.log(
      [
        '',
        '| expanding a job with 1,000 checkpoints | list + sort (ms) | classify first 100 (ms) |',
        '|---|---:|---:|',
        ...expandRows.map((r) => `| ${r.transport} | ${r.scanMs.toFixed(0)} | ${r.inspectFirst100Ms.toFixed(0)} |`),
      ].join('\n'),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
