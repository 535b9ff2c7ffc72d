import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Full-scan throughput of the TypeScript SST reader against RocksDB's own SstFileReader through JNI, on the same files
 * in one run, each in a process of its own (peak RSS reported), checksums verified by both. The file set is written
 * once by RocksDB (SstOracle `bench-write`: Flink's key layout, Snappy as Flink's RocksDB backend writes by default)
 * and cached under test/rocksdb/target/bench.
 *
 *   node out/bench/sst/sstBench.js [--bytes N] [--compression SNAPPY_COMPRESSION] [--rounds 1]
 */
const root = path.resolve(__dirname, '../../..');
const oracle = path.join(root, 'test/rocksdb/oracle.sh');
const JNI = 'org.rocksdb:rocksdbjni:10.10.1';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

interface Scan {
  entries: number;
  bytes: number;
  ms: number;
  peakRssKiB: number;
}

function fileSet(bytes: number, compression: string): string[] {
  const dir = path.join(root, 'test/rocksdb/target/bench', `${compression}-${bytes}`);
  if (!fs.existsSync(path.join(dir, '.done'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    console.log(`writing ${(bytes / 2 ** 30).toFixed(2)} GiB of SST files with RocksDB (${compression})…`);
    execFileSync('nice', ['-n', '10', 'bash', oracle, JNI, 'bench-write', dir, String(bytes), compression], {
      stdio: 'inherit',
    });
    fs.writeFileSync(path.join(dir, '.done'), '');
  }
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sst'))
    .sort()
    .map((f) => path.join(dir, f));
}

function run(command: string, args: string[]): Scan {
  const out = execFileSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 20 })
    .trim()
    .split('\n');
  return JSON.parse(out[out.length - 1]) as Scan;
}

function main(): void {
  const bytes = Number(option('bytes', String(1100 * 1024 * 1024)));
  const compression = option('compression', 'SNAPPY_COMPRESSION');
  const rounds = Number(option('rounds', '1'));
  const files = fileSet(bytes, compression);
  const fileBytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
  // Warm the page cache so neither reader pays for the disk.
  for (const f of files) fs.readFileSync(f);
  const mib = (n: number) => (n / 2 ** 20).toFixed(0);
  const rows: string[] = [];
  let best = { ts: Infinity, jni: Infinity };
  for (let round = 0; round < rounds; round++) {
    const jni = run('bash', [oracle, JNI, 'scan', ...files]);
    const ts = run(process.execPath, [path.join(__dirname, 'scan.js'), ...files]);
    if (jni.entries !== ts.entries || jni.bytes !== ts.bytes) {
      throw new Error(
        `the readers disagree: RocksDB ${jni.entries} entries/${jni.bytes} bytes, TypeScript ${ts.entries}/${ts.bytes}`,
      );
    }
    best = { ts: Math.min(best.ts, ts.ms), jni: Math.min(best.jni, jni.ms) };
    rows.push(
      `| ${round + 1} | ${jni.entries.toLocaleString('en')} | ${(fileBytes / 2 ** 20 / (jni.ms / 1000)).toFixed(0)} MiB/s (${(jni.ms / 1000).toFixed(1)} s), peak RSS ${mib(jni.peakRssKiB * 1024)} MiB | ` +
        `${(fileBytes / 2 ** 20 / (ts.ms / 1000)).toFixed(0)} MiB/s (${(ts.ms / 1000).toFixed(1)} s), peak RSS ${mib(ts.peakRssKiB * 1024)} MiB | ${(jni.ms / ts.ms).toFixed(2)}× |`,
    );
  }
  const table = [
    `${files.length} SST files, ${mib(fileBytes)} MiB on disk (${compression}), full scan with checksums verified:`,
    '',
    '| round | entries | RocksDB SstFileReader (JNI) | TypeScript reader | TypeScript / RocksDB throughput |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    `Best of ${rounds}: ${(best.jni / best.ts).toFixed(2)}× RocksDB's throughput (target ≥ 0.5×).`,
  ].join('\n');
  console.log(table);
  fs.writeFileSync(path.join(root, 'bench/sst/RESULTS.md'), `# SST full scan\n\n${table}\n`);
}

main();
