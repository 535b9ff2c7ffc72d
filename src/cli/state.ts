import { CliCommand, CliIo, EXIT_FAILED, EXIT_OK, TIMEOUT_USAGE, UsageError, parseArgs, timeoutFlag } from './command';
import { MetadataError, type CheckpointMetadata, type OperatorState } from '../core/metadata';
import {
  StateDiff,
  formatResumePoint,
  parseResumePoint,
  entryRecord,
  stateEntryBatches,
  type EntryProblem,
  type DiffCounts,
  type DiffSide,
  type EntryQuery,
  type StateChange,
  type StateEntry,
} from '../core/state/values';
import { InputError } from './inspectInput';
import { operatorFilter } from './schema';
import { cliStateCache, openSnapshotState, type OpenedSnapshot } from './snapshotState';
import type { StateReadCache } from '../core/state/values/cache';
import { problemLine } from '../core/state/problems';
import { runGenerate } from './stateGenerate';

function findOperator(metadata: CheckpointMetadata, wanted: string): OperatorState {
  const filter = operatorFilter(wanted);
  const op = metadata.operators.find((o) => filter?.(o));
  if (op === undefined) throw new InputError('not-found', `no operator with uid or id '${wanted}'`);
  return op;
}

function stringFlag(flags: Map<string, string | true>, name: string, what: string): string | undefined {
  const value = flags.get(name);
  if (value === undefined) return undefined;
  if (value === true || value === '') throw new UsageError(`--${name} needs ${what}`);
  return value;
}

