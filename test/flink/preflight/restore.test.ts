// The pre-flight against what real Flink did: run.sh has Flink 1.20 and 2.2 restore a base savepoint into changed
// jobs (RestoreScenarios.java, hashmap and RocksDB from a native savepoint) and records each outcome; here
// `flink-checkpoints preflight` judges the same restores, against the new job's own savepoint, its sources and the
// plans Flink gave of it, and must give Flink's outcome and Flink's error. A plan holds no serializers (and the
// JobGraph plan of /jobs/:id/plan no max parallelism, a StreamGraph plan no operator ids): where that hides the cause
// of Flink's failure, the plan's verdict must say so rather than be wrong silently.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { PreflightReport } from '../../../src/core/state/preflight';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');
const RESULTS = process.env.RESTORE_SCENARIOS;

interface Outcome {
  readonly outcome: 'restored' | 'failed';
  readonly error?: readonly string[];
}

interface Plans {
  readonly rest: string;
  readonly job: string;
  readonly executionPlan: string;
}

interface Scenario {
  readonly name: string;
  readonly backend: string;
  readonly format: string;
  readonly plans: Plans;
  readonly from: string;
  readonly target: string;
  readonly uids: readonly string[];
  readonly restore: Outcome;
  readonly restoreAllowNonRestored?: Outcome;
}

/** What Flink did, in the pre-flight's terms. */
function flinkVerdict(s: Scenario): string {
  if (s.restore.outcome === 'restored') return 'will-restore';
  return s.restoreAllowNonRestored?.outcome === 'restored' ? 'needs-allow-non-restored-state' : 'will-fail';
}

function preflight(snapshot: string, against: string, flink: string): { code: number | null; report: PreflightReport } {
  const ran = spawnSync(
    process.execPath,
    [CLI, 'preflight', snapshot, '--against', against, '--flink', flink, '--json'],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  assert.equal(ran.stderr, '', `preflight wrote to stderr: ${ran.stderr}`);
  return { code: ran.status, report: JSON.parse(ran.stdout) as PreflightReport };
}

/** The part of Flink's message that does not depend on the run: without object hashes and the savepoint's path. */
function essence(text: string): string {
  return text
    .replace(/@[0-9a-f]+/g, '')
    .replace(/^[\w.$]+(?:Exception|Error): /, '')
    .replace(/^For heap backends, /, '')
    .replace(/checkpoint\/savepoint (?!Checkpoint Metadata)\S+\. /, 'checkpoint/savepoint <pointer>. ')
    .trim()
    .toLowerCase();
}

const rows: string[][] = [];

const runs: { file: string; flink: string }[] = [
  { file: 'flink-1.20.json', flink: '1.20' },
  { file: 'flink-2.2.json', flink: '2.2' },
  { file: 'flink-2.2-rocksdb.json', flink: '2.2' },
  { file: 'flink-1.20-to-2.2.json', flink: '2.2' },
];

/** Why a plan's verdict may differ from Flink's outcome: the cause of Flink's failure is not in that plan. */
function hiddenFromPlan(kind: keyof Plans, s: Scenario, report: PreflightReport): string | null {
  // A plan can only miss a problem: it never invents one.
  if (report.verdict !== 'will-restore') return null;
  const error = s.restore.error?.[s.restore.error.length - 1] ?? '';
  if (
    /StateMigrationException|serializer|Kryo|Could not restore keyed state backend/i.test(
      s.restore.error?.join('\n') ?? '',
    )
  ) {
    return 'no serializers in a plan';
  }
  // Only /jobs/:id carries max parallelism; the JobGraph plan of /plan and a StreamGraph plan do not.
  if (kind !== 'job' && /Max parallelism mismatch/.test(error)) return 'no max parallelism in this plan';
  const lost = report.problems.filter((p) => p.code === 'maybe-not-in-job');
  if (lost.length > 0 && s.restoreAllowNonRestored?.outcome === 'restored') return 'operator ids unknown';
  return null;
}

describe(
  'pre-flight verdicts equal real Flink restores',
  { skip: RESULTS ? undefined : 'run test/flink/preflight/run.sh' },
  () => {
    const sources = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-sources-'));
    after(() => {
      fs.rmSync(sources, { recursive: true, force: true });
      if (rows.length > 0) {
        const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
        console.log(rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n'));
      }
    });
    rows.push([
      'FLINK',
      'BACKEND',
      'SCENARIO',
      'FLINK DID',
      'SNAPSHOT',
      'SOURCES',
      'REST /plan',
      'REST /jobs/:id',
      'getExecutionPlan',
    ]);
    for (const run of runs) {
      const file = path.join(RESULTS ?? '', run.file);
      const scenarios: Scenario[] = RESULTS
        ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { scenarios: Scenario[] }).scenarios
        : [];
      const line = run.file.replace(/^flink-|(-rocksdb)?\.json$/g, '');
      for (const s of scenarios) {
        const backend = `${s.backend}${s.format === 'native' ? ' native' : ''}`;
        it(`${line} ${backend} ${s.name}: ${flinkVerdict(s)}`, () => {
          const expected = flinkVerdict(s);
          const { code, report } = preflight(s.from, s.target, run.flink);
          const row = [line, backend, s.name, expected, report.verdict, '', '', '', ''];
          rows.push(row);
          assert.equal(report.verdict, expected, JSON.stringify(report.problems, null, 1));
          assert.equal(code, expected === 'will-fail' ? 1 : 0);
          const flinkError = s.restore.error?.[s.restore.error.length - 1];
          if (flinkError !== undefined) {
            assert.ok(report.expectedError, 'no expected error for a failing restore');
            assert.ok(
              essence(flinkError).startsWith(essence(report.expectedError).replace(/\(.*$/, '')),
              `Flink said:\n  ${flinkError}\npre-flight expected:\n  ${report.expectedError}`,
            );
          }
          if (expected === 'needs-allow-non-restored-state') {
            assert.ok(report.lost.length > 0 && report.lost.every((l) => l.size > 0));
          }
          // The job's sources know only its uids: enough for the operator mapping, not for serializers.
          if (s.name === 'unchanged' || s.name === 'uid-removed') {
            const dir = path.join(sources, `${run.file}-${s.name}`);
            fs.mkdirSync(dir, { recursive: true });
            fs.writeFileSync(
              path.join(dir, 'Job.java'),
              `class Job {\n  void build() {\n    ${s.uids.map((u) => `stream.map(f).uid("${u}");`).join('\n    ')}\n  }\n}\n`,
            );
            const fromSources = preflight(s.from, dir, run.flink);
            row[5] = fromSources.report.verdict;
            assert.equal(fromSources.report.verdict, expected);
          }
          // The plans Flink gave of the new job: equal to Flink's outcome, or a difference the plan cannot show.
          (['rest', 'job', 'executionPlan'] as const).forEach((kind, i) => {
            const fromPlan = preflight(s.from, s.plans[kind], run.flink).report;
            if (fromPlan.verdict === expected) {
              row[6 + i] = fromPlan.verdict;
              return;
            }
            const why = hiddenFromPlan(kind, s, fromPlan);
            row[6 + i] = `${fromPlan.verdict} (${why ?? 'WRONG'})`;
            assert.ok(
              why !== null,
              `${kind} plan: ${fromPlan.verdict}, Flink: ${expected}\n${JSON.stringify(fromPlan.problems, null, 1)}`,
            );
          });
        });
      }
    }
  },
);
