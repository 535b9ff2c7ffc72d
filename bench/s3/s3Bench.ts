/**
 * S3 benchmark against versitygw, direct and through toxiproxy at 50 ms round trips, all in one run:
 *  - listing a prefix of 10,000 and 100,000 objects: the S3 store's `list` vs a bare ListObjectsV2 loop with the same
 *    SDK (delimiter, continuation tokens, nothing else) vs s5cmd `ls` (a separate process: its start is included);
 *  - the first page of a job with 1,000 checkpoints (the tree's calls: one listing, the newest page of `_metadata`
 *    read and parsed) and the requests it sends; the requests of `latest` on the same job.
 * Each figure is the median of alternating runs. Needs test/servers/install-s3-tools.sh.
 *
 *   npm run bench:s3 [-- --runs 3 --sizes 10000,100000 --rtt 0,50]
 *
 * Writes bench/results/s3.json and prints Markdown tables.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import {
  SNAPSHOT_PAGE_SIZE,
  findLatestCompleteCheckpoint,
  inspectSnapshots,
  scanDirectory,
} from '../../src/core/layout';
import { S3Store, openStore } from '../../src/core/stores';
import { GO_BIN, S3Server, s3Prerequisites, startToxiproxy, startVersityGw } from '../../test/servers/s3Servers';
import { repoRoot } from '../../test/support/repo';

const BUCKET = 'bench';
const JOB = '0123456789abcdef0123456789abcdef';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function realMetadata(): string {
  const root = path.join(repoRoot(), 'test', 'fixtures', 'flink');
  const versions = fs
    .readdirSync(root)
    .filter((v) => /^\d/.test(v))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const scenario = path.join(root, versions[versions.length - 1], 'hashmap');
  const job = fs.readdirSync(scenario).find((n) => /^[0-9a-f]{32}$/.test(n))!;
  const chk = fs.readdirSync(path.join(scenario, job)).find((n) => n.startsWith('chk-'))!;
  return path.join(scenario, job, chk, '_metadata');
}

/** Lays out the bucket on versitygw's directory: list-<n>/ with n empty objects, and a job with 1,000 checkpoints. */
function layOut(server: S3Server, sizes: number[], checkpoints: number): void {
  const bucket = path.join(server.dataDir, BUCKET);
  for (const size of sizes) {
    const dir = path.join(bucket, `list-${size}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let i = 0; i < size; i++) fs.writeFileSync(path.join(dir, `sst-${String(i).padStart(7, '0')}`), '');
  }
  const metadata = fs.readFileSync(realMetadata());
  for (let i = 1; i <= checkpoints; i++) {
    fs.mkdirSync(path.join(bucket, 'jobs', JOB, `chk-${i}`), { recursive: true });
    fs.writeFileSync(path.join(bucket, 'jobs', JOB, `chk-${i}`, '_metadata'), metadata);
  }
  // `latest` means restorable: the newest checkpoint holds the state files its `_metadata` references.
  const source = path.dirname(realMetadata());
  for (const name of fs.readdirSync(source)) {
    fs.copyFileSync(path.join(source, name), path.join(bucket, 'jobs', JOB, `chk-${checkpoints}`, name));
  }
  fs.mkdirSync(path.join(bucket, 'jobs', JOB, 'shared'), { recursive: true });
  fs.writeFileSync(path.join(bucket, 'jobs', JOB, 'shared', 'sst-0'), 'x');
}

async function storeList(store: S3Store, prefix: string): Promise<number> {
  let n = 0;
  for await (const page of store.list(prefix)) n += page.length;
  return n;
}

async function bareList(endpoint: string, server: S3Server, prefix: string): Promise<number> {
  const { S3Client, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKey, secretAccessKey: server.secretKey },
  });
  let n = 0;
  let token: string | undefined;
  try {
    do {
      const page: ListObjectsV2CommandOutput = await client.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/`, Delimiter: '/', ContinuationToken: token }),
      );
      n += (page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } finally {
    client.destroy();
  }
  return n;
}

function s5cmdList(endpoint: string, server: S3Server, prefix: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(GO_BIN, 's5cmd'), ['--endpoint-url', endpoint, 'ls', `s3://${BUCKET}/${prefix}/`], {
      env: {
        PATH: process.env.PATH,
        HOME: os.tmpdir(),
        AWS_ACCESS_KEY_ID: server.accessKey,
        AWS_SECRET_ACCESS_KEY: server.secretKey,
        AWS_REGION: 'us-east-1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lines = 0;
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 10) lines++;
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(lines) : reject(new Error(`s5cmd exited ${code}: ${err}`))));
  });
}

