#!/usr/bin/env node
// The shape of a generated fixture tree, to show that regenerating a Flink line gives the same fixtures up to ids,
// timestamps and sizes: directory layout and every _metadata.oracle.json with checkpoint ids, sizes, UUIDs, random
// savepoint suffixes and file counts masked. Channel-state handle counts depend on what was in flight at the barrier,
// so they are reduced to "present". Empty directories are ignored (git does not keep them).
//
//   node scripts/fixtures-shapes.mjs <line dir>                 print the shape as JSON
//   node scripts/fixtures-shapes.mjs <line dir A> <line dir B>  compare; exit 0 when the shapes are equal
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

function mask(path) {
  return path
    .replace(UUID, '<uuid>')
    .replace(/chk-\d+/g, 'chk-<n>')
    .replace(/savepoint-([0-9a-f]{6})-[0-9a-f]{12}/g, 'savepoint-$1-<random>')
    .replace(/_tm_[^/]+/g, '_tm_<id>')
    .replace(/\/\d{6}\.sst/g, '/<n>.sst')
    .replace(/^file:\/.*?\/(\d+\.\d+\.\d+)\//, 'file:<root>/$1/');
}

/** Walks a tree; directories without any file below them are left out, as git does not keep them. */
function walk(dir, root, out) {
  let files = 0;
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const below = walk(path, root, out);
      if (below > 0) {
        out.dirs.add(mask(relative(root, path)));
      }
      files += below;
    } else {
      files++;
      if (entry === '_metadata.oracle.json') {
        out.metadata.push({ at: mask(relative(root, dir)), summary: JSON.parse(readFileSync(path, 'utf8')) });
      }
    }
  }
  return files;
}

function summaryShape(s) {
  return {
    metadataVersion: s.metadataVersion,
    kind: s.kind,
    savepointFormat: s.savepointFormat,
    masterStates: s.masterStates.map((m) => m.name),
    operators: s.operators
      .map((o) => ({
        operatorId: o.operatorId,
        name: o.name,
        uid: o.uid,
        parallelism: o.parallelism,
        maxParallelism: o.maxParallelism,
        finished: o.finished,
        coordinatorState: o.coordinatorStateSize > 0,
        subtaskStates: o.subtaskStates,
        finishedSubtasks: o.finishedSubtasks,
        handleTypes: Object.fromEntries(
          Object.entries(o.handleTypes).map(([type, n]) => [type, /Channel|Subpartition/.test(type) ? 'present' : n]),
        ),
      }))
      .sort((a, b) => a.operatorId.localeCompare(b.operatorId)),
    referencedFilePatterns: [...new Set(s.referencedFiles.map(mask))].sort(),
    externalPointer: mask(s.externalPointer),
  };
}

export function shape(lineDir) {
  const out = {};
  for (const scenario of readdirSync(lineDir).sort()) {
    const dir = join(lineDir, scenario);
    if (!statSync(dir).isDirectory()) {
      continue;
    }
    const found = { dirs: new Set(), metadata: [] };
    walk(dir, dir, found);
    out[scenario] = {
      directories: [...found.dirs].sort(),
      // savepoint directory names are random: order snapshots by checkpoint id (the trigger order)
      snapshots: found.metadata
        .sort((a, b) => a.at.localeCompare(b.at) || a.summary.checkpointId - b.summary.checkpointId)
        .map((m) => ({ at: m.at, ...summaryShape(m.summary) })),
    };
  }
  return out;
}

function differences(a, b, where, found) {
  if (JSON.stringify(a) === JSON.stringify(b)) {
    return found;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      differences(a[key], b[key], `${where}.${key}`, found);
    }
  } else {
    found.push(`${where}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
  return found;
}

const [first, second] = process.argv.slice(2);
if (!first) {
  console.error('usage: node scripts/fixtures-shapes.mjs <line dir> [<other line dir>]');
  process.exit(2);
}
if (!second) {
  console.log(JSON.stringify(shape(first), null, 2));
} else {
  const found = differences(shape(first), shape(second), 'shape', []);
  for (const line of found) {
    console.error(`DIFFERENT ${line}`);
  }
  console.log(found.length === 0 ? 'same shapes' : `${found.length} shape differences`);
  process.exit(found.length === 0 ? 0 : 1);
}
