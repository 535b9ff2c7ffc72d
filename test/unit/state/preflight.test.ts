import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EXIT_USAGE, UsageError, type CliCommand } from '../../../src/cli/command';
import { preflightCommand } from '../../../src/cli/preflight';
import { schemaCommand } from '../../../src/cli/schema';
import { operatorIdFromUid } from '../../../src/core/metadata';
import { diffSchemas, diffSerializers } from '../../../src/core/state/schemaDiff';
import type { OperatorSchema, StateSchema } from '../../../src/core/state';
import type { SerializerSnapshotNode } from '../../../src/core/state/serializerSnapshot';
import { scanSource } from '../../../src/core/state/uids';
import { findFiles, repoRoot } from '../../support/repo';

async function run(command: CliCommand, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  try {
    const code = await command.run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { code: EXIT_USAGE, out, err: error.message };
  }
}

const FIXTURES = path.join(repoRoot(), 'test', 'fixtures', 'flink');
const savepoint = (line: string) =>
  path.dirname(findFiles(path.join(FIXTURES, line, 'savepoints'), '_metadata').sort()[0]);

const node = (cls: string, extra: Partial<SerializerSnapshotNode> = {}): SerializerSnapshotNode => ({
  class: cls,
  version: 1,
  offset: 0,
  ...extra,
});
const LONG = node('org.apache.flink.api.common.typeutils.base.LongSerializer$LongSerializerSnapshot');
const STRING = node('org.apache.flink.api.common.typeutils.base.StringSerializer$StringSerializerSnapshot');
const POJO = 'org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot';
const TUPLE = 'org.apache.flink.api.java.typeutils.runtime.TupleSerializerSnapshot';

function state(name: string, value: SerializerSnapshotNode, kind: StateSchema['kind'] = 'value'): StateSchema {
  return {
    name,
    kind,
    backend: 'keyed',
    keySerializer: LONG,
    namespaceSerializer: null,
    valueSerializer: value,
    ttl: null,
  };
}
function op(uid: string, states: StateSchema[]): OperatorSchema {
  return { operatorId: operatorIdFromUid(uid), uid, name: uid, states, problems: [] };
}

describe('schema diff', () => {
  it('names POJO fields added and removed, a changed field serializer, arity and class changes', () => {
    const before = node(POJO, {
      version: 2,
      type: 'com.example.Event',
      fields: [
        { name: 'id', serializer: STRING },
        { name: 'seen', serializer: LONG },
      ],
    });
    const after = node(POJO, {
      version: 2,
      type: 'com.example.Event',
      fields: [
        { name: 'id', serializer: LONG },
        { name: 'origin', serializer: STRING },
      ],
    });
    assert.deepEqual(
      diffSerializers('value', before, after).map((c) => [c.what, c.path]),
      [
        ['class', 'value.fields.id'],
        ['field-removed', 'value.fields.seen'],
        ['field-added', 'value.fields.origin'],
      ],
    );
    const t2 = node(TUPLE, { type: 'org.apache.flink.api.java.tuple.Tuple2', nested: [LONG, STRING] });
    const t3 = node(TUPLE, { type: 'org.apache.flink.api.java.tuple.Tuple3', nested: [LONG, STRING, LONG] });
    assert.deepEqual(
      diffSerializers('value', t2, t3).map((c) => c.what),
      ['type', 'arity'],
    );
    assert.deepEqual(diffSerializers('value', LONG, LONG), []);
  });

  it('reports states added, removed and changed per operator, and nothing for equal schemas', () => {
    const a = [op('counter', [state('count', LONG), state('gone', LONG)]), op('old', [state('x', LONG)])];
    const b = [op('counter', [state('count', STRING, 'list'), state('new', LONG)]), op('fresh', [])];
    const d = diffSchemas(a, b);
    assert.deepEqual(
      d.operators.map((o) => [o.uid, o.change, o.states.map((s) => `${s.change}:${s.name}`)]),
      [
        ['counter', 'changed', ['changed:count', 'removed:gone', 'added:new']],
        ['old', 'removed', ['removed:x']],
        ['fresh', 'added', []],
      ],
    );
    assert.deepEqual(d.operators[0].states[0].kind, { before: 'value', after: 'list' });
    assert.deepEqual(diffSchemas(a, a).operators, []);
  });
});

