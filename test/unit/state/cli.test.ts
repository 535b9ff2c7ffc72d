import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EXIT_USAGE, UsageError } from '../../../src/cli/command';
import { schemaCommand } from '../../../src/cli/schema';
import { findFiles, repoRoot } from '../../support/repo';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  try {
    const code = await schemaCommand.run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { code: EXIT_USAGE, out, err: error.message };
  }
}

const savepoint = path.dirname(
  findFiles(path.join(repoRoot(), 'test', 'fixtures', 'flink', '2.2.1', 'savepoints'), '_metadata').sort()[0],
);
const checkpoint115 = path.dirname(
  findFiles(path.join(repoRoot(), 'test', 'fixtures', 'flink', '1.15.4', 'hashmap'), '_metadata').sort()[0],
);

describe('flink-checkpoints schema', () => {
  it('usage errors exit 2', async () => {
    assert.equal((await run()).code, 2);
    assert.equal((await run(savepoint, savepoint)).code, 2);
    assert.equal((await run(savepoint, '--operator')).code, 2);
    assert.equal((await run(savepoint, '--yaml')).code, 2);
  });

  it('--json prints one object with the issue shape; --operator takes a uid', async () => {
    const r = await run(savepoint, '--json', '--operator', 'stop-word-filter');
    assert.equal(r.code, 0, r.err);
    const parsed = JSON.parse(r.out) as {
      file: string;
      operators: { uid: string; states: Record<string, unknown>[] }[];
    };
    assert.equal(parsed.file, path.join(savepoint, '_metadata'));
    assert.deepEqual(
      parsed.operators.map((o) => o.uid),
      ['stop-word-filter'],
    );
    const [state] = parsed.operators[0].states;
    assert.deepEqual(Object.keys(state), [
      'name',
      'kind',
      'backend',
      'keySerializer',
      'namespaceSerializer',
      'valueSerializer',
      'ttl',
    ]);
    assert.equal(
      (state.valueSerializer as { class: string }).class,
      'org.apache.flink.api.common.typeutils.base.BooleanSerializer$BooleanSerializerSnapshot',
    );
  });

  it('finds an operator by uid in metadata that records none (1.15), and by operator id', async () => {
    const byUid = await run(checkpoint115, '--operator', 'counter');
    assert.equal(byUid.code, 0, byUid.err);
    assert.match(byUid.out, /count\s+value\s+keyed\s+StringSerializer\s+VoidNamespaceSerializer\s+LongSerializer/);
    const byId = await run(checkpoint115, '--operator', '0DA08F51EAA85FC298E176A139B3649A');
    assert.equal(byId.out, byUid.out);
    const none = await run(checkpoint115, '--operator', 'no-such-uid');
    assert.equal(none.code, 1);
    assert.match(none.err, /no operator with uid or id 'no-such-uid'/);
  });

  it('a missing state file is a problem of its operator, named, and exit 1; the rest is still printed', async () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-'));
    try {
      for (const f of fs.readdirSync(savepoint)) fs.copyFileSync(path.join(savepoint, f), path.join(copy, f));
      const victim = fs
        .readdirSync(copy)
        .filter((f) => !f.startsWith('_'))
        .sort()[0];
      fs.rmSync(path.join(copy, victim));
      const r = await run(copy);
      assert.equal(r.code, 1);
      assert.match(r.out, new RegExp(`cannot read [^:]*${victim}: no such file or directory`));
      assert.match(r.out, /stop-words\s+broadcast/);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('reads through a store (file:// URI) with ranged reads, to the same schema as the plain path', async () => {
    const viaStore = await run(`file://${savepoint}`, '--json');
    const plain = await run(savepoint, '--json');
    assert.equal(viaStore.code, 0, viaStore.err);
    const strip = (text: string) => (JSON.parse(text) as { operators: unknown }).operators;
    assert.deepEqual(strip(viaStore.out), strip(plain.out));
  });

  it('a missing snapshot is exit 1 with the reason', async () => {
    const r = await run(path.join(os.tmpdir(), 'no-such-snapshot-dir'));
    assert.equal(r.code, 1);
    assert.match(r.err, /cannot find/);
  });
});
