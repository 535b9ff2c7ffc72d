// The restore pre-flight against the plans Flink itself gives of a job (scripts/fixtures-plans.sh): the JobGraph plan
// of REST /jobs/:id/plan, REST /jobs/:id (the same plan with max parallelism per vertex), and the StreamGraph plan of
// env.getExecutionPlan() / `flink info`, of Flink 1.20 and 2.2, each for the base job's savepoint.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT_USAGE, UsageError } from '../../../src/cli/command';
import { preflightCommand } from '../../../src/cli/preflight';
import { operatorIdFromUid } from '../../../src/core/metadata';
import { defaultMaxParallelism, jobFromPlan, PlanError } from '../../../src/core/state/uids';
import { repoRoot } from '../../support/repo';

const PLANS = path.join(repoRoot(), 'test', 'fixtures', 'flink-plans');
const LINES = fs.readdirSync(PLANS).filter((d) => /^\d/.test(d));
const readJson = (...p: string[]): unknown => JSON.parse(fs.readFileSync(path.join(PLANS, ...p), 'utf8'));

async function preflight(...argv: string[]): Promise<{ code: number; json: Record<string, unknown>; err: string }> {
  let out = '';
  let err = '';
  let code: number;
  try {
    code = await preflightCommand.run([...argv, '--json'], { out: (t) => (out += t), err: (t) => (err += t) });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { code: EXIT_USAGE, json: {}, err: error.message };
  }
  return { code, json: JSON.parse(out) as Record<string, unknown>, err };
}

const numbers = operatorIdFromUid('numbers');
const tracker = operatorIdFromUid('tracker');
const counter = operatorIdFromUid('counter');

describe('plans Flink wrote', () => {
  it('there are plans of a 1.x and a 2.x line', () => {
    assert.ok(LINES.some((l) => l.startsWith('1.')) && LINES.some((l) => l.startsWith('2.')), LINES.join(', '));
  });

  for (const line of LINES) {
    it(`${line}: a JobGraph plan's vertex ids are the ids of each chain's first operator, from its uid`, () => {
      const rest = jobFromPlan('rest-plan.json', readJson(line, 'unchanged', 'rest-plan.json'));
      assert.deepEqual(rest.operators.map((o) => o.operatorId).sort(), [numbers, counter].sort());
      // The tracker is chained behind the source: the plan names it but gives it no id.
      assert.deepEqual(rest.chainedNames, ['Tracker']);
      assert.ok(!rest.operators.some((o) => o.operatorId === tracker));
      assert.ok(rest.operators.every((o) => o.parallelism === 2 && o.maxParallelism === null));
    });

    it(`${line}: REST /jobs/:id adds each vertex's max parallelism`, () => {
      for (const [variant, max] of [
        ['unchanged', 128],
        ['max-parallelism-changed', 256],
      ] as const) {
        const job = jobFromPlan('rest-job.json', readJson(line, variant, 'rest-job.json'));
        assert.deepEqual(
          job.operators.map((o) => o.maxParallelism),
          [max, max],
        );
        assert.deepEqual(job.chained?.[0], { name: 'Tracker', parallelism: 2, maxParallelism: max, vertexId: numbers });
      }
    });

    it(`${line}: a StreamGraph plan names every operator and gives none an id`, () => {
      const exec = jobFromPlan('execution-plan.json', readJson(line, 'unchanged', 'execution-plan.json'));
      assert.equal(exec.withoutIds, true);
      assert.deepEqual(exec.operators, []);
      assert.deepEqual(exec.chainedNames, ['Source: Numbers', 'Tracker', 'Counter']);
    });

    const base = path.join(PLANS, line, 'base');
    const flink = line.split('.').slice(0, 2).join('.');
    const v2 = line.startsWith('2.');
    const expected: [string, string, string, string][] = [
      ['unchanged', 'rest-plan', 'will-restore', ''],
      ['unchanged', 'rest-job', 'will-restore', ''],
      ['unchanged', 'execution-plan', 'will-restore', ''],
      ['uid-removed', 'rest-plan', 'needs-allow-non-restored-state', tracker],
      ['uid-removed', 'rest-job', 'needs-allow-non-restored-state', tracker],
      // Flink 2.x snapshots name their operators, so a StreamGraph plan finds them by name; 1.x ones do not.
      ['uid-removed', 'execution-plan', v2 ? 'needs-allow-non-restored-state' : 'will-restore', v2 ? tracker : ''],
      // /jobs/:id/plan has no max parallelism; /jobs/:id has it.
      ['max-parallelism-changed', 'rest-plan', 'will-restore', ''],
      ['max-parallelism-changed', 'rest-job', 'will-fail', ''],
    ];
    for (const [variant, plan, verdict, lost] of expected) {
      it(`${line}: the base savepoint against ${variant}'s ${plan}: ${verdict}`, async () => {
        const r = await preflight(base, '--against', path.join(PLANS, line, variant, `${plan}.json`), '--flink', flink);
        assert.equal(r.json.verdict, verdict, JSON.stringify(r.json.problems, null, 1));
        assert.equal(r.code, verdict === 'will-fail' ? 1 : 0);
        const dropped = (r.json.lost as { operatorId: string }[]).map((l) => l.operatorId);
        assert.deepEqual(dropped, lost === '' ? [] : [lost]);
        const problems = r.json.problems as { code: string; severity: string; operatorId: string }[];
        if (verdict === 'will-fail') {
          assert.match(
            String(r.json.expectedError),
            /Max parallelism mismatch .* operator \w+ with max parallelism 128 to new program with max parallelism 256/,
          );
        }
        // What the plan cannot tell is said, never assumed.
        if (plan === 'execution-plan' && !v2) {
          assert.deepEqual(
            problems
              .filter((p) => p.code === 'maybe-not-in-job')
              .map((p) => p.operatorId)
              .sort(),
            [numbers, counter, tracker].sort(),
          );
        }
      });
    }
  }

  it("a plan's max parallelism equal to Flink's default for its parallelism may be derived: a warning, not a failure", () => {
    assert.deepEqual(
      [1, 2, 85, 86, 100, 20000, 30000].map(defaultMaxParallelism),
      [128, 128, 128, 256, 256, 32768, 32768],
    );
  });

  it('what is not a plan is a clear error', () => {
    assert.throws(() => jobFromPlan('x.json', { jobs: [] }), PlanError);
    assert.throws(() => jobFromPlan('x.json', { nodes: [] }), /lists no operators/);
    assert.throws(() => jobFromPlan('x.json', [1, 2]), /is not a Flink job plan/);
  });
});

