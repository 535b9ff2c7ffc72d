// Long command lines are shown continued with `\`, one option per line; a shell must read them as the very same argv.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { buildRestoreInvocation, formatInvocation, shellCommandLines } from '../../../src/core/restore';

const SAVEPOINT = 's3://bucket/savepoints/savepoint-abc123-0123456789ab';

/** The arguments bash passes to a command written as `text` (its first word replaced by printf). */
function argvAsBashReadsIt(text: string): string[] {
  const ran = spawnSync('bash', ['-c', `set -- ${text.slice(text.indexOf(' ') + 1)}\nprintf '%s\\0' "$@"`], {
    encoding: 'utf8',
  });
  assert.equal(ran.status, 0, ran.stderr);
  return ran.stdout.split('\0').slice(0, -1);
}

describe('command lines continued over several lines', () => {
  it('a short command stays on one line', () => {
    assert.equal(shellCommandLines(['kubectl', 'apply', '--filename', 'x.yaml']), 'kubectl apply --filename x.yaml');
  });

  it('flink run: the command and its action first, then one option with its value per line', () => {
    const invocation = buildRestoreInvocation({
      snapshotPath: SAVEPOINT,
      target: 'cli',
      flinkVersion: '2.0',
      options: {
        claimMode: 'no_claim',
        allowNonRestoredState: true,
        entryClass: 'com.example.WordCount',
        parallelism: 4,
        jar: '/opt/jobs/word-count.jar',
        programArgs: ['--input', 'in put'],
      },
    });
    assert.equal(
      formatInvocation(invocation, { wrapCommands: true }),
      [
        '# Submit the job to a running session cluster from the snapshot',
        './bin/flink run \\',
        '  --detached \\',
        `  --fromSavepoint ${SAVEPOINT} \\`,
        '  --allowNonRestoredState \\',
        '  --claimMode no_claim \\',
        '  -c com.example.WordCount \\',
        '  -p 4 \\',
        '  /opt/jobs/word-count.jar \\',
        '  --input \\',
        "  'in put'",
        '',
      ].join('\n'),
    );
  });

  it('bash reads the continued lines as the same arguments, quotes and all', () => {
    const awkward = ["it's", 'a b', '-Dx=y z', '\\', '$HOME', '"q"'];
    for (const target of ['cli', 'application', 'rest'] as const) {
      const invocation = buildRestoreInvocation({
        snapshotPath: "/mnt/o'neil/chk-7",
        target,
        flinkVersion: '1.19',
        options: {
          jar: '/opt/a b.jar',
          entryClass: 'com.example.Job',
          programArgs: awkward,
          flinkConfiguration: { 'pipeline.name': "x 'y'" },
        },
      });
      for (const step of invocation.steps.filter((s) => s.argv)) {
        const wrapped = shellCommandLines(step.argv!);
        assert.equal(
          wrapped.includes(' \\\n  '),
          step.text.length > 100,
          `${target}: continued when longer than 100 characters`,
        );
        assert.deepEqual(argvAsBashReadsIt(wrapped), step.argv!.slice(1));
      }
    }
  });
});
