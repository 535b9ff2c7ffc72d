import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { parseMetadata } from '../../../src/core/metadata';
import { DataInput, StateSchemaError, readKeyedProxy, readOperatorProxy, readSchemas } from '../../../src/core/state';
import { SKIP_NO_SHARED, findFiles, repoRoot, sharedFixturesDir } from '../../support/repo';
import { MUTATION_KINDS, mutate, timedTwice } from '../metadata/mutation';
import { prng } from '../metadata/support';

/**
 * Mutation fuzzing of the serialization-proxy and serializer-snapshot readers, as the metadata parser's: seeded bit
 * flips, random bytes, splices of another proxy, cuts, duplicated runs and huge counts over the heads of the
 * serializer-zoo state files (every snapshot class the zoo has, from every line). Any outcome but a tree or a
 * StateSchemaError with an offset inside the input is a crash; an input slow twice is a hang; a tree much larger than
 * its input means an allocation driven by the input.
 */
const ZOO = path.join(repoRoot(), 'test', 'fixtures', 'flink-zoo');
const HEAD = 16384;
const ROUNDS = 20000;
const HANG_MS = 250;

type Reader = typeof readKeyedProxy | typeof readOperatorProxy;

function proxyHeads(): { name: string; bytes: Uint8Array; read: Reader }[] {
  const heads: { name: string; bytes: Uint8Array; read: Reader }[] = [];
  const seen = new Set<string>();
  for (const metadata of findFiles(ZOO, '_metadata')) {
    const dir = path.dirname(metadata);
    for (const f of fs.readdirSync(dir).filter((n) => !n.startsWith('_'))) {
      const file = path.join(dir, f);
      if (!fs.statSync(file).isFile()) continue;
      const bytes = new Uint8Array(fs.readFileSync(file).subarray(0, HEAD));
      const key = Buffer.from(bytes.subarray(0, 2048)).toString('base64');
      if (seen.has(key)) continue;
      for (const read of [readKeyedProxy, readOperatorProxy]) {
        try {
          read(new DataInput(bytes, 0, bytes.length < HEAD));
          heads.push({ name: path.relative(ZOO, file), bytes, read });
          seen.add(key);
          break;
        } catch {
          // not this kind of proxy
        }
      }
    }
  }
  return heads;
}

/**
 * The inline proxies of the shared fixtures whose serializer snapshots the zoo does not have: Java-serialized parts
 * (Table API `LogicalType`s and `DataType`s) and Flink 1.7's config snapshots (Scala, Kryo registrations). The head
 * of each is where the reader asked `_metadata` for it, as long as the longest read.
 */
async function sharedProxyHeads(
  root: string,
  names: readonly string[],
): Promise<{ name: string; bytes: Uint8Array; read: Reader }[]> {
  const heads: { name: string; bytes: Uint8Array; read: Reader }[] = [];
  for (const name of names) {
    const file = fs.readFileSync(path.join(root, name, '_metadata'));
    const reads = new Map<number, number>();
    await readSchemas(parseMetadata(new Uint8Array(file), { pointer: `file:/fixtures/${name}` }), {
      readMetadata: (offset, length) => {
        reads.set(offset, Math.max(reads.get(offset) ?? 0, length));
        return Promise.resolve(new Uint8Array(file.subarray(offset, offset + length)));
      },
      read: () => Promise.reject(new Error('inline state only')),
    });
    for (const [offset, length] of reads) {
      const bytes = new Uint8Array(file.subarray(offset, offset + Math.min(length, HEAD * 4)));
      const read = [readKeyedProxy, readOperatorProxy].find((r) => {
        try {
          r(new DataInput(bytes, 0, true));
          return true;
        } catch {
          return false;
        }
      });
      if (read) heads.push({ name: `${name} at ${offset}`, bytes, read });
    }
  }
  return heads;
}

const SHARED_SEEDS = [
  'v2-flink1.7-rocksdb-savepoint-scala-udf',
  'v4-flink1.19dev-table-restore-expand',
  'v4-flink1.20dev-table-restore-window-aggregate',
  'v6-flink2.1dev-table-restore-four-way-join',
];
const SHARED_ROUNDS = 4000;
/** Flink 1.3 to 1.6: keyed proxies 3, 4 and 5, operator proxies 2 and 3, Java-serialized serializers. */
const LEGACY_SEEDS = [
  'v2-flink1.3-rocksdb-savepoint-stateful-udf',
  'v2-flink1.3-savepoint-operatorstate-complexKeyed',
  'v2-flink1.4-rocksdb-savepoint-type-serializer-snapshot',
  'v2-flink1.5-memory-savepoint-broadcast-udf',
  'v2-flink1.6-savepoint-state-evolution-e2e',
];
const LEGACY_ROUNDS = 6000;

function run(read: Reader, bytes: Uint8Array, complete: boolean): string {
  try {
    const result = read(new DataInput(bytes, 0, complete));
    const size = JSON.stringify(result).length;
    // Names and trees are copied from the input; undecoded payloads are capped: the tree stays within a small
    // multiple of the input, whatever its counts claim.
    assert.ok(size <= 16 * bytes.length + 4096, `a tree of ${size} characters from ${bytes.length} bytes`);
    return 'ok';
  } catch (error) {
    if (!(error instanceof StateSchemaError)) throw error;
    assert.ok(error.offset >= 0 && error.offset <= bytes.length, `offset ${error.offset} outside ${bytes.length}`);
    return error.code;
  }
}

