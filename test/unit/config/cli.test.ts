import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/main';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const dir = mkdtempSync(path.join(tmpdir(), 'conf-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const sub = mkdtempSync(path.join(dir, 'c'));
  const p = path.join(sub, name);
  writeFileSync(p, text);
  return p;
}

describe('flink-checkpoints conf', () => {
  it('check --json prints an array with 1-based positions and the fix; exit 1 on an error', async () => {
    const p = file(
      'flink-conf.yaml',
      'state.checkpoints.dir: hdfs://nn:8020/cp\nexecution.checkpointing.interval: 1h30m\n',
    );
    const result = await run('conf', 'check', p, '--flink', '1.20', '--json');
    assert.equal(result.code, 1);
    const diags = JSON.parse(result.out);
    const dep = diags.find((d: { code: string }) => d.code === 'deprecated-key');
    assert.deepEqual(
      { line: dep.line, column: dep.column, severity: dep.severity },
      { line: 1, column: 1, severity: 'warning' },
    );
    assert.deepEqual(dep.fix.edits, [
      { line: 1, column: 1, endLine: 1, endColumn: 22, newText: 'execution.checkpointing.dir' },
    ]);
    const bad = diags.find((d: { code: string }) => d.code === 'invalid-value');
    assert.equal(bad.severity, 'error');
    assert.equal(bad.fix.edits[0].newText, '90 min');
  });

  it('check exits 0 with only warnings and prints file:line:col lines', async () => {
    const p = file('config.yaml', 'execution:\n  checkpointing:\n    interval: 10\n    dir: s3://bucket/cp\n');
    const result = await run('conf', 'check', p, '--flink', '2.2');
    assert.equal(result.code, 0);
    assert.match(
      result.out,
      new RegExp(`${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:15: warning bare-number-duration: `),
    );
    assert.match(result.out, /fix: Change to "10 s"/);
  });

  it('migrate prints config.yaml, notes on stderr', async () => {
    const p = file('flink-conf.yaml', 'high-availability: zookeeper\nhigh-availability.storageDir: hdfs://nn/ha\n');
    const result = await run('conf', 'migrate', p, '--rename-deprecated');
    assert.equal(result.code, 0);
    assert.equal(result.out, 'high-availability:\n  type: zookeeper\n  storageDir: hdfs://nn/ha\n');
    assert.match(result.err, /renamed to "high-availability\.type"/);
  });

  it('migrate lists what needs attention on stderr and marks it in the file', async () => {
    const p = file('flink-conf.yaml', 'execution.checkpointing.intervall: 10 s\nstate.backend.local-recovery: true\n');
    const result = await run('conf', 'migrate', p, '--rename-deprecated', '--flink', '2.2');
    assert.equal(result.code, 0);
    assert.match(result.out, /# ATTENTION: Flink 2\.2 has no option "execution\.checkpointing\.intervall"/);
    assert.match(result.out, /local-backup:\n {6}enabled: true\n {2}state-recovery:\n {4}from-local: true\n/);
    assert.match(result.err, /^line 1: needs attention: .*Did you mean "execution\.checkpointing\.interval"/m);
  });

  it('a missing file and a bad version are clear errors', async () => {
    const missing = await run('conf', 'check', path.join(dir, 'nope.yaml'));
    assert.equal(missing.code, 1);
    assert.match(missing.err, /cannot read .*nope\.yaml: no such file/);
    const usage = await run('conf', 'check', path.join(dir, 'nope.yaml'), '--flink', 'latest');
    assert.equal(usage.code, 2);
    assert.match(usage.err, /not a Flink version/);
  });
});
