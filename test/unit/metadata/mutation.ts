import { isDeepStrictEqual } from 'node:util';
import {
  ByteSource,
  MetadataError,
  MetadataSummary,
  parseMetadata,
  summarize,
  summarizeMetadata,
} from '../../../src/core/metadata';
import { prng } from './support';

/** What one mutated input did: parsed (and summarized), or failed with a MetadataError of a code. */
export type Outcome = { ok: true } | { ok: false; code: string };

/**
 * `bytes` as a streamed source whose reads return at most `chunk` bytes each, so windows refill at every odd
 * boundary and short reads happen.
 */
export function memorySource(bytes: Uint8Array, chunk = Number.MAX_SAFE_INTEGER): ByteSource {
  return {
    size: bytes.length,
    read: (target, offset, length, position) => {
      const n = Math.max(0, Math.min(length, chunk, bytes.length - position));
      target.set(bytes.subarray(position, position + n), offset);
      return n;
    },
  };
}

type Route = { summary: MetadataSummary } | { error: MetadataError };

function route(read: () => MetadataSummary): Route {
  try {
    return { summary: read() };
  } catch (error) {
    if (error instanceof MetadataError) return { error };
    throw error;
  }
}

/**
 * Summarizes `bytes` by the model (parse, then summarize) and by the one-pass scan, over the bytes and streamed
 * through a small window (13 bytes, reads of at most 5; for inputs above 16 KiB 1 KiB and 509). Returns the outcome when all three agree (the same summary,
 * or a MetadataError with the same code and offset); throws anything else, which is exactly the failure the mutation
 * tests look for.
 */
export function attempt(bytes: Uint8Array): Outcome {
  const pointer = 'file:/checkpoints/chk-1';
  const model = route(() => summarize(parseMetadata(bytes, { pointer })));
  const scans = [
    route(() => summarizeMetadata(bytes, { pointer })),
    route(() =>
      bytes.length <= 16384
        ? summarizeMetadata(memorySource(bytes, 5), { pointer, window: 13 })
        : summarizeMetadata(memorySource(bytes, 509), { pointer, window: 1024 }),
    ),
  ];
  for (const scan of scans) {
    const agree =
      'summary' in model
        ? 'summary' in scan && isDeepStrictEqual(scan.summary, model.summary)
        : 'error' in scan && scan.error.code === model.error.code && scan.error.offset === model.error.offset;
    if (!agree) {
      const describe = (r: Route) =>
        'summary' in r ? 'a summary' : `${r.error.code} at ${r.error.offset}: ${r.error.message}`;
      throw new Error(`the scan disagrees with the model: ${describe(scan)} vs ${describe(model)}`);
    }
  }
  return 'summary' in model ? { ok: true } : { ok: false, code: model.error.code };
}

export type MutationKind = 'flip' | 'byte' | 'splice' | 'truncate' | 'duplicate' | 'count';

/** One seeded mutation of `base`: bit flips, random bytes, spliced sections of another file, cuts, huge counts. */
export function mutate(base: Uint8Array, other: Uint8Array, rnd: () => number, kind: MutationKind): Uint8Array {
  const pick = (n: number) => Math.floor(rnd() * n);
  switch (kind) {
    case 'flip': {
      const out = base.slice();
      const flips = 1 + pick(4);
      for (let i = 0; i < flips; i++) out[pick(out.length)] ^= 1 << pick(8);
      return out;
    }
    case 'byte': {
      const out = base.slice();
      out[8 + pick(out.length - 8)] = pick(256);
      return out;
    }
    case 'splice': {
      const at = pick(base.length);
      const from = pick(other.length);
      const len = 1 + pick(Math.min(512, other.length - from));
      const cut = pick(64);
      const out = new Uint8Array(at + len + Math.max(0, base.length - at - cut));
      out.set(base.subarray(0, at));
      out.set(other.subarray(from, from + len), at);
      out.set(base.subarray(Math.min(base.length, at + cut)), at + len);
      return out;
    }
    case 'truncate':
      return base.slice(0, pick(base.length));
    case 'duplicate': {
      const at = pick(base.length);
      const len = 1 + pick(Math.min(256, base.length - at));
      const out = new Uint8Array(base.length + len);
      out.set(base.subarray(0, at + len));
      out.set(base.subarray(at), at + len);
      return out;
    }
    case 'count': {
      // A huge big-endian int where a count might sit: must fail fast, never allocate for it.
      const out = base.slice();
      const at = 8 + pick(out.length - 12);
      const v = [0x7fffffff, 0x10000000, 0x00ffffff, 0x0000ffff, -1][pick(5)];
      new DataView(out.buffer).setInt32(at, v);
      return out;
    }
  }
}

export const MUTATION_KINDS: readonly MutationKind[] = ['flip', 'byte', 'splice', 'truncate', 'duplicate', 'count'];

export interface FuzzFigures {
  inputs: number;
  parsed: number;
  rejected: Record<string, number>;
  crashes: { kind: MutationKind; seed: number; file: string; error: string }[];
  hangs: { kind: MutationKind; seed: number; file: string; ms: number }[];
  slowestMs: number;
}

/**
 * Runs `count` seeded mutations over `files`, round-robin. A crash is anything but a result or a MetadataError;
 * a hang is one input taking longer than `hangMs`, twice in a row.
 */
export function fuzz(files: [string, Uint8Array][], count: number, seed: number, hangMs: number): FuzzFigures {
  const figures: FuzzFigures = { inputs: 0, parsed: 0, rejected: {}, crashes: [], hangs: [], slowestMs: 0 };
  for (let i = 0; i < count; i++) {
    const s = seed + i;
    const rnd = prng(s);
    const [name, base] = files[i % files.length];
    const other = files[Math.floor(rnd() * files.length)][1];
    const kind = MUTATION_KINDS[Math.floor(rnd() * MUTATION_KINDS.length)];
    const input = mutate(base, other, rnd, kind);
    const t0 = performance.now();
    try {
      const outcome = attempt(input);
      if (outcome.ok) figures.parsed++;
      else figures.rejected[outcome.code] = (figures.rejected[outcome.code] ?? 0) + 1;
    } catch (error) {
      figures.crashes.push({
        kind,
        seed: s,
        file: name,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
    let ms = performance.now() - t0;
    if (ms > hangMs) {
      // A parser that loops is slow on the same input every time; a pause of the machine (a busy neighbour, a
      // collection) is not: only an input slow twice counts.
      const t1 = performance.now();
      try {
        attempt(input);
      } catch {
        // Already counted as a crash above.
      }
      ms = Math.min(ms, performance.now() - t1);
    }
    figures.slowestMs = Math.max(figures.slowestMs, ms);
    if (ms > hangMs) figures.hangs.push({ kind, seed: s, file: name, ms });
    figures.inputs++;
  }
  return figures;
}

/**
 * What `run` gives and how long it took (ms). A run over `boundMs` is run once more and the shorter time kept: a pause
 * of the shared machine (GC, another process) is not a hang, only an input slow twice is.
 */
export function timedTwice<T>(run: () => T, boundMs: number): { result: T; ms: number } {
  const once = (): { result: T; ms: number } => {
    const t0 = performance.now();
    const result = run();
    return { result, ms: performance.now() - t0 };
  };
  const first = once();
  return first.ms <= boundMs ? first : { result: first.result, ms: Math.min(first.ms, once().ms) };
}
