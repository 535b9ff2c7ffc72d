import { asciiSlice } from './byteReader';
import { flinkPathToString, flinkResolvePath, isCanonical } from './flinkPath';

const INITIAL_ENTRIES = 64;
const INITIAL_ARENA = 4096;
/** Below this many entries a comparison sort beats the radix passes (each clears 65,536 counters). */
const RADIX_FROM = 4096;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
/**
 * Bytes a file name may hold on the fast route: printable ASCII without an escape (%), a backslash or a quote, so
 * Flink prints it as stored and JSON as is; no separator, being a name. A relative name also holds no colon (see
 * flinkResolvePath).
 */
const PLAIN_IN_NAME = Uint8Array.from({ length: 256 }, (_, c) =>
  c >= 32 && c <= 126 && c !== 37 && c !== 92 && c !== QUOTE && c !== 47 ? 1 : 0,
);
const PLAIN_IN_RELATIVE = PLAIN_IN_NAME.map((ok, c) => (c === 58 ? 0 : ok));

/** Entries whose names `writeJson` reads ahead at once. */
const BLOCK = 64;

/**
 * The distinct files a snapshot references, printed as Flink prints them and sorted as Java's `String.compareTo`
 * (the oracle's TreeSet) orders them. Built for hundreds of thousands of paths: a stored path arrives as bytes while
 * the parser still has them in reach and is kept as (directory, file name bytes, key of the name's first characters),
 * so sorting is a radix sort over numbers that never reads the long prefix the files of one directory share,
 * duplicates end up side by side, and no string exists until one is asked for. Paths outside that shape (escapes, dot segments,
 * non-ASCII, nested directories) take the exact general route through strings.
 */
export class ReferencedFiles {
  /** File-name bytes of the byte-backed entries: copied here, or (given `backing`) the file's own bytes. */
  private names: Uint8Array;
  private readonly backing: Uint8Array | null;
  private used = 0;
  private entries = 0;
  private dirIds: Uint32Array;
  private nameAt: Uint32Array;
  private nameLength: Uint32Array;
  private key1: Uint32Array;
  private key2: Uint32Array;
  /** Entries and name bytes a `_metadata` of the hinted size typically needs: the first growth's target. */
  private readonly typicalEntries: number;
  private readonly typicalArena: number;
  /** Entries added as text (the general route), by entry: the whole printed path. */
  private readonly texts = new Map<number, string>();
  /** Directory prefixes (ending in '/', or '' for a bare name) by id, and whether Flink prints paths under them unchanged. */
  private readonly dirs: string[] = [];
  private readonly dirIndex = new Map<string, number>();
  private readonly dirCanonical: boolean[] = [];
  /** A key character above U+00FF: the packed keys cannot order it, so sorting takes the general route. */
  private wide = false;
  private lastDir: Uint8Array = new Uint8Array(0);
  private lastDirId = -1;
  /** Printed prefix of a plain relative name, as `flinkResolvePath(pointer, name)` prints it. */
  private readonly relativePrefix: string;
  /** Its directory id, or -1 when the prefix does not end a directory (relative names then take the general route). */
  private readonly relativeDir: number;
  /** Distinct entries in sorted order, once asked for; or, on the general route, the sorted strings. */
  private order: Uint32Array | null = null;
  private generalSorted: string[] | null = null;

  /**
   * `sizeHint`: the size of the `_metadata` the paths come from. Storage starts small, and its first growth jumps to
   * what such a file typically needs (a referenced file takes some 120 bytes of metadata, 40 of them its name): a large
   * file of paths does not grow it step by step, and one of inline state (no paths) never allocates for them.
   * `backing`: the whole file, when every path will be handed over as a range of it: names are then kept as offsets
   * into it instead of copies.
   */
  constructor(
    private readonly pointer: string | null,
    sizeHint = 0,
    backing: Uint8Array | null = null,
  ) {
    this.backing = backing;
    this.typicalEntries = Math.min(1 << 24, Math.ceil(sizeHint / 96));
    this.typicalArena = Math.min(1 << 30, Math.ceil(sizeHint / 3));
    this.dirIds = new Uint32Array(INITIAL_ENTRIES);
    this.nameAt = new Uint32Array(INITIAL_ENTRIES);
    this.nameLength = new Uint32Array(INITIAL_ENTRIES);
    this.key1 = new Uint32Array(INITIAL_ENTRIES);
    this.key2 = new Uint32Array(INITIAL_ENTRIES);
    this.names = backing ?? new Uint8Array(INITIAL_ARENA);
    this.relativePrefix = pointer === null ? '' : flinkResolvePath(pointer, 'x').slice(0, -1);
    this.relativeDir =
      this.relativePrefix === '' || this.relativePrefix.endsWith('/') ? this.dirId(this.relativePrefix) : -1;
  }

