import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import {
  StateDiff,
  compareSchemas,
  schemaOf,
  type DiffCounts,
  type DiffProblem,
  type DiffSide,
  type StateChange,
} from '../core/state/values';
import type { StoredStateSnapshot } from '../core/state/values/diffStore';
import type {
  FromWebview,
  StateChangeView,
  StateDiffCountsView,
  StateDiffOperatorRow,
  StateDiffStatesModel,
  StateDiffTarget,
  ToWebview,
} from '../../media/protocol';
import { problemLine } from '../core/state/problems';

export interface SnapshotRef {
  readonly storeId: string;
  readonly path: string;
}

/** What `flinkCheckpoints.compareState` returns: one state's counts and a page of its changes. */
export interface CompareStateResult {
  readonly counts: StateDiffCountsView | null;
  readonly problems: readonly string[];
  readonly changes: readonly StateChangeView[];
  readonly more: boolean;
}

/** Changes sent per page of the State tab's list. */
export const STATE_DIFF_PAGE = 100;
/** Longest value text sent to the page; the rest is cut (the CLI prints values whole). */
const MAX_TEXT = 2000;

function text(value: unknown): string | null {
  if (value === undefined) return null;
  const t = JSON.stringify(value);
  return t.length > MAX_TEXT ? `${t.slice(0, MAX_TEXT)}…` : t;
}

export function changeView(c: StateChange): StateChangeView {
  const e = c.change === 'changed' ? c.after : c.entry;
  return {
    change: c.change,
    key: text(e.key) ?? 'null',
    namespace: e.namespace === null || e.namespace === 'VoidNamespace' ? null : text(e.namespace),
    userKey: e.userKey === undefined ? null : text(e.userKey),
    subtask: e.subtask ?? null,
    keyGroup: e.keyGroup,
    value: c.change === 'changed' ? null : text(c.entry.value),
    fields:
      c.change === 'changed'
        ? c.fields.map((f) => ({ path: f.path, before: text(f.before), after: text(f.after) }))
        : [],
  };
}

function countsView(c: DiffCounts | undefined): StateDiffCountsView {
  return c ?? { added: 0, removed: 0, changed: 0, unchanged: 0, notCompared: 0 };
}

type Opened = Omit<DiffSide, 'operator'>;

/** A position in one state's changes, kept so that "load more" continues where the last page ended. */
interface Cursor {
  readonly key: string;
  readonly iterator: AsyncGenerator<StateChange>;
  readonly diff: StateDiff;
  position: number;
  pending: StateChange | null;
}

/**
 * Compare With…'s State tab, on the host: per operator both snapshots have, its states; per state on request the
 * counts of added, removed, changed and unchanged keys (one streaming pass, cancellable, with progress) and pages of
 * changed keys with their field-level changes. `left` is the older snapshot, as the rest of the comparison.
 */
export class StateCompare implements vscode.Disposable {
  private sides: Promise<[Opened, Opened]> | undefined;
  private running: vscode.CancellationTokenSource | undefined;
  private cursor: Cursor | undefined;

  constructor(
    /** Opens a snapshot of a store for reading state (the commands know the stores). */
    private readonly openSnapshot: (ref: SnapshotRef) => Promise<StoredStateSnapshot>,
    private readonly left: SnapshotRef,
    private readonly right: SnapshotRef,
    private readonly post: (message: ToWebview) => void,
  ) {}

  /** Answers the State tab's messages; false for any other message. */
  async handle(message: FromWebview): Promise<boolean> {
    switch (message.type) {
      case 'stateDiffStates':
        this.post({ type: 'stateDiffStates', model: await this.states() });
        return true;
      case 'stateDiffCount':
        await this.count({ operatorId: message.operatorId, state: message.state });
        return true;
      case 'stateDiffChanges': {
        const target = { operatorId: message.operatorId, state: message.state };
        this.post({ type: 'stateDiffChanges', ...(await this.page(target, message.skip, STATE_DIFF_PAGE)) });
        return true;
      }
      case 'stateDiffCancel':
        this.running?.cancel();
        return true;
      default:
        return false;
    }
  }

  private async open(ref: SnapshotRef): Promise<Opened> {
    return { label: ref.path.split('/').pop() ?? ref.path, ...(await this.openSnapshot(ref)) };
  }

  /** Both snapshots, opened once per panel; the operator is filled in per request. */
  private async opened(): Promise<[Opened, Opened]> {
    this.sides ??= Promise.all([this.open(this.left), this.open(this.right)]);
    try {
      return await this.sides;
    } catch (error) {
      this.sides = undefined;
      throw error;
    }
  }

  private async sidesOf(operatorId: string): Promise<[DiffSide, DiffSide]> {
    const [a, b] = await this.opened();
    const x = a.metadata.operators.find((o) => o.operatorId === operatorId);
    const y = b.metadata.operators.find((o) => o.operatorId === operatorId);
    if (x === undefined || y === undefined) throw new Error(`operator ${operatorId} is not in both snapshots`);
    return [
      { ...a, operator: x },
      { ...b, operator: y },
    ];
  }

