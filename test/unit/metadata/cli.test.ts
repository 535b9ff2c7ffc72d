import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EXIT_USAGE, UsageError } from '../../../src/cli/command';
import { diffCommand } from '../../../src/cli/diff';
import { inspectCommand } from '../../../src/cli/inspect';
import { SKIP_NO_SHARED, sharedFixturesDir } from './support';

const skip = sharedFixturesDir() === undefined ? SKIP_NO_SHARED : false;

/** Runs one command as the CLI entry does (a UsageError is exit 2), without loading the other commands. */
async function run(name: 'inspect' | 'diff', ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const command = name === 'inspect' ? inspectCommand : diffCommand;
  try {
    const code = await command.run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { code: EXIT_USAGE, out, err: `${error.message}\nUsage: flink-checkpoints ${command.usage}\n` };
  }
}

describe('flink-checkpoints inspect', () => {
  it('is a usage error without inputs', async () => {
    const r = await run('inspect');
    assert.equal(r.code, 2);
    assert.match(r.err, /Usage: flink-checkpoints inspect/);
  });

  it('prints one JSON object per input, in order, and exits 1 when one failed', { skip }, async () => {
    const dir = sharedFixturesDir() as string;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inspect-'));
    const garbage = path.join(tmp, '_metadata');
    fs.writeFileSync(garbage, 'hello');
    const inputs = [
      path.join(dir, 'v6-flink2.2-hashmap-savepoint-canonical-stateful-udf'),
      path.join(dir, 'v1-flink1.2-savepoint-operatorstate-nonKeyed', '_metadata'),
      garbage,
      path.join(tmp, 'missing'),
      path.join(dir, 'v4-kafka-table-state-offsets-checkpoint'),
    ];
    const r = await run('inspect', '--json', ...inputs);
    assert.equal(r.code, 1);
    const lines = r.out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.file),
      inputs,
    );
    assert.equal(lines[0].metadataVersion, 6);
    assert.equal(lines[0].externalPointer, inputs[0]);
    assert.ok(lines[0].referencedFiles.every((f: string) => f.startsWith(`${inputs[0]}/`)));
    assert.deepEqual(lines[1].error, { code: 'unsupported-version', message: lines[1].error.message, offset: 4 });
    assert.equal(lines[2].error.code, 'not-metadata');
    assert.deepEqual([lines[3].error.code, lines[3].error.offset], ['not-found', null]);
    assert.equal(lines[4].kind, 'checkpoint');
    fs.rmSync(tmp, { recursive: true });
  });

  it(
    'prints a table and exits 0 when all inputs were read; --pointer changes the resolution base',
    { skip },
    async () => {
      const input = path.join(sharedFixturesDir() as string, 'v4-flink1.20-rocksdb-checkpoint-stateful-udf');
      const r = await run('inspect', input);
      assert.equal(r.code, 0);
      assert.match(r.out, /checkpoint id {4}2/);
      assert.match(r.out, /IncrementalRemoteKeyedStateHandle×4/);
      const j = await run('inspect', '--json', '--pointer', 'hdfs://nn/cp/job/chk-2', input);
      const s = JSON.parse(j.out);
      assert.equal(s.externalPointer, 'hdfs://nn/cp/job/chk-2');
      assert.ok(s.referencedFiles.every((f: string) => f.startsWith('hdfs://nn/cp/job/chk-2/')));
    },
  );
});

describe('flink-checkpoints diff', () => {
  it('needs exactly two inputs', async () => {
    assert.equal((await run('diff', 'a')).code, 2);
  });
  it('reports operators, parallelism changes, size deltas and files of two snapshots', { skip }, async () => {
    const dir = sharedFixturesDir() as string;
    const a = path.join(dir, 'v4-flink1.20-rocksdb-checkpoint-stateful-udf');
    const b = path.join(dir, 'v5-flink2.0-rocksdb-checkpoint-stateful-udf');
    const r = await run('diff', '--json', a, b);
    assert.equal(r.code, 0);
    const d = JSON.parse(r.out);
    const sa = JSON.parse((await run('inspect', '--json', a)).out);
    const sb = JSON.parse((await run('inspect', '--json', b)).out);
    assert.equal(d.stateSize.delta, sb.stateSize - sa.stateSize);
    assert.equal(d.operators.length + d.operatorsRemoved.length, sa.operators.length);
    assert.equal(d.operators.length + d.operatorsAdded.length, sb.operators.length);
    for (const o of d.operators) {
      const oa = sa.operators.find((x: { operatorId: string }) => x.operatorId === o.operatorId);
      const ob = sb.operators.find((x: { operatorId: string }) => x.operatorId === o.operatorId);
      assert.equal(o.stateSize.delta, ob.stateSize - oa.stateSize);
    }
    // Different directories: no file is shared.
    assert.equal(d.files.inBoth.length, 0);
    assert.equal(d.files.onlyInA.length, sa.referencedFiles.length);
    const same = JSON.parse((await run('diff', '--json', a, a)).out);
    assert.deepEqual(
      [same.operatorsAdded, same.operatorsRemoved, same.files.onlyInA, same.stateSize.delta],
      [[], [], [], 0],
    );
    assert.equal(same.files.inBoth.length, sa.referencedFiles.length);
    const text = await run('diff', a, b);
    assert.match(text.out, /state size: /);
  });
});
