import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseMetadata } from '../../../src/core/metadata';
import { readSchemas } from '../../../src/core/state';
import { SKIP_NO_SHARED, sharedFixturesDir } from '../../support/repo';

/**
 * The shared fixtures hold `_metadata` files only; where Flink kept the state inline (small savepoints), the
 * serialization proxies are in the file itself. These read whole: every proxy, no problem. Proxies of Flink before 1.7
 * are refused by version, and files the fixtures do not carry become problems of their operator, never a failure; any
 * other problem fails the test, so a fixture with inline state of 1.7 or later that does not read whole cannot hide.
 */
const READ_WHOLE: Record<string, number> = {
  'v2-flink1.10-rocksdb-savepoint-type-serializer-snapshot': 2,
  'v2-flink1.7-rocksdb-savepoint-scala-udf': 12,
  'v2-flink1.8-rocksdb-savepoint-stateful-udf': 6,
  'v3-flink1.11-rocksdb-savepoint-stateful-udf': 10,
  'v3-flink1.11-savepoint-operatorstate-nonKeyed': 3,
  'v3-flink1.12-rocksdb-savepoint-legacy-raw-state-heap-timers': 3,
  'v3-flink1.13-jobmanager-savepoint-scala-broadcast-udf': 17,
  'v3-flink1.14-hashmap-savepoint-scala-broadcast-udf': 17,
  'v3-flink1.15-savepoint-unified-sink-migration': 4,
  'v4-flink1.19-savepoint-operatorstate-complexKeyed': 7,
  'v4-flink1.19dev-table-restore-expand': 12,
  'v4-flink1.20-kafka-source-savepoint-enum1': 1,
  'v4-flink1.20dev-table-restore-window-aggregate': 9,
  'v4-kafka-table-state-offsets-checkpoint': 1,
  'v5-flink2.0dev-state-processor-table-state-nulls': 12,
  'v5-flink2.x-kafka-source-savepoint-enum2': 1,
  'v5-flink2.x-kafka-source-savepoint-enum3': 1,
  'v6-flink2.1dev-table-restore-four-way-join': 14,
};

describe('state schemas of the shared fixtures', () => {
  const dir = sharedFixturesDir();

  it(
    'inline state reads whole; older proxies and absent files are problems, never failures',
    { skip: dir ? false : SKIP_NO_SHARED },
    async () => {
      const root = dir!;
      let whole = 0;
      for (const name of fs.readdirSync(root).sort()) {
        const file = path.join(root, name, '_metadata');
        if (!fs.existsSync(file)) continue;
        const bytes = fs.readFileSync(file);
        let metadata;
        try {
          metadata = parseMetadata(new Uint8Array(bytes), { pointer: `file:/fixtures/${name}` });
        } catch {
          continue; // metadata no Flink can restore (V1): the metadata tests cover it
        }
        const operators = await readSchemas(metadata, {
          readMetadata: (offset, length) => Promise.resolve(new Uint8Array(bytes.subarray(offset, offset + length))),
          read: () => Promise.reject(new Error('the shared fixtures hold no state files')),
        });
        const states = operators.reduce((n, o) => n + o.states.length, 0);
        const problems = operators.flatMap((o) => o.problems);
        if (name in READ_WHOLE) {
          assert.deepEqual(problems, [], name);
          assert.equal(states, READ_WHOLE[name], name);
          whole++;
        }
        for (const p of problems) {
          assert.ok(p.message.length > 0 && p.file.length > 0, name);
          // Every fixture whose state is inline and of Flink 1.7 or later must be listed above.
          assert.match(
            p.message,
            /\(Flink before 1\.7\) is not supported|hold no state files/,
            `${name}: ${p.message}`,
          );
        }
      }
      assert.equal(whole, Object.keys(READ_WHOLE).length);
    },
  );
});