describe('preflight --against a running job (REST)', () => {
  const line = LINES.find((l) => l.startsWith('2.')) ?? LINES[0];
  const job = fs.readFileSync(path.join(PLANS, line, 'max-parallelism-changed', 'rest-job.json'));
  const jobId = (JSON.parse(job.toString('utf8')) as { jid: string }).jid;
  const seen: { url: string; authorization?: string }[] = [];
  let server: http.Server;
  let base = '';
  before(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
      if (req.url === `/jobs/${jobId}`) res.writeHead(200, { 'content-type': 'application/json' }).end(job);
      else if (req.url === '/jobs/00000000000000000000000000000000') res.writeHead(200).end('<html>not json</html>');
      else res.writeHead(404).end('{"errors":["Job not found"]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fetches GET /jobs/:id (also when given …/plan) and judges max parallelism from it', async () => {
    for (const url of [`${base}/jobs/${jobId}`, `${base}/jobs/${jobId}/plan`]) {
      const r = await preflight(path.join(PLANS, line, 'base'), '--against', url);
      assert.equal(r.json.verdict, 'will-fail', JSON.stringify(r.json));
      assert.equal(r.code, 1);
      assert.equal((r.json.target as { kind: string }).kind, 'plan');
    }
    assert.deepEqual(
      seen.map((s) => s.url),
      [`/jobs/${jobId}`, `/jobs/${jobId}`],
    );
  });

  it('credentials in the URL are sent, never shown', async () => {
    const r = await preflight(
      path.join(PLANS, line, 'base'),
      '--against',
      base.replace('//', '//ops:s3cret@') + `/jobs/${jobId}`,
    );
    assert.equal(r.json.verdict, 'will-fail');
    assert.equal(seen.at(-1)?.authorization, `Basic ${Buffer.from('ops:s3cret').toString('base64')}`);
    assert.doesNotMatch(JSON.stringify(r.json) + r.err, /s3cret|ops:/);
  });

  it('a missing job, an answer that is not JSON, a dead port and a URL that names no job are clear errors', async () => {
    const sp = path.join(PLANS, line, 'base');
    const missing = await preflight(sp, '--against', `${base}/jobs/${'f'.repeat(32)}`);
    assert.equal(missing.code, 1);
    assert.match(JSON.stringify(missing.json.error), /no such job on this cluster \(HTTP 404\)/);
    const html = await preflight(sp, '--against', `${base}/jobs/${'0'.repeat(32)}`);
    assert.match(JSON.stringify(html.json.error), /not JSON/);
    const dead = http.createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const down = await preflight(sp, '--against', `http://127.0.0.1:${port}/jobs/${jobId}`, '--timeout', '5');
    assert.equal(down.code, 1);
    assert.match(JSON.stringify(down.json.error), /cannot reach Flink's REST API/);
    const noJob = await preflight(sp, '--against', `${base}/overview`);
    assert.match(JSON.stringify(noJob.json.error), /is not a job's REST URL/);
  });
});
