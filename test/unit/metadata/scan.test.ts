import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { describe, it } from 'node:test';
import { MetadataError, parseMetadata, scanSummary, summarize, summarizeMetadata } from '../../../src/core/metadata';
import type { ByteSource } from '../../../src/core/metadata/byteReader';
import { openFileSource } from '../../../src/core/metadata/fileSource';
import { ReferencedFiles } from '../../../src/core/metadata/referencedFiles';
import { Bytes, MAGIC, NULL_PROPERTIES } from './builder';
import { memorySource } from './mutation';
import { SKIP_NO_SHARED, findFiles, repoRoot, sharedFixtures } from './support';

/** Every stored path below as both routes of ReferencedFiles see it, and what Java's TreeSet would print. */
function filesOf(pointer: string | null, stored: [string, boolean][]): ReferencedFiles {
  const files = new ReferencedFiles(pointer);
  const encoder = new TextEncoder();
  for (const [path, relative] of stored) {
    // ASCII paths come as bytes, as the parser hands them over; others as text.
    if ([...path].every((c) => c.charCodeAt(0) < 0x80)) {
      files.addBytes(encoder.encode(`..${path}..`), 2, 2 + path.length, relative);
    } else files.addText(path, relative);
  }
  return files;
}

/** Java's String.compareTo order: UTF-16 code units, which is JavaScript's default sort. */
function javaSorted(paths: string[]): string[] {
  return [...new Set(paths)].sort();
}