async function timed(fn: () => Promise<number>, expected: number): Promise<number> {
  const start = performance.now();
  const n = await fn();
  if (n !== expected) throw new Error(`listed ${n} entries, expected ${expected}`);
  return performance.now() - start;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      sizes: { type: 'string', default: '10000,100000' },
      rtt: { type: 'string', default: '0,50' },
    },
  });
  const missing = s3Prerequisites('versitygw', 'toxiproxy-server', 's5cmd');
  if (missing) throw new Error(missing);
  const runs = Number(values.runs);
  const sizes = values.sizes.split(',').map(Number);
  const rtts = values.rtt.split(',').map(Number);
  const server = await startVersityGw();
  const proxy = await startToxiproxy(server.port);
  const listing: Record<string, number | string>[] = [];
  const pages: Record<string, number | string>[] = [];
  try {
    layOut(server, sizes, 1000);
    for (const rtt of rtts) {
      await proxy.clear();
      if (rtt > 0) await proxy.latency(rtt / 2);
      const endpoint = rtt > 0 ? `http://127.0.0.1:${proxy.port}` : server.endpoint;
      const open = (): S3Store =>
        openStore(`s3://${BUCKET}`, {
          password: server.secretKey,
          timeoutMs: 120_000,
          // The same region as the bare loop's client: neither resolves one.
          s3: { endpoint, accessKeyId: server.accessKey, region: 'us-east-1' },
        }) as S3Store;
      for (const size of sizes) {
        const prefix = `list-${size}`;
        const times = { store: [] as number[], bare: [] as number[], s5cmd: [] as number[] };
        let requests = 0;
        for (let run = -1; run < runs; run++) {
          const store = open();
          const storeMs = await timed(() => storeList(store, `/${prefix}`), size);
          requests = store.requestCount;
          await store.close();
          const bareMs = await timed(() => bareList(endpoint, server, prefix), size);
          const s5Ms = await timed(() => s5cmdList(endpoint, server, prefix), size);
          if (run < 0) continue; // warm-up
          times.store.push(storeMs);
          times.bare.push(bareMs);
          times.s5cmd.push(s5Ms);
        }
        const row = {
          rttMs: rtt,
          objects: size,
          storeMs: Math.round(median(times.store)),
          bareMs: Math.round(median(times.bare)),
          s5cmdMs: Math.round(median(times.s5cmd)),
          vsBare: +(median(times.store) / median(times.bare)).toFixed(2),
          vsS5cmd: +(median(times.store) / median(times.s5cmd)).toFixed(2),
          // Each run's own ratios (the three clients ran one after the other within it).
          vsBareRuns: times.store.map((t, i) => +(t / times.bare[i]).toFixed(2)).join(' · '),
          vsS5cmdRuns: times.store.map((t, i) => +(t / times.s5cmd[i]).toFixed(2)).join(' · '),
          requests,
        };
        listing.push(row);
        console.error(JSON.stringify(row));
      }
      const firstPage: number[] = [];
      let pageRequests = 0;
      let latestRequests = 0;
      for (let run = -1; run < runs; run++) {
        const store = open();
        const started = performance.now();
        const layout = await scanDirectory(store, `/jobs/${JOB}`);
        const page = await inspectSnapshots(
          store,
          [...layout.checkpoints, ...layout.savepoints].slice(0, SNAPSHOT_PAGE_SIZE),
        );
        const ms = performance.now() - started;
        if (page.length !== SNAPSHOT_PAGE_SIZE || page[0].status !== 'complete') {
          throw new Error('unexpected first page');
        }
        pageRequests = store.requestCount;
        const before = store.requestCount;
        const { latest } = await findLatestCompleteCheckpoint(store, `/jobs/${JOB}`);
        if (latest?.name !== 'chk-1000') throw new Error(`latest is ${latest?.name}`);
        latestRequests = store.requestCount - before;
        await store.close();
        if (run >= 0) firstPage.push(ms);
      }
      const row = {
        rttMs: rtt,
        checkpoints: 1000,
        pageSize: SNAPSHOT_PAGE_SIZE,
        firstPageMs: Math.round(median(firstPage)),
        firstPageRuns: firstPage.map((t) => Math.round(t)).join(' · '),
        targetMs: 1000,
        ratioToTarget: +(median(firstPage) / 1000).toFixed(2),
        requestsFirstPage: pageRequests,
        requestsLatest: latestRequests,
      };
      pages.push(row);
      console.error(JSON.stringify(row));
    }
  } finally {
    await proxy.stop();
    await server.stop();
    fs.rmSync(path.dirname(server.dataDir), { recursive: true, force: true });
  }
  const out = path.join(repoRoot(), 'bench', 'results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 's3.json'), `${JSON.stringify({ runs, listing, firstPage: pages }, null, 2)}\n`);
  console.log(
    '| RTT | objects | store | bare ListObjectsV2 | s5cmd ls | store/bare (median; each run) | store/s5cmd (median; each run) | requests |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of listing) {
    console.log(
      `| ${r.rttMs} ms | ${Number(r.objects).toLocaleString('en')} | ${r.storeMs} ms | ${r.bareMs} ms | ${r.s5cmdMs} ms | ${r.vsBare}× (${r.vsBareRuns}) | ${r.vsS5cmd}× (${r.vsS5cmdRuns}) | ${r.requests} |`,
    );
  }
  console.log(
    '\n| RTT | first page of 1,000 checkpoints (median; each run) | ratio to 1 s | requests (first page) | requests (latest) |',
  );
  console.log('|---:|---:|---:|---:|---:|');
  for (const r of pages) {
    console.log(
      `| ${r.rttMs} ms | ${r.firstPageMs} ms (${r.firstPageRuns}) | ${r.ratioToTarget} | ${r.requestsFirstPage} | ${r.requestsLatest} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