  async states(): Promise<StateDiffStatesModel> {
    try {
      const [a, b] = await this.opened();
      const operators: StateDiffOperatorRow[] = [];
      for (const x of a.metadata.operators) {
        const y = b.metadata.operators.find((o) => o.operatorId === x.operatorId);
        if (y === undefined) continue;
        const sa = { ...a, operator: x };
        const sb = { ...b, operator: y };
        const [schemaA, schemaB] = [await schemaOf(sa), await schemaOf(sb)];
        const states = compareSchemas(sa, sb, schemaA, schemaB);
        const problems = [
          ...(schemaA?.problems ?? []).map((p) => `${a.label}: ${problemLine(p)}`),
          ...(schemaB?.problems ?? []).map((p) => `${b.label}: ${problemLine(p)}`),
        ];
        if (states.length === 0 && problems.length === 0) continue;
        operators.push({
          operatorId: x.operatorId,
          label: x.name ?? x.uid ?? x.operatorId,
          states: states.map((s) => ({
            name: s.name,
            kind: s.kind,
            backend: s.backend,
            missingIn: s.missingIn === 'a' ? 'left' : s.missingIn === 'b' ? 'right' : null,
            incomparable: s.incomparable,
          })),
          problems,
        });
      }
      return { operators, error: null };
    } catch (error) {
      return { operators: [], error: `Cannot read the snapshots' state: ${errorMessage(error)}` };
    }
  }

  private problemTexts(problems: readonly DiffProblem[], a: DiffSide, b: DiffSide): string[] {
    return problems.map((p) => `${p.side === null ? '' : `${p.side === 'a' ? a.label : b.label}: `}${p.message}`);
  }

  /** Counts one state's changes in one pass; progress is posted as it goes, and a newer request cancels it. */
  async count(
    target: StateDiffTarget,
    token?: vscode.CancellationToken,
  ): Promise<ToWebview & { type: 'stateDiffCounts' }> {
    this.running?.cancel();
    const source = new vscode.CancellationTokenSource();
    this.running = source;
    const cancelled = () => source.token.isCancellationRequested || token?.isCancellationRequested === true;
    let answer: ToWebview & { type: 'stateDiffCounts' };
    try {
      const [a, b] = await this.sidesOf(target.operatorId);
      const stop = new AbortController();
      source.token.onCancellationRequested(() => stop.abort());
      token?.onCancellationRequested(() => stop.abort());
      let last = Date.now();
      const diff: StateDiff = new StateDiff(a, b, {
        states: new Set([target.state]),
        signal: stop.signal,
        onProgress: () => {
          if (Date.now() - last < 250) return;
          last = Date.now();
          this.post({ type: 'stateDiffProgress', ...target, entries: diff.entriesRead, keyGroup: diff.keyGroup });
        },
      });
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Comparing state {0}', target.state) },
        async () => {
          const changes = diff.changes();
          while (!(await changes.next()).done);
        },
      );
      answer = {
        type: 'stateDiffCounts',
        ...target,
        counts: cancelled() ? null : countsView(diff.counts.get(target.state)),
        problems: this.problemTexts(diff.problems, a, b),
        cancelled: cancelled(),
      };
    } catch (error) {
      answer = { type: 'stateDiffCounts', ...target, counts: null, problems: [errorMessage(error)], cancelled: false };
    } finally {
      if (this.running === source) this.running = undefined;
      source.dispose();
    }
    this.post(answer);
    return answer;
  }

  /** `limit` changes of one state after the first `skip`, continuing the last page's pass when it is that one's next. */
  async page(
    target: StateDiffTarget,
    skip: number,
    limit: number,
  ): Promise<StateDiffTarget & { skip: number; changes: StateChangeView[]; more: boolean; problems: string[] }> {
    try {
      const [a, b] = await this.sidesOf(target.operatorId);
      const key = JSON.stringify([target.operatorId, target.state]);
      let cursor = this.cursor;
      if (cursor === undefined || cursor.key !== key || cursor.position !== skip) {
        await this.cursor?.iterator.return(undefined);
        const diff = new StateDiff(a, b, { states: new Set([target.state]) });
        cursor = { key, diff, iterator: diff.changes(), position: 0, pending: null };
        this.cursor = cursor;
      }
      const next = async (): Promise<StateChange | null> => {
        if (cursor.pending !== null) {
          const p = cursor.pending;
          cursor.pending = null;
          return p;
        }
        const r = await cursor.iterator.next();
        return r.done ? null : r.value;
      };
      while (cursor.position < skip) {
        if ((await next()) === null) break;
        cursor.position++;
      }
      const changes: StateChangeView[] = [];
      while (changes.length < limit) {
        const c = await next();
        if (c === null) break;
        changes.push(changeView(c));
        cursor.position++;
      }
      cursor.pending = await next();
      return {
        ...target,
        skip,
        changes,
        more: cursor.pending !== null,
        problems: this.problemTexts(cursor.diff.problems, a, b),
      };
    } catch (error) {
      return { ...target, skip, changes: [], more: false, problems: [errorMessage(error)] };
    }
  }

  dispose(): void {
    this.running?.cancel();
    void this.cursor?.iterator.return(undefined);
    this.cursor = undefined;
  }
}
