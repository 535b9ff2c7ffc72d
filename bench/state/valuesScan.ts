import { openSnapshotState } from '../../src/cli/snapshotState';
import { stateEntryBatches } from '../../src/core/state/values';

/**
 * One full read of an operator's state by this reader, as `flink-checkpoints state <snapshot> --operator <uid>` reads
 * it (the same metadata input, local reads and entry iterator: every key and value decoded into JSON-like trees; with
 * `--json` also made into the JSON line `state --json` prints, not written), in a process of its own so its peak
 * memory is its own: prints one JSON line of counts, time and peak RSS.
 *
 *   node out/bench/state/valuesScan.js <snapshot directory> <uid> [--json] [--limit N]
 */
async function main(snapshot: string, uid: string, json: boolean, limit: number): Promise<void> {
  const started = process.hrtime.bigint();
  const input = await openSnapshotState(snapshot, undefined);
  let entries = 0;
  let jsonBytes = 0;
  let problems = 0;
  try {
    const { metadata, access } = input;
    const op = metadata.operators.find((o) => o.uid === uid);
    if (op === undefined) throw new Error(`no operator ${uid} in ${snapshot}`);
    scan: for await (const batch of stateEntryBatches(op, metadata.pointer, access, {}, () => problems++)) {
      for (const { entry } of batch) {
        if (json) {
          const line = JSON.stringify({
            state: entry.state,
            keyGroup: entry.keyGroup,
            key: entry.key,
            namespace: entry.namespace,
            value: entry.value,
          });
          jsonBytes += line.length + 1;
        }
        if (++entries >= limit) break scan;
      }
    }
  } finally {
    await input.close();
  }
  const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
  console.log(JSON.stringify({ entries, jsonBytes, problems, ms, peakRssKiB: process.resourceUsage().maxRSS }));
}

const args = process.argv.slice(2);
const limitAt = args.indexOf('--limit');
main(
  args[0],
  args[1],
  args.includes('--json'),
  limitAt > 0 ? Number(args[limitAt + 1]) : Number.POSITIVE_INFINITY,
).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