describe('the one-pass scan gives what parse + summarize give', () => {
  const real = findFiles(path.join(repoRoot(), 'test', 'fixtures', 'flink'), '_metadata').map(
    (f) => [path.relative(repoRoot(), f), new Uint8Array(fs.readFileSync(f))] as [string, Uint8Array],
  );
  const shared = sharedFixtures().filter(([name]) => !name.startsWith('v1-'));
  if (shared.length === 0) console.log(`# shared fixtures not compared: ${SKIP_NO_SHARED}`);

  it(`on every real fixture (${real.length} committed, ${shared.length} shared): over the bytes, and streamed through windows of 1, 7 and 4096 bytes`, () => {
    assert.ok(real.length > 100);
    for (const [name, bytes] of [...real, ...shared]) {
      const pointer = `file:/checkpoints/${name}`;
      const model = summarize(parseMetadata(bytes, { pointer }));
      assert.deepEqual(summarizeMetadata(bytes, { pointer }), model, name);
      for (const window of [1, 7, 4096]) {
        assert.deepEqual(
          summarizeMetadata(memorySource(bytes, 3), { pointer, window }),
          model,
          `${name}, window ${window}`,
        );
      }
    }
  });

  it('streams a file from disk without reading the inline state it skips', () => {
    const payload = 1 << 20;
    const b = new Bytes().i32(MAGIC, 4).i64(4).i32(0, 1).id(0x22).i32(1, 128).i8(0).i32(1);
    b.i32(0).i32(1).i8(4).i32(1).utf('list').i8(0).i32(0).i8(1).utf('inline').i32(payload).zeros(payload);
    b.i32(0)
      .i8(0, 0)
      .i32(0, 0)
      .i8(...NULL_PROPERTIES);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'scan-')), '_metadata');
    fs.writeFileSync(file, b.bytes);
    const source = openFileSource(file);
    let read = 0;
    try {
      const counted = {
        size: source.size,
        read: (t: Uint8Array, o: number, l: number, p: number) => {
          const k = source.read(t, o, l, p);
          read += k;
          return k;
        },
      };
      const summary = summarizeMetadata(counted, { window: 4096 });
      assert.equal(summary.stateSize, payload);
      assert.ok(read < 3 * 4096 + 64, `read ${read} bytes of ${b.bytes.length}`);
    } finally {
      source.close();
      fs.rmSync(path.dirname(file), { recursive: true });
    }
  });

  it('sets nothing aside for file names while a file holds only inline state (storage for them grows once they come)', () => {
    const payload = 48 << 20;
    const head = new Bytes().i32(MAGIC, 4).i64(4).i32(0, 1).id(0x22).i32(1, 128).i8(0).i32(1);
    head.i32(0).i32(1).i8(4).i32(1).utf('list').i8(0).i32(0).i8(1).utf('inline').i32(payload);
    const tail = new Bytes()
      .i32(0)
      .i8(0, 0)
      .i32(0, 0)
      .i8(...NULL_PROPERTIES);
    const [before, after] = [head.bytes, tail.bytes];
    // The payload is zeros that exist only as a size: the scan skips it.
    const source: ByteSource = {
      size: before.length + payload + after.length,
      read(target, offset, length, position) {
        const n = Math.max(0, Math.min(length, this.size - position));
        for (let i = 0; i < n; i++) {
          const p = position + i;
          target[offset + i] =
            p < before.length ? before[p] : p >= before.length + payload ? after[p - before.length - payload] : 0;
        }
        return n;
      },
    };
    v8.setFlagsFromString('--expose-gc');
    (vm.runInNewContext('gc') as () => void)();
    const idle = process.memoryUsage().arrayBuffers;
    const parts = scanSummary(source, { window: 4096 });
    const held = process.memoryUsage().arrayBuffers - idle;
    assert.equal(parts.summary.stateSize, payload);
    assert.ok(
      held < 64 * 1024,
      `${held} bytes of array buffers held after scanning ${source.size} bytes of inline state`,
    );
  });

  it('falls back to the model when an operator repeats a subtask index (the last entry wins, as in Flink)', () => {
    const b = new Bytes().i32(MAGIC, 4).i64(1).i32(0, 1).id(1).i32(2, 128).i8(0).i32(2);
    b.i32(0)
      .i32(0, 0)
      .i8(5)
      .i64(1)
      .utf('backend')
      .i32(0, 1)
      .i8(2)
      .i64(10)
      .utf('file:/cp/chk-1/first')
      .i32(0, 0)
      .i8(0)
      .i32(0, 0);
    b.i32(0)
      .i32(0, 0)
      .i8(5)
      .i64(1)
      .utf('backend')
      .i32(0, 1)
      .i8(2)
      .i64(20)
      .utf('file:/cp/chk-1/second')
      .i32(0, 0)
      .i8(0)
      .i32(0, 0);
    b.i8(...NULL_PROPERTIES);
    const model = summarize(parseMetadata(b.bytes));
    assert.deepEqual(model.referencedFiles, ['file:/cp/chk-1/second']);
    assert.equal(model.stateSize, 20);
    assert.deepEqual(summarizeMetadata(b.bytes), model);
    assert.deepEqual(summarizeMetadata(memorySource(b.bytes, 7), { window: 16 }), model);
  });

  it('reports the same error, at the same offset, for a cut file, and passes I/O errors of the source through', () => {
    const bytes = real[0][1];
    const cut = bytes.subarray(0, bytes.length - 3);
    const expected = (() => {
      try {
        parseMetadata(cut);
      } catch (error) {
        return error as MetadataError;
      }
      throw new Error('a cut file parsed');
    })();
    assert.throws(
      () => summarizeMetadata(memorySource(cut, 11), { window: 32 }),
      (e: unknown) => e instanceof MetadataError && e.code === expected.code && e.offset === expected.offset,
    );
    const failing = {
      size: bytes.length,
      read: () => {
        throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
      },
    };
    assert.throws(
      () => summarizeMetadata(failing),
      (e: unknown) => !(e instanceof MetadataError) && (e as { code?: string }).code === 'EIO',
    );
    const shrunk = { size: bytes.length, read: memorySource(cut).read };
    assert.throws(
      () => summarizeMetadata(shrunk),
      (e: unknown) => e instanceof MetadataError && e.code === 'truncated' && /shrank/.test(e.message),
    );
  });
});

