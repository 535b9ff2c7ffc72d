import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { stateCommand } from '../../../src/cli/state';
import { parseMetadata, summarize } from '../../../src/core/metadata';
import type { StateFileAccess } from '../../../src/core/state';
import {
  decodeCoordinatorState,
  decodeSinkCommitterState,
  decodeSinkWriterState,
  decodeSourceSplit,
  describeCoordinatorState,
  type StateValue,
} from '../../../src/core/state/values';
import { findFiles, repoRoot } from '../../support/repo';
import { assertAgreesWithConnectorOracle, type ConnectorOracle } from './connectorOracle';

/**
 * The file connector fixtures (scripts/fixtures-files.sh): FileSource monitoring a directory continuously, throttled
 * mid-file, and FileSink rolling part files, on each line. Beside every _metadata the oracle
 * `_metadata.connectors.json` is what the connector's own serializers read from it.
 */
const ROOT = path.join(repoRoot(), 'test', 'fixtures', 'flink-files');
const VERSIONS = fs.existsSync(ROOT) ? fs.readdirSync(ROOT).sort() : [];

type Row = { [key: string]: StateValue };

function access(bytes: Uint8Array): StateFileAccess {
  return {
    readMetadata: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
    read: () => Promise.reject(new Error('the file fixtures keep their operator state inline')),
  };
}

interface Snapshot {
  where: string;
  bytes: Uint8Array;
  pointer: string;
  oracle: ConnectorOracle;
}

function snapshots(version: string): Snapshot[] {
  return findFiles(path.join(ROOT, version), '_metadata')
    .sort()
    .map((file) => ({
      where: path.relative(ROOT, file),
      bytes: new Uint8Array(fs.readFileSync(file)),
      pointer: (JSON.parse(fs.readFileSync(`${file}.oracle.json`, 'utf8')) as { externalPointer: string })
        .externalPointer,
      oracle: JSON.parse(fs.readFileSync(`${file}.connectors.json`, 'utf8')) as ConnectorOracle,
    }));
}

/**
 * The framed `byte[]` elements inline in a `_metadata` (the list state's length, then version and a length 8 less),
 * and the coordinator state's bytes, for the mutation cases.
 */
function rawElements(s: Snapshot): Uint8Array[] {
  const b = Buffer.from(s.bytes);
  const out: Uint8Array[] = [];
  for (let p = 0; p + 12 <= b.length; p++) {
    const length = b.readInt32BE(p);
    if (length < 16 || p + 4 + length > b.length) continue;
    const version = b.readInt32BE(p + 4);
    if (version >= 1 && version <= 3 && b.readInt32BE(p + 8) === length - 8) {
      out.push(s.bytes.subarray(p + 4, p + 4 + length));
    }
  }
  return out;
}

