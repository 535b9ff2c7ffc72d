// "Beyond one machine", proven on real Flink: run.sh builds the zoo job's classes with the State Processor API of
// Flink 2.2 and 1.20 (and the Table API with the savepoint connector for 2.2); here the CLI writes the Java job and
// the SQL for zoo savepoints, Flink runs them, and every entry they print must equal our own reader's.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { parseMetadata, summarize } from '../../../src/core/metadata';

const REPO = path.resolve(__dirname, '../../../..');
const CLI = path.join(REPO, 'dist', 'cli.js');
const JAVA_OPTS = (process.env.GENERATE_JAVA_OPTS ?? '').split(' ').filter((o) => o.length > 0);
const LINES = [
  { line: '2.2', version: '2.2.1', cp: process.env.GENERATE_CP_2_2, sql: true },
  { line: '1.20', version: '1.20.5', cp: process.env.GENERATE_CP_1_20, sql: false },
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function cli(...args: string[]): { out: string; err: string; code: number | null } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 26 });
  return { out: r.stdout, err: r.stderr, code: r.status };
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000, maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, `${cmd} ${args.slice(-2).join(' ')} failed:\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

/** The zoo job's canonical savepoint of a line (the snapshot Flink guarantees across backends). */
function canonicalSavepoint(version: string): string {
  const dir = path.join(REPO, 'test', 'fixtures', 'flink-zoo', version, 'savepoints');
  const found = fs
    .readdirSync(dir)
    .sort()
    .map((d) => path.join(dir, d))
    .find((d) => summarize(parseMetadata(fs.readFileSync(path.join(d, '_metadata')))).savepointFormat === 'canonical');
  assert.ok(found, `no canonical savepoint in ${dir}`);
  return found;
}

/** Order-free form of a JSON value, for comparing multisets of entries. */
function canonical(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

interface Entry {
  readonly state: string;
  readonly key?: Json;
  readonly userKey?: Json;
  readonly value: Json;
}

/** Our reader's entries as the generated job prints them: TTL unwrapped, operator list state by value alone. */
function ours(snapshot: string, operator: string): Map<string, string[]> {
  const r = cli('state', snapshot, '--operator', operator, '--json');
  const byState = new Map<string, string[]>();
  for (const line of r.out.split('\n').filter((l) => l.length > 0)) {
    const e = JSON.parse(line) as Entry & { keyGroup: number | null; subtask?: number };
    if (e.state.startsWith('_timer_state/')) continue;
    const ttl = e.value !== null && typeof e.value === 'object' && !Array.isArray(e.value) && 'userValue' in e.value;
    let value = ttl ? (e.value as { userValue: Json }).userValue : e.value;
    if (e.state.startsWith('ttl-l-') && Array.isArray(value)) {
      value = value.map((v) => (v !== null && typeof v === 'object' && 'userValue' in v ? v.userValue : v));
    }
    const operatorState = e.keyGroup === null;
    const id = operatorState
      ? typeof e.key === 'number'
        ? { value }
        : { userKey: e.key ?? null, value }
      : { key: e.key ?? null, ...(e.userKey !== undefined ? { userKey: e.userKey } : {}), value };
    byState.set(e.state, [...(byState.get(e.state) ?? []), canonical(id as Json)]);
  }
  return byState;
}

/** An entry's identity without its value. */
function idOf(e: Json): string {
  const id = { ...(e as Record<string, Json>) };
  delete id.value;
  return canonical(id);
}

/** Equal, except where ours holds an undecoded `{class, hex}` placeholder. */
function agreeWhereDecoded(ours: Json, theirs: Json): boolean {
  if (ours !== null && typeof ours === 'object' && !Array.isArray(ours)) {
    if ('hex' in ours && 'class' in ours) return true;
    if (theirs === null || typeof theirs !== 'object' || Array.isArray(theirs)) return false;
    return Object.keys(ours).every((k) => agreeWhereDecoded(ours[k], theirs[k] ?? null));
  }
  if (Array.isArray(ours)) {
    return (
      Array.isArray(theirs) && ours.length === theirs.length && ours.every((o, i) => agreeWhereDecoded(o, theirs[i]))
    );
  }
  return canonical(ours) === canonical(theirs);
}

function theirs(lines: string[]): Map<string, string[]> {
  const byState = new Map<string, string[]>();
  for (const line of lines) {
    const e = JSON.parse(line.replace(/^\d+> /, '')) as Entry;
    const id =
      e.key !== undefined
        ? { key: e.key, ...(e.userKey !== undefined ? { userKey: e.userKey } : {}), value: e.value }
        : e.userKey !== undefined
          ? { userKey: e.userKey, value: e.value }
          : { value: e.value };
    byState.set(e.state, [...(byState.get(e.state) ?? []), canonical(id as Json)]);
  }
  return byState;
}

/** The generated job's representation differs from ours for these: not compared, named in the table. */
const NOT_COMPARED: Readonly<Record<string, string>> = {
  'v-avro-generic': "Avro's own JSON",
  'v-kryo': 'Kryo (read by the job, not here)',
  'v-decimal': 'BigDecimal as text',
  'v-either': 'Either',
};

const rows: string[][] = [['FLINK', 'FORM', 'OPERATOR', 'STATE', 'ENTRIES', 'AGREE']];

describe(
  'generated State Processor API jobs and SQL read what our reader reads',
  { skip: LINES.some((l) => l.cp) ? undefined : 'run test/flink/generate/run.sh' },
  () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'generated-readers-'));
    after(() => {
      fs.rmSync(work, { recursive: true, force: true });
      const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
      console.log(rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n'));
    });

    for (const { line, version, cp, sql } of LINES) {
      const snapshot = canonicalSavepoint(version);
      for (const operator of ['zoo', 'operator-states', 'broadcast']) {
        it(`Flink ${line}: the Java job for '${operator}' reads every entry our reader reads`, { skip: !cp }, () => {
          const className = `Read${operator.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}`;
          const dir = path.join(work, `${line}-${operator}`);
          fs.mkdirSync(dir, { recursive: true });
          const gen = cli(
            'state',
            snapshot,
            '--operator',
            operator,
            '--generate',
            'java',
            '--flink',
            line,
            '--class',
            className,
            '--package',
            'flinkfixtures',
          );
          assert.equal(gen.code, 0, gen.err);
          // The generated code names the store, never credentials, and needs no editing.
          assert.doesNotMatch(gen.out, /TODO|FIXME|password|secret/i);
          const source = path.join(dir, `${className}.java`);
          fs.writeFileSync(source, gen.out);
          run('javac', ['-nowarn', '-d', path.join(dir, 'classes'), '-cp', cp ?? '', source]);
          const out = run('java', [
            ...JAVA_OPTS,
            '-cp',
            `${path.join(dir, 'classes')}:${cp}`,
            `flinkfixtures.${className}`,
            snapshot,
          ]);
          const flink = theirs(out.split('\n').filter((l) => l.startsWith('{') || /^\d+> \{/.test(l)));
          const here = ours(snapshot, operator);
          assert.ok(here.size > 0, 'our reader read nothing');
          for (const [state, entries] of here) {
            const read = flink.get(state) ?? [];
            const skip = NOT_COMPARED[state];
            const agree =
              skip === undefined ? entries.slice().sort().join('\n') === read.slice().sort().join('\n') : null;
            rows.push([
              line,
              'java',
              operator,
              state,
              `${entries.length}/${read.length}`,
              agree === null ? `(${skip})` : agree ? 'yes' : 'NO',
            ]);
            if (skip !== undefined) {
              assert.equal(
                read.length,
                entries.length,
                `${state}: Flink read ${read.length} entries, we ${entries.length}`,
              );
              continue;
            }
            if (entries.some((e) => e.includes('"hex":'))) {
              // Our reader shows what Kryo serialized (1.x POJO collection fields) as class + hex; the rest must agree.
              const byId = new Map(read.map((r) => [idOf(JSON.parse(r) as Json), JSON.parse(r) as Json]));
              for (const e of entries.map((x) => JSON.parse(x) as Json)) {
                assert.ok(agreeWhereDecoded(e, byId.get(idOf(e)) ?? null), `${state} differs: ${canonical(e)}`);
              }
              rows[rows.length - 1][5] = 'yes, but Kryo fields (class + hex here)';
              continue;
            }
            assert.deepEqual(read.slice().sort(), entries.slice().sort(), `${state} differs`);
          }
          assert.deepEqual(
            [...flink.keys()].filter((s) => !here.has(s)),
            [],
            'states Flink read that we did not',
          );
        });
      }

      if (sql) {
        it(`Flink ${line}: the SQL (savepoint connector) reads every value our reader reads`, { skip: !cp }, () => {
          const gen = cli('state', snapshot, '--operator', 'zoo', '--generate', 'sql', '--flink', line);
          assert.equal(gen.code, 0, gen.err);
          const script = path.join(work, `${line}-zoo.sql`);
          fs.writeFileSync(script, gen.out);
          const result = JSON.parse(run('java', [...JAVA_OPTS, '-cp', cp ?? '', 'flinkfixtures.RunSql', script])) as {
            rows: { statement: number; row: Record<string, Json> }[];
          };
          // savepoint_metadata lists every operator of the snapshot with its uid.
          const metadata = result.rows.filter((r) => 'operator-uid-hash' in r.row);
          assert.ok(metadata.some((r) => r.row['operator-uid'] === 'zoo'));
          const table = result.rows.filter((r) => 'k' in r.row);
          const columns = [...gen.out.matchAll(/^ {2}`([^`]+)` (.+),$/gm)].map((m) => ({ state: m[1], type: m[2] }));
          assert.ok(columns.length >= 4, gen.out);
          const here = ours(snapshot, 'zoo');
          for (const { state, type } of columns) {
            // A POJO column holds the fields the ROW names, in its order.
            const fields = [...(/ROW<(.*)>/.exec(type)?.[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]);
            const project = (v: Json): Json =>
              fields.length > 0 && v !== null && typeof v === 'object' && !Array.isArray(v)
                ? fields.map((f) => v[f])
                : v;
            const expected = (here.get(state) ?? [])
              .map((c) => JSON.parse(c) as { key: Json; userKey?: Json; value: Json })
              .map((e) =>
                canonical({
                  key: e.key,
                  value: Array.isArray(e.value) && type.startsWith('ARRAY') ? e.value.map(project) : project(e.value),
                }),
              )
              .sort();
            const read = table
              .filter((r) => r.row[state] !== null)
              .map((r) => canonical({ key: r.row.k, value: r.row[state] }))
              .sort();
            rows.push([
              line,
              'sql',
              'zoo',
              state,
              `${expected.length}/${read.length}`,
              read.join() === expected.join() ? 'yes' : 'NO',
            ]);
            assert.deepEqual(read, expected, `${state} differs`);
          }
        });
      }
    }
  },
);