describe('referenced files: distinct, printed as Flink prints them, in Java String order', () => {
  it('orders files of several directories, and names sharing long prefixes, exactly as a string sort', () => {
    const names = ['b', 'a', 'ab', 'aaaaaaaaa1', 'aaaaaaaaa0', 'aaaaaaaa', 'aaaaaaaab', 'Z', '~', '0', 'a b'];
    const stored: [string, boolean][] = [];
    for (const dir of [
      'file:/cp/job/chk-2/',
      'file:/cp/job/shared/',
      'hdfs://nn:8020/cp/job/chk-10/',
      'file:/cp/job/chk-1/',
    ]) {
      for (const n of names) stored.push([dir + n, false]);
    }
    const files = filesOf(null, stored);
    assert.deepEqual(files.sorted(), javaSorted(stored.map(([p]) => p)));
    assert.equal(files.count, stored.length);
  });

  it('drops duplicates wherever they come from: repeated paths, and a relative name resolving to a stored absolute path', () => {
    const files = filesOf('file:/cp/chk-3', [
      ['file:/cp/chk-3/x', false],
      ['x', true],
      ['file:/cp/shared/y', false],
      ['file:///cp/shared/y', false],
      ['file:/cp/shared/y', false],
      ['file:/cp/chk-3/x', false],
    ]);
    assert.deepEqual(files.sorted(), ['file:/cp/chk-3/x', 'file:/cp/shared/y']);
    assert.equal(files.count, 2);
  });

  it('prints unusual paths as Flink does and still sorts them exactly: dot segments, escapes, trailing slashes, nested directories, non-ASCII', () => {
    const stored: [string, boolean][] = [
      ['file:/cp/a/../b/f', false],
      ['file:/cp/b/%41', false],
      ['file:/cp/b/dir/', false],
      ['file:/cp/b/dir/inner', false],
      ['file:/cp/b/.hidden', false],
      ['file:/cp/b/é', false],
      ['file:/cp/b/\u{1F600}', false],
      ['file:/cp/b/\uFFFD', false],
      ['rel/nested', true],
      ['plain', true],
    ];
    const files = filesOf('file:/cp/chk-1', stored);
    const expected = javaSorted([
      'file:/cp/b/f',
      'file:/cp/b/A',
      'file:/cp/b/dir',
      'file:/cp/b/dir/inner',
      'file:/cp/b/.hidden',
      'file:/cp/b/é',
      'file:/cp/b/\u{1F600}',
      'file:/cp/b/\uFFFD',
      'file:/cp/chk-1/rel/nested',
      'file:/cp/chk-1/plain',
    ]);
    assert.deepEqual(files.sorted(), expected);
  });

  it('keeps relative names relative without a pointer', () => {
    assert.deepEqual(
      filesOf(null, [
        ['b', true],
        ['a', true],
        ['file:/x/c', false],
      ]).sorted(),
      ['a', 'b', 'file:/x/c'],
    );
  });

  it('writes the JSON array JSON.stringify would, in chunks, quotes and backslashes included', () => {
    const stored: [string, boolean][] = [
      ['file:/cp/s/q"uote', false],
      ['file:/cp/s/back\\slash', false],
      ['file:/cp/s/tab\there', false],
      ['file:/cp/s/plain', false],
      ['file:/cp/s/é', false],
    ];
    for (let i = 0; i < 300; i++) stored.push([`file:/cp/shared/${(i * 7919).toString(36)}-${i}`, false]);
    const files = filesOf(null, stored);
    const chunks: Uint8Array[] = [];
    files.writeJson((c) => chunks.push(c.slice()), 64);
    assert.ok(chunks.length > 10);
    assert.equal(Buffer.concat(chunks).toString('utf8'), JSON.stringify(files.sorted()));
    const empty: Uint8Array[] = [];
    new ReferencedFiles(null).writeJson((c) => empty.push(c.slice()));
    assert.equal(Buffer.concat(empty).toString('utf8'), '[]');
  });

  it('sorts a large random set like a string sort (radix keys, ties past 8 characters, repeats)', () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const stored: [string, boolean][] = [];
    for (let i = 0; i < 20000; i++) {
      if (i > 0 && rnd() < 0.1) {
        stored.push(stored[Math.floor(rnd() * i)]);
        continue;
      }
      const dir = ['file:/cp/shared/', 'file:/cp/chk-7/', 's3://b/cp/shared/'][Math.floor(rnd() * 3)];
      const prefix = rnd() < 0.3 ? 'sameprefix-' : '';
      stored.push([`${dir}${prefix}${Math.floor(rnd() * 1e9).toString(16)}`, false]);
    }
    const files = filesOf(null, stored);
    assert.deepEqual(files.sorted(), javaSorted(stored.map(([p]) => p)));
  });

  it('is what scanSummary leaves compact: count and JSON without strings per path', () => {
    const b = new Bytes().i32(MAGIC, 4).i64(1).i32(0, 1).id(1).i32(1, 128).i8(0).i32(1);
    b.i32(0).i32(0, 0).i8(5).i64(1).utf('backend').i32(0, 1).i8(2).i64(10).utf('file:/cp/chk-1/meta');
    b.i32(2)
      .utf('1.sst')
      .i8(2)
      .i64(5)
      .utf('file:/cp/shared/s1')
      .utf('2.sst')
      .i8(2)
      .i64(5)
      .utf('file:/cp/shared/s2')
      .i32(0)
      .i8(0)
      .i32(0, 0);
    b.i8(...NULL_PROPERTIES);
    const { summary, files } = scanSummary(b.bytes);
    assert.deepEqual(summary.referencedFiles, []);
    assert.equal(files.count, 3);
    assert.deepEqual(files.sorted(), summarize(parseMetadata(b.bytes)).referencedFiles);
  });
});