  /** A stored path that is pure ASCII, `bytes[start..end)`; `relative` for a RelativeFileStateHandle's name. */
  addBytes(bytes: Uint8Array, start: number, end: number, relative: boolean): void {
    if (this.addPlain(bytes, start, end, relative)) return;
    if (relative) {
      this.addText(asciiSlice(bytes, start, end), true);
      return;
    }
    let slash = end - 1;
    while (slash >= start && bytes[slash] !== 47) slash--;
    if (slash < start) {
      this.addText(asciiSlice(bytes, start, end), false);
      return;
    }
    const dir = this.dirIdOfBytes(bytes, start, slash + 1);
    if (!this.dirCanonical[dir] || !this.addName(dir, bytes, slash + 1, end, false)) {
      this.addText(asciiSlice(bytes, start, end), false);
    }
  }

  /**
   * Adds the path only if it takes the fast route: a relative plain name, or a plain name in the directory of the
   * path before (most paths sit next to the one before). Every byte it accepts is ASCII (that directory came through
   * `addBytes`, the name is printable), so the parser may skip validating them; false leaves the path to `addBytes`
   * or `addText`.
   */
  addPlain(bytes: Uint8Array, start: number, end: number, relative: boolean): boolean {
    if (relative) return this.relativeDir >= 0 && this.addName(this.relativeDir, bytes, start, end, true);
    // The name must then hold no '/' (addName checks), so a wrong guess is refused, not misfiled.
    const dirLength = this.lastDir.length;
    const guess = start + dirLength;
    return (
      dirLength > 0 &&
      guess < end &&
      this.dirCanonical[this.lastDirId] &&
      this.isLastDir(bytes, start, dirLength) &&
      this.addName(this.lastDirId, bytes, guess, end, false)
    );
  }

  /** A stored path as text: printed the way Flink prints it, then added. */
  addText(stored: string, relative: boolean): void {
    const printed = relative
      ? this.pointer === null
        ? stored
        : flinkResolvePath(this.pointer, stored)
      : flinkPathToString(stored);
    const slash = printed.lastIndexOf('/');
    const dir = this.dirId(printed.slice(0, slash + 1));
    const [k1, k2] = sortKeys(
      (i) => {
        const c = printed.charCodeAt(slash + 1 + i);
        if (c > 0xff) this.wide = true;
        return c & 0xff;
      },
      printed.length - slash - 1,
    );
    const e = this.newEntry(dir, 0, 0, k1, k2);
    this.texts.set(e, printed);
  }

  /** How many distinct files. */
  get count(): number {
    this.sort();
    return this.generalSorted !== null ? this.generalSorted.length : (this.order as Uint32Array).length;
  }

  /** The distinct printed paths, sorted by UTF-16 code units. */
  sorted(): string[] {
    this.sort();
    if (this.generalSorted !== null) return this.generalSorted.slice();
    const order = this.order as Uint32Array;
    const out: string[] = new Array(order.length);
    for (let i = 0; i < order.length; i++) out[i] = this.printed(order[i]);
    return out;
  }

