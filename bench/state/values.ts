/**
 * State values of a ≥ 1 GB RocksDB checkpoint and a ≥ 1 GB canonical savepoint written by Flink, side by side in one
 * run (bench/state/values-data.sh writes them once and caches them):
 *  - this reader (`valuesScan.js`: every entry decoded as `state` does; again with the JSON line `state --json` makes),
 *    and its SST layer alone on the checkpoint's SST files (bench/sst/scan.js: each file's raw entries, like JNI);
 *  - RocksDB's own `SstFileReader` through JNI (rocksdbjni, test/rocksdb SstOracle `scan`) iterating the same SST
 *    files of the checkpoint, checksums verified (it neither merges the files nor decodes anything);
 *  - the State Processor API (Flink's own, test/flink statebench profile `StateBenchSpa`) reading the same state
 *    with the RocksDB backend as a user's job would, on a local MiniCluster of parallelism 2.
 * Each in a process of its own under /usr/bin/time (wall time with process start, peak RSS); the scan figures of
 * this reader and of JNI exclude process start, the end-to-end figures include it (JVM start for Flink).
 * Then the first page of entries of each snapshot on S3 (versitygw serving the cache directory) through toxiproxy at
 * 50 ms RTT, with the bytes and requests it cost (median of --pages runs, each with a new store).
 *
 *   npm run bench:values [-- --rounds 1 --pages 5 --page-size 100 --dir DIR --only scan|first-page]
 *
 * Writes bench/results/values.json and bench/state/VALUES.md; a part run (--only) writes values-<part>.json only.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseMetadata, summarize, type CheckpointMetadata } from '../../src/core/metadata';
import { openStoredSnapshot } from '../../src/core/state/storeSnapshot';
import { locate } from '../../src/core/state/schema';
import { entryRecord, stateEntries } from '../../src/core/state/values';
import { StateReadCache, cachedReader } from '../../src/core/state/values/cache';
import { S3Store, openStore } from '../../src/core/stores';
import type { ReadAllOptions } from '../../src/core/stores/types';
import { s3Prerequisites, startToxiproxy, startVersityGw } from '../../test/servers/s3Servers';
import { repoRoot } from '../../test/support/repo';

const UID = 'large-state';
const JNI = 'org.rocksdb:rocksdbjni:10.10.1';
const FLINK = '2.2.1';
const SPA = 'flink-state-processor-api 2.2.0';
const RTT_MS = 50;
/** The command line as built by scripts/build.mjs. */
const CLI = path.join(repoRoot(), 'dist', 'cli.js');
/** The entry browser's read cache at its default size (`flinkCheckpoints.stateCache.maxMegabytes`). */
const PAGE_CACHE_BYTES = 256 << 20;

