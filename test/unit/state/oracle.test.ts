import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseMetadata } from '../../../src/core/metadata';
import { readSchemas, type SerializerSnapshotNode, type StateFileAccess } from '../../../src/core/state';
import { findFiles, repoRoot } from '../../support/repo';

/**
 * The serializer-zoo fixtures (scripts/fixtures-zoo.sh) and the Table API / SQL fixtures (scripts/fixtures-table.sh):
 * per Flink line and backend, the job's snapshots with `_metadata.schema.json`, Flink's own reading of every
 * serialization proxy (test/flink SchemaOracle, with the Table snapshots' LogicalTypes as `asSummaryString()`). The
 * reader must give the same states, kinds and serializer trees for every operator of every snapshot.
 */
const FAMILIES = [
  {
    name: 'serializer-zoo',
    dir: path.join(repoRoot(), 'test', 'fixtures', 'flink-zoo'),
    written: '/tmp/flink-fixtures/zoo',
    lines: ['1.15.4', '1.16.3', '1.17.2', '1.18.1', '1.19.3', '1.20.5', '2.0.2', '2.1.3', '2.2.1', '2.3.0'],
    scenarios: 5,
  },
  {
    name: 'Table API / SQL',
    dir: path.join(repoRoot(), 'test', 'fixtures', 'flink-table'),
    written: '/tmp/flink-fixtures/table',
    lines: ['1.19.3', '1.20.5', '2.1.3', '2.2.1'],
    scenarios: 4,
  },
];

interface OracleNode {
  class: string;
  version: number;
  type?: string;
  nested?: OracleNode[];
  fields?: { name: string; serializer: OracleNode | null }[];
  constants?: string[];
  schema?: string;
  registrations?: string[];
  logicalTypes?: string[];
}
interface OracleState {
  name: string;
  kind: string;
  backend: string;
  keySerializer: OracleNode | null;
  namespaceSerializer: OracleNode | null;
  valueSerializer: OracleNode | null;
  ttl: boolean;
}
interface Oracle {
  operators: { operatorId: string; states: OracleState[] }[];
}

/** The parts of a reader's node the oracle can see (offsets and undecoded bytes are the reader's own). */
function comparable(node: SerializerSnapshotNode | null): OracleNode | null {
  if (node === null) return null;
  const out: OracleNode = { class: node.class, version: node.version };
  if (node.type !== undefined) out.type = node.type;
  if (node.nested !== undefined) out.nested = node.nested.map((n) => comparable(n) as OracleNode);
  if (node.fields !== undefined) {
    out.fields = node.fields.map((f) => ({ name: f.name, serializer: comparable(f.serializer) }));
  }
  if (node.constants !== undefined) out.constants = [...node.constants];
  if (node.schema !== undefined) out.schema = node.schema;
  if (node.registrations !== undefined) out.registrations = [...node.registrations];
  // the oracle writes no list where there are no types (a Top-N's global partition: a row of no fields)
  if (node.logicalTypes !== undefined && node.logicalTypes.length > 0) {
    out.logicalTypes = node.logicalTypes.map((t) => t.type);
  }
  return out;
}

/** Reads the fixture's files where they are now; Flink wrote them under the stable generation directory. */
function access(metadataFile: string, writtenRoot: string, fixtureRoot: string): StateFileAccess {
  const metadata = fs.readFileSync(metadataFile);
  return {
    readMetadata: (offset, length) => Promise.resolve(new Uint8Array(metadata.subarray(offset, offset + length))),
    read: (p, offset, length) => {
      const fd = fs.openSync(p.replace(/^file:/, '').replace(writtenRoot, fixtureRoot), 'r');
      try {
        const target = new Uint8Array(length);
        return Promise.resolve(target.subarray(0, fs.readSync(fd, target, 0, length, offset)));
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

const byName = (a: { backend: string; name: string }, b: { backend: string; name: string }) =>
  `${a.backend}/${a.name}`.localeCompare(`${b.backend}/${b.name}`);

for (const { name, dir: ZOO, written, lines: LINES, scenarios: minScenarios } of FAMILIES) {
  describe(`state schemas agree with Flink’s own reader on the ${name} fixtures`, () => {
    let total = 0;
    for (const version of LINES) {
      it(`Flink ${version}: every snapshot of every backend`, async () => {
        const files = findFiles(path.join(ZOO, version), '_metadata').sort();
        const scenarios = new Set(files.map((f) => path.relative(path.join(ZOO, version), f).split(path.sep)[0]));
        assert.ok(scenarios.size >= minScenarios, `${name} fixtures of ${version}: ${[...scenarios].join(', ')}`);
        for (const file of files) {
          const where = path.relative(ZOO, file);
          const scenario = where.split(path.sep).slice(0, 2);
          const summary = JSON.parse(fs.readFileSync(`${file}.oracle.json`, 'utf8')) as { externalPointer: string };
          const oracle = JSON.parse(
            fs.readFileSync(path.join(path.dirname(file), '_metadata.schema.json'), 'utf8'),
          ) as Oracle;
          const metadata = parseMetadata(new Uint8Array(fs.readFileSync(file)), { pointer: summary.externalPointer });
          const operators = await readSchemas(
            metadata,
            access(file, `${written}/${scenario.join('/')}`, path.join(ZOO, ...scenario)),
          );
          assert.deepEqual(
            operators.map((o) => o.operatorId).sort(),
            oracle.operators.map((o) => o.operatorId).sort(),
            where,
          );
          for (const expected of oracle.operators) {
            const op = operators.find((o) => o.operatorId === expected.operatorId);
            assert.ok(op);
            assert.deepEqual(op.problems, [], `${where} ${op.operatorId}`);
            const actual = op.states
              .map((s) => ({
                name: s.name,
                kind: s.kind,
                backend: s.backend,
                keySerializer: comparable(s.keySerializer),
                namespaceSerializer: comparable(s.namespaceSerializer),
                valueSerializer: comparable(s.valueSerializer),
                ttl: s.ttl !== null,
              }))
              .sort(byName);
            assert.deepEqual(actual, [...expected.states].sort(byName), `${where} ${op.operatorId}`);
          }
          total++;
        }
      });
    }
    it('covers every line, each with its states of every kind', () => {
      assert.ok(total >= LINES.length * minScenarios, `${total} snapshots compared`);
    });
  });
}