describe('uids in job sources', () => {
  it('finds Java, Scala and Python uids with their operator ids and places, not in comments', () => {
    const lines = [
      'class Job {',
      '  static final String COUNTER = "counter";',
      '  void build() {',
      '    env.fromSource(src, wm, "Numbers").uid("numbers")',
      '       .keyBy(k).process(new Counter()).uid(COUNTER)',
      '       .map(x -> x).setUidHash("0123456789ABCDEF0123456789abcdef");',
      '    // stream.map(f).uid("commented-out");',
      '    stream.filter(f);',
      '  }',
      '}',
    ];
    const java = lines.join('\n');
    const scan = scanSource('Job.java', java);
    assert.deepEqual(
      scan.uids.map((u) => [u.uid, u.operatorId, u.location.line, u.location.column]),
      [
        ['numbers', operatorIdFromUid('numbers'), 3, lines[3].indexOf('"numbers"')],
        ['counter', operatorIdFromUid('counter'), 4, lines[4].indexOf('COUNTER)')],
        [null, '0123456789abcdef0123456789abcdef', 5, lines[5].indexOf('"0123')],
      ],
    );
    assert.deepEqual(
      scan.unnamed.map((u) => [u.call, u.location.line]),
      [['filter', 7]],
    );
    const py = scanSource('job.py', "ds.map(f) \\\n  .uid('py-map')  # .uid('no')\nds.key_by(k).process(p)\n");
    assert.deepEqual(
      py.uids.map((u) => u.uid),
      ['py-map'],
    );
    assert.deepEqual(
      py.unnamed.map((u) => u.call),
      ['process'],
    );
    const scala = scanSource('Job.scala', 'val Name = "scala-op"\nstream.map(f).uid(Name).uid(Missing)\n');
    assert.deepEqual(
      scala.uids.map((u) => u.uid),
      ['scala-op'],
    );
    assert.deepEqual(
      scala.unresolved.map((u) => u.name),
      ['Missing'],
    );
  });
});

describe('flink-checkpoints preflight and schema diff', () => {
  const sp120 = savepoint('1.20.5');
  const sp22 = savepoint('2.2.1');

  it('usage errors exit 2', async () => {
    assert.equal((await run(preflightCommand, sp22)).code, 2);
    assert.equal((await run(preflightCommand, sp22, '--against')).code, 2);
    assert.equal((await run(preflightCommand, sp22, '--against', sp22, '--flink', '0.9')).code, 2);
    assert.equal((await run(schemaCommand, 'diff', sp22)).code, 2);
  });

  it('a snapshot against itself restores; schema diff of a snapshot with itself is empty', async () => {
    const r = await run(preflightCommand, sp22, '--against', sp22, '--flink', '2.2');
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /verdict: will restore/);
    const d = await run(schemaCommand, 'diff', sp120, sp22, '--json');
    assert.equal(d.code, 0, d.out);
    assert.deepEqual(JSON.parse(d.out).operators, []);
  });

  it("a 2.x snapshot into Flink 1.20 fails with Flink's error (exit 1)", async () => {
    const r = await run(preflightCommand, sp22, '--against', sp120, '--flink', '1.20', '--json');
    assert.equal(r.code, 1);
    const report = JSON.parse(r.out);
    assert.equal(report.verdict, 'will-fail');
    assert.equal(report.expectedError, 'Unrecognized checkpoint version number: 6');
  });

  it('sources without a stateful uid: needs --allowNonRestoredState, naming what is lost and its size', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-src-'));
    try {
      const uids = ['numbers', 'lines', 'tokenizer', 'stop-word-feed', 'stop-word-maker', 'stop-word-filter'];
      fs.mkdirSync(path.join(dir, 'src'));
      fs.writeFileSync(
        path.join(dir, 'src', 'Job.java'),
        `class Job {\n${uids.map((u) => `  s.map(f).uid("${u}");`).join('\n')}\n}\n`,
      );
      // Build output is never taken for the job's sources.
      fs.mkdirSync(path.join(dir, 'target'));
      fs.writeFileSync(path.join(dir, 'target', 'Old.java'), 's.map(f).uid("counter");');
      const r = await run(preflightCommand, sp120, '--against', dir, '--json');
      assert.equal(r.code, 0, r.out);
      const report = JSON.parse(r.out);
      assert.equal(report.verdict, 'needs-allow-non-restored-state');
      // 1.20 writes no uids into _metadata: the operator is known by the id Flink derives from its uid.
      assert.deepEqual(
        report.lost.map((l: { operatorId: string }) => l.operatorId),
        [operatorIdFromUid('counter')],
      );
      assert.ok(report.lost[0].states.includes('count'));
      assert.ok(report.lost[0].size > 0);
      assert.match(
        report.expectedError,
        /Cannot map checkpoint\/savepoint state for operator [0-9a-f]{32} to the new program/,
      );
      const text = await run(preflightCommand, sp120, '--against', dir);
      assert.match(text.out, /verdict: needs --allowNonRestoredState/);
      assert.match(text.out, new RegExp(`${operatorIdFromUid('counter')}: .*states .*count`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a target that is neither snapshot, plan nor directory is named in the error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-bad-'));
    try {
      const bad = path.join(dir, 'plan.json');
      fs.writeFileSync(bad, '{"nodes": 3');
      const r = await run(preflightCommand, sp120, '--against', bad);
      assert.equal(r.code, 1);
      assert.match(r.err, /plan\.json: .*is not JSON/);
      const missing = await run(preflightCommand, sp120, '--against', path.join(dir, 'nope'));
      assert.equal(missing.code, 1);
      assert.match(missing.err, /does not exist/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
