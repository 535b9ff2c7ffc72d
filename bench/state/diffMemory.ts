/**
 * Peak memory of `state diff` as the key count grows: pairs of canonical savepoints written by Flink 2.2.1
 * (scripts/fixtures-diff-bench.sh, test/flink DiffSavepoints: N keys, then N/100 added, N/100 removed, N/10 changed)
 * are diffed in a fresh Node process each, three ways:
 *   stream      the streaming diff (key group by key group, sorted in memory within its budget)
 *   spill       the same with a 64 KiB budget, so every key group goes through sorted runs on disk
 *   whole       the reference: both sides read whole into maps, as `state diff` did before
 * The streaming ways run under a V8 heap cap (--max-old-space-size=64, MiB), so the collector cannot let garbage pile
 * up and the peak resident set shows what the diff keeps; the reference runs without one. Each child reports its peak
 * resident set (getrusage maxrss) and checks the counts against what the job did.
 *
 *   npm run bench:statediff [-- N...]     (default 10000 100000 1000000; pairs missing under
 *                                          $FLINK_FIXTURES_TMP/diff-bench are generated first: Java 17, Maven)
 *
 * Writes bench/results/state-diff.json and prints a Markdown table; the ratio column divides each peak by the same
 * way's peak at the smallest N.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openSnapshotState } from '../../src/cli/snapshotState';
import { stateEntries, StateDiff, type DiffSide, type StateEntry } from '../../src/core/state/values';
import { fieldChanges } from '../../src/core/state/values';
import { repoRoot } from '../../test/support/repo';

type Way = 'stream' | 'spill' | 'whole';

/** The V8 heap the streaming diff runs in at every key count. */
const HEAP_CAP_MIB = 64;

interface ChildResult {
  way: Way;
  keys: number;
  peakRssMiB: number;
  /** Most memory alive (V8 heap and external buffers) right after a full collection, sampled per key group. */
  peakLiveMiB: number;
  baselineRssMiB: number;
  seconds: number;
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
}

async function sides(before: string, after: string): Promise<[DiffSide, DiffSide, () => Promise<void>]> {
  const a = await openSnapshotState(before, undefined);
  const b = await openSnapshotState(after, undefined);
  const op = (s: typeof a) => {
    const o = s.metadata.operators.find((x) => x.uid === 'accounts' || x.name === 'Accounts');
    if (o === undefined) throw new Error(`${s.file} has no operator 'accounts'`);
    return o;
  };
  return [
    { label: before, metadata: a.metadata, operator: op(a), access: a.access },
    { label: after, metadata: b.metadata, operator: op(b), access: b.access },
    async () => {
      await a.close();
      await b.close();
    },
  ];
}

/** Memory alive now: collects first (the child runs with --expose-gc). */
function live(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return (m.heapUsed + m.external) / (1 << 20);
}

