import { DataInput } from '../dataInput';
import { StateSchemaError } from '../errors';

/** Bytes read from a state file at a time; a record larger than this is read with a larger window. */
const WINDOW = 1 << 20;
/** A region's first read; each next one doubles up to WINDOW: a first page reads about what it shows. */
const FIRST_WINDOW = 64 << 10;
/** The largest single record (one entry's key and value) read; beyond it the file is taken as corrupt. */
const MAX_RECORD = 256 << 20;

export type Fetch = (offset: number, length: number) => Promise<Uint8Array>;

/**
 * A byte range `[start, end)` of a state file read forward through a bounded window. `parse` runs a synchronous
 * parser over what is buffered and, when it runs out of bytes before `end`, reads a larger window and runs it again:
 * entries written without a length (the heap format) need no separate pass to find their end.
 */
export class Region {
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart: number;
  pos: number;

  constructor(
    private readonly fetch: Fetch,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
    this.bufStart = start;
  }

  private eof = false;
  /** The size of the next read. */
  private window = FIRST_WINDOW;

  private get bufferedEnd(): number {
    return this.bufStart + this.buf.length;
  }

  private async load(want: number): Promise<void> {
    const length = Math.min(want, this.end - this.pos);
    this.window = Math.min(WINDOW, this.window * 2);
    const bytes = length > 0 ? await this.fetch(this.pos, length) : new Uint8Array(0);
    this.eof = bytes.length < length || this.pos + bytes.length >= this.end;
    this.buf = bytes;
    this.bufStart = this.pos;
  }

  /** Reads from `pos` until the region or file ends, when the end is not known in advance. */
  async probeEnd(): Promise<boolean> {
    if (this.pos < this.bufferedEnd) return false;
    if (this.eof || this.pos >= this.end) return true;
    await this.load(this.window);
    return this.buf.length === 0;
  }

  async parse<T>(parse: (input: DataInput) => T): Promise<T> {
    let want = this.window;
    for (;;) {
      if (this.pos >= this.bufferedEnd && !this.eof) await this.load(want);
      const from = this.pos - this.bufStart;
      const complete = this.eof;
      const input = new DataInput(this.buf.subarray(from), this.pos, complete);
      try {
        const value = parse(input);
        this.pos += input.pos;
        return value;
      } catch (error) {
        if (!(error instanceof StateSchemaError) || error.code !== 'truncated' || complete) throw error;
        const buffered = this.bufferedEnd - this.pos;
        if (buffered >= MAX_RECORD) {
          throw new StateSchemaError('invalid', this.pos, `an entry larger than ${MAX_RECORD >> 20} MiB`);
        }
        want = Math.max(want, buffered * 4);
        await this.load(want);
      }
    }
  }
}
