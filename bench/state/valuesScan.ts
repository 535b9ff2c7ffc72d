import { openMetadataInput } from '../../src/cli/inspectInput';
import { readLocal, readSource } from '../../src/cli/schema';
import { parseMetadata } from '../../src/core/metadata';
import type { StateFileAccess } from '../../src/core/state';
import { stateEntries } from '../../src/core/state/values';

/**
 * One full read of an operator's state by this reader, as `flink-checkpoints state <snapshot> --operator <uid> --json`
 * reads it (the same metadata input, local reads and entry iterator; every entry made into its JSON line, not
 * written), in a process of its own so its peak memory is its own: prints one JSON line of counts, time and peak RSS.
 *
 *   node out/bench/state/valuesScan.js <snapshot directory> <uid> [limit]
 */
async function main(snapshot: string, uid: string, limit: number): Promise<void> {
  const started = process.hrtime.bigint();
  const input = await openMetadataInput(snapshot);
  let entries = 0;
  let jsonBytes = 0;
  let problems = 0;
  try {
    const data = input.data;
    const bytes = data instanceof Uint8Array ? data : readSource(data, 0, data.size);
    const metadata = parseMetadata(bytes, { pointer: input.pointer });
    const access: StateFileAccess = {
      readMetadata: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
      read: (path, offset, length) => Promise.resolve().then(() => readLocal(path, offset, length)),
    };
    const op = metadata.operators.find((o) => o.uid === uid);
    if (op === undefined) throw new Error(`no operator ${uid} in ${snapshot}`);
    for await (const { entry } of stateEntries(op, metadata.pointer, access, {}, () => problems++)) {
      const line = JSON.stringify({
        state: entry.state,
        keyGroup: entry.keyGroup,
        key: entry.key,
        namespace: entry.namespace,
        value: entry.value,
      });
      jsonBytes += line.length + 1;
      if (++entries >= limit) break;
    }
  } finally {
    input.close();
  }
  const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
  console.log(JSON.stringify({ entries, jsonBytes, problems, ms, peakRssKiB: process.resourceUsage().maxRSS }));
}

main(process.argv[2], process.argv[3], Number(process.argv[4] ?? Number.POSITIVE_INFINITY)).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