function countFlag(flags: Map<string, string | true>, name: string): number | undefined {
  const value = stringFlag(flags, name, 'a number');
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} takes a whole number, got '${value}'`);
  return Number(value);
}

function entryText(entry: StateEntry): string {
  const where = entry.keyGroup === null ? `subtask ${entry.subtask ?? '?'}` : `key group ${entry.keyGroup}`;
  const ns = entry.namespace === null ? '' : `  namespace ${JSON.stringify(entry.namespace)}`;
  const user = entry.userKey === undefined ? '' : `  [${JSON.stringify(entry.userKey)}]`;
  return `${entry.state}  ${where}  ${JSON.stringify(entry.key)}${ns}${user} = ${JSON.stringify(entry.value)}`;
}

/** How many problems the text output names before it counts the rest. */
const PROBLEMS_SHOWN = 20;

const FAILURE = (io: CliIo, input: string, error: Error): number => {
  io.err(`${input}: ${error.message}\n`);
  return EXIT_FAILED;
};

async function withSnapshot(
  io: CliIo,
  input: string,
  timeoutMs: number | undefined,
  cache: StateReadCache,
  run: (s: OpenedSnapshot) => Promise<number>,
): Promise<number> {
  let snapshot: OpenedSnapshot;
  try {
    snapshot = await openSnapshotState(input, timeoutMs, cache);
  } catch (error) {
    if (error instanceof InputError || error instanceof MetadataError) return FAILURE(io, input, error);
    throw error;
  }
  try {
    return await run(snapshot);
  } catch (error) {
    if (error instanceof InputError) return FAILURE(io, input, error);
    throw error;
  } finally {
    await snapshot.close();
  }
}

/** The JSON line of one change: the entry's identity, then `value` (added, removed) or `before`, `after`, `fields`. */
function changeJson(c: StateChange): string {
  const entry = c.change === 'changed' ? c.after : c.entry;
  const line: Record<string, unknown> = {
    change: c.change,
    state: entry.state,
    keyGroup: entry.keyGroup,
    key: entry.key,
    namespace: entry.namespace,
  };
  if (entry.userKey !== undefined) line.userKey = entry.userKey;
  if (entry.subtask !== undefined) line.subtask = entry.subtask;
  if (c.change === 'changed') {
    line.before = c.before.value;
    line.after = c.after.value;
    line.fields = c.fields;
  } else line.value = c.entry.value;
  return JSON.stringify(line);
}

function changeText(c: StateChange): string {
  const entry = c.change === 'changed' ? c.after : c.entry;
  const sign = c.change === 'added' ? '+' : c.change === 'removed' ? '-' : '~';
  const detail =
    c.change === 'changed'
      ? c.fields
          .map((f) => `${f.path}: ${JSON.stringify(f.before) ?? '(none)'} → ${JSON.stringify(f.after) ?? '(none)'}`)
          .join(', ')
      : JSON.stringify(c.entry.value);
  const user = entry.userKey === undefined ? '' : ` [${JSON.stringify(entry.userKey)}]`;
  const subtask = entry.subtask === undefined ? '' : ` (subtask ${entry.subtask})`;
  return `${sign} ${entry.state} ${JSON.stringify(entry.key)}${user}${subtask}  ${detail}`;
}

function countsText(counts: ReadonlyMap<string, DiffCounts>): string {
  const total = { added: 0, removed: 0, changed: 0, unchanged: 0, notCompared: 0 };
  for (const c of counts.values()) for (const k of Object.keys(total) as (keyof DiffCounts)[]) total[k] += c[k];
  const notCompared = total.notCompared > 0 ? `, ${total.notCompared} not compared (the other side is unreadable)` : '';
  return `${total.added} added, ${total.removed} removed, ${total.changed} changed, ${total.unchanged} unchanged${notCompared}`;
}

/** Opens both snapshots (one after the other: a failure of either is reported alone) and diffs the operator. */
async function runDiff(args: string[], io: CliIo): Promise<number> {
  const { positional, flags } = parseArgs(args, ['json'], ['timeout', 'operator', 'state', 'limit']);
  const timeoutMs = timeoutFlag(flags);
  if (positional.length !== 2) throw new UsageError('state diff takes two snapshots');
  const operator = stringFlag(flags, 'operator', 'a uid or an operator id');
  if (operator === undefined) throw new UsageError('state diff needs --operator <uid|id>');
  const stateName = stringFlag(flags, 'state', 'a state name');
  const limit = countFlag(flags, 'limit');
  const json = flags.has('json');
  const [a, b] = positional;
  // One cache for both sides: a file both snapshots name (an incremental checkpoint's shared/ files) is read once.
  const cache = cliStateCache();
  return withSnapshot(io, a, timeoutMs, cache, (sa) =>
    withSnapshot(io, b, timeoutMs, cache, async (sb) => {
      const side = (label: string, s: OpenedSnapshot): DiffSide => ({
        label,
        metadata: s.metadata,
        operator: findOperator(s.metadata, operator),
        access: s.access,
      });
      const diff = new StateDiff(
        side(a, sa),
        side(b, sb),
        stateName === undefined ? {} : { states: new Set([stateName]) },
      );
      // Ctrl-C or a kill ends the process through its exit handlers, which remove the diff's temporary sorted runs.
      const interrupted = () => process.exit(130);
      process.once('SIGINT', interrupted);
      process.once('SIGTERM', interrupted);
      let printed = 0;
      let complete = true;
      let buffer: string[] = [];
      const flush = () => {
        if (buffer.length > 0) io.out(`${buffer.join('\n')}\n`);
        buffer = [];
      };
      try {
        for await (const change of diff.changes()) {
          if (limit !== undefined && printed >= limit) {
            complete = false;
            break;
          }
          buffer.push(json ? changeJson(change) : changeText(change));
          printed++;
          if (buffer.length >= 256) flush();
        }
      } finally {
        process.off('SIGINT', interrupted);
        process.off('SIGTERM', interrupted);
      }
      flush();
      if (json) {
        io.out(`${JSON.stringify({ summary: Object.fromEntries(diff.counts), complete, problems: diff.problems })}\n`);
      } else {
        io.out(`${countsText(diff.counts)}${complete ? '' : ' so far'}\n`);
      }
      if (!complete) io.err(`stopped after ${limit} changes (--limit): the counts cover the part compared\n`);
      for (const p of diff.problems) io.err(`${p.side === null ? '' : `${p.side === 'a' ? a : b}: `}${p.message}\n`);
      return diff.problems.length > 0 ? EXIT_FAILED : EXIT_OK;
    }),
  );
}

export const stateCommand: CliCommand = {
  name: 'state',
  summary:
    "The entries of an operator's state in a checkpoint/savepoint (keys and values decoded), or the difference between two",
  usage: `state <snapshot> --operator <uid|id> [--state <name>] [--key <key> | --key-prefix <prefix>] [--key-group <n>] [--limit <n>] [--after <position>] [--json] [--timeout <seconds>]
