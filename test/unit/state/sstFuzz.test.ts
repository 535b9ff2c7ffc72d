import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { SstError, bytesSource, mergeSstFiles, openSstFile } from '../../../src/core/state/sst';
import { MUTATION_KINDS, type MutationKind, mutate } from '../metadata/mutation';
import { prng } from '../metadata/support';
import { generateCases, sstOracleMissing } from './sstSupport';

/**
 * Truncated and mutated SST files (bit flips, random bytes, spliced sections of another table, cuts, duplicated runs,
 * huge counts) must give a result or an SstError with an offset inside the file: never another error, a hang or a large
 * allocation. Half the inputs are read without checksum verification, so the block, index and decompression code sees
 * the corrupt bytes instead of the checksum stopping them first. FLINK_CHECKPOINTS_SST_FUZZ scales the count.
 */
const COUNT = Number(process.env.FLINK_CHECKPOINTS_SST_FUZZ ?? 2400);
const HANG_MS = 2000;

function corpus(): [string, Uint8Array][] {
  const root = generateCases('org.rocksdb:rocksdbjni:10.10.1', 7, 18, 120);
  const out: [string, Uint8Array][] = [];
  for (const c of fs.readdirSync(root).filter((n) => n.startsWith('case-'))) {
    for (const f of fs.readdirSync(path.join(root, c)).filter((n) => n.endsWith('.sst'))) {
      out.push([`${c}/${f}`, new Uint8Array(fs.readFileSync(path.join(root, c, f)))]);
    }
  }
  return out.sort(([a], [b]) => a.localeCompare(b));
}

async function readAll(bytes: Uint8Array, verifyChecksums: boolean): Promise<number> {
  const file = await openSstFile(bytesSource(bytes, 'mutated.sst'), { verifyChecksums });
  let n = 0;
  for await (const e of file.entries()) n += e.key.length + e.value.length;
  await file.rangeDeletions();
  for await (const e of mergeSstFiles([file])) n += e.value.length;
  return n;
}

const missing = sstOracleMissing();

describe('SST reader under mutation', { skip: missing }, () => {
  const files = missing ? [] : corpus();

  it(`${COUNT} mutated tables give a result or a typed error with its offset`, async () => {
    const rnd = prng(0x5574);
    const figures: Record<string, number> = {};
    const crashes: string[] = [];
    let slowest = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    for (let i = 0; i < COUNT; i++) {
      const [name, base] = files[i % files.length];
      const other = files[(i * 7 + 3) % files.length][1];
      const kind: MutationKind = MUTATION_KINDS[Math.floor(rnd() * MUTATION_KINDS.length)];
      const input = mutate(base, other, rnd, kind);
      const verify = i % 2 === 0;
      const started = Date.now();
      try {
        await readAll(input, verify);
        figures.read = (figures.read ?? 0) + 1;
      } catch (e) {
        if (e instanceof SstError && Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= input.length) {
          figures[e.code] = (figures[e.code] ?? 0) + 1;
        } else {
          crashes.push(`${name} ${kind} #${i} verify=${verify}: ${e instanceof Error ? e.stack : String(e)}`);
        }
      }
      slowest = Math.max(slowest, Date.now() - started);
      if (i % 50 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
    console.log(
      `sst fuzz: ${COUNT} inputs from ${files.length} tables: ${JSON.stringify(figures)}; slowest ${slowest} ms; ` +
        `heap peak +${Math.round((heapPeak - heapBefore) / 1048576)} MiB`,
    );
    assert.deepEqual(crashes.slice(0, 5), []);
    assert.ok(slowest < HANG_MS, `an input took ${slowest} ms`);
  });

  it('every cut of a table is refused as truncated or corrupt, never read as whole', async () => {
    const [, base] = files.find(([n]) => n.includes('case-004')) ?? files[0];
    for (let cut = 0; cut < base.length; cut += Math.max(1, Math.floor(base.length / 300))) {
      await assert.rejects(readAll(base.subarray(0, cut), true), (e: unknown) => e instanceof SstError);
    }
  });

  it('a file that is not an SST says so with the offset of its magic number', async () => {
    const bytes = new TextEncoder().encode('this is a _metadata file, not a table, and it is long enough for a footer');
    await assert.rejects(
      readAll(bytes, true),
      (e: unknown) => e instanceof SstError && e.code === 'not-an-sst' && e.offset === bytes.length - 8,
    );
  });
});
