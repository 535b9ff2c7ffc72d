// A REST cluster (FLINK_VERSION) checkpointing a running word count to s3a:// (flink-s3-fs-hadoop as a plugin) on a
// versitygw bucket: a savepoint triggered through the REST client lands in the bucket, and an S3 store of the
// extension finds it, its _metadata and the job's checkpoints at the paths the cluster reported.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FlinkRestClient } from '../../../src/core/cluster';
import { findLatestCompleteCheckpoint } from '../../../src/core/layout';
import { parseMetadata, summarize } from '../../../src/core/metadata';
import { storePathOf } from '../../../src/core/references/locate';
import { CheckpointStore, openStore, parseStoreUri } from '../../../src/core/stores';
import { S3Server, s3Prerequisites, startVersityGw } from '../../servers/s3Servers';
import { ENTRY_CLASS, RunningCluster, clusterSkipReason, lines, startCluster, waitFor } from './cluster';

const BUCKET = 'flink';
const ROOT = `s3://${BUCKET}/cluster`;

describe(
  'a REST cluster with its checkpoints on s3a://',
  { skip: clusterSkipReason() ?? s3Prerequisites('versitygw') },
  () => {
    let server: S3Server;
    let cluster: RunningCluster;
    let client: FlinkRestClient;
    let store: CheckpointStore;
    let jobId: string;

    before(async () => {
      server = await startVersityGw();
      fs.mkdirSync(path.join(server.dataDir, BUCKET));
      cluster = await startCluster({
        conf: {
          'execution.checkpointing.dir': `s3a://${BUCKET}/cluster/checkpoints`,
          's3.endpoint': server.endpoint,
          's3.path.style.access': 'true',
          's3.access-key': server.accessKey,
          's3.secret-key': server.secretKey,
          // S3A deletes parent directory markers after each write; versitygw's answer makes it retry for minutes.
          's3.directory.marker.retention': 'keep',
        },
      });
      client = new FlinkRestClient({ url: cluster.url });
      const jarId = await client.uploadJar('job.jar', fs.readFileSync(cluster.jobJar));
      const out = path.join(cluster.work, 'counts.txt');
      jobId = await client.runJar(jarId, {
        entryClass: ENTRY_CLASS,
        programArgsList: ['--out', out, '--total', '6', '--pause-after', '5', '--checkpoint-interval-ms', '1000'],
      });
      await waitFor('hello 5', 180_000, () => lines(out).includes('hello 5'));
      store = openStore(ROOT, {
        password: server.secretKey,
        s3: { endpoint: server.endpoint, accessKeyId: server.accessKey },
      });
    });

    after(async () => {
      await store?.close();
      client?.close();
      await cluster?.stop();
      await server?.stop();
      if (cluster) fs.rmSync(cluster.work, { recursive: true, force: true });
    });

    it('checkpoints complete on s3a:// and the S3 store finds the latest one at the path Flink reported', async () => {
      const completed = await waitFor('a completed checkpoint', 120_000, async () => {
        const latest = (await client.checkpoints(jobId)).latest.completed;
        return latest && latest.external_path ? latest : undefined;
      });
      assert.match(completed.external_path!, new RegExp(`^s3a://${BUCKET}/cluster/checkpoints/${jobId}/chk-\\d+$`));
      const storePath = storePathOf(parseStoreUri(ROOT), completed.external_path!);
      assert.equal(storePath, `/checkpoints/${jobId}/chk-${completed.id}`);
      const { latest } = await findLatestCompleteCheckpoint(store, `/checkpoints/${jobId}`);
      assert.ok(latest, 'a complete checkpoint in the store');
      assert.ok(Number(latest.name.slice(4)) >= completed.id, `${latest.name} is at least chk-${completed.id}`);
    });

    it('a savepoint triggered to s3a:// appears in the S3 store and parses as a savepoint', async () => {
      const location = await client.savepoint(jobId, {
        targetDirectory: `s3a://${BUCKET}/cluster/savepoints`,
        formatType: 'CANONICAL',
      });
      assert.match(location, new RegExp(`^s3a://${BUCKET}/cluster/savepoints/savepoint-[0-9a-f]{6}-[0-9a-f]{12}$`));
      const storePath = storePathOf(parseStoreUri(ROOT), location)!;
      const listed: string[] = [];
      for await (const page of store.list('/savepoints')) listed.push(...page.map((e) => e.name));
      assert.deepEqual(listed, [path.posix.basename(location)]);
      const bytes = await store.readAll(`${storePath}/_metadata`);
      const summary = summarize(parseMetadata(bytes, { pointer: location }), { pointer: location });
      assert.equal(summary.kind, 'savepoint');
      assert.ok(summary.operators.length > 0);
    });
  },
);
