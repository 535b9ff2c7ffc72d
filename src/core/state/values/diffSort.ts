import { createReadStream, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { plainEntry } from './entries';
import type { StateEntry } from './keyed';

/** An entry with the text it is ordered and matched by across two snapshots. */
export interface Keyed {
  readonly id: string;
  readonly entry: StateEntry;
}

/** Bytes of entries one side holds in memory for one key group before sorted runs go to a temporary file. */
export const DEFAULT_SPILL_BYTES = 32 << 20;

/** Run directories in use; a process ending in the middle of a diff (a signal, a closed pipe) removes them as it exits. */
const liveDirectories = new Set<string>();
let removedOnExit = false;

function track(dir: string): void {
  liveDirectories.add(dir);
  if (removedOnExit) return;
  removedOnExit = true;
  process.once('exit', () => {
    for (const d of liveDirectories) rmSync(d, { recursive: true, force: true });
  });
}

const byId = (a: Keyed, b: Keyed) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A rough size of an entry in memory (UTF-16 text of its JSON, object headers): what decides when to spill. */
function footprint(item: Keyed): number {
  return 2 * (item.id.length + JSON.stringify(item.entry.value).length) + 256;
}

/**
 * Sorts the entries of one key group (heap and operator state are written in hash order) in bounded memory: up to
 * `budget` bytes are sorted in memory; beyond that, sorted runs are written to a temporary file as JSON lines and
 * merged back, so a key group larger than memory still diffs.
 */
export class GroupSorter {
  private buffer: Keyed[] = [];
  private bytes = 0;
  private readonly runs: string[] = [];
  private dir: string | null = null;

  constructor(
    private readonly budget: number = DEFAULT_SPILL_BYTES,
    /** Where the directory of this sorter's runs is made (the system's temporary directory by default). */
    private readonly spillDirectory: string = tmpdir(),
  ) {}

  /** How many runs went to disk so far (for the bench and tests). */
  get spilledRuns(): number {
    return this.runs.length;
  }

  async add(keyed: Keyed): Promise<void> {
    // Kept plain: a byte array's bytes are a view that would keep the whole buffer it was read from.
    const item = { id: keyed.id, entry: plainEntry(keyed.entry) };
    this.buffer.push(item);
    this.bytes += footprint(item);
    if (this.bytes >= this.budget) await this.spill();
  }

  private async spill(): Promise<void> {
    this.buffer.sort(byId);
    if (this.dir === null) {
      this.dir = await fs.mkdtemp(join(this.spillDirectory, 'flink-checkpoints-diff-'));
      track(this.dir);
    }
    const file = join(this.dir, `run-${this.runs.length}.jsonl`);
    const handle = await fs.open(file, 'w');
    try {
      let chunk: string[] = [];
      for (const item of this.buffer) {
        chunk.push(JSON.stringify([item.id, item.entry]));
        if (chunk.length >= 1024) {
          await handle.write(`${chunk.join('\n')}\n`);
          chunk = [];
        }
      }
      if (chunk.length > 0) await handle.write(`${chunk.join('\n')}\n`);
    } finally {
      await handle.close();
    }
    this.runs.push(file);
    this.buffer = [];
    this.bytes = 0;
  }

  /** The entries added, by id; the sorter is empty (and its files gone) once this is consumed or returned. */
  async *drain(): AsyncGenerator<Keyed> {
    try {
      if (this.runs.length === 0) {
        const items = this.buffer.sort(byId);
        this.buffer = [];
        this.bytes = 0;
        yield* items;
        return;
      }
      if (this.buffer.length > 0) await this.spill();
      yield* mergeRuns(this.runs);
    } finally {
      await this.clear();
    }
  }

  async clear(): Promise<void> {
    this.buffer = [];
    this.bytes = 0;
    this.runs.length = 0;
    if (this.dir !== null) {
      const dir = this.dir;
      this.dir = null;
      await fs.rm(dir, { recursive: true, force: true });
      liveDirectories.delete(dir);
    }
  }
}

/** A k-way merge of sorted JSON-line runs; each run is read as a stream, so memory is one line per run. */
async function* mergeRuns(files: readonly string[]): AsyncGenerator<Keyed> {
  const readers = files.map((file) => {
    const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 });
    return { lines: createInterface({ input: stream, crlfDelay: Infinity })[Symbol.asyncIterator](), stream };
  });
  try {
    const heads: (Keyed | null)[] = await Promise.all(readers.map((r) => nextOf(r.lines)));
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i];
        if (head !== null && (best < 0 || head.id < heads[best]!.id)) best = i;
      }
      if (best < 0) return;
      yield heads[best]!;
      heads[best] = await nextOf(readers[best].lines);
    }
  } finally {
    for (const r of readers) r.stream.destroy();
  }
}

async function nextOf(lines: AsyncIterator<string>): Promise<Keyed | null> {
  const r = await lines.next();
  if (r.done) return null;
  const [id, entry] = JSON.parse(r.value) as [string, StateEntry];
  return { id, entry };
}