  /**
   * Writes the sorted paths as a JSON array, in chunks of about `chunkSize` bytes of UTF-8, without making a string
   * per path (what `JSON.stringify(sorted())` would print).
   */
  writeJson(write: (chunk: Uint8Array) => void, chunkSize = 1 << 20): void {
    this.sort();
    let out = new Uint8Array(chunkSize);
    let at = 0;
    const flush = (need: number) => {
      if (at + need <= out.length) return;
      if (at > 0) write(out.subarray(0, at));
      out = new Uint8Array(Math.max(chunkSize, need));
      at = 0;
    };
    const putText = (text: string) => {
      const json = UTF8.encode(JSON.stringify(text));
      flush(json.length + 1);
      out.set(json, at);
      at += json.length;
    };
    flush(1);
    out[at++] = 91;
    const general = this.generalSorted;
    const order = this.order;
    const total = general !== null ? general.length : (order as Uint32Array).length;
    const dirBytes = this.dirs.map((d) => (isPlainJsonAscii(d) ? Uint8Array.from(d, (c) => c.charCodeAt(0)) : null));
    const hasTexts = this.texts.size > 0;
    const names = this.names;
    const nameAt = this.nameAt;
    const nameLength = this.nameLength;
    const dirIds = this.dirIds;
    /** Per entry of the block: name offset, name length, directory, first name byte. */
    const ahead = new Uint32Array(BLOCK * 4);
    for (let i = 0; i < total; i++) {
      if (general === null && i % BLOCK === 0) {
        // What the next entries need, read ahead: these loads do not depend on each other, so the processor overlaps
        // their cache misses instead of waiting for one per entry in the copy below.
        for (let j = i; j < i + BLOCK && j < total; j++) {
          const e = (order as Uint32Array)[j];
          const from = nameAt[e];
          ahead[(j - i) * 4] = from;
          ahead[(j - i) * 4 + 1] = nameLength[e];
          ahead[(j - i) * 4 + 2] = dirIds[e];
          ahead[(j - i) * 4 + 3] = names[from];
        }
      }
      if (i > 0) {
        flush(1);
        out[at++] = COMMA;
      }
      if (general !== null) {
        putText(general[i]);
        continue;
      }
      const e = (order as Uint32Array)[i];
      const slot = (i % BLOCK) * 4;
      const prefix = dirBytes[ahead[slot + 2]];
      if (prefix === null || (hasTexts && this.texts.has(e))) {
        putText(this.printed(e));
        continue;
      }
      const from = ahead[slot];
      const n = ahead[slot + 1];
      flush(prefix.length + n + 2);
      out[at++] = QUOTE;
      out.set(prefix, at);
      at += prefix.length;
      out[at] = ahead[slot + 3];
      for (let k = 1; k < n; k++) out[at + k] = names[from + k];
      at += n;
      out[at++] = QUOTE;
    }
    flush(1);
    out[at++] = 93;
    write(out.subarray(0, at));
  }

  private printed(e: number): string {
    const text = this.texts.get(e);
    if (text !== undefined) return text;
    const from = this.nameAt[e];
    return this.dirs[this.dirIds[e]] + asciiSlice(this.names, from, from + this.nameLength[e]);
  }

  /**
   * Adds file name `bytes[start..end)` under directory `dir` when it prints unchanged there (see isPlainFile /
   * isPlainName); false when it needs the general route.
   */
  private addName(dir: number, bytes: Uint8Array, start: number, end: number, relative: boolean): boolean {
    const n = end - start;
    if (n === 0 || bytes[end - 1] <= 32) return false;
    const first = bytes[start];
    if (relative ? first <= 32 || (first === 46 && (n === 1 || (n === 2 && bytes[start + 1] === 46))) : first === 46) {
      return false;
    }
    // Channel and segment handles repeat one file many times in a row.
    const last = this.entries - 1;
    // (Text entries have no name bytes: length 0 never matches.)
    if (last >= 0 && this.dirIds[last] === dir && this.nameLength[last] === n) {
      const from = this.nameAt[last];
      let same = true;
      for (let i = 0; i < n && same; i++) same = this.names[from + i] === bytes[start + i];
      if (same) return true;
    }
    const plain = relative ? PLAIN_IN_RELATIVE : PLAIN_IN_NAME;
    const names = this.names;
    let at: number;
    if (this.backing !== null) {
      // Names stay where they are; a range of other bytes (never handed over in practice) takes the general route.
      if (bytes !== this.backing) return false;
      for (let i = start; i < end; i++) if (plain[bytes[i]] === 0) return false;
      at = start;
    } else {
      if (this.used + n > names.length) {
        const grown = new Uint8Array(Math.max(names.length * 2, this.used + n, this.typicalArena));
        grown.set(names.subarray(0, this.used));
        this.names = grown;
        return this.addName(dir, bytes, start, end, relative);
      }
      at = this.used;
      for (let i = 0; i < n; i++) {
        const c = bytes[start + i];
        if (plain[c] === 0) return false;
        names[at + i] = c;
      }
      this.used += n;
    }
    if (n >= 8) {
      // The common case, without a closure per name.
      const k1 = ((names[at] << 24) | (names[at + 1] << 16) | (names[at + 2] << 8) | names[at + 3]) >>> 0;
      const k2 = ((names[at + 4] << 24) | (names[at + 5] << 16) | (names[at + 6] << 8) | names[at + 7]) >>> 0;
      this.newEntry(dir, at, n, k1, k2);
    } else {
      const [k1, k2] = sortKeys((i) => names[at + i], n);
      this.newEntry(dir, at, n, k1, k2);
    }
    return true;
  }

  private newEntry(dir: number, at: number, n: number, k1: number, k2: number): number {
    const e = this.entries;
    if (e === this.dirIds.length) this.grow();
    this.dirIds[e] = dir;
    this.nameAt[e] = at;
    this.nameLength[e] = n;
    this.key1[e] = k1;
    this.key2[e] = k2;
    this.entries = e + 1;
    this.order = null;
    this.generalSorted = null;
    return e;
  }

