import { openMetadataInput } from '../../src/cli/inspectInput';
import { readLocal, readSource } from '../../src/cli/schema';
import { parseMetadata } from '../../src/core/metadata';
import type { StateFileAccess } from '../../src/core/state';
import { stateEntries } from '../../src/core/state/values';

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
      if (++entries >= limit) break;
    }
  } finally {
    input.close();
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