interface Measured {
  entries: number;
  /** In-process time of the scan (no process start). */
  ms: number;
  /** Wall time of the whole process (its start included). */
  wallMs: number;
  peakRssKiB: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs one reader under /usr/bin/time: the last stdout line is its JSON, time gives wall seconds and peak RSS. */
function measure(command: string, args: string[]): Measured {
  const timeFile = path.join(os.tmpdir(), `fc-bench-values-${process.pid}.time`);
  try {
    const out = execFileSync('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, 'nice', '-n', '10', command, ...args], {
      encoding: 'utf8',
      maxBuffer: 16 << 20,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .trim()
      .split('\n');
    const reported = JSON.parse(out[out.length - 1]) as { entries: number; ms: number };
    const [wall, rss] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { entries: reported.entries, ms: reported.ms, wallMs: Math.round(wall * 1000), peakRssKiB: rss };
  } finally {
    fs.rmSync(timeFile, { force: true });
  }
}

function readSnapshot(dir: string): CheckpointMetadata {
  return parseMetadata(fs.readFileSync(path.join(dir, '_metadata')), { pointer: dir });
}

/** The operator's state files on disk: SST files (by the name RocksDB gave them) and every other file. */
function stateFiles(metadata: CheckpointMetadata): { sst: string[]; all: string[] } {
  const op = metadata.operators.find((o) => o.uid === UID);
  if (op === undefined) throw new Error(`no operator ${UID}`);
  const sst: string[] = [];
  const all = new Set<string>();
  for (const subtask of op.subtasks) {
    if (subtask.finished) continue;
    const handle = subtask.managedKeyedState;
    if (handle?.type === 'IncrementalRemoteKeyedStateHandle') {
      const meta = locate(handle.metaHandle, metadata.pointer);
      if (meta?.path) all.add(meta.path);
      for (const { localPath, handle: stream } of [...handle.sharedState, ...handle.privateState]) {
        const at = locate(stream, metadata.pointer);
        if (at?.path == null) continue;
        all.add(at.path);
        if (localPath.endsWith('.sst')) sst.push(at.path.replace(/^file:/, ''));
      }
    } else if (handle?.type === 'KeyGroupsStateHandle' || handle?.type === 'KeyGroupsSavepointStateHandle') {
      const at = locate(handle.delegate, metadata.pointer);
      if (at?.path) all.add(at.path);
    }
  }
  return { sst, all: [...all].map((p) => p.replace(/^file:/, '')) };
}

/** Reads the files once so that no reader pays for the disk. */
function warm(files: string[]): void {
  const buffer = Buffer.alloc(8 << 20);
  for (const file of files) {
    const fd = fs.openSync(file, 'r');
    try {
      while (fs.readSync(fd, buffer) > 0);
    } finally {
      fs.closeSync(fd);
    }
  }
}

interface Row {
  snapshot: string;
  reader: string;
  entries: number;
  scanMs: number | null;
  wallMs: number;
  peakRssKiB: number;
}

interface FirstPage {
  snapshot: string;
  /** The entry browser's reading in this process, or the CLI in a process of its own. */
  reader: string;
  pageSize: number;
  runsMs: number[];
  medianMs: number;
  /** Unknown for the CLI (another process). */
  bytes: number | null;
  requests: number | null;
}

/**
 * The first page of entries of each snapshot on S3 as the inspector's entry browser reads it: the snapshot opened
 * from its bucket (state files resolved as cleanup resolves them, the checkpoint's absolute `shared/` paths too),
 * ranged reads through a new bounded read cache, a new store each run. Bytes are what the store transferred.
 */
async function firstPages(
  dataDir: string,
  snapshots: readonly { name: string; dir: string }[],
  runs: number,
  pageSize: number,
): Promise<FirstPage[]> {
  const missing = s3Prerequisites('versitygw', 'toxiproxy-server');
  if (missing) throw new Error(missing);
  // versitygw serves the data directory in place: its folders (`checkpoints`, `savepoints`) are buckets.
  const server = await startVersityGw({ dataDir });
  const proxy = await startToxiproxy(server.port);
  const out: FirstPage[] = [];
  try {
    await proxy.latency(RTT_MS / 2);
    for (const snapshot of snapshots) {
      const [bucket, ...rest] = path.relative(dataDir, snapshot.dir).split(path.sep);
      const times: number[] = [];
      let bytes = 0;
      let requests = 0;
      let entries = 0;
      for (let run = -1; run < runs; run++) {
        const started = performance.now();
        const store = openStore(`s3://${bucket}`, {
          password: server.secretKey,
          timeoutMs: 60_000,
          s3: { endpoint: `http://127.0.0.1:${proxy.port}`, accessKeyId: server.accessKey, region: 'us-east-1' },
        }) as S3Store;
        let transferred = 0;
        const counted = Object.create(store) as S3Store;
        counted.readAll = async (p: string, options?: ReadAllOptions) => {
          const got = await store.readAll(p, options);
          transferred += got.length;
          return got;
        };
        try {
          const opened = await openStoredSnapshot(counted, `/${rest.join('/')}`);
          const access = opened.accessWith(cachedReader(counted, new StateReadCache(PAGE_CACHE_BYTES)));
          const op = opened.metadata.operators.find((o) => o.uid === UID)!;
          let n = 0;
          for await (const { entry } of stateEntries(op, opened.pointer, access, {}, (p) => {
            throw new Error(`${p.file}: ${p.message}`);
          })) {
            JSON.stringify(entryRecord(entry));
            if (++n >= pageSize) break;
          }
          const ms = performance.now() - started;
          if (run >= 0) times.push(ms);
          bytes = transferred;
          requests = store.requestCount;
          entries = n;
        } finally {
          await store.close();
        }
      }
      out.push({
        snapshot: snapshot.name,
        reader: 'entry browser',
        pageSize: entries,
        runsMs: times.map(Math.round),
        medianMs: Math.round(median(times)),
        bytes,
        requests,
      });
      console.error(JSON.stringify(out[out.length - 1]));
      // The CLI as a user runs it, credentials and endpoint from the environment, process start included.
      const cli: number[] = [];
      const env = {
        PATH: process.env.PATH,
        AWS_ACCESS_KEY_ID: server.accessKey,
        AWS_SECRET_ACCESS_KEY: server.secretKey,
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: `http://127.0.0.1:${proxy.port}`,
      };
      const args = [CLI, 'state', `s3://${bucket}/${rest.join('/')}`, '--operator', UID, '--limit', `${pageSize}`];
      let lines = 0;
      for (let run = -1; run < runs; run++) {
        const started = performance.now();
        const stdout = execFileSync(process.execPath, [...args, '--json'], {
          env,
          encoding: 'utf8',
          maxBuffer: 64 << 20,
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        if (run >= 0) cli.push(performance.now() - started);
        lines = stdout.trim().split('\n').length;
      }
      out.push({
        snapshot: snapshot.name,
        reader: `CLI state --limit ${pageSize} --json`,
        pageSize: lines,
        runsMs: cli.map(Math.round),
        medianMs: Math.round(median(cli)),
        bytes: null,
        requests: null,
      });
      console.error(JSON.stringify(out[out.length - 1]));
    }
  } finally {
    await proxy.stop();
    await server.stop();
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '1' },
      pages: { type: 'string', default: '5' },
      'page-size': { type: 'string', default: '100' },
      dir: { type: 'string' },
      only: { type: 'string' },
    },
  });
  const only = values.only;
  if (only !== undefined && only !== 'scan' && only !== 'first-page') {
    console.error(`--only takes scan or first-page, not ${only}`);
    process.exit(2);
  }
  const root = repoRoot();
  const dataScript = path.join(root, 'bench', 'state', 'values-data.sh');
  const dataDir = execFileSync('bash', [dataScript, ...(values.dir ? ['--dir', values.dir] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop()!;
  const made = JSON.parse(fs.readFileSync(path.join(dataDir, 'result.json'), 'utf8')) as {
    checkpoint: string;
    savepoint: string;
    keys: number;
    valueBytes: number;
  };
  const scan = path.join(__dirname, 'valuesScan.js');
  const sstScan = path.join(__dirname, '..', 'sst', 'scan.js');
  const oracle = path.join(root, 'test', 'rocksdb', 'oracle.sh');
  const load = os.loadavg().map((l) => l.toFixed(1));
  const snapshots = [
    { name: 'RocksDB incremental checkpoint', dir: made.checkpoint },
    { name: 'canonical savepoint', dir: made.savepoint },
  ];
  const rows: Row[] = [];
  let javaOptions: string[] | undefined;
  let classpath: string | undefined;
  const sizes: Record<string, number> = {};
  for (const snapshot of snapshots) {
    const metadata = readSnapshot(snapshot.dir);
    const stateSize = summarize(metadata, { pointer: snapshot.dir }).operators.find((o) => o.uid === UID)!.stateSize;
    sizes[snapshot.name] = stateSize;
    const files = stateFiles(metadata);
    if (stateSize < 2 ** 30) console.error(`warning: ${snapshot.name} holds ${stateSize} bytes, under 1 GiB`);
    if (only === 'first-page') continue;
    javaOptions ??= execFileSync(
      'bash',
      ['-c', `source "${path.join(root, 'scripts', 'fixtures-lib.sh')}" && printf '%s\\n' "\${FLINK_JAVA_OPTS[@]}"`],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n');
    classpath ??= execFileSync('bash', [dataScript, '--classpath'], { encoding: 'utf8' }).trim().split('\n').pop()!;
    for (let round = 0; round < Number(values.rounds); round++) {
      warm(files.all);
      const ours = measure(process.execPath, [scan, snapshot.dir, UID]);
      rows.push({ snapshot: snapshot.name, reader: 'this reader', ...pick(ours) });
      console.error(JSON.stringify(rows[rows.length - 1]));
      const lines = measure(process.execPath, [scan, snapshot.dir, UID, '--json']);
      rows.push({ snapshot: snapshot.name, reader: 'this reader + JSON lines', ...pick(lines) });
      console.error(JSON.stringify(rows[rows.length - 1]));
      if (files.sst.length > 0) {
        const raw = measure(process.execPath, [sstScan, ...files.sst]);
        rows.push({
          snapshot: snapshot.name,
          reader: 'this reader, SST layer only (not merged, not decoded)',
          ...pick(raw),
        });
        console.error(JSON.stringify(rows[rows.length - 1]));
        const jni = measure('bash', [oracle, JNI, 'scan', ...files.sst]);
        if (jni.entries !== raw.entries) throw new Error(`SST entries: JNI ${jni.entries}, this reader ${raw.entries}`);
        rows.push({ snapshot: snapshot.name, reader: `RocksDB SstFileReader (JNI, ${JNI})`, ...pick(jni) });
        console.error(JSON.stringify(rows[rows.length - 1]));
      }
      const spa = measure('java', [...javaOptions, '-cp', classpath, 'flinkfixtures.StateBenchSpa', snapshot.dir, UID]);
      rows.push({ snapshot: snapshot.name, reader: `State Processor API (${SPA})`, ...pick(spa), scanMs: null });
      console.error(JSON.stringify(rows[rows.length - 1]));
      if (ours.entries !== made.keys || spa.entries !== made.keys) {
        throw new Error(`entries: this reader ${ours.entries}, State Processor API ${spa.entries}, keys ${made.keys}`);
      }
    }
  }
  const pages =
    only === 'scan' ? [] : await firstPages(dataDir, snapshots, Number(values.pages), Number(values['page-size']));
  const result = {
    date: new Date().toISOString(),
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(),
    machine: `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`,
    loadAverageAtStart: load,
    flink: FLINK,
    keys: made.keys,
    valueBytes: made.valueBytes,
    stateSize: sizes,
    rows,
    firstPageRttMs: RTT_MS,
    firstPages: pages,
  };
  const outDir = path.join(root, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  // A part run (--only) leaves the whole run's table alone.
  fs.writeFileSync(path.join(outDir, `values${only ? `-${only}` : ''}.json`), `${JSON.stringify(result, null, 2)}\n`);
  const table = render(result);
  console.log(table);
  if (only === undefined) {
    fs.writeFileSync(
      path.join(root, 'bench', 'state', 'VALUES.md'),
      `# State values: full scan and first page\n\n${table}\n`,
    );
  }
}

function pick(m: Measured): Omit<Row, 'snapshot' | 'reader'> {
  return { entries: m.entries, scanMs: m.ms, wallMs: m.wallMs, peakRssKiB: m.peakRssKiB };
}

function render(r: {
  date: string;
  commit: string;
  machine: string;
  loadAverageAtStart: string[];
  keys: number;
  valueBytes: number;
  stateSize: Record<string, number>;
  rows: Row[];
  firstPageRttMs: number;
  firstPages: FirstPage[];
}): string {
  const lines = [
    `${r.date.slice(0, 16).replace('T', ' ')} UTC, commit ${r.commit}; ${r.machine}; load average at start ${r.loadAverageAtStart.join(', ')}.`,
    `Flink ${FLINK} (LargeStateJob: ${r.keys.toLocaleString('en')} keys of ${r.valueBytes} random bytes in value state, parallelism 2).`,
  ];
  if (r.rows.length > 0) lines.push(...scanTables(r));
  if (r.firstPages.length > 0) {
    lines.push(
      '',
      `First page of entries on S3 (versitygw) through toxiproxy at ${r.firstPageRttMs} ms RTT, as the entry browser reads it (in this process, a new store and read cache each run; bytes the store transferred, requests it sent) and through the CLI (a process each run, its start included):`,
      '',
      '| snapshot | reader | entries | median (target ≤ 2,000 ms) | runs | bytes read | requests |',
      '|---|---|---:|---:|---|---:|---:|',
    );
    for (const p of r.firstPages) {
      lines.push(
        `| ${p.snapshot} (${(r.stateSize[p.snapshot] / 2 ** 30).toFixed(2)} GiB) | ${p.reader} | ${p.pageSize} | ${p.medianMs.toLocaleString('en')} ms | ${p.runsMs.join(' · ')} ms | ${p.bytes?.toLocaleString('en') ?? '—'} | ${p.requests ?? '—'} |`,
      );
    }
  }
  return lines.join('\n');
}

function scanTables(r: { stateSize: Record<string, number>; rows: Row[] }): string[] {
  const mib = (n: number) => n / 2 ** 20;
  const lines = [
    '',
    '| snapshot | reader | entries | scan (no process start) | end to end (process start included) | peak RSS |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const row of r.rows) {
    const size = r.stateSize[row.snapshot];
    const rate = (ms: number) =>
      `${(mib(size) / (ms / 1000)).toFixed(0)} MiB/s, ${Math.round(row.entries / (ms / 1000)).toLocaleString('en')} entries/s (${(ms / 1000).toFixed(1)} s)`;
    lines.push(
      `| ${row.snapshot} (${(size / 2 ** 30).toFixed(2)} GiB) | ${row.reader} | ${row.entries.toLocaleString('en')} | ${row.scanMs === null ? '—' : rate(row.scanMs)} | ${rate(row.wallMs)} | ${mib(row.peakRssKiB * 1024).toFixed(0)} MiB |`,
    );
  }
  lines.push(
    '',
    'Throughput ratios, best round of each reader (above 1: this reader is faster):',
    '',
    '| snapshot | SST layer vs JNI SstFileReader, same files, scan (target ≥ 0.5×) | decoded entries vs JNI SstFileReader, scan | this reader vs State Processor API, end to end (target ≥ 10×) | with JSON lines vs State Processor API, end to end |',
    '|---|---:|---:|---:|---:|',
  );
  for (const name of Object.keys(r.stateSize)) {
    const of = (prefix: string) => r.rows.filter((x) => x.snapshot === name && x.reader.startsWith(prefix));
    const best = (rows: Row[], key: 'scanMs' | 'wallMs') => Math.min(...rows.map((x) => x[key] ?? Infinity));
    const ours = r.rows.filter((x) => x.snapshot === name && x.reader === 'this reader');
    const raw = of('this reader, SST layer');
    const jni = of('RocksDB');
    const spa = of('State Processor API');
    const vs = (mine: Row[]) =>
      jni.length > 0 ? `${(best(jni, 'scanMs') / best(mine, 'scanMs')).toFixed(2)}×` : '— (no SST files)';
    const json = of('this reader + JSON lines');
    const vsSpa = (mine: Row[]) => `${(best(spa, 'wallMs') / best(mine, 'wallMs')).toFixed(1)}×`;
    lines.push(`| ${name} | ${vs(raw)} | ${vs(ours)} | ${vsSpa(ours)} | ${vsSpa(json)} |`);
  }
  return lines;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