state diff <a> <b> --operator <uid|id> [--state <name>] [--limit <n>] [--json] [--timeout <seconds>]
state <snapshot> --operator <uid|id> [--state <name>] --generate sql|java [--flink <version>] [--class <Name>]

  --json         one JSON line per entry: {"state","keyGroup","key","namespace","userKey","value"} (operator state: "subtask")
  --limit <n>    print at most n entries; the position to resume from is printed on stderr
  --after <pos>  resume after that position (as printed with --limit)
  --generate     for state too large to read here: print the Flink SQL (savepoint connector, Flink 2.1+) or a State
                 Processor API job (java) that reads the same state on a cluster; --flink is the line that runs it
state diff prints the keys added, removed and changed from <a> to <b>, with the fields that changed (path: old → new);
  with --json one line per change ({"change","state","keyGroup","key","namespace","userKey",
  "value" | "before","after","fields":[{"path","before","after"}]}), then {"summary","complete","problems"}.
  It reads both sides key group by key group, so memory stays bounded however large the state.
Exits 1 when part of the state cannot be read or compared (the rest is still printed, with the problem).
${TIMEOUT_USAGE}`,
  async run(args: string[], io: CliIo): Promise<number> {
    if (args[0] === 'diff') return runDiff(args.slice(1), io);
    if (args.some((a) => a === '--generate' || a.startsWith('--generate='))) return runGenerate(args, io);
    const { positional, flags } = parseArgs(
      args,
      ['json'],
      ['timeout', 'operator', 'state', 'key', 'key-prefix', 'key-group', 'limit', 'after'],
    );
    const timeoutMs = timeoutFlag(flags);
    if (positional.length !== 1) throw new UsageError('give exactly one snapshot');
    const operator = stringFlag(flags, 'operator', 'a uid or an operator id');
    if (operator === undefined) throw new UsageError('state needs --operator <uid|id> (the schema command lists them)');
    const stateName = stringFlag(flags, 'state', 'a state name');
    const key = stringFlag(flags, 'key', 'a key');
    const keyPrefix = stringFlag(flags, 'key-prefix', 'a key prefix');
    if (key !== undefined && keyPrefix !== undefined) throw new UsageError('give --key or --key-prefix, not both');
    const keyGroup = countFlag(flags, 'key-group');
    const limit = countFlag(flags, 'limit');
    const afterText = stringFlag(flags, 'after', 'a position');
    const after = afterText === undefined ? undefined : (parseResumePoint(afterText) ?? undefined);
    if (afterText !== undefined && after === undefined) {
      throw new UsageError(`--after takes a position as printed with --limit (like 12:3 or s0:5), got '${afterText}'`);
    }
    const json = flags.has('json');
    const input = positional[0];
    const query: EntryQuery = {
      ...(stateName === undefined ? {} : { states: new Set([stateName]) }),
      ...(key === undefined ? {} : { key }),
      ...(keyPrefix === undefined ? {} : { keyPrefix }),
      ...(keyGroup === undefined ? {} : { keyGroup }),
      ...(after === undefined ? {} : { after }),
    };
    return withSnapshot(io, input, timeoutMs, cliStateCache(), async (s) => {
      const op = findOperator(s.metadata, operator);
      const problems: EntryProblem[] = [];
      let printed = 0;
      let buffer: string[] = [];
      const flush = () => {
        if (buffer.length > 0) io.out(`${buffer.join('\n')}\n`);
        buffer = [];
      };
      scan: for await (const batch of stateEntryBatches(op, s.metadata.pointer, s.access, query, (p) =>
        problems.push(p),
      )) {
        for (const { entry, position } of batch) {
          if (limit !== undefined && printed >= limit) {
            flush();
            // The entry not printed is the first of the next page: resume after the one before it.
            io.err(
              `more entries: resume with --after ${formatResumePoint({ ...position, skip: position.skip - 1 })}\n`,
            );
            break scan;
          }
          buffer.push(json ? JSON.stringify(entryRecord(entry)) : entryText(entry));
          printed++;
          if (buffer.length >= 256) flush();
        }
      }
      flush();
      if (!json && printed === 0) io.out('no entries\n');
      // A snapshot missing its shared files has a problem per file: the first ones say what is wrong.
      const shown = json ? problems : problems.slice(0, PROBLEMS_SHOWN);
      for (const p of shown) io.err(`${problemLine(p)}\n`);
      if (shown.length < problems.length) {
        io.err(`… and ${problems.length - shown.length} more files that cannot be read (--json lists every one)\n`);
      }
      return problems.length > 0 ? EXIT_FAILED : EXIT_OK;
    });
  },
};
