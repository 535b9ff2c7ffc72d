/**
 * The metadata benchmark: this parser against Flink's own `Checkpoints.loadCheckpointMetadata`, side by side on the
 * same files in one run. Not a test: figures depend on the machine.
 *
 *   node out/bench/metadata/compare.js [--large-dir DIR] [--no-java] [--node 22,24|PATH,...] [--out FILE]
 *
 * 1. Warm, in-process throughput on every real `_metadata` in reach and on large Flink-serialized synthetic files
 *    (written by test/flink's Synthetic through bench/metadata/java.sh, ≥ 50 MB). Java: many iterations in one JVM
 *    after as many warm-up loads. TypeScript: "read" = parse + decode every subtask's handles (what Flink's loader
 *    materializes); "summary" = the oracle summary in one pass (sizes, handle types, sorted distinct file list).
 * 2. Peak memory of a fresh process reading each large file.
 * 3. Whole process: `flink-checkpoints inspect` and `inspect --json` (dist/cli.js as shipped: built with --production,
 *    its code cache written by an untimed first run) against a JVM that loads the file once; wall time and peak RSS.
 *    Where NODE_EXTRA_CA_CERTS is set, the CLI is timed with and without it (Node loads those certificates at start).
 *    `--node` times it under more Node binaries as well: a path, or a major version fetched once from the npm
 *    registry (the `node-<platform>-<arch>` package) into the large-file directory.
 * Writes a Markdown report (default bench/metadata/RESULTS.md) and prints it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseMetadata, summarizeMetadata } from '../../src/core/metadata';
import { realMetadataFiles, repoRoot } from './corpus';

const root = repoRoot();
const javaScript = path.join(root, 'bench', 'metadata', 'java.sh');
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const value = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const withJava = !flag('no-java');
const largeDir = value('large-dir', path.join(os.tmpdir(), 'flink-checkpoints-bench'));
const outFile = value('out', path.join(root, 'bench', 'metadata', 'RESULTS.md'));
/** Runs of each process in the whole-process table. */
const WHOLE_RUNS = 9;
const moreNodes = value('node', '')
  .split(',')
  .filter((spec) => spec !== '');

/** A Node binary: `spec` itself, or for a major version the official build published on npm, fetched once. */
function nodeBinary(spec: string): string {
  if (!/^\d+$/.test(spec)) return path.resolve(spec);
  const dir = path.join(largeDir, 'node', spec);
  const binary = path.join(dir, 'package', 'bin', 'node');
  if (!fs.existsSync(binary)) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const packed =
      execFileSync('npm', ['pack', '--silent', `node-${process.platform}-${process.arch}@${spec}`], {
        cwd: dir,
        encoding: 'utf8',
      })
        .trim()
        .split('\n')
        .pop() ?? '';
    execFileSync('tar', ['xzf', packed], { cwd: dir });
    fs.rmSync(path.join(dir, packed));
  }
  return binary;
}

/**
 * Large Flink-serialized files: generator, name, operators, subtasks, and shared files per subtask (test/flink's
 * Synthetic: file-backed incremental or key-group state) or inline keyed bytes per subtask (java/LargeInline.java).
 */
const LARGE: ['synthetic' | 'inline', string, number, number, number][] = [
  ['synthetic', 'large-incremental', 24, 512, 40],
  ['synthetic', 'large-keyed', 64, 4096, 0],
  ['inline', 'large-inline', 16, 256, 16384],
];

interface Timing {
  msPerOp: number;
  iterations: number;
}

function timeLoop(fn: () => unknown, minMs: number, minIterations: number): Timing {
  const warmEnd = performance.now() + minMs / 2;
  let warm = 0;
  while (warm < Math.min(3, minIterations) || performance.now() < warmEnd) {
    fn();
    warm++;
  }
  let iterations = 0;
  const start = performance.now();
  let now = start;
  while (iterations < minIterations || now - start < minMs) {
    fn();
    iterations++;
    now = performance.now();
  }
  return { msPerOp: (now - start) / iterations, iterations };
}

function tsTimings(file: string, large: boolean, scale = 1): { read: Timing; summary: Timing } {
  const bytes: Uint8Array = fs.readFileSync(file);
  const read = () => {
    let n = 0;
    for (const op of parseMetadata(bytes, { pointer: 'file:/bench/chk-1' }).operators) n += op.subtasks.length;
    return n;
  };
  const full = () => summarizeMetadata(bytes, { pointer: 'file:/bench/chk-1' }).stateSize;
  const minMs = (large ? 3000 : 500) * scale;
  return { read: timeLoop(read, minMs, large ? 5 : 20), summary: timeLoop(full, minMs, large ? 5 : 20) };
}

