// Where a store for a snapshot Flink reported should be rooted, program arguments typed on one line, and the checkpoint
// types a cluster takes.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { checkpointTypesOf, parseClusterVersion, splitProgramArgs, storeLocationFor } from '../../../src/core/cluster';

const JOB = '5f1c0a6e9d3b4c2a8e7f6d5c4b3a2918';

describe('storeLocationFor', () => {
  it('a checkpoint: the checkpoint directory above <job id>/chk-N, as a plain local path', () => {
    assert.equal(storeLocationFor(`file:/var/flink/checkpoints/${JOB}/chk-42`), '/var/flink/checkpoints');
    assert.equal(storeLocationFor(`file:///var/flink/checkpoints/${JOB}/chk-42/`), '/var/flink/checkpoints');
    assert.equal(storeLocationFor(`/var/flink/checkpoints/${JOB}/chk-42/_metadata`), '/var/flink/checkpoints');
  });

  it('a savepoint: its parent directory', () => {
    assert.equal(storeLocationFor('file:/var/flink/savepoints/savepoint-5f1c0a-0123456789ab'), '/var/flink/savepoints');
  });

  it('keeps scheme, host and port of a remote file system', () => {
    assert.equal(
      storeLocationFor(`hdfs://namenode:8020/flink/checkpoints/${JOB}/chk-7`),
      'hdfs://namenode:8020/flink/checkpoints',
    );
    assert.equal(storeLocationFor(`s3://flink-state/jobs/a/${JOB}/chk-1`), 's3://flink-state/jobs/a');
    assert.equal(storeLocationFor('s3p://flink-state/savepoint-5f1c0a-0123456789ab'), 's3p://flink-state');
  });

  it('drops a password from the authority, keeps the user', () => {
    assert.equal(
      storeLocationFor(`ftp://flink:secret@ftp.example.com/cp/${JOB}/chk-3`),
      'ftp://flink@ftp.example.com/cp',
    );
  });

  it('a chk-N without a job directory above it: its parent; any other directory: itself', () => {
    assert.equal(storeLocationFor('file:/data/chk-3'), '/data');
    assert.equal(storeLocationFor('file:/data/backup/snap'), '/data/backup/snap');
  });

  it('nothing a store can hold: undefined', () => {
    assert.equal(storeLocationFor('relative/chk-3'), undefined);
    assert.equal(storeLocationFor('s3:'), undefined);
    assert.equal(storeLocationFor(''), undefined);
  });
});

describe('splitProgramArgs', () => {
  it('splits on blanks, keeps quoted blanks and escapes', () => {
    assert.deepEqual(splitProgramArgs('  --out /tmp/a.txt   --total 7 '), ['--out', '/tmp/a.txt', '--total', '7']);
    assert.deepEqual(splitProgramArgs(`--name 'word count' --sep "a \\"b\\"" x\\ y`), [
      '--name',
      'word count',
      '--sep',
      'a "b"',
      'x y',
    ]);
    assert.deepEqual(splitProgramArgs(`'' ""`), ['', '']);
    assert.deepEqual(splitProgramArgs(''), []);
  });

  it('an unclosed quote is named', () => {
    assert.throws(() => splitProgramArgs(`--name 'word`), /single quote is not closed/);
    assert.throws(() => splitProgramArgs('--name "word'), /double quote is not closed/);
  });
});

describe('checkpointTypesOf', () => {
  it('offers what each line takes over REST: CONFIGURED and FULL from 1.19 (no explicit INCREMENTAL), FULL and INCREMENTAL on 1.17 and 1.18, nothing before', () => {
    const of = (text: string) => checkpointTypesOf(parseClusterVersion(text)!);
    assert.deepEqual(of('2.2.0'), ['CONFIGURED', 'FULL']);
    assert.deepEqual(of('1.19.3'), ['CONFIGURED', 'FULL']);
    assert.deepEqual(of('1.18.1'), ['FULL', 'INCREMENTAL']);
    assert.deepEqual(of('1.17.2'), ['FULL', 'INCREMENTAL']);
    assert.deepEqual(of('1.16.3'), []);
  });
});