  private grow(): void {
    const size = Math.max(this.dirIds.length * 2, this.typicalEntries);
    const widen = (a: Uint32Array): Uint32Array => {
      const b = new Uint32Array(size);
      b.set(a);
      return b;
    };
    this.dirIds = widen(this.dirIds);
    this.nameAt = widen(this.nameAt);
    this.nameLength = widen(this.nameLength);
    this.key1 = widen(this.key1);
    this.key2 = widen(this.key2);
  }

  /** The id of a directory given as bytes; consecutive paths mostly share theirs, which one comparison catches. */
  private dirIdOfBytes(bytes: Uint8Array, start: number, end: number): number {
    if (end - start === this.lastDir.length && this.isLastDir(bytes, start, end - start)) return this.lastDirId;
    this.lastDir = bytes.slice(start, end);
    this.lastDirId = this.dirId(asciiSlice(bytes, start, end));
    return this.lastDirId;
  }

  /** Whether `bytes[start..start+n)` is the last directory seen (compared from the end, where directories differ). */
  private isLastDir(bytes: Uint8Array, start: number, n: number): boolean {
    const last = this.lastDir;
    let i = n - 1;
    while (i >= 0 && bytes[start + i] === last[i]) i--;
    return i < 0;
  }

  private dirId(prefix: string): number {
    let id = this.dirIndex.get(prefix);
    if (id === undefined) {
      id = this.dirs.length;
      this.dirs.push(prefix);
      this.dirIndex.set(prefix, id);
      // A file 'a' under the prefix stands for every plain file name (see addName).
      this.dirCanonical.push(prefix !== '' && isCanonical(`${prefix}a`));
    }
    return id;
  }

  /**
   * Orders the entries and drops duplicates. Directories are ordered once; entries by (directory rank, first 8
   * characters of the name) with a least-significant-digit radix sort; where those tie, by the whole name.
   */
  private sort(): void {
    if (this.order !== null || this.generalSorted !== null) return;
    const n = this.entries;
    const dirs = this.dirs;
    const inUse = markUsed(this.dirIds, n, dirs.length);
    const dirOrder = dirs.map((_, i) => i).filter((i) => inUse[i] === 1);
    dirOrder.sort((a, b) => (dirs[a] < dirs[b] ? -1 : dirs[a] > dirs[b] ? 1 : 0));
    // A directory prefixing another ('a/' and 'a/b/') interleaves their files: the per-directory order no longer holds.
    let nested = false;
    for (let i = 1; i < dirOrder.length && !nested; i++) nested = dirs[dirOrder[i]].startsWith(dirs[dirOrder[i - 1]]);
    if (this.wide || nested) {
      const all: string[] = new Array(n);
      for (let e = 0; e < n; e++) all[e] = this.printed(e);
      all.sort();
      let k = 0;
      for (let i = 0; i < n; i++) if (k === 0 || all[i] !== all[k - 1]) all[k++] = all[i];
      all.length = k;
      this.generalSorted = all;
      return;
    }
    const rank = new Uint32Array(dirs.length);
    dirOrder.forEach((dir, r) => (rank[dir] = r));
    const dirRank = mapThrough(this.dirIds, n, rank);
    const key1 = this.key1;
    const key2 = this.key2;
    let order: Uint32Array;
    if (n < RADIX_FROM) {
      order = identity(n);
      order.sort((a, b) => dirRank[a] - dirRank[b] || key1[a] - key1[b] || key2[a] - key2[b]);
    } else {
      order = radixSort(n, dirRank, dirOrder.length, key1, key2);
    }
    this.order = order.slice(0, this.dropDuplicates(order, dirRank));
  }

  /**
   * Within the runs of `order` that tie on directory and 6 characters: orders by the whole name and drops duplicates.
   * Returns how many entries remain, at the front of `order`.
   */
  private dropDuplicates(order: Uint32Array, dirRank: Uint32Array): number {
    const n = order.length;
    const key1 = this.key1;
    const key2 = this.key2;
    let kept = 0;
    let runStart = 0;
    for (let i = 1; i <= n; i++) {
      const a = order[runStart];
      if (i < n) {
        const b = order[i];
        if (key1[a] === key1[b] && key2[a] >>> 16 === key2[b] >>> 16 && dirRank[a] === dirRank[b]) continue;
      }
      if (i - runStart === 1) {
        order[kept++] = a;
      } else {
        const run = Array.from(order.subarray(runStart, i)).sort((x, y) => this.compareNames(x, y));
        for (let j = 0; j < run.length; j++) {
          if (j === 0 || this.compareNames(run[j - 1], run[j]) !== 0) order[kept++] = run[j];
        }
      }
      runStart = i;
    }
    return kept;
  }

