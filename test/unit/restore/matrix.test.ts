// Every target × every Flink line against the templates of the restore reference (§1.1–§1.7). The expected texts are
// written out here from the reference, not computed by the code under test.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { RestoreInvocation, SUPPORTED_FLINK_LINES, buildRestoreInvocation } from '../../../src/core/restore';

interface LineFacts {
  claimFlag: string;
  keys: { path: string; ignore: string; mode: string };
  applicationAction: string;
  restClaimField: string;
  restFlinkConfiguration: boolean;
  imageKey: string;
  legacyDeprecated: boolean;
}

const OLD_KEYS = {
  path: 'execution.savepoint.path',
  ignore: 'execution.savepoint.ignore-unclaimed-state',
  mode: 'execution.savepoint-restore-mode',
};
const NEW_KEYS = {
  path: 'execution.state-recovery.path',
  ignore: 'execution.state-recovery.ignore-unclaimed-state',
  mode: 'execution.state-recovery.claim-mode',
};

/** The reference's version matrix (§1.1), row by row. */
const MATRIX: Record<string, LineFacts> = {
  '1.15': {
    claimFlag: '--restoreMode',
    keys: OLD_KEYS,
    applicationAction: 'run-application',
    restClaimField: 'restoreMode',
    restFlinkConfiguration: false,
    imageKey: 'kubernetes.container.image',
    legacyDeprecated: false,
  },
  '1.16': {
    claimFlag: '--restoreMode',
    keys: OLD_KEYS,
    applicationAction: 'run-application',
    restClaimField: 'restoreMode',
    restFlinkConfiguration: false,
    imageKey: 'kubernetes.container.image',
    legacyDeprecated: false,
  },
  '1.17': {
    claimFlag: '--restoreMode',
    keys: OLD_KEYS,
    applicationAction: 'run-application',
    restClaimField: 'restoreMode',
    restFlinkConfiguration: true,
    imageKey: 'kubernetes.container.image.ref',
    legacyDeprecated: false,
  },
  '1.18': {
    claimFlag: '--restoreMode',
    keys: OLD_KEYS,
    applicationAction: 'run-application',
    restClaimField: 'restoreMode',
    restFlinkConfiguration: true,
    imageKey: 'kubernetes.container.image.ref',
    legacyDeprecated: false,
  },
  '1.19': {
    claimFlag: '--restoreMode',
    keys: OLD_KEYS,
    applicationAction: 'run-application',
    restClaimField: 'restoreMode',
    restFlinkConfiguration: true,
    imageKey: 'kubernetes.container.image.ref',
    legacyDeprecated: true,
  },
  '1.20': {
    claimFlag: '--claimMode',
    keys: NEW_KEYS,
    applicationAction: 'run-application',
    restClaimField: 'claimMode',
    restFlinkConfiguration: true,
    imageKey: 'kubernetes.container.image.ref',
    legacyDeprecated: true,
  },
  '2.0': {
    claimFlag: '--claimMode',
    keys: NEW_KEYS,
    applicationAction: 'run',
    restClaimField: 'claimMode',
    restFlinkConfiguration: true,
    imageKey: 'kubernetes.container.image.ref',
    legacyDeprecated: true,
  },
  '2.1': {
    claimFlag: '--claimMode',
    keys: NEW_KEYS,
    applicationAction: 'run',
    restClaimField: 'claimMode',
    restFlinkConfiguration: true,
    imageKey: 'kubernetes.container.image.ref',
    legacyDeprecated: true,
  },
  '2.2': {
    claimFlag: '--claimMode',
    keys: NEW_KEYS,
    applicationAction: 'run',
    restClaimField: 'claimMode',
    restFlinkConfiguration: true,
    imageKey: 'kubernetes.container.image.ref',
    legacyDeprecated: true,
  },
  '2.3': {
    claimFlag: '--claimMode',
    keys: NEW_KEYS,
    applicationAction: 'run',
    restClaimField: 'claimMode',
    restFlinkConfiguration: true,
    imageKey: 'kubernetes.container.image.ref',
    legacyDeprecated: true,
  },
};

