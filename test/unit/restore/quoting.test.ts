import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { buildRestoreInvocation, shellCommand, shellQuote, sqlString, yamlString } from '../../../src/core/restore';

/** What a real POSIX shell makes of a command line: its words, split on NUL by printf. */
function shellWords(shell: string, commandLine: string): string[] {
  const result = spawnSync(shell, ['-c', `set -- ${commandLine}\nprintf '%s\\0' "$@"`], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split('\0').slice(0, -1);
}

const NASTY = [
  'plain',
  '',
  'with space',
  "it's",
  '"double"',
  '$HOME',
  '`id`',
  '$(id)',
  'a*b?[c]',
  '~/x',
  'semi;colon & amp | pipe > out < in',
  'new\nline',
  'tab\there',
  'back\\slash',
  '!bang',
  '#hash',
  "''",
  'ünïcödé ✓',
  '-Dkey=value with space',
];

describe('shell quoting', () => {
  for (const shell of ['bash', 'sh']) {
    it(`${shell} reads back every argument exactly`, () => {
      assert.deepEqual(shellWords(shell, shellCommand(NASTY)), NASTY);
    });
  }

  it('leaves safe words bare and quotes the rest', () => {
    assert.equal(shellQuote('s3://bucket/savepoints/savepoint-abc123'), 's3://bucket/savepoints/savepoint-abc123');
    assert.equal(shellQuote('-Dkubernetes.cluster-id=wc'), '-Dkubernetes.cluster-id=wc');
    assert.equal(shellQuote('a b'), "'a b'");
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(shellQuote(''), "''");
  });

  it('a generated flink run line survives the shell with a path full of specials', () => {
    const snapshotPath = "/mnt/flink ck/it's $HOME/`x`/chk-3";
    for (const target of ['cli', 'application'] as const) {
      const invocation = buildRestoreInvocation({
        snapshotPath,
        target,
        flinkVersion: '1.20',
        options: {
          jar: '/opt/my jobs/job.jar',
          programArgs: ['--name', 'a "b" c'],
          flinkConfiguration: { 'pipeline.name': 'x y' },
        },
      });
      const step = invocation.steps[0];
      assert.deepEqual(shellWords('bash', step.text), step.argv);
      assert.ok(step.argv?.includes(snapshotPath));
    }
  });

  it('the curl line carries the JSON body unchanged through the shell', () => {
    const invocation = buildRestoreInvocation({
      snapshotPath: "file:///data/it's here/chk-1",
      target: 'rest',
      flinkVersion: '2.1',
      options: { programArgs: ["o'neil", 'a\\b', '{"x": 1}'], jarId: 'abc_job.jar' },
    });
    const curl = invocation.steps[invocation.steps.length - 1];
    const words = shellWords('bash', curl.text);
    assert.deepEqual(words, curl.argv);
    assert.deepEqual(JSON.parse(words[words.indexOf('-d') + 1]), invocation.request?.body);
    assert.deepEqual(invocation.request?.body.programArgsList, ["o'neil", 'a\\b', '{"x": 1}']);
  });
});

describe('YAML and SQL literals', () => {
  it('plain scalars only where YAML reads back the same string', () => {
    assert.equal(yamlString('s3://bucket/savepoints/savepoint-1'), 's3://bucket/savepoints/savepoint-1');
    assert.equal(yamlString('/flink/ck/chk-1'), '/flink/ck/chk-1');
    for (const risky of [
      'true',
      'no',
      'null',
      '~',
      '123',
      '1e3',
      '-x',
      'a: b',
      'a #b',
      "it's",
      'key:',
      '',
      ' lead',
      '.inf',
      'a"b',
    ]) {
      const text = yamlString(risky);
      assert.ok(text.startsWith('"'), `${risky} → ${text}`);
      assert.equal(JSON.parse(text), risky);
    }
  });

  it('SQL string literals double single quotes', () => {
    assert.equal(sqlString("it's"), "'it''s'");
    const invocation = buildRestoreInvocation({
      snapshotPath: "/ck/o'neil/chk-9",
      target: 'sql',
      flinkVersion: '1.18',
    });
    assert.ok(invocation.steps[0].text.startsWith("SET 'execution.savepoint.path' = '/ck/o''neil/chk-9';\n"));
  });

  it('k8s manifests quote what YAML would misread, and kubectl reads the patch from the file it is saved as', () => {
    const snapshotPath = '/mnt/a: b #c/chk-1';
    const invocation = buildRestoreInvocation({
      snapshotPath,
      target: 'k8s',
      flinkVersion: '2.0',
      options: { deploymentName: 'wc', programArgs: ['true', '--flag'], now: () => 1_700_000_000_000 },
    });
    const patch = invocation.steps[0].text;
    assert.ok(patch.includes(`    initialSavepointPath: ${JSON.stringify(snapshotPath)}\n`));
    assert.ok(patch.includes('    args:\n      - "true"\n      - "--flag"\n'));
    assert.ok(patch.includes('    savepointRedeployNonce: 1700000000 #'));
    assert.deepEqual(invocation.steps[1].argv?.slice(-2), ['--patch-file', 'wc-restore-patch.yaml']);
    assert.equal(invocation.steps[0].fileName, 'wc-restore-patch.yaml');
    assert.ok(invocation.steps[2].text.includes(`    path: ${JSON.stringify(snapshotPath)}\n`));
  });
});
