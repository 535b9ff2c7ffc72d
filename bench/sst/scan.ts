import { localFileSource, openSstFile } from '../../src/core/state/sst';

/**
 * One full scan of SST files by the TypeScript reader, checksums verified, in a process of its own so its peak memory
 * is its own: prints one JSON line of counts, time and peak RSS, as SstOracle `scan` does for RocksDB's JNI reader.
 */
async function main(files: string[]): Promise<void> {
  const started = process.hrtime.bigint();
  let entries = 0;
  let bytes = 0;
  for (const path of files) {
    const file = await openSstFile(localFileSource(path));
    try {
      for await (const e of file.entries()) {
        entries++;
        bytes += e.key.length + e.value.length;
      }
    } finally {
      await file.close();
    }
  }
  const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
  console.log(JSON.stringify({ entries, bytes, ms, peakRssKiB: process.resourceUsage().maxRSS }));
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
