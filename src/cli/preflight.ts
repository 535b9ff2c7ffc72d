import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliCommand, CliIo, EXIT_FAILED, EXIT_OK, TIMEOUT_USAGE, UsageError, parseArgs, timeoutFlag } from './command';
import { summarize } from '../core/metadata';
import { parseFlinkVersion, type FlinkVersion } from '../core/restore/flinkVersion';
import { RestoreError } from '../core/restore/errors';
import { preflight, verdictText, type PreflightReport } from '../core/state/preflight';
import { scanSourceTree, SourceTreeError } from '../core/state/sourceTree';
import { jobOfSnapshot } from '../core/state/storeSnapshot';
import { jobFromPlan, jobFromSources, PlanError, type JobDescription } from '../core/state/uids';
import { formatBytes } from './inspectFormat';
import { isStoreUri } from './storeUri';
import { SnapshotLoadError, loadSnapshotSchemas, type LoadedSnapshot } from './schema';
import { problemLine } from '../core/state/problems';

/** Plans larger than this are not a job plan (a large one is a few hundred kilobytes). */
const MAX_PLAN_BYTES = 64 * 1024 * 1024;

function isSnapshotPath(p: string): boolean {
  if (isStoreUri(p)) return true;
  try {
    const stat = fs.statSync(p);
    if (stat.isDirectory()) return fs.existsSync(path.join(p, '_metadata'));
    return path.basename(p) === '_metadata';
  } catch {
    return false;
  }
}

function readPlan(file: string): JobDescription {
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw new PlanError(`'${file}' is not a regular file`);
  if (stat.size > MAX_PLAN_BYTES) {
    throw new PlanError(`'${file}' is ${formatBytes(stat.size)}: too large for a job plan`);
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PlanError(`'${file}' is not JSON: ${(error as Error).message}`);
  }
  return jobFromPlan(file, json);
}

/** A job on a running cluster: `<rest-url>/jobs/<job id>` (optionally `/plan`), as the web UI and REST name it. */
const REST_JOB_URL = /^(https?:\/\/[^/?#]+(?:\/[^?#]*)?\/jobs\/([0-9a-fA-F]{32}))(?:\/plan)?\/?$/;

/** The URL as it may be shown: without user name and password. */
function redact(url: URL): string {
  const shown = new URL(url.href);
  shown.username = '';
  shown.password = '';
  return shown.href;
}

/**
 * The plan of a running job, from Flink's REST API: `GET /jobs/:id`, which holds the JobGraph plan and, per vertex,
 * the max parallelism (`/jobs/:id/plan` lacks it).
 */
async function fetchPlan(against: string, timeoutMs: number | undefined): Promise<JobDescription> {
  const match = REST_JOB_URL.exec(against);
  if (match === null) throw new PlanError(`'${against}' is not a job's REST URL (http://host:port/jobs/<job id>)`);
  const url = new URL(match[1]);
  const label = redact(url);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (url.username !== '') {
    const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.authorization = `Basic ${Buffer.from(user).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs ?? 30_000), redirect: 'error' });
  } catch (error) {
    const why = (error as Error).name === 'TimeoutError' ? 'no answer in time' : (error as Error).message;
    throw new PlanError(`${label}: cannot reach Flink's REST API (${why}): is the cluster up and the URL right?`);
  }
  if (response.status === 404) throw new PlanError(`${label}: no such job on this cluster (HTTP 404)`);
  if (!response.ok) throw new PlanError(`${label}: Flink's REST API answered HTTP ${response.status}`);
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_PLAN_BYTES) throw new PlanError(`${label}: ${formatBytes(length)} is too large for a job plan`);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PlanError(`${label}: the answer is not JSON: is this Flink's REST API?`);
  }
  return jobFromPlan(label, json);
}

export function formatReport(file: string, report: PreflightReport): string {
  const out = [
    `${file} → ${report.target.kind} ${report.target.label}${report.flink ? ` on Flink ${report.flink}` : ''}`,
    `verdict: ${verdictText(report.verdict)}`,
  ];
  if (report.lost.length > 0) {
    out.push('', 'dropped with --allowNonRestoredState:');
    for (const l of report.lost) {
      const who = [l.uid !== null ? `uid ${l.uid}` : null, l.name].filter(Boolean).join(', ');
      out.push(
        `  ${l.operatorId}${who ? ` (${who})` : ''}: ${formatBytes(l.size)}${l.states.length > 0 ? `, states ${l.states.join(', ')}` : ''}`,
      );
    }
  }
  const shown = report.problems.filter((p) => p.code !== 'not-in-job');
  if (shown.length > 0) {
    out.push('', 'findings:');
    for (const p of shown) out.push(`  ${p.severity}: ${p.message}`);
  }
  if (report.expectedError) out.push('', 'Flink will report:', `  ${report.expectedError}`);
  return `${out.join('\n')}\n`;
}

