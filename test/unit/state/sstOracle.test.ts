import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import {
  type SstFile,
  type SstSource,
  localFileSource,
  mergeSstFiles,
  openSstFile,
  storeSource,
} from '../../../src/core/state/sst';
import { openStore } from '../../../src/core/stores';
import { generateCases, sstOracleMissing } from './sstSupport';

/**
 * Property tests of the SST reader against RocksDB itself: test/rocksdb/generate.sh writes random tables with each JNI
 * build (every compression it has, block sizes, restart intervals, format versions, checksum types, partitioned
 * indexes; SstFileWriter files with puts, deletions and merges, and flushed DB files with single deletions and range
 * tombstones too) and records what RocksDB's own iterator yields. Cached by seed under test/rocksdb/target.
 */
const BUILDS = [
  { jni: 'org.rocksdb:rocksdbjni:10.10.1', cases: 36 },
  { jni: 'com.ververica:frocksdbjni:8.10.0-ververica-1.0', cases: 24 },
  { jni: 'com.ververica:frocksdbjni:6.20.3-ververica-2.0', cases: 24 },
];
const SEED = 20;
const CHECKSUMS: Record<string, string> = {
  kNoChecksum: 'none',
  kCRC32c: 'crc32c',
  kxxHash: 'xxhash',
  kxxHash64: 'xxhash64',
  kXXH3: 'xxh3',
};
const ENTRIES = 400;

interface CaseJson {
  mode: 'writer' | 'db';
  compression: string;
  checksum: string;
  blockSize: number;
  restartInterval: number;
  formatVersion: number;
  partitionedIndex: boolean;
  rangeDeletions: [string, string][];
  files: Record<string, Record<string, number | string>>;
}

interface Line {
  key: string;
  seq: number;
  type: string;
  value: string;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const lines = (file: string): Line[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

/** Counts what a source is asked for, to show a seek reads only the blocks it needs. */
function counting(source: SstSource): SstSource & { bytes: number } {
  const counted = {
    label: source.label,
    bytes: 0,
    size: () => source.size(),
    read: async (offset: number, length: number) => {
      counted.bytes += length;
      return source.read(offset, length);
    },
    close: () => source.close?.() ?? Promise.resolve(),
  };
  return counted;
}

async function withFiles<T>(dir: string, names: string[], body: (files: SstFile[]) => Promise<T>): Promise<T> {
  const files: SstFile[] = [];
  try {
    for (const n of names) files.push(await openSstFile(localFileSource(path.join(dir, n))));
    return await body(files);
  } finally {
    await Promise.all(files.map((f) => f.close()));
  }
}

const missing = sstOracleMissing();
if (missing) it('SST reader against RocksDB', { skip: missing }, () => undefined);

for (const build of missing ? [] : BUILDS) {
  describe(`SST reader against RocksDB (${build.jni})`, () => {
    const root = generateCases(build.jni, SEED, build.cases, ENTRIES);
    const dirs = fs
      .readdirSync(root)
      .filter((n) => n.startsWith('case-'))
      .sort();
    it('generated every case', () => assert.equal(dirs.length, build.cases));

    for (const name of dirs) {
      const dir = path.join(root, name);
      const c = JSON.parse(fs.readFileSync(path.join(dir, 'case.json'), 'utf8')) as CaseJson;
      const names = Object.keys(c.files).sort();
      const title =
        `${name} ${c.compression} ${c.mode} checksum ${c.checksum} format_version ${c.formatVersion} block ${c.blockSize}` +
        ` restart ${c.restartInterval}${c.partitionedIndex ? ' partitioned index' : ''}`;

      it(`${title}: properties as RocksDB reads them`, () =>
        withFiles(dir, names, async (files) => {
          files.forEach((f, i) => {
            const want = c.files[names[i]];
            const p = f.properties;
            assert.equal(p.numEntries, want.numEntries);
            assert.equal(p.numDeletions, want.numDeletions);
            assert.equal(p.numMergeOperands, want.numMergeOperands);
            assert.equal(p.numRangeDeletions, want.numRangeDeletions);
            assert.equal(p.numDataBlocks, want.numDataBlocks);
            // RocksDB raises a legacy format_version to what the options need: 1 to record a checksum other than CRC32C,
            // 2 in builds that no longer write 0 or 1.
            if (c.formatVersion < 2) assert.ok(p.formatVersion >= c.formatVersion && p.formatVersion <= 2);
            else assert.equal(p.formatVersion, c.formatVersion);
            assert.equal(p.checksum, CHECKSUMS[c.checksum]);
            assert.equal(p.indexPartitions ?? 0, want.indexPartitions);
            assert.equal(p.columnFamilyName ?? '', want.columnFamilyName);
            assert.equal(p.comparator, want.comparatorName);
            assert.equal(p.indexType, c.partitionedIndex ? 'two-level' : 'binary-search');
          });
        }));

      if (c.mode === 'writer') {
        it(`${title}: every entry as written`, () =>
          withFiles(dir, names, async ([file]) => {
            const got: Line[] = [];
            for await (const e of file.entries()) {
              got.push({ key: hex(e.key), seq: Number(e.seq), type: e.type, value: hex(e.value) });
            }
            assert.deepEqual(got, lines(path.join(dir, 'raw.jsonl')));
          }));
      }

      it(`${title}: merged entries equal RocksDB's iterator`, () =>
        withFiles(dir, names, async (files) => {
          const got: string[] = [];
          for await (const e of mergeSstFiles(files)) got.push(`${hex(e.key)}=${hex(e.value)}`);
          const want = lines(path.join(dir, 'live.jsonl')).map((l) => `${l.key}=${l.value}`);
          assert.deepEqual(got, want);
          // A flush stores range tombstones fragmented at their overlaps: each stored one lies inside a written one.
          for (const t of (await Promise.all(files.map((f) => f.rangeDeletions()))).flat()) {
            assert.ok(
              c.rangeDeletions.some(([start, end]) => hex(t.start) >= start && hex(t.end) <= end),
              `tombstone ${hex(t.start)}..${hex(t.end)} was never written`,
            );
          }
        }));

      it(`${title}: a seek starts at the first key at or after it`, () =>
        withFiles(dir, names, async (files) => {
          const want = lines(path.join(dir, 'live.jsonl'));
          if (want.length === 0) return;
          const from = Buffer.from(want[want.length >> 1].key, 'hex');
          const got: string[] = [];
          for await (const e of mergeSstFiles(files, { from })) got.push(hex(e.key));
          assert.deepEqual(
            got,
            want.slice(want.length >> 1).map((l) => l.key),
          );
        }));
    }

    it('a seek in a large file through a checkpoint store reads the footer, index and one block, not the file', async () => {
      const big = dirs
        .map((n) => path.join(root, n, '000001.sst'))
        .filter((f) => fs.existsSync(f))
        .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
      const store = openStore(pathToFileURL(path.dirname(big)).href);
      const source = counting(storeSource(store, `/${path.basename(big)}`));
      const file = await openSstFile(source);
      try {
        const all: Uint8Array[] = [];
        for await (const e of file.entries()) all.push(e.key);
        const from = all[all.length - 3];
        source.bytes = 0;
        const it = file.entries({ from })[Symbol.asyncIterator]();
        const first = await it.next();
        await it.return?.();
        assert.equal(hex(first.value!.key), hex(from));
        assert.ok(
          source.bytes < fs.statSync(big).size / 4,
          `a seek read ${source.bytes} of ${fs.statSync(big).size} bytes`,
        );
      } finally {
        await file.close();
        await store.close();
      }
    });
  });
}
