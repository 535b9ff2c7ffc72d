import { mayNeedRedaction, redact } from '../core/redact';

/** Where a CLI command writes; tests pass buffers, the binary passes the process streams. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Output already encoded as UTF-8, for large outputs; without it such output goes through `out`. */
  outBytes?(chunk: Uint8Array): void;
}

/** Writes UTF-8 output through `io.outBytes`, or decoded through `io.out`. */
export function writeBytes(io: CliIo, chunk: Uint8Array): void {
  if (io.outBytes) io.outBytes(chunk);
  else io.out(new TextDecoder().decode(chunk));
}

/** The CLI's one output boundary: the same streams with every text and byte chunk passed through `redact`. */
export function redactingIo(io: CliIo): CliIo {
  const decoder = new TextDecoder();
  return {
    out: (text) => io.out(redact(text)),
    err: (text) => io.err(redact(text)),
    // Chunks end between JSON values (see ReferencedFiles.writeJson), so a URI is never cut in two.
    outBytes: (chunk) => (mayNeedRedaction(chunk) ? io.out(redact(decoder.decode(chunk))) : writeBytes(io, chunk)),
  };
}

/** Exit codes shared by every subcommand. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** `--timeout <seconds>` of the store commands: how long any one store call may wait for the server. */
export const TIMEOUT_USAGE = '--timeout <seconds>   how long one store call may wait for the server (default 30)';

/** The store timeout a `--timeout` flag gives, in ms; undefined without the flag. */
export function timeoutFlag(flags: Map<string, string | true>): number | undefined {
  const value = flags.get('timeout');
  if (value === undefined) return undefined;
  const seconds = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(seconds > 0)) {
    throw new UsageError(`--timeout takes a number of seconds greater than 0, got '${String(value)}'`);
  }
  return Math.round(seconds * 1000);
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/**
 * Parses `--flag`, `--key value` and `--key=value`. Flags named in `valued` take the next argument as their value;
 * any other unknown flag is a usage error, so a typo never silently changes what a script does.
 */
export function parseArgs(args: string[], booleans: readonly string[], valued: readonly string[] = []): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (booleans.includes(name) && eq < 0) {
      flags.set(name, true);
    } else if (valued.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positional, flags };
}
