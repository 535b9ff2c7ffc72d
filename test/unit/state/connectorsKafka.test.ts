import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseMetadata } from '../../../src/core/metadata';
import type { StateFileAccess } from '../../../src/core/state';
import { ByteArray, type StateValue } from '../../../src/core/state/values';
import { findFiles, repoRoot } from '../../support/repo';
import { assertAgreesWithConnectorOracle, type ConnectorOracle } from './connectorOracle';

/**
 * The Kafka fixtures (scripts/fixtures-kafka.sh): a real broker, KafkaSource and KafkaSink exactly-once on each line.
 * Beside every _metadata the oracle `_metadata.connectors.json` is what the connector's own serializers read from it.
 */
const ROOT = path.join(repoRoot(), 'test', 'fixtures', 'flink-kafka');
const VERSIONS = fs.existsSync(ROOT) ? fs.readdirSync(ROOT).sort() : [];

type Row = { [key: string]: StateValue };

/** Partitions by topic and partition, as the oracle lists them (the enumerator's set has no order). */
function sorted(value: StateValue | undefined): StateValue | undefined {
  if (
    value === undefined ||
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    value instanceof ByteArray
  ) {
    return value;
  }
  const partitions = value.partitions as Row[] | undefined;
  if (!Array.isArray(partitions)) return value;
  const rows = [...partitions];
  rows.sort((a, b) => String(a.topic).localeCompare(String(b.topic)) || Number(a.partition) - Number(b.partition));
  return { ...value, partitions: rows };
}

function access(version: string, bytes: Uint8Array): StateFileAccess {
  const written = `/tmp/flink-fixtures/kafka/${version}`;
  return {
    readMetadata: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
    read: (p, offset, length) => {
      const fd = fs.openSync(p.replace(/^file:/, '').replace(written, path.join(ROOT, version)), 'r');
      try {
        const target = new Uint8Array(length);
        return Promise.resolve(target.subarray(0, fs.readSync(fd, target, 0, length, offset)));
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

describe(
  'Kafka source and sink state of the Kafka fixtures agree with the connector’s own serializers',
  {
    skip: VERSIONS.length === 0 ? 'no Kafka fixtures (scripts/fixtures-kafka.sh)' : false,
  },
  () => {
    for (const version of VERSIONS) {
      it(`${version}: every split, writer, committer and enumerator state of every snapshot`, async () => {
        const about = JSON.parse(fs.readFileSync(path.join(ROOT, version, 'kafka.json'), 'utf8')) as {
          topic: string;
          recordsPerPartition: number[];
          transactionalIdPrefix: string;
          ticksTransactionalIdPrefix?: string;
        };
        const files = findFiles(path.join(ROOT, version), '_metadata').sort();
        assert.ok(files.length >= 2, `${version}: a checkpoint and a savepoint`);
        let splits = 0;
        let writers = 0;
        let committers = 0;
        const committables: Row[] = [];
        for (const file of files) {
          const where = path.relative(ROOT, file);
          const oracle = JSON.parse(fs.readFileSync(`${file}.connectors.json`, 'utf8')) as ConnectorOracle;
          const pointer = (JSON.parse(fs.readFileSync(`${file}.oracle.json`, 'utf8')) as { externalPointer: string })
            .externalPointer;
          const bytes = new Uint8Array(fs.readFileSync(file));
          const metadata = parseMetadata(bytes, { pointer });
          await assertAgreesWithConnectorOracle(where, metadata, pointer, access(version, bytes), oracle, sorted);
          for (const expected of Object.values(oracle.operators)) {
            for (const e of expected.entries ?? []) {
              if (e.state === 'SourceReaderState') splits++;
              else if (e.state === 'writer_raw_states') writers++;
              else {
                committers++;
                for (const c of (e.value as Row).checkpoints as Row[]) {
                  for (const t of c.subtasks as Row[]) {
                    committables.push(...(t.requests as Row[]).map((r) => r.committable as Row));
                  }
                }
              }
            }
          }
          // The job read every record before the snapshot: each partition's split starts at its end offset.
          const starts = Object.values(oracle.operators)
            .flatMap((o) => o.entries ?? [])
            .filter((e) => e.state === 'SourceReaderState')
            .map((e) => e.value as Row)
            .filter((s) => s.topic === about.topic)
            .sort((a, b) => Number(a.partition) - Number(b.partition))
            .map((s) => [s.topic, s.startingOffset]);
          assert.deepEqual(
            starts,
            about.recordsPerPartition.map((n) => [about.topic, n]),
            where,
          );
        }
        assert.ok(splits >= files.length * about.recordsPerPartition.length, `${version}: ${splits} splits`);
        assert.ok(writers > 0, `${version}: no KafkaSink writer state`);
        if (about.ticksTransactionalIdPrefix !== undefined) {
          // The ticking pipeline's transactions are open at every snapshot: its committer holds their committables.
          const prefix = about.ticksTransactionalIdPrefix;
          const open = committables.filter((c) => String(c.transactionalId).startsWith(`${prefix}-`));
          assert.ok(committers > 0 && open.length >= files.length, `${version}: ${open.length} committables`);
          for (const c of open) {
            assert.equal(c.committable, 'kafka');
            assert.ok(Number(c.producerId) >= 0 && Number(c.epoch) >= 0, JSON.stringify(c));
          }
        }
      });
    }
  },
);
