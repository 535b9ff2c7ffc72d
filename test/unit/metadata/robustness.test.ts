import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetadataError, parseMetadata } from '../../../src/core/metadata';
import { attempt, fuzz } from './mutation';
import { SKIP_NO_SHARED, sharedFixtures, sharedFixturesDir } from './support';

const skip = sharedFixturesDir() === undefined ? SKIP_NO_SHARED : false;
if (skip) console.log(`# skipping mutation tests over real files: ${skip}`);

function readable(): [string, Uint8Array][] {
  return sharedFixtures().filter(([name]) => !name.startsWith('v1-'));
}

function be(...ints: number[]): number[] {
  return ints.flatMap((v) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
}

function expectError(bytes: number[] | Uint8Array, code: string, pattern?: RegExp): MetadataError {
  let caught: unknown;
  try {
    parseMetadata(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof MetadataError, `expected a MetadataError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (pattern) assert.match(caught.message, pattern);
  return caught;
}

const MAGIC = 0x4960672d;

describe('plain errors for files that are not complete metadata', () => {
  it('says a foreign file is not metadata', () => {
    expectError([...Buffer.from('PK\u0003\u0004 zip file')], 'not-metadata', /not checkpoint metadata/);
    expectError([0x7b], 'not-metadata');
  });
  it('says an empty or cut file is truncated', () => {
    expectError([], 'truncated', /empty/);
    expectError([0x49, 0x60], 'truncated');
    expectError(be(MAGIC, 3, 0), 'truncated', /checkpoint id/);
  });
  it('names unknown versions', () => {
    const e = expectError(be(MAGIC, 8, 0, 1, 0, 0), 'unsupported-version', /version 8/);
    assert.equal(e.offset, 4);
    expectError(be(MAGIC, 0), 'unsupported-version', /Flink 1\.2 or older/);
  });
  it("quotes Flink's own error for a version 1 file", () => {
    const e = expectError(be(MAGIC, 1, 0), 'unsupported-version', /Flink 1\.2 or older/);
    assert.ok(
      e.message.includes('"This savepoint / checkpoint version (Flink 1.1 / 1.2) is no longer supported."'),
      e.message,
    );
    assert.ok(!expectError(be(MAGIC, 0), 'unsupported-version').message.includes('Flink 1.1 / 1.2'));
  });
  it('reports trailing bytes after a V3 body with their offset', () => {
    const e = expectError([...be(MAGIC, 3, 0, 7, 0, 0), 0xde, 0xad], 'trailing-bytes', /2 unexpected bytes/);
    assert.equal(e.offset, 24);
  });
  it('parses an empty V3 checkpoint exactly', () => {
    const md = parseMetadata(Uint8Array.from(be(MAGIC, 3, 0, 7, 0, 0)));
    assert.equal(md.checkpointId, 7n);
    assert.equal(md.operators.length, 0);
  });
  it('names an unknown keyed handle tag and where it sits', () => {
    // V3, id 1, no masters, 1 operator (id 0…0, par 1, maxpar 1, no coordinator), 1 subtask (index 0), no operator state, keyed tag 99.
    const bytes = [...be(MAGIC, 3, 0, 1, 0, 1, 0, 0, 0, 0, 1, 1), 0, ...be(1, 0, 0, 0), 99];
    const e = expectError(bytes, 'unknown-tag', /keyed state handle type 99/);
    assert.equal(e.offset, bytes.length - 1);
  });
});

describe('counts never allocate past what the file could hold', () => {
  it('fails fast on a huge operator count in a tiny file', () => {
    const t0 = performance.now();
    const e = expectError(be(MAGIC, 3, 0, 1, 0, 0x7fffffff), 'truncated', /2147483647 operator states announced/);
    assert.equal(e.offset, 20);
    assert.ok(performance.now() - t0 < 50);
  });
  it('fails fast on huge master-state, subtask, key-group and offset counts', () => {
    expectError(be(MAGIC, 3, 0, 1, 0x7fffffff), 'truncated', /master states announced/);
    expectError(be(MAGIC, 3, 0, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0x7fffffff), 'truncated');
    // keyed tag 3 with 2^31-1 key groups: the offsets are skipped, never materialized.
    const keyed = [...be(MAGIC, 3, 0, 1, 0, 1, 0, 0, 0, 0, 1, 1), 0, ...be(1, 0, 0, 0), 3, ...be(0, 0x7fffffff)];
    expectError(keyed, 'truncated', /key-group offsets announced/);
  });
  it('rejects negative counts as invalid', () => {
    expectError(be(MAGIC, 3, 0, 1, -5), 'invalid', /negative number of master states/);
    expectError(be(MAGIC, 3, 0, 1, 0, -1), 'invalid', /negative number of operator states/);
  });
  it('refuses keyed handles nested deeper than any writer produces instead of overflowing the stack', () => {
    // 100 000 nested changelog handles (tag 8, one materialized part each) would overflow the call stack.
    const head = [...be(MAGIC, 3, 0, 1, 0, 1, 0, 0, 0, 0, 1, 1), 0, ...be(1, 0, 0, 0)];
    const nest = [8, ...be(0, 0, 0, 0, 1)];
    const bytes = [...head];
    for (let i = 0; i < 100000; i++) bytes.push(...nest);
    expectError(bytes, 'invalid', /nested more than/);
  });
});

describe('mutations of the real files give a result or a MetadataError, nothing else', { skip }, () => {
  it('every strict prefix of every file is reported as truncated (dense sample: every offset of files ≤ 6 KiB, 400 per larger file)', () => {
    let tried = 0;
    for (const [name, bytes] of readable()) {
      const step = bytes.length <= 6144 ? 1 : Math.ceil(bytes.length / 400);
      for (let cut = 0; cut < bytes.length; cut += step) {
        const outcome = attempt(bytes.subarray(0, cut));
        assert.deepEqual(outcome, { ok: false, code: 'truncated' }, `${name} cut at ${cut}`);
        tried++;
      }
    }
    assert.ok(tried > 20000, `${tried}`);
  });

  it('survives a seeded run of 4000 flips, random bytes, splices, cuts, duplications and huge counts', () => {
    const figures = fuzz(readable(), 4000, 20260722, 250);
    console.log(
      `# fuzz: ${figures.inputs} inputs, ${figures.parsed} parsed, rejected ${JSON.stringify(figures.rejected)}, crashes ${figures.crashes.length}, hangs ${figures.hangs.length}, slowest ${figures.slowestMs.toFixed(1)} ms`,
    );
    assert.deepEqual(figures.crashes, []);
    assert.deepEqual(figures.hangs, []);
    assert.equal(figures.inputs, 4000);
    // The run must exercise both outcomes, or the mutations are not reaching the parser.
    assert.ok(figures.parsed > 0 && Object.keys(figures.rejected).length >= 4, JSON.stringify(figures));
  });
});
