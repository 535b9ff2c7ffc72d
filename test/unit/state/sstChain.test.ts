import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  type MergeOptions,
  type SstFile,
  type SstSource,
  localFileSource,
  mergeSstBatches,
  openSstFile,
} from '../../../src/core/state/sst';
import { generateCases, sstOracleMissing } from './sstSupport';

/**
 * Files of one column family read one after another when their key ranges do not overlap (sorted runs), against
 * RocksDB's own iterator and against the heap merge of every file: test/rocksdb/generate.sh `chains` flushes one
 * sorted key set in consecutive ranges (puts, deletions, merges, versions kept under snapshots), and in the other
 * kinds a later file reaches into an earlier range (a deletion, a put, a range tombstone, a file across all ranges).
 */
const BUILDS = [
  'org.rocksdb:rocksdbjni:10.10.1',
  'com.ververica:frocksdbjni:8.10.0-ververica-1.0',
  'com.ververica:frocksdbjni:6.20.3-ververica-2.0',
];
const SEED = 20;
const CASES = 15;
const ENTRIES = 300;

type Kind = 'chain-disjoint' | 'chain-delete' | 'chain-put' | 'chain-range' | 'chain-runs';

interface CaseJson {
  mode: Kind;
  rangeDeletions: [string, string][];
  files: Record<string, unknown>;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Counts the bytes a source is asked for. */
function counting(source: SstSource): SstSource & { bytes: number } {
  const counted = {
    label: source.label,
    bytes: 0,
    size: () => source.size(),
    read: (offset: number, length: number) => {
      counted.bytes += length;
      return source.read(offset, length);
    },
    close: () => source.close?.() ?? Promise.resolve(),
  };
  return counted;
}

async function withFiles<T>(
  dir: string,
  names: string[],
  body: (files: SstFile[], sources: ReturnType<typeof counting>[]) => Promise<T>,
): Promise<T> {
  const files: SstFile[] = [];
  const sources = names.map((n) => counting(localFileSource(path.join(dir, n))));
  try {
    for (const s of sources) files.push(await openSstFile(s));
    return await body(files, sources);
  } finally {
    await Promise.all(files.map((f) => f.close()));
  }
}

/** Every merged entry with its sequence number and type, and the plan the merge chose. */
async function entries(files: SstFile[], options: MergeOptions = {}) {
  let plan: string | undefined;
  const got: string[] = [];
  for await (const batch of mergeSstBatches(files, { ...options, onPlan: (p) => (plan = p) })) {
    for (const e of batch) got.push(`${hex(e.key)}@${e.seq}:${e.type}=${hex(e.value)}`);
  }
  return { got, plan };
}

const missing = sstOracleMissing();
if (missing) it('SST files read one after another against RocksDB', { skip: missing }, () => undefined);

for (const jni of missing ? [] : BUILDS) {
  describe(`SST files read one after another against RocksDB (${jni})`, () => {
    const root = generateCases(jni, SEED, CASES, ENTRIES, 'chains');
    const dirs = fs
      .readdirSync(root)
      .filter((n) => n.startsWith('case-'))
      .sort();
    it('generated every case', () => assert.equal(dirs.length, CASES));

    for (const name of dirs) {
      const dir = path.join(root, name);
      const c = JSON.parse(fs.readFileSync(path.join(dir, 'case.json'), 'utf8')) as CaseJson;
      const names = Object.keys(c.files).sort();
      const live = fs
        .readFileSync(path.join(dir, 'live.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { key: string; value: string });

      it(`${name} ${c.mode}, ${names.length} files: RocksDB's entries, the heap merge's entry for entry`, () =>
        withFiles(dir, names, async (files) => {
          const read = await entries(files);
          const heap = await entries(files, { chain: false });
          assert.equal(heap.plan, 'merged');
          assert.deepEqual(read.got, heap.got);
          assert.deepEqual(
            read.got.map((l) => l.replace(/@.*=/, '=')),
            live.map((l) => `${l.key}=${l.value}`),
          );
          // A later file holding a key of an earlier one's range (a deletion, a put, a file across all ranges) or a
          // range tombstone takes the merge.
          const chained = c.mode === 'chain-disjoint' || (c.mode === 'chain-range' && c.rangeDeletions.length === 0);
          assert.equal(read.plan, chained ? 'chained' : 'merged');
        }));

      it(`${name} ${c.mode}: a seek starts at the first key at or after it`, () =>
        withFiles(dir, names, async (files) => {
          if (live.length === 0) return;
          const from = Buffer.from(live[live.length >> 1].key, 'hex');
          const read = await entries(files, { from });
          assert.deepEqual(
            read.got.map((l) => l.replace(/@.*/, '')),
            live.slice(live.length >> 1).map((l) => l.key),
          );
        }));

      if (c.mode === 'chain-disjoint') {
        it(`${name}: the first batch reads no more of the files than the heap merge's`, async () => {
          const firstBatch = (options: MergeOptions) =>
            withFiles(dir, names, async (files, sources) => {
              const it = mergeSstBatches(files, options)[Symbol.asyncIterator]();
              const first = await it.next();
              await it.return?.(undefined);
              return { keys: first.done ? [] : first.value.map((e) => hex(e.key)), bytes: sources.map((s) => s.bytes) };
            });
          const chained = await firstBatch({});
          const heap = await firstBatch({ chain: false });
          assert.deepEqual(chained.keys, heap.keys.slice(0, chained.keys.length));
          chained.bytes.forEach((b, i) => assert.ok(b <= heap.bytes[i], `${names[i]}: ${b} > ${heap.bytes[i]} bytes`));
        });
      }
    }
  });
}