  /** Compares two entries of one directory by their names' UTF-16 code units. */
  private compareNames(a: number, b: number): number {
    const na = this.nameOf(a);
    const nb = this.nameOf(b);
    if (typeof na === 'number' && typeof nb === 'number') {
      const la = this.nameLength[a];
      const lb = this.nameLength[b];
      const names = this.names;
      for (let i = 0; i < la && i < lb; i++) {
        const d = names[na + i] - names[nb + i];
        if (d !== 0) return d;
      }
      return la - lb;
    }
    const sa = typeof na === 'number' ? asciiSlice(this.names, na, na + this.nameLength[a]) : na;
    const sb = typeof nb === 'number' ? asciiSlice(this.names, nb, nb + this.nameLength[b]) : nb;
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  }

  /** An entry's name: its offset among the name bytes, or the text after its directory prefix. */
  private nameOf(e: number): number | string {
    const text = this.texts.get(e);
    return text === undefined ? this.nameAt[e] : text.slice(this.dirs[this.dirIds[e]].length);
  }
}

/*
 * The sort's passes over all entries, each loop in a function of its own: a short-lived process runs each of them
 * once, and V8 optimizes a loop while it runs. Long loops in one function are optimized one after another, and each
 * time the code falls back to the interpreter at the next loop, which it has not seen run yet.
 */

/** Which of `dirCount` directories the first `n` entries use. */
function markUsed(dirIds: Uint32Array, n: number, dirCount: number): Uint8Array {
  const inUse = new Uint8Array(dirCount);
  for (let e = 0; e < n; e++) inUse[dirIds[e]] = 1;
  return inUse;
}

/** `table[ids[e]]` for the first `n` entries. */
function mapThrough(ids: Uint32Array, n: number, table: Uint32Array): Uint32Array {
  const out = new Uint32Array(n);
  for (let e = 0; e < n; e++) out[e] = table[ids[e]];
  return out;
}

function identity(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let e = 0; e < n; e++) order[e] = e;
  return order;
}

/** Entries `0..n` ordered by (directory rank, key1, upper half of key2): least significant 16 bits first, each pass stable. */
function radixSort(
  n: number,
  dirRank: Uint32Array,
  dirCount: number,
  key1: Uint32Array,
  key2: Uint32Array,
): Uint32Array {
  let order = identity(n);
  let spare: Uint32Array = new Uint32Array(n);
  const counts = new Uint32Array(1 << 16);
  const pass = (key: Uint32Array, shift: number): void => {
    countDigits(key, order, shift, counts);
    startOffsets(counts);
    scatter(key, order, shift, counts, spare);
    [order, spare] = [spare, order];
  };
  // Six characters tell random names apart well enough: ties past them are rare and sorted by whole names.
  pass(key2, 16);
  pass(key1, 0);
  pass(key1, 16);
  if (dirCount > 1) pass(dirRank, 0);
  if (dirCount > 1 << 16) pass(dirRank, 16);
  return order;
}

function countDigits(key: Uint32Array, order: Uint32Array, shift: number, counts: Uint32Array): void {
  counts.fill(0);
  for (let i = 0; i < order.length; i++) counts[(key[order[i]] >>> shift) & 0xffff]++;
}

function startOffsets(counts: Uint32Array): void {
  let sum = 0;
  for (let d = 0; d < counts.length; d++) {
    const c = counts[d];
    counts[d] = sum;
    sum += c;
  }
}

function scatter(key: Uint32Array, order: Uint32Array, shift: number, counts: Uint32Array, into: Uint32Array): void {
  for (let i = 0; i < order.length; i++) {
    const e = order[i];
    into[counts[(key[e] >>> shift) & 0xffff]++] = e;
  }
}

/** The sort keys of a name: its first 8 characters (0 past its end, `charAt` gives the others), 4 to a key. */
function sortKeys(charAt: (i: number) => number, length: number): [number, number] {
  let k1 = 0;
  let k2 = 0;
  for (let i = 0; i < 8; i++) {
    const c = i < length ? charAt(i) : 0;
    if (i < 4) k1 = k1 * 256 + c;
    else k2 = k2 * 256 + c;
  }
  return [k1, k2];
}

const UTF8 = new TextEncoder();

/** Whether `s` is ASCII that JSON prints as is (no quote, backslash or control character). */
function isPlainJsonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c > 126 || c === QUOTE || c === BACKSLASH) return false;
  }
  return true;
}