describe(
  'FileSource and FileSink state of the file fixtures agree with the connector’s own serializers',
  { skip: VERSIONS.length === 0 ? 'no file fixtures (scripts/fixtures-files.sh)' : false },
  () => {
    for (const version of VERSIONS) {
      it(`${version}: every split, enumerator, writer and committer state of every snapshot`, async () => {
        const all = snapshots(version);
        assert.ok(all.length >= 2, `${version}: a checkpoint and a savepoint`);
        const counts = { splits: 0, positioned: 0, continuous: 0, static: 0, writers: 0, committables: 0 };
        for (const s of all) {
          const metadata = parseMetadata(s.bytes, { pointer: s.pointer });
          await assertAgreesWithConnectorOracle(s.where, metadata, s.pointer, access(s.bytes), s.oracle);
          for (const expected of Object.values(s.oracle.operators)) {
            if (expected.coordinator !== undefined) {
              // monitorContinuously remembers the paths it listed; a static file set only its pending splits.
              const paths = (expected.coordinator as Row).alreadyProcessedPaths as StateValue[];
              if (paths.length > 0) counts.continuous++;
              else counts.static++;
            }
            for (const e of expected.entries ?? []) {
              const v = e.value as Row;
              if (e.state === 'SourceReaderState') {
                counts.splits++;
                if (v.readerPosition !== null) counts.positioned++;
              } else if (e.state === 'writer_raw_states') {
                counts.writers++;
              } else {
                for (const c of v.checkpoints as Row[]) {
                  for (const t of c.subtasks as Row[]) counts.committables += (t.requests as StateValue[]).length;
                }
              }
            }
          }
        }
        // The throttle keeps every reader inside its file: each split has a reader position.
        assert.equal(counts.positioned, counts.splits, `${version}: ${JSON.stringify(counts)}`);
        assert.ok(counts.splits >= 2 * all.length, `${version}: ${JSON.stringify(counts)}`);
        assert.equal(counts.continuous, all.length, `${version}: ${JSON.stringify(counts)}`);
        assert.equal(counts.static, all.length, `${version}: ${JSON.stringify(counts)}`);
        assert.ok(counts.writers > 0 && counts.committables > 0, `${version}: ${JSON.stringify(counts)}`);
      });
    }

    it('state --operator file-source prints the splits readably and inspect names the file enumerator', async () => {
      const version = VERSIONS[VERSIONS.length - 1];
      const dir = path.dirname(findFiles(path.join(ROOT, version, 'savepoints'), '_metadata')[0]);
      let out = '';
      let err = '';
      const code = await stateCommand.run([dir, '--operator', 'file-source', '--json'], {
        out: (t) => (out += t),
        err: (t) => (err += t),
      });
      assert.equal(err, '');
      assert.equal(code, 0);
      const splits = out
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { value: Row }).value);
      assert.ok(splits.length >= 2);
      for (const split of splits) {
        assert.equal(split.split, 'file');
        assert.match(String(split.path), /^file:\/.*\/input\/orders-\d\.csv$/);
        assert.ok(Number((split.readerPosition as Row).recordsAfterOffset) > 0);
      }
      const coordinators = summarize(parseMetadata(new Uint8Array(fs.readFileSync(path.join(dir, '_metadata')))))
        .operators.flatMap((o) => (o.coordinatorState === undefined ? [] : [o.coordinatorState]))
        .map(describeCoordinatorState)
        .sort();
      assert.equal(coordinators.length, 2);
      assert.match(coordinators[0], /^file enumerator, \d+ splits not yet assigned, 0 paths already processed$/);
      assert.match(coordinators[1], /^file enumerator, \d+ splits not yet assigned, 3 paths already processed$/);
    });

    it('every truncation and seeded corruption of real file connector state is a typed value, never a throw', () => {
      const s = snapshots(VERSIONS[VERSIONS.length - 1]).find((x) => x.where.includes('checkpoints'));
      assert.ok(s);
      const elements = rawElements(s);
      const decoders = [decodeSourceSplit, decodeSinkWriterState, decodeSinkCommitterState];
      const kinds = new Set<string>();
      for (const e of elements) {
        for (const decode of decoders) {
          const v = decode(e) as Row;
          const kind = String(v.split ?? v.writer ?? v.committer);
          if (kind === 'file' || kind === 'sink') kinds.add(`${Object.keys(v)[0]}:${kind}`);
        }
      }
      assert.deepEqual([...kinds].sort(), ['committer:sink', 'split:file', 'writer:file']);
      const summary = summarize(parseMetadata(s.bytes, { pointer: s.pointer }));
      const enumerator = summary.operators.find((o) => o.coordinatorState !== undefined)?.coordinatorState as Row;
      assert.equal(enumerator.enumerator, 'file');
      let truncations = 0;
      for (const e of elements) {
        for (let n = 0; n < e.length; n++) {
          for (const decode of decoders) {
            const v = decode(e.subarray(0, n)) as Row;
            assert.equal(v.split ?? v.writer ?? v.committer, 'unknown', `prefix of ${n} bytes`);
            truncations++;
          }
        }
      }
      let seed = 2026;
      const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      let readable = 0;
      const rounds = 4000;
      for (let round = 0; round < rounds; round++) {
        const bytes = Uint8Array.from(elements[round % elements.length]);
        for (let k = 0; k < 1 + Math.floor(random() * 3); k++) {
          bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        }
        const cut = bytes.subarray(0, bytes.length - Math.floor(random() * 3));
        for (const v of [...decoders.map((d) => d(cut)), decodeCoordinatorState(cut)]) {
          assert.doesNotThrow(() => JSON.stringify(v));
          const r = v as Row;
          if (r.split === 'file' || r.writer === 'file' || r.committer === 'sink') readable++;
        }
      }
      assert.ok(truncations > 1000 && readable > 0, `${truncations} truncations, ${readable} corrupted still read`);
    });
  },
);