async function child(way: Way, keys: number, before: string, after: string): Promise<void> {
  const baseline = process.resourceUsage().maxRSS;
  let peakLive = live();
  const started = process.hrtime.bigint();
  const [a, b, close] = await sides(before, after);
  const counts = { added: 0, removed: 0, changed: 0, unchanged: 0 };
  if (way === 'whole') {
    const read = async (s: DiffSide) => {
      const m = new Map<string, StateEntry>();
      for await (const { entry } of stateEntries(s.operator, s.metadata.pointer, s.access, {}, (p) => {
        throw new Error(`${s.label}: ${p.message}`);
      })) {
        m.set(JSON.stringify([entry.state, entry.key, entry.namespace, entry.userKey ?? null]), entry);
      }
      return m;
    };
    const [x, y] = [await read(a), await read(b)];
    peakLive = Math.max(peakLive, live());
    for (const [id, e] of x) {
      const f = y.get(id);
      if (f === undefined) counts.removed++;
      else if (fieldChanges(e.value, f.value).length > 0) counts.changed++;
      else counts.unchanged++;
    }
    for (const id of y.keys()) if (!x.has(id)) counts.added++;
  } else {
    const diff = new StateDiff(a, b, {
      ...(way === 'spill' ? { spillBytes: 64 << 10 } : {}),
      onProgress: () => (peakLive = Math.max(peakLive, live())),
    });
    for await (const change of diff.changes()) void change;
    if (diff.problems.length > 0) throw new Error(diff.problems.map((p) => p.message).join('\n'));
    const c = diff.counts.get('account');
    if (c === undefined) throw new Error('no counts for state account');
    Object.assign(counts, { added: c.added, removed: c.removed, changed: c.changed, unchanged: c.unchanged });
  }
  await close();
  const result: ChildResult = {
    way,
    keys,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    peakLiveMiB: peakLive,
    baselineRssMiB: baseline / 1024,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    ...counts,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function pairOf(dir: string): { before: string; after: string } | undefined {
  const file = path.join(dir, 'pair.json');
  return fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { before: string; after: string })
    : undefined;
}

function main(): void {
  const counts = process.argv.slice(2).map(Number);
  const keyCounts = counts.length > 0 ? counts : [10_000, 100_000, 1_000_000];
  const base = path.join(process.env.FLINK_FIXTURES_TMP ?? '/tmp/flink-fixtures', 'diff-bench');
  const missing = keyCounts.filter((n) => pairOf(path.join(base, String(n))) === undefined);
  if (missing.length > 0) {
    execFileSync(
      'bash',
      [path.join(repoRoot(), 'scripts', 'fixtures-diff-bench.sh'), '--out', base, ...missing.map(String)],
      {
        stdio: 'inherit',
      },
    );
  }
  const results: ChildResult[] = [];
  for (const keys of keyCounts) {
    const pair = pairOf(path.join(base, String(keys)))!;
    for (const way of ['stream', 'spill', 'whole'] as const) {
      const cap = way === 'whole' ? ['--expose-gc'] : ['--expose-gc', `--max-old-space-size=${HEAP_CAP_MIB}`];
      const run = spawnSync(
        process.execPath,
        [...cap, __filename, '--child', way, String(keys), pair.before, pair.after],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        },
      );
      if (run.status !== 0) throw new Error(`${way} at ${keys} keys failed:\n${run.stderr}`);
      const r = JSON.parse(run.stdout.trim().split('\n').pop()!) as ChildResult;
      const expected = { added: keys / 100, removed: keys / 100, changed: keys / 10 };
      for (const k of ['added', 'removed', 'changed'] as const) {
        if (r[k] !== expected[k]) throw new Error(`${way} at ${keys} keys: ${r[k]} ${k}, the job made ${expected[k]}`);
      }
      results.push(r);
      process.stderr.write(
        `${way} ${keys}: peak RSS ${r.peakRssMiB.toFixed(0)} MiB, live ${r.peakLiveMiB.toFixed(1)} MiB, ${r.seconds.toFixed(1)} s\n`,
      );
    }
  }
  const out = path.join(repoRoot(), 'bench', 'results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'state-diff.json'), `${JSON.stringify(results, null, 2)}\n`);
  const smallest = (way: Way) => results.find((r) => r.way === way)!;
  const lines = [
    '| keys | way | heap cap (MiB) | peak RSS (MiB) | × at the smallest N | peak live (MiB) | × at the smallest N | seconds | added | removed | changed | unchanged |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.keys.toLocaleString('en-US')} | ${r.way} | ${r.way === 'whole' ? 'none' : HEAP_CAP_MIB} | ${r.peakRssMiB.toFixed(0)} | ${(r.peakRssMiB / smallest(r.way).peakRssMiB).toFixed(2)} | ${r.peakLiveMiB.toFixed(1)} | ${(r.peakLiveMiB / smallest(r.way).peakLiveMiB).toFixed(2)} | ${r.seconds.toFixed(1)} | ${r.added} | ${r.removed} | ${r.changed} | ${r.unchanged} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[2] === '--child') {
  const [, , , way, keys, before, after] = process.argv;
  child(way as Way, Number(keys), before, after).catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
} else {
  main();
}