export const preflightCommand: CliCommand = {
  name: 'preflight',
  summary:
    'Whether a checkpoint/savepoint restores into a job: unmapped state (and what --allowNonRestoredState drops), max parallelism, serializer changes, 1.x → 2.x',
  usage: `preflight <snapshot> --against <snapshot|plan.json|rest-url/jobs/<id>|source-dir> [--flink <version>] [--json] [--timeout <seconds>]

  --against   another snapshot of the new job, its plan JSON (REST /jobs/:id or /jobs/:id/plan, env.getExecutionPlan(),
              flink info), a running job's REST URL (http://host:8081/jobs/<job id>: its plan is fetched), or a
              directory of its Java/Scala/Kotlin/Python sources (.uid("…"), .setUidHash("…"))
  --flink     the Flink version the job will run on (default: none, no version checks)

Exits 0 when it restores (with or without --allowNonRestoredState), 1 when the restore would fail or a file cannot be read, 2 on usage errors.
${TIMEOUT_USAGE}`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { positional, flags } = parseArgs(args, ['json'], ['timeout', 'against', 'flink']);
    const timeoutMs = timeoutFlag(flags);
    if (positional.length !== 1) throw new UsageError('give exactly one snapshot');
    const against = flags.get('against');
    if (typeof against !== 'string' || against === '') {
      throw new UsageError('--against needs a snapshot, a plan JSON file or a source directory');
    }
    let flink: FlinkVersion | null = null;
    const flinkFlag = flags.get('flink');
    if (flinkFlag !== undefined) {
      try {
        flink = parseFlinkVersion(String(flinkFlag));
      } catch (error) {
        if (error instanceof RestoreError) throw new UsageError(error.message);
        throw error;
      }
    }
    const json = flags.has('json');
    const input = positional[0];
    const fail = (what: string, code: string, message: string) => {
      if (json) io.out(`${JSON.stringify({ file: what, error: { code, message } })}\n`);
      else io.err(`${what}: ${message}\n`);
      return EXIT_FAILED;
    };
    let source: LoadedSnapshot;
    try {
      source = await loadSnapshotSchemas(input, timeoutMs);
    } catch (error) {
      if (error instanceof SnapshotLoadError) return fail(input, error.code, error.message);
      throw error;
    }
    let target: JobDescription;
    let targetSnapshot: LoadedSnapshot | null = null;
    try {
      if (/^https?:\/\//i.test(against)) {
        target = await fetchPlan(against, timeoutMs);
      } else if (isSnapshotPath(against)) {
        targetSnapshot = await loadSnapshotSchemas(against, timeoutMs);
        target = jobOfSnapshot(targetSnapshot.file, targetSnapshot.metadata);
      } else if (!fs.existsSync(against)) {
        return fail(against, 'not-found', 'does not exist: give a snapshot, a plan JSON file or a source directory');
      } else if (fs.statSync(against).isDirectory()) {
        target = jobFromSources(against, (await scanSourceTree(against)).scans);
      } else {
        target = readPlan(against);
      }
    } catch (error) {
      if (error instanceof SnapshotLoadError) return fail(against, error.code, error.message);
      if (error instanceof PlanError || error instanceof SourceTreeError) {
        return fail(against.replace(/^(https?:\/\/)[^/@]*@/i, '$1'), 'invalid', error.message);
      }
      throw error;
    }
    const summary = summarize(source.metadata);
    const report = preflight({
      metadata: source.metadata,
      pointer: source.pointer,
      stateSizes: new Map(summary.operators.map((o) => [o.operatorId, o.stateSize])),
      schemas: source.operators,
      kind: summary.kind,
      savepointFormat: summary.savepointFormat,
      target,
      targetSchemas: targetSnapshot?.operators ?? null,
      flink,
    });
    const unreadable = [...source.operators, ...(targetSnapshot?.operators ?? [])].flatMap((op) => op.problems);
    if (json) io.out(`${JSON.stringify({ file: source.file, ...report, unreadable })}\n`);
    else {
      io.out(formatReport(source.file, report));
      for (const p of unreadable) io.out(`${problemLine(p)} (its serializers are not checked)\n`);
    }
    return report.verdict === 'will-fail' ? EXIT_FAILED : EXIT_OK;
  },
};
