import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FlinkRestClient, isClusterError } from '../core/cluster';
import type { RestoreInvocation } from '../core/restore';
import { authFromEnv } from './cluster';
import { CliIo, EXIT_FAILED, EXIT_OK } from './command';

/** A cluster to submit a restore to, with the jar on it and its Flink version. */
export interface Submission {
  readonly client: FlinkRestClient;
  readonly jarId: string;
  readonly flinkVersion: string;
}

/**
 * `restore --submit URL`: asks the cluster its version (unless given) and uploads `--jar` (unless `--jar-id` names
 * one already there). Null when the cluster failed; the reason is on stderr.
 */
export async function prepareSubmission(
  url: string,
  jar: string | undefined,
  jarId: string | undefined,
  flink: string | undefined,
  io: CliIo,
): Promise<Submission | null> {
  const auth = authFromEnv();
  let client: FlinkRestClient | undefined;
  try {
    client = new FlinkRestClient({ url, ...(auth ? { auth } : {}) });
    const flinkVersion = flink ?? (await client.version()).text;
    let id = jarId;
    if (id === undefined && jar !== undefined) {
      let bytes: Buffer;
      try {
        bytes = await fs.readFile(jar);
      } catch (error) {
        io.err(`flink-checkpoints restore: the job jar ${jar} cannot be read: ${(error as Error).message}\n`);
        client.close();
        return null;
      }
      id = await client.uploadJar(path.basename(jar), bytes);
      io.err(`uploaded ${path.basename(jar)} to ${client.label} as ${id}\n`);
    }
    return { client, jarId: id!, flinkVersion };
  } catch (error) {
    client?.close();
    if (!isClusterError(error)) throw error;
    io.err(`flink-checkpoints restore: ${error.message}\n`);
    return null;
  }
}

/** Sends the invocation's `POST /jars/:jarid/run` body to the cluster; prints the new job's ID. */
export async function submitRestore(
  submission: Submission,
  invocation: RestoreInvocation,
  json: boolean,
  io: CliIo,
): Promise<number> {
  const { client } = submission;
  try {
    const jobId = await client.runJar(submission.jarId, invocation.request!.body);
    if (json) {
      io.out(`${JSON.stringify({ jobid: jobId, cluster: client.label, request: invocation.request }, null, 2)}\n`);
    } else io.out(`${jobId}\n`);
    io.err(`submitted job ${jobId} to ${client.label}, restoring from ${invocation.snapshotPath}\n`);
    return EXIT_OK;
  } catch (error) {
    if (!isClusterError(error)) throw error;
    io.err(`flink-checkpoints restore: ${error.message}\n`);
    return EXIT_FAILED;
  } finally {
    client.close();
  }
}
