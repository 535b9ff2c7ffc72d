import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseMetadata, snapshotDetails, summarize } from '../../../src/core/metadata';
import { FileStatus, buildInspectorModel, displayPath } from '../../../src/viewModel/inspectorModel';
import type { InspectorModel } from '../../../media/protocol';
import { repoRoot } from '../../support/repo';

const FIXTURES = path.join(repoRoot(), 'test/fixtures/flink');

/** Every `_metadata` of one scenario of a Flink line, with its oracle's pointer (where Flink wrote it). */
function snapshotsOf(version: string, scenario: string): { file: string; pointer: string }[] {
  const found: { file: string; pointer: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === '_metadata') {
        const oracle = JSON.parse(fs.readFileSync(`${full}.oracle.json`, 'utf8')) as { externalPointer: string };
        found.push({ file: full, pointer: oracle.externalPointer });
      }
    }
  };
  walk(path.join(FIXTURES, version, scenario));
  return found.sort((a, b) => a.file.localeCompare(b.file));
}

/**
 * The model the host builds for a fixture opened from a store rooted at the scenario: Flink's paths (under the
 * directory it wrote to) are mapped onto the copy here and looked up on disk, as checkFiles looks them up in a store.
 */
function modelOf(
  version: string,
  scenario: string,
  snapshot: { file: string; pointer: string },
  modified?: number,
): InspectorModel {
  const root = path.join(FIXTURES, version, scenario);
  const written = `file:/tmp/flink-fixtures/${version}/${scenario}`;
  const bytes = new Uint8Array(fs.readFileSync(snapshot.file));
  const metadata = parseMetadata(bytes, { pointer: snapshot.pointer });
  const summary = summarize(metadata);
  const status = new Map<string, FileStatus>();
  for (const uri of summary.referencedFiles) {
    assert.ok(uri.startsWith(written), `${uri} lies where Flink wrote the scenario`);
    const storePath = uri.slice(written.length);
    const onDisk = path.join(root, storePath);
    status.set(
      uri,
      fs.existsSync(onDisk)
        ? { exists: true, size: fs.statSync(onDisk).size, storePath }
        : { exists: false, size: -1, storePath },
    );
  }
  return buildInspectorModel(snapshot.file, summary, status, snapshotDetails(metadata), {
    size: bytes.byteLength,
    inStore: true,
    directory: path.dirname(snapshot.file).slice(root.length),
    ...(modified === undefined ? {} : { modified }),
  });
}

const LINES = ['1.20.5', '2.2.1'];

