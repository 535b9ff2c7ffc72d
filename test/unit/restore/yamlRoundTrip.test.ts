// The generated manifests read back with a real YAML parser (the `yaml` package, YAML 1.2 core schema, and its YAML 1.1
// mode, which Kubernetes' sigs.k8s.io/yaml follows for plain scalars such as yes/no/on/off).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { buildRestoreInvocation } from '../../../src/core/restore';

const AWKWARD = [
  '/mnt/a: b #c/chk-1',
  "/mnt/it's/chk-2",
  '/mnt/"quoted"/chk-3',
  'yes',
  'on',
  '0777',
  '1e3',
  '- dash',
  '[list]',
  '{map}',
  '&anchor',
  '*alias',
  '!tag',
  '%directive',
  '@at',
  '`tick`',
  'trailing space ',
  'ünïcödé ✓',
];
/** Control characters are refused in snapshot paths, but may appear in program arguments and configuration. */
const ARGUMENTS_ONLY = ['tab\there', 'line\nbreak'];

describe('YAML manifests read back exactly', () => {
  for (const version of ['1.1', '1.2'] as const) {
    it(`FlinkDeployment patch and FlinkStateSnapshot (YAML ${version})`, () => {
      for (const value of [...AWKWARD, ...ARGUMENTS_ONLY]) {
        const directory = ARGUMENTS_ONLY.includes(value) ? 'plain' : value;
        const invocation = buildRestoreInvocation({
          snapshotPath: `s3://bucket/${directory}/savepoint-0a1b2c-0123456789ab`,
          target: 'k8s',
          flinkVersion: '1.20',
          options: {
            deploymentName: 'word-count',
            namespace: 'flink-jobs',
            entryClass: value,
            programArgs: [value, '--flag'],
            flinkConfiguration: { 'pipeline.name': value },
            currentRedeployNonce: 41,
          },
        });
        const patch = parse(invocation.steps[0].text, { version });
        assert.deepEqual(Object.keys(patch), ['spec'], 'a merge patch: kubectl names the resource');
        assert.deepEqual(patch.spec.job, {
          entryClass: value,
          args: [value, '--flag'],
          initialSavepointPath: `s3://bucket/${directory}/savepoint-0a1b2c-0123456789ab`,
          upgradeMode: 'savepoint',
          allowNonRestoredState: false,
          savepointRedeployNonce: 42,
        });
        assert.deepEqual(patch.spec.flinkConfiguration, {
          'execution.state-recovery.claim-mode': 'NO_CLAIM',
          'pipeline.name': value,
        });
        const snapshot = parse(invocation.steps[2].text, { version });
        assert.equal(snapshot.spec.savepoint.path, `s3://bucket/${directory}/savepoint-0a1b2c-0123456789ab`);
        assert.equal(snapshot.spec.savepoint.alreadyExists, true);
        assert.equal(snapshot.spec.savepoint.disposeOnDelete, false);
        assert.match(snapshot.metadata.name, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      }
    });

    it(`standalone container arguments (YAML ${version})`, () => {
      for (const value of [...AWKWARD, ...ARGUMENTS_ONLY]) {
        const directory = ARGUMENTS_ONLY.includes(value) ? 'plain' : value;
        const invocation = buildRestoreInvocation({
          snapshotPath: `/flink/${directory}/chk-7`,
          target: 'application',
          flinkVersion: '2.2',
          options: { applicationTarget: 'standalone', entryClass: 'com.example.Job', programArgs: [value] },
        });
        assert.deepEqual(parse(invocation.steps[1].text, { version }).args, [
          'standalone-job',
          '--job-classname',
          'com.example.Job',
          '--fromSavepoint',
          `/flink/${directory}/chk-7`,
          value,
        ]);
      }
    });
  }
});
