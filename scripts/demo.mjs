// Lays out the demo stores of `npm start`: copies of the checkpoint trees real Flink wrote for test/fixtures/flink,
// aged like a job that has been running a while, and one of them in the states a production job gets into (a
// checkpoint with a missing file, a broken `_metadata`, a checkpoint in progress, a file nothing references), so that
// every state the product knows shows up. Prints the `flinkCheckpoints.stores` setting for them as JSON.
//
//   node scripts/demo.mjs <output directory>
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const FIXTURES = resolve(import.meta.dirname, '..', 'test', 'fixtures', 'flink');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function walk(dir, visit) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, visit);
    visit(path, entry.isDirectory());
  }
}

/** Sets the times of a path and, for a directory, of everything below it. */
function age(path, when) {
  const seconds = when / 1000;
  if (statSync(path).isDirectory()) walk(path, (p) => utimesSync(p, seconds, seconds));
  utimesSync(path, seconds, seconds);
}

function referencedFiles(snapshotDir) {
  return JSON.parse(readFileSync(join(snapshotDir, '_metadata.oracle.json'), 'utf8')).referencedFiles;
}

function copyFixture(out, id, fixture) {
  const source = join(FIXTURES, fixture);
  if (!existsSync(source)) return undefined;
  const target = join(out, id);
  cpSync(source, target, { recursive: true });
  return target;
}

/** The job directories of a store root (32-hex names). */
function jobsOf(root) {
  return readdirSync(root)
    .filter((name) => /^[0-9a-f]{32}$/.test(name))
    .map((name) => join(root, name));
}

/**
 * Ages a job's checkpoints like a job checkpointing every `interval` ms whose newest checkpoint completed `newest` ms
 * ago: each `chk-N` and the shared files it first referenced get the time of its completion.
 */
function ageJob(job, now, newest, interval) {
  const checkpoints = readdirSync(job)
    .filter((name) => /^chk-\d+$/.test(name))
    .sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)));
  const oldest = now - newest - interval * (checkpoints.length - 1);
  for (const dir of ['shared', 'taskowned']) if (existsSync(join(job, dir))) age(join(job, dir), oldest);
  checkpoints.forEach((name, i) => {
    const completed = now - newest - interval * i;
    const dir = join(job, name);
    if (existsSync(join(dir, '_metadata.oracle.json'))) {
      for (const uri of referencedFiles(dir)) {
        const file = join(job, uri.split('/').slice(-2).join('/'));
        if (uri.includes('/shared/') && existsSync(file) && statSync(file).mtimeMs > completed) age(file, completed);
      }
    }
    age(dir, completed);
  });
}

function main() {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: node scripts/demo.mjs <output directory>\n');
    process.exit(2);
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const now = Date.now();
  const stores = [];
  const add = (id, name, fixture, shape) => {
    const root = copyFixture(out, id, fixture);
    if (!root) {
      process.stderr.write(
        `demo: test/fixtures/flink/${fixture} is missing (npm run fixtures); the demo goes on without it\n`,
      );
      return;
    }
    shape(root);
    // The oracle files go; the folders keep the times the shape gave them.
    walk(root, (path, isDirectory) => {
      if (isDirectory || !path.endsWith('_metadata.oracle.json')) return;
      const folder = dirname(path);
      const { atime, mtime } = statSync(folder);
      rmSync(path);
      utimesSync(folder, atime, mtime);
    });
    stores.push({ id, name, uri: root });
  };

  add('rocksdb-incremental', 'Flink 2.2 · RocksDB incremental', '2.2.1/rocksdb-incremental', (root) => {
    for (const job of jobsOf(root)) {
      ageJob(job, now, 20 * MINUTE, HOUR);
      // A file of a checkpoint that failed long ago: nothing references it, Clean Up offers it.
      const orphan = join(job, 'shared', '5f0e8a2c-1d4b-4c6e-9a7f-3b2d1c0e9f8a');
      writeFileSync(orphan, Buffer.alloc(4096, 7));
      age(orphan, now - 26 * HOUR);
    }
  });

  add('job-in-trouble', 'Flink 2.2 · a job in trouble', '2.2.1/rocksdb-incremental', (root) => {
    for (const job of jobsOf(root)) {
      const ids = readdirSync(job)
        .filter((n) => /^chk-\d+$/.test(n))
        .map((n) => Number(n.slice(4)))
        .sort((a, b) => a - b);
      const newest = ids[ids.length - 1];
      const older = new Set(ids.length > 1 ? referencedFiles(join(job, `chk-${ids[ids.length - 2]}`)) : []);
      // The newest complete checkpoint lost a shared file only it references (a hand-made cleanup gone wrong): it can
      // no longer be restored, so the one before it is the latest restorable checkpoint.
      const lost = referencedFiles(join(job, `chk-${newest}`)).find(
        (uri) => uri.includes('/shared/') && !older.has(uri),
      );
      if (lost) rmSync(join(job, 'shared', lost.split('/').pop()));
      ageJob(job, now, 40 * MINUTE, 10 * MINUTE);
      // The next checkpoint's `_metadata` was cut short (the JobManager died while writing it): broken.
      const broken = join(job, `chk-${newest + 1}`);
      cpSync(join(job, `chk-${newest}`), broken, { recursive: true });
      rmSync(join(broken, '_metadata.oracle.json'));
      truncateSync(join(broken, '_metadata'), Math.floor(statSync(join(broken, '_metadata')).size / 3));
      age(broken, now - 30 * MINUTE);
      // And one is being written right now: files uploaded, no `_metadata` yet.
      const inProgress = join(job, `chk-${newest + 2}`);
      mkdirSync(inProgress);
      writeFileSync(join(inProgress, '7c1f3e9a-2b4d-4f6a-8e0c-1a3b5d7f9e2c'), Buffer.alloc(2048, 1));
      writeFileSync(join(job, 'shared', '9d2e4f6a-8b0c-4e1d-a3f5-7b9c1d3e5f7a'), Buffer.alloc(8192, 2));
    }
  });

  add('savepoints', 'Flink 2.2 · savepoints', '2.2.1/savepoints', (root) => {
    const taken = (name) => JSON.parse(readFileSync(join(root, name, '_metadata.oracle.json'), 'utf8')).checkpointId;
    const savepoints = readdirSync(root)
      .filter((n) => n.startsWith('savepoint-'))
      .sort((a, b) => taken(a) - taken(b));
    savepoints.forEach((name, i) => age(join(root, name), now - (3 - i) * 24 * HOUR));
    for (const job of jobsOf(root)) ageJob(job, now, 3 * HOUR, HOUR);
  });
  add('unaligned', 'Flink 1.20 · unaligned checkpoints', '1.20.5/unaligned', (root) => {
    for (const job of jobsOf(root)) ageJob(job, now, 2 * HOUR, 15 * MINUTE);
  });
  add('file-merging', 'Flink 1.20 · file merging', '1.20.5/file-merging', (root) => {
    for (const job of jobsOf(root)) ageJob(job, now, 5 * MINUTE, 5 * MINUTE);
  });
  add('hashmap-115', 'Flink 1.15 · HashMap backend', '1.15.4/hashmap', (root) => {
    for (const job of jobsOf(root)) ageJob(job, now, 9 * 24 * HOUR, 2 * MINUTE);
  });

  process.stdout.write(`${JSON.stringify(stores, null, 2)}\n`);
}

main();