const SAVEPOINT = 's3://bucket/savepoints/savepoint-abc123-0123456789ab';
const CHECKPOINT = 'hdfs:///flink/checkpoints/0123456789abcdef0123456789abcdef/chk-42';

function codes(invocation: RestoreInvocation): string[] {
  return invocation.warnings.map((w) => w.code);
}

describe('restore matrix: every target for Flink 1.15 .. 2.3', () => {
  it('covers exactly the lines of the reference', () => {
    assert.deepEqual([...SUPPORTED_FLINK_LINES], Object.keys(MATRIX));
  });

  for (const [line, facts] of Object.entries(MATRIX)) {
    describe(`Flink ${line}`, () => {
      it("cli: flink run with --fromSavepoint, -n, the line's claim flag, options before the jar", () => {
        const invocation = buildRestoreInvocation({
          snapshotPath: SAVEPOINT,
          target: 'cli',
          flinkVersion: line,
          options: {
            claimMode: 'claim',
            allowNonRestoredState: true,
            entryClass: 'com.example.WordCount',
            parallelism: 4,
            jar: '/opt/jobs/word-count.jar',
            programArgs: ['--input', 'in put'],
          },
        });
        assert.equal(invocation.steps.length, 1);
        assert.equal(
          invocation.steps[0].text,
          `./bin/flink run --detached --fromSavepoint ${SAVEPOINT} --allowNonRestoredState ${facts.claimFlag} claim ` +
            `-c com.example.WordCount -p 4 /opt/jobs/word-count.jar --input 'in put'`,
        );
        assert.ok(!invocation.steps[0].text.includes('-D'), 'claim mode and allow-non-restored never go through -D');
        assert.deepEqual(codes(invocation), ['claim-mode-ownership']);
      });

      it('cli: default no_claim, always explicit; no -n unless asked', () => {
        const invocation = buildRestoreInvocation({
          snapshotPath: CHECKPOINT,
          target: 'cli',
          flinkVersion: line,
          options: { jar: 'job.jar' },
        });
        assert.equal(
          invocation.steps[0].text,
          `./bin/flink run --detached --fromSavepoint ${CHECKPOINT} ${facts.claimFlag} no_claim job.jar`,
        );
        assert.deepEqual(codes(invocation), []);
      });

      it('cli: LEGACY is deprecated from 1.19', () => {
        const invocation = buildRestoreInvocation({
          snapshotPath: CHECKPOINT,
          target: 'cli',
          flinkVersion: line,
          options: { claimMode: 'legacy', jar: 'job.jar' },
        });
        assert.ok(invocation.steps[0].text.includes(`${facts.claimFlag} legacy`));
        assert.equal(codes(invocation).includes('legacy-claim-mode-deprecated'), facts.legacyDeprecated);
      });

      it("application: native Kubernetes with the line's action and image key", () => {
        const invocation = buildRestoreInvocation({
          snapshotPath: SAVEPOINT,
          target: 'application',
          flinkVersion: line,
          options: {
            applicationTarget: 'kubernetes-application',
            clusterId: 'word-count',
            image: 'registry.example.com/word-count:1',
            allowNonRestoredState: true,
            jar: 'local:///opt/flink/usrlib/job.jar',
          },
        });
        assert.equal(
          invocation.steps[0].text,
          `./bin/flink ${facts.applicationAction} --target kubernetes-application -Dkubernetes.cluster-id=word-count ` +
            `-D${facts.imageKey}=registry.example.com/word-count:1 --fromSavepoint ${SAVEPOINT} --allowNonRestoredState ` +
            `${facts.claimFlag} no_claim local:///opt/flink/usrlib/job.jar`,
        );
        assert.deepEqual(codes(invocation), []);
      });

      it('application: YARN', () => {
        const invocation = buildRestoreInvocation({
          snapshotPath: CHECKPOINT,
          target: 'application',
          flinkVersion: line,
          options: {
            applicationTarget: 'yarn-application',
            yarnApplicationName: 'word count',
            claimMode: 'claim',
            jar: './job.jar',
          },
        });
        assert.equal(
          invocation.steps[0].text,
          `./bin/flink ${facts.applicationAction} --target yarn-application '-Dyarn.application.name=word count' ` +
            `--fromSavepoint ${CHECKPOINT} ${facts.claimFlag} claim ./job.jar`,
        );
      });

      it('application: standalone cluster takes --fromSavepoint and --allowNonRestoredState only', () => {
        const invocation = buildRestoreInvocation({
          snapshotPath: SAVEPOINT,
          target: 'application',
          flinkVersion: line,
          options: {
            applicationTarget: 'standalone',
            entryClass: 'com.example.WordCount',
            allowNonRestoredState: true,
            parallelism: 2,
            claimMode: 'claim',
            programArgs: ['--input', '/data/in'],
          },
        });
        assert.equal(
          invocation.steps[0].text,
          `./bin/standalone-job.sh start --job-classname com.example.WordCount --fromSavepoint ${SAVEPOINT} ` +
            `--allowNonRestoredState -Dparallelism.default=2 --input /data/in`,
        );
        assert.equal(
          invocation.steps[1].text,
          'args:\n  - standalone-job\n  - "--job-classname"\n  - com.example.WordCount\n  - "--fromSavepoint"\n' +
            `  - ${SAVEPOINT}\n  - "--allowNonRestoredState"\n  - "-Dparallelism.default=2"\n  - "--input"\n  - /data/in\n`,
        );
        assert.ok(!invocation.steps.some((s) => /claim/i.test(s.text)));
        assert.ok(codes(invocation).includes('claim-mode-not-settable'));
      });

      it("k8s: a merge-patch file with the line's claim-mode key and a bumped nonce, the kubectl patch that reads it; a FlinkStateSnapshot and its kubectl apply", () => {
        const invocation = buildRestoreInvocation({
          snapshotPath: SAVEPOINT,
          target: 'k8s',
          flinkVersion: line,
          options: { deploymentName: 'word-count', namespace: 'flink', currentRedeployNonce: 4, claimMode: 'claim' },
        });
        assert.deepEqual(
          invocation.steps.map((s) => [s.language, s.fileName]),
          [
            ['yaml', 'word-count-restore-patch.yaml'],
            ['shellscript', undefined],
            ['yaml', 'word-count-savepoint-abc123-0123456789ab.yaml'],
            ['shellscript', undefined],
          ],
        );
        assert.equal(
          invocation.steps[0].text,
          [
            '# A merge patch of FlinkDeployment word-count in namespace flink: it re-deploys the job from the snapshot.',
            'spec:',
            `  # The operator never sets a claim mode itself; ${facts.keys.mode} is the Flink ${line} key (spec.flinkVersion v${line.replace('.', '_')})`,
            '  flinkConfiguration:',
            `    ${facts.keys.mode}: CLAIM`,
            '  job:',
            `    initialSavepointPath: ${SAVEPOINT}`,
            '    upgradeMode: savepoint',
            '    allowNonRestoredState: false',
            '    savepointRedeployNonce: 5 # changed: re-deploy from initialSavepointPath (operator 1.8+)',
            '',
          ].join('\n'),
        );
        assert.deepEqual(invocation.steps[1].argv, [
          'kubectl',
          'patch',
          'flinkdeployment',
          'word-count',
          '--namespace',
          'flink',
          '--type',
          'merge',
          '--patch-file',
          'word-count-restore-patch.yaml',
        ]);
        assert.equal(
          invocation.steps[2].text,
          [
            '# Registers the existing snapshot with the operator (1.10+); disposeOnDelete: false keeps the files when this resource is deleted',
            'apiVersion: flink.apache.org/v1beta1',
            'kind: FlinkStateSnapshot',
            'metadata:',
            '  name: word-count-savepoint-abc123-0123456789ab',
            '  namespace: flink',
            'spec:',
            '  jobReference:',
            '    kind: FlinkDeployment',
            '    name: word-count',
            '  savepoint:',
            `    path: ${SAVEPOINT}`,
            '    alreadyExists: true',
            '    disposeOnDelete: false',
            '',
          ].join('\n'),
        );
        assert.deepEqual(invocation.steps[3].argv, [
          'kubectl',
          'apply',
          '--filename',
          'word-count-savepoint-abc123-0123456789ab.yaml',
        ]);
      });

      it("sql: SET with the line's keys, the DML, then RESET of each key", () => {
        const invocation = buildRestoreInvocation({
          snapshotPath: SAVEPOINT,
          target: 'sql',
          flinkVersion: line,
          options: {
            allowNonRestoredState: true,
            claimMode: 'no_claim',
            sqlStatement: 'INSERT INTO counts SELECT word, COUNT(*) FROM words GROUP BY word',
          },
        });
        assert.equal(
          invocation.steps[0].text,
          [
            `SET '${facts.keys.path}' = '${SAVEPOINT}';`,
            `SET '${facts.keys.ignore}' = 'true';`,
            `SET '${facts.keys.mode}' = 'NO_CLAIM';`,
            'INSERT INTO counts SELECT word, COUNT(*) FROM words GROUP BY word;',
            `RESET '${facts.keys.path}';`,
            `RESET '${facts.keys.ignore}';`,
            `RESET '${facts.keys.mode}';`,
            '',
          ].join('\n'),
        );
        assert.deepEqual(codes(invocation), []);
      });

      it("rest: the jar-run body with the line's claim field and flinkConfiguration from 1.17", () => {
        const invocation = buildRestoreInvocation({
          snapshotPath: CHECKPOINT,
          target: 'rest',
          flinkVersion: line,
          options: {
            entryClass: 'com.example.WordCount',
            programArgs: ['--input', 'a b'],
            parallelism: 3,
            claimMode: 'legacy',
            flinkConfiguration: { 'pipeline.name': 'word count' },
            restUrl: 'http://jobmanager:8081/',
            jarId: '1c2b_word-count.jar',
            jar: '/tmp/word count.jar',
          },
        });
        const expectedBody: Record<string, unknown> = {
          entryClass: 'com.example.WordCount',
          programArgsList: ['--input', 'a b'],
          parallelism: 3,
          savepointPath: CHECKPOINT,
          allowNonRestoredState: false,
          [facts.restClaimField]: 'LEGACY',
        };
        if (facts.restFlinkConfiguration) expectedBody.flinkConfiguration = { 'pipeline.name': 'word count' };
        assert.deepEqual(invocation.request, {
          method: 'POST',
          url: 'http://jobmanager:8081/jars/1c2b_word-count.jar/run',
          body: expectedBody,
        });
        assert.deepEqual(
          Object.keys(invocation.request?.body ?? {}),
          Object.keys(expectedBody),
          'field order as in the REST docs',
        );
        assert.equal(invocation.steps.length, 3);
        assert.equal(
          invocation.steps[0].text,
          `curl -sS -X POST -H Expect: -F 'jarfile=@/tmp/word count.jar' http://jobmanager:8081/jars/upload`,
        );
        assert.deepEqual(JSON.parse(invocation.steps[1].text), expectedBody);
        assert.equal(
          invocation.steps[2].text,
          `curl -sS -X POST -H 'Content-Type: application/json' -d '${JSON.stringify(expectedBody)}' http://jobmanager:8081/jars/1c2b_word-count.jar/run`,
        );
        assert.equal(codes(invocation).includes('rest-flink-configuration-unsupported'), !facts.restFlinkConfiguration);
      });
    });
  }
});