/** Files Flink's own reader refused, with its error (e.g. pre-1.2 legacy state in a 1.3 savepoint). */
const refusedByFlink: string[] = [];

/** Warm timing of many files in one JVM (java/TimeAll.java): a warm-up pass over all, then a timed pass. */
function javaTimings(
  files: string[],
  warmupMs: number,
  minMs: number,
  minIterations: number,
): Map<string, Timing | null> {
  const result = new Map<string, Timing | null>();
  if (!withJava) return result;
  const out = execFileSync(javaScript, ['time-all', String(warmupMs), String(minMs), String(minIterations), ...files], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  for (const line of out.trim().split('\n')) {
    const r = JSON.parse(line) as { file: string; msPerOp?: number; iterations?: number; error?: string };
    if (r.error !== undefined || r.msPerOp === undefined || r.iterations === undefined) {
      refusedByFlink.push(`${path.basename(path.dirname(r.file))}: ${r.error ?? 'no timing'}`);
      result.set(r.file, null);
    } else {
      result.set(r.file, { msPerOp: r.msPerOp, iterations: r.iterations });
    }
  }
  return result;
}

/**
 * A stable copy of the real corpus: every shared fixture and the first `_metadata` of each Flink version × scenario
 * under test/fixtures/flink, copied so fixtures regenerated during the run cannot pull files away mid-way.
 */
function snapshotCorpus(): string[] {
  const dir = path.join(largeDir, 'corpus');
  fs.rmSync(dir, { recursive: true, force: true });
  const seen = new Set<string>();
  const files: string[] = [];
  for (const { name, file } of realMetadataFiles()) {
    const parts = name.split('/');
    const group = parts[0] === 'fixtures' ? parts.slice(0, 3).join('/') : name;
    if (seen.has(group)) continue;
    seen.add(group);
    const target = path.join(dir, name.replace(/[^A-Za-z0-9._-]+/g, '_'), '_metadata');
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(file, target);
      files.push(target);
    } catch {
      seen.delete(group);
    }
  }
  return files;
}

function ensureLarge(): string[] {
  const files: string[] = [];
  for (const [generator, name, ops, subtasks, amount] of LARGE) {
    const file = path.join(largeDir, name, '_metadata');
    if (!fs.existsSync(file)) {
      if (!withJava) continue;
      fs.mkdirSync(largeDir, { recursive: true });
      execFileSync(javaScript, [generator, largeDir, name, String(ops), String(subtasks), String(amount)], {
        stdio: 'inherit',
      });
    }
    files.push(file);
  }
  return files;
}

function peakMemory(mode: 'parse' | 'summary' | 'stream', file: string): number {
  const probe = path.join(root, 'out', 'bench', 'metadata', 'memoryProbe.js');
  const out = execFileSync(process.execPath, ['--expose-gc', probe, mode, file], { encoding: 'utf8' });
  return (JSON.parse(out) as { peakRssAboveBaseline: number }).peakRssAboveBaseline;
}