describe('inspector model: what Flink Web UI shows, from real Flink snapshots', () => {
  it('names the type as the Web UI does: incremental or full checkpoint, unaligned, canonical or native savepoint', () => {
    for (const version of LINES) {
      const types = (scenario: string) =>
        snapshotsOf(version, scenario).map((s) => modelOf(version, scenario, s).typeLabel);
      for (const type of types('rocksdb-incremental')) assert.equal(type, 'incremental checkpoint', version);
      for (const type of types('file-merging')) assert.equal(type, 'incremental checkpoint', version);
      for (const type of types('changelog')) assert.equal(type, 'incremental checkpoint', version);
      for (const type of types('rocksdb-full')) assert.equal(type, 'full checkpoint', version);
      for (const type of types('hashmap')) assert.equal(type, 'full checkpoint', version);
      for (const type of types('unaligned')) assert.equal(type, 'unaligned full checkpoint', version);
      // The scenario takes a canonical and a native savepoint, then stops the job with a canonical one.
      assert.deepEqual(types('savepoints').sort(), [
        'canonical savepoint',
        'canonical savepoint (stop-with-savepoint)',
        'native savepoint',
      ]);
    }
  });

  it('puts the incremental delta beside the full size and the footprint in the store', () => {
    for (const version of LINES) {
      for (const scenario of ['rocksdb-incremental', 'file-merging', 'hashmap', 'rocksdb-full', 'savepoints']) {
        for (const snapshot of snapshotsOf(version, scenario)) {
          const model = modelOf(version, scenario, snapshot);
          const what = `${version}/${scenario}/${path.relative(FIXTURES, snapshot.file)}`;
          if (model.typeLabel.startsWith('incremental')) {
            assert.ok(model.checkpointedSize > 0 && model.checkpointedSize < model.stateSize, what);
          } else {
            // Nothing is reused: every byte is new, as Flink reports for a full checkpoint or a savepoint.
            assert.equal(model.checkpointedSize, model.stateSize, what);
          }
          // The footprint is what the store holds: _metadata and each referenced file once, counted from disk here.
          const onDisk = model.files.reduce((sum, file) => sum + file.size, fs.statSync(snapshot.file).size);
          assert.deepEqual(model.footprint, { bytes: onDisk, files: model.fileCount + 1, unknown: 0 }, what);
        }
      }
    }
  });

  it('takes the completion time from _metadata and says so when the store gives none', () => {
    const [snapshot] = snapshotsOf('2.2.1', 'hashmap');
    assert.equal(modelOf('2.2.1', 'hashmap', snapshot, Date.UTC(2026, 0, 2, 3, 4, 5)).completedAt, 1767323045000);
    assert.equal(modelOf('2.2.1', 'hashmap', snapshot).completedAt, null);
  });

  it('groups file-merging segments under their physical file, each within the file, by offset', () => {
    for (const version of LINES) {
      for (const snapshot of snapshotsOf(version, 'file-merging')) {
        const model = modelOf(version, 'file-merging', snapshot);
        const merged = model.files.filter((f) => f.segments.length > 0);
        assert.ok(merged.length >= 20, `${version}: ${merged.length} merged files`);
        // Every segment handle of the snapshot is listed once, under the file that holds it.
        const details = snapshotDetails(
          parseMetadata(new Uint8Array(fs.readFileSync(snapshot.file)), { pointer: snapshot.pointer }),
        );
        assert.equal(
          merged.reduce((n, f) => n + f.segments.length, 0),
          details.mergedFiles.reduce((n, f) => n + f.segments.length, 0),
        );
        for (const file of merged) {
          assert.equal(file.exists, true, file.uri);
          assert.match(file.storePath ?? '', /^(shared|taskowned)\/job_[0-9a-f]{32}_(op|tm)_[^/]+\/[^/]+$/);
          let end = 0;
          for (const segment of file.segments) {
            assert.ok(segment.offset >= end, `${file.uri}: segments in offset order, not overlapping`);
            assert.ok(segment.length > 0);
            end = segment.offset + segment.length;
            assert.ok(segment.operator !== '' && (segment.subtask === null || segment.subtask < 4));
          }
          assert.ok(
            end <= file.size,
            `${file.uri}: the last segment ends at ${end}, within the ${file.size}-byte file`,
          );
          assert.equal(file.shared, file.segments.some((s) => s.scope === 'shared') || /\/shared\//.test(file.uri));
        }
        // A task-owned merged file holds exclusive segments (operator state), a shared one shared ones (SST files).
        assert.ok(merged.some((f) => f.storePath?.startsWith('taskowned/')));
        assert.ok(merged.some((f) => f.storePath?.startsWith('shared/')));
      }
    }
  });

  it('shows every referenced file relative to the job directory, whether Flink wrote it relative or absolute', () => {
    for (const [scenario, kinds] of [
      ['hashmap', /^chk-\d+\/[^/]+$/],
      ['rocksdb-incremental', /^(chk-\d+|shared)\/[^/]+$/],
    ] as const) {
      for (const snapshot of snapshotsOf('2.2.1', scenario)) {
        const model = modelOf('2.2.1', scenario, snapshot);
        assert.ok(model.files.length > 0);
        for (const file of model.files) assert.match(file.storePath ?? '', kinds, file.uri);
      }
    }
    assert.equal(displayPath('/base/job/chk-3/abc', '/base/job/chk-3'), 'chk-3/abc');
    assert.equal(displayPath('/base/job/shared/x', '/base/job/chk-3'), 'shared/x');
    assert.equal(displayPath('/elsewhere/x', '/base/job/chk-3'), '/elsewhere/x');
    assert.equal(displayPath('/base/jobX/x', '/base/job/chk-3'), '/base/jobX/x', 'a sibling that only shares a prefix');
    assert.equal(displayPath('/a/x', undefined), '/a/x');
  });
});