describe('serialization proxy readers under mutation', () => {
  const heads = proxyHeads();

  it(`${ROUNDS} seeded mutations of the zoo's proxies: typed errors only, bounded trees, no hang`, (t) => {
    assert.ok(heads.length >= 10, `only ${heads.length} distinct proxies among the zoo fixtures`);
    const outcomes: Record<string, number> = {};
    let slowest = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const rnd = prng(1900 + i);
      const { name, bytes, read } = heads[i % heads.length];
      const other = heads[Math.floor(rnd() * heads.length)].bytes;
      const kind = MUTATION_KINDS[Math.floor(rnd() * MUTATION_KINDS.length)];
      const input = mutate(bytes, other, rnd, kind);
      const complete = rnd() < 0.5;
      let result: { result: string; ms: number };
      try {
        result = timedTwice(() => run(read, input, complete), HANG_MS);
      } catch (error) {
        assert.fail(`${kind} mutation ${1900 + i} of ${name}: ${String(error)}`);
      }
      assert.ok(result.ms <= HANG_MS, `${kind} mutation ${1900 + i} of ${name} took ${result.ms.toFixed(0)} ms`);
      slowest = Math.max(slowest, result.ms);
      outcomes[result.result] = (outcomes[result.result] ?? 0) + 1;
    }
    t.diagnostic(
      `${heads.length} distinct proxies; outcomes ${JSON.stringify(outcomes)}; slowest ${slowest.toFixed(1)} ms`,
    );
    // Both ends are exercised: mutations the reader survives and each kind of refusal.
    assert.ok(
      (outcomes.ok ?? 0) > 0 && (outcomes.truncated ?? 0) > 0 && (outcomes.invalid ?? 0) > 0,
      JSON.stringify(outcomes),
    );
  });

  const shared = sharedFixturesDir();
  const fuzzShared = async (t: TestContext, names: readonly string[], rounds: number, first: number) => {
    const seeds = await sharedProxyHeads(shared!, names);
    assert.ok(seeds.length >= 8, `only ${seeds.length} proxies among ${names.join(', ')}`);
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < rounds; i++) {
      const rnd = prng(first + i);
      const { name, bytes, read } = seeds[i % seeds.length];
      const kind = MUTATION_KINDS[Math.floor(rnd() * MUTATION_KINDS.length)];
      const input = mutate(bytes, seeds[Math.floor(rnd() * seeds.length)].bytes, rnd, kind);
      const complete = rnd() < 0.5;
      let outcome: string;
      let ms: number;
      try {
        ({ result: outcome, ms } = timedTwice(() => run(read, input, complete), HANG_MS * 4));
      } catch (error) {
        assert.fail(`${kind} mutation ${first + i} of ${name}: ${String(error)}`);
      }
      assert.ok(ms <= HANG_MS * 4, `${kind} mutation ${first + i} of ${name} took ${ms.toFixed(0)} ms`);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    t.diagnostic(`${seeds.length} proxies; outcomes ${JSON.stringify(outcomes)}`);
    assert.ok((outcomes.ok ?? 0) > 0 && (outcomes.invalid ?? 0) > 0, JSON.stringify(outcomes));
  };

  it(
    `${SHARED_ROUNDS} seeded mutations of the shared fixtures' Java-serialized and Flink 1.7 snapshots`,
    { skip: shared ? false : SKIP_NO_SHARED },
    (t) => fuzzShared(t, SHARED_SEEDS, SHARED_ROUNDS, 7100),
  );

  it(
    `${LEGACY_ROUNDS} seeded mutations of the shared fixtures' proxies of Flink 1.3 to 1.6`,
    { skip: shared ? false : SKIP_NO_SHARED },
    (t) => fuzzShared(t, LEGACY_SEEDS, LEGACY_ROUNDS, 13000),
  );

  it(
    'every cut of a Flink 1.3 to 1.6 proxy is truncated at or before the cut, so a longer read is tried',
    { skip: shared ? false : SKIP_NO_SHARED },
    async () => {
      for (const { name, bytes, read } of await sharedProxyHeads(shared!, LEGACY_SEEDS)) {
        for (let cut = 0; cut < bytes.length; cut += 5) {
          try {
            read(new DataInput(bytes.subarray(0, cut), 0, false));
          } catch (error) {
            assert.ok(
              error instanceof StateSchemaError && error.code === 'truncated',
              `${name} cut at ${cut}: ${String(error)}`,
            );
            assert.ok(error.offset <= cut, `${name}: offset ${error.offset} past the cut ${cut}`);
          }
        }
      }
    },
  );

  it('every cut of every zoo proxy is a truncated error at or before the cut', () => {
    for (const { name, bytes, read } of heads.slice(0, 12)) {
      for (let cut = 0; cut < Math.min(bytes.length, 3000); cut += 7) {
        try {
          read(new DataInput(bytes.subarray(0, cut), 0, false));
        } catch (error) {
          assert.ok(error instanceof StateSchemaError, `${name} cut at ${cut}: ${String(error)}`);
          assert.ok(error.offset <= cut, `${name}: offset ${error.offset} past the cut ${cut}`);
        }
      }
    }
  });
});