interface ProcessRun {
  command: string;
  argv: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Wall time and peak RSS (KiB, from /usr/bin/time) of each process, the median of `runs` after one untimed round (for
 * the CLI, the run that writes its code cache). The processes take turns, round by round, so a slow spell of a shared
 * machine falls on all of them alike. A run that has not ended after two minutes is killed and fails the bench.
 */
function wholeProcesses(cases: ProcessRun[], runs: number): { ms: number; maxRssKiB: number | null }[] {
  const times: number[][] = cases.map(() => []);
  const rss: (number | null)[][] = cases.map(() => []);
  const hasTime = fs.existsSync('/usr/bin/time');
  for (let i = 0; i <= runs; i++) {
    cases.forEach(({ command, argv, env = process.env }, c) => {
      const options = {
        encoding: 'utf8' as const,
        maxBuffer: 1 << 30,
        env,
        timeout: 120_000,
        killSignal: 'SIGKILL' as const,
      };
      const t0 = performance.now();
      const r = hasTime
        ? spawnSync('/usr/bin/time', ['-f', '%M', command, ...argv], options)
        : spawnSync(command, argv, options);
      const ms = performance.now() - t0;
      if (r.error) throw new Error(`${command} ${argv.join(' ')}: ${r.error.message}`);
      if (r.status !== 0) throw new Error(`${command} ${argv.join(' ')} failed: ${r.stderr}`);
      if (i === 0) return;
      times[c].push(ms);
      rss[c].push(hasTime ? Number(r.stderr.trim().split('\n').pop()) : null);
    });
  }
  const median = <T>(values: T[], order: (a: T, b: T) => number): T =>
    [...values].sort(order)[Math.floor(values.length / 2)];
  return cases.map((_, c) => ({
    ms: median(times[c], (a, b) => a - b),
    maxRssKiB: median(rss[c], (a, b) => (a ?? 0) - (b ?? 0)),
  }));
}

function wholeProcess(command: string, argv: string[], runs: number): { ms: number; maxRssKiB: number | null } {
  return wholeProcesses([{ command, argv }], runs)[0];
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const rate = (bytes: number, ms: number) => `${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;

function main(): void {
  const lines: string[] = [];
  const say = (s: string) => {
    lines.push(s);
    console.log(s);
  };
  say(`# Metadata parser benchmark`);
  say('');
  say(
    `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; Java side: ${withJava ? `Flink ${process.env.BENCH_FLINK ?? '2.2'} line, Checkpoints.loadCheckpointMetadata (bench/metadata/java/TimeAll.java on test/flink's classpath)` : 'skipped (--no-java)'}; load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}.`,
  );
  say('');

  // 1. Real files: aggregate over the corpus, both sides warmed over every file before timing any.
  const real = snapshotCorpus();
  const java = javaTimings(real, 700, 500, 5);
  const both = withJava ? real.filter((f) => java.get(f)) : real;
  for (const file of both) tsTimings(file, false, 0.3);
  let bytesTotal = 0;
  let tsRead = 0;
  let tsSummary = 0;
  let javaTotal = 0;
  const compared = both.length;
  const perFile: number[] = [];
  const slowest: { name: string; ratio: number; ts: number; java: number }[] = [];
  for (const file of both) {
    const size = fs.statSync(file).size;
    const ts = tsTimings(file, false, 1);
    bytesTotal += size;
    tsRead += ts.read.msPerOp;
    tsSummary += ts.summary.msPerOp;
    const j = java.get(file);
    if (j) {
      javaTotal += j.msPerOp;
      perFile.push(j.msPerOp / ts.read.msPerOp);
      slowest.push({
        name: path.basename(path.dirname(file)),
        ratio: j.msPerOp / ts.read.msPerOp,
        ts: ts.read.msPerOp,
        java: j.msPerOp,
      });
    }
  }
  perFile.sort((a, b) => a - b);
  say(`## Warm, in process`);
  say('');
  say(
    '| input | bytes | Flink load (ms/op) | this parser: read (ms/op) | summary (ms/op) | read vs Flink | summary vs Flink |',
  );
  say('|---|---:|---:|---:|---:|---:|---:|');
  say(
    `| ${compared} real files (one pass over all) | ${bytesTotal} | ${withJava ? javaTotal.toFixed(3) : '–'} | ${tsRead.toFixed(3)} | ${tsSummary.toFixed(3)} | ${withJava ? ratio(javaTotal, tsRead) : '–'} | ${withJava ? ratio(javaTotal, tsSummary) : '–'} |`,
  );
  const large = ensureLarge();
  const largeRows: { file: string; size: number }[] = [];
  for (const file of large) {
    const size = fs.statSync(file).size;
    const ts = tsTimings(file, true);
    const java = javaTimings([file], 15000, 10000, 5).get(file) ?? null;
    largeRows.push({ file, size });
    say(
      `| ${path.basename(path.dirname(file))} (${mb(size)} MB) | ${size} | ${java ? `${java.msPerOp.toFixed(0)} (${rate(size, java.msPerOp)})` : '–'} | ${ts.read.msPerOp.toFixed(0)} (${rate(size, ts.read.msPerOp)}) | ${ts.summary.msPerOp.toFixed(0)} (${rate(size, ts.summary.msPerOp)}) | ${java ? ratio(java.msPerOp, ts.read.msPerOp) : '–'} | ${java ? ratio(java.msPerOp, ts.summary.msPerOp) : '–'} |`,
    );
  }
  say('');
  for (const refused of refusedByFlink) say(`Not compared, Flink's reader refuses it: ${refused}`);
  if (perFile.length > 0) {
    say('');
    say(
      `Per real file, Flink time / this parser's read time: min ${perFile[0].toFixed(1)}×, median ${perFile[Math.floor(perFile.length / 2)].toFixed(1)}×, max ${perFile[perFile.length - 1].toFixed(1)}×.`,
    );
    slowest.sort((a, b) => a.ratio - b.ratio);
    say(
      `Lowest ratios: ${slowest
        .slice(0, 3)
        .map(
          (f) =>
            `${f.name} ${f.ratio.toFixed(1)}× (${(f.ts * 1000).toFixed(0)} µs vs ${(f.java * 1000).toFixed(0)} µs)`,
        )
        .join('; ')}.`,
    );
  }

  // 2. Peak memory.
  say('');
  say('## Peak memory (fresh process, RSS above its idle baseline)');
  say('');
  say(
    'The summaries include the referenced files as strings. "held whole": the file read into memory first (what the extension does with a store\'s bytes); "streamed": read from disk through a window (what the CLI does).',
  );
  say('');
  say(
    '| input | file | parse (held whole) | summary (held whole) | summary (streamed) | JVM loading it (whole-process max RSS) |',
  );
  say('|---|---:|---:|---:|---:|---:|');
  const cell = (bytes: number, size: number) => `${mb(bytes)} MB (${(bytes / size).toFixed(2)}×)`;
  for (const { file, size } of largeRows) {
    const jvm = withJava ? wholeProcess(javaScript, ['load', file], 3) : null;
    say(
      `| ${path.basename(path.dirname(file))} | ${mb(size)} MB | ${cell(peakMemory('parse', file), size)} | ${cell(peakMemory('summary', file), size)} | ${cell(peakMemory('stream', file), size)} | ${jvm?.maxRssKiB != null ? `${mb(jvm.maxRssKiB * 1024)} MB` : '–'} |`,
    );
  }

  // 3. Whole process.
  const cli = path.join(root, 'dist', 'cli.js');
  // Node 20 reads and parses every certificate named by NODE_EXTRA_CA_CERTS when it starts, before any of the CLI runs
  // (Node 22 and 24 wait until TLS is used): where it is set, the CLI is also timed without it.
  const withoutCerts = { ...process.env };
  delete withoutCerts.NODE_EXTRA_CA_CERTS;
  const environments = [process.execPath, ...moreNodes.map(nodeBinary)].flatMap((node) => {
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    return process.env.NODE_EXTRA_CA_CERTS
      ? [
          { node, label: `Node ${version}, NODE_EXTRA_CA_CERTS set`, env: process.env },
          { node, label: `Node ${version}, without NODE_EXTRA_CA_CERTS`, env: withoutCerts },
        ]
      : [{ node, label: `Node ${version}`, env: process.env }];
  });
  const idle = wholeProcesses(
    environments.map(({ node, env }) => ({ command: node, argv: ['-e', '0'], env })),
    WHOLE_RUNS,
  );
  say('');
  say(
    `## Whole process (median of ${WHOLE_RUNS} runs after one untimed round, the processes of one input taking turns; wall time; peak RSS above a bare \`node -e 0\`)`,
  );
  say('');
  say(
    `A bare \`node -e 0\` takes ${environments.map((e, i) => `${idle[i].ms.toFixed(0)} ms (${e.label})`).join(', ')}; ${idle[0].maxRssKiB != null ? `${mb(idle[0].maxRssKiB * 1024)} MB` : '?'}.`,
  );
  say('');
  say(
    '| input | environment | `flink-checkpoints inspect` | `inspect --json` | JVM: Checkpoints.loadCheckpointMetadata once | JVM / `inspect` | JVM / `inspect --json` |',
  );
  say('|---|---|---:|---:|---:|---:|---:|');
  for (const { file, size } of largeRows) {
    if (!fs.existsSync(cli)) {
      say(`| ${path.basename(path.dirname(file))} | | dist/cli.js missing: run npm run build | | | | |`);
      continue;
    }
    const cases: ProcessRun[] = environments.flatMap(({ node, env }) => [
      { command: node, argv: [cli, 'inspect', file], env },
      { command: node, argv: [cli, 'inspect', '--json', file], env },
    ]);
    if (withJava) cases.push({ command: javaScript, argv: ['load', file] });
    const results = wholeProcesses(cases, WHOLE_RUNS);
    const jvm = withJava ? results[results.length - 1] : null;
    environments.forEach(({ label }, e) => {
      const rss = (r: { maxRssKiB: number | null }) =>
        r.maxRssKiB != null && idle[e].maxRssKiB != null
          ? `, ${mb((r.maxRssKiB - idle[e].maxRssKiB!) * 1024)} MB (${(((r.maxRssKiB - idle[e].maxRssKiB!) * 1024) / size).toFixed(2)}×)`
          : '';
      const [table, json] = [results[2 * e], results[2 * e + 1]];
      say(
        `| ${path.basename(path.dirname(file))} | ${label} | ${table.ms.toFixed(0)} ms${rss(table)} | ${json.ms.toFixed(0)} ms${rss(json)} | ${jvm ? `${jvm.ms.toFixed(0)} ms` : '–'} | ${jvm ? ratio(jvm.ms, table.ms) : '–'} | ${jvm ? ratio(jvm.ms, json.ms) : '–'} |`,
      );
    });
  }
  fs.writeFileSync(outFile, `${lines.join('\n')}\n`);
}

main();
