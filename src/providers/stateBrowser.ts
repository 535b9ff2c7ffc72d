import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EntryFilter, EntryPage, FromWebview, StateSectionModel, ToWebview } from '../../media/protocol';
import { errorDetail, isCancellation } from '../core/errors';
import type { CheckpointMetadata } from '../core/metadata';
import { readSchemas, type StateFileAccess } from '../core/state';
import { openStoredSnapshot, type StoreRangeRead } from '../core/state/storeSnapshot';
import {
  formatResumePoint,
  parseResumePoint,
  plainEntry,
  stateEntries,
  type EntryProblem,
  type EntryQuery,
  type StateEntry,
} from '../core/state/values';
import { cachedReader, type StateReadCache } from '../core/state/values/cache';
import { openStore } from '../core/stores';
import type { CheckpointStore } from '../core/stores/types';
import { buildStateSection } from '../viewModel/stateModel';
import { entriesJson, entryView } from '../viewModel/stateEntries';
import { userMessage } from '../workbench/errors';
import { STORE_SCHEME, type StoreRegistry } from '../workbench/storeRegistry';

/** Problems listed per page at most; the rest are counted (a broken file repeats its problem per key group). */
const MAX_PROBLEMS = 20;
/** How often a page still being read reports its progress. */
const PROGRESS_MS = 250;

export interface StateBrowserServices {
  readonly stores: StoreRegistry;
  readonly log: vscode.LogOutputChannel;
  readonly cache: StateReadCache;
}

type Post = (message: ToWebview) => void;
type StateMessage = Extract<FromWebview, { type: 'loadStates' | 'loadEntries' | 'cancelEntries' | 'copyEntries' }>;

/** The snapshot of one inspector, opened through its store: its metadata and how to read its files. */
interface Opened {
  readonly store: CheckpointStore;
  readonly metadata: CheckpointMetadata;
  readonly pointer: string;
  /** Ranged reads through the cache (remote stores) or straight from the store (local ones). */
  access(signal: AbortSignal | undefined, onBytes: (n: number) => void): StateFileAccess;
}

/**
 * Serves the inspector's State section: state schemas, pages of a state's entries and "Copy as JSON". Entries are read
 * here, in the extension host, through the store (and the state cache for remote stores); the webview only gets the
 * decoded entries, never a credential or a byte of the files.
 */
export class StateBrowser implements vscode.Disposable {
  private opened: { store: CheckpointStore; snapshot: Promise<Opened> } | undefined;
  /** A local snapshot's store (the file system from its root), closed with the inspector. */
  private local: CheckpointStore | undefined;
  /** Entries loaded per state since its first page, for "Copy as JSON". */
  private readonly loaded = new Map<string, StateEntry[]>();
  private readonly running = new Map<number, AbortController>();

  constructor(
    private readonly services: StateBrowserServices,
    readonly metadataUri: vscode.Uri,
  ) {}

  /** Handles one State section message, posting the answer through `post`. */
  async handle(message: StateMessage, post: Post): Promise<void> {
    switch (message.type) {
      case 'loadStates':
        post({ type: 'states', model: await this.states() });
        return;
      case 'loadEntries':
        post({ type: 'entries', page: await this.entries(message, post) });
        return;
      case 'cancelEntries':
        this.running.get(message.requestId)?.abort();
        return;
      case 'copyEntries': {
        const entries = this.loaded.get(stateKey(message.operatorId, message.state)) ?? [];
        const entry = message.index === null ? entries : entries[message.index];
        if (entry === undefined) return;
        await vscode.env.clipboard.writeText(entriesJson(entry));
        void vscode.window.setStatusBarMessage(
          message.index === null
            ? vscode.l10n.t('Copied {0} entries of {1} as JSON', entries.length, message.state)
            : vscode.l10n.t('Copied an entry of {0} as JSON', message.state),
          3000,
        );
        return;
      }
    }
  }

  dispose(): void {
    for (const controller of this.running.values()) controller.abort();
    void this.local?.close();
  }

  private async states(): Promise<StateSectionModel> {
    try {
      const opened = await this.open();
      return buildStateSection(
        await readSchemas(
          opened.metadata,
          opened.access(undefined, () => undefined),
        ),
      );
    } catch (error) {
      this.services.log.error(
        `Reading the state schemas of ${this.metadataUri.toString()} failed: ${errorDetail(error)}`,
      );
      return { operators: [], error: userMessage(error) };
    }
  }

  private async entries(message: Extract<FromWebview, { type: 'loadEntries' }>, post: Post): Promise<EntryPage> {
    const { requestId, operatorId, state, limit } = message;
    const page = { requestId, operatorId, state };
    const key = stateKey(operatorId, state);
    const failed = (error: string): EntryPage => ({
      ...page,
      entries: [],
      next: null,
      problems: [],
      error,
      cancelled: false,
    });
    const after = message.after === null ? undefined : (parseResumePoint(message.after) ?? undefined);
    if (message.after !== null && after === undefined) return failed(vscode.l10n.t('Not a resume position.'));
    const controller = new AbortController();
    this.running.set(requestId, controller);
    let bytes = 0;
    let scanned = 0;
    const timer = setInterval(() => post({ type: 'entriesProgress', requestId, bytes, scanned }), PROGRESS_MS);
    const problems: EntryProblem[] = [];
    const entries: StateEntry[] = [];
    let next: string | null = null;
    /** The position of the last entry kept: a cancelled page resumes after it. */
    let last = message.after;
    // The entries already read stay shown; "Load more" goes on after the last of them.
    const cancelled = (): EntryPage => ({
      ...page,
      ...this.keep(key, message.after, entries),
      next: last,
      problems: [],
      error: null,
      cancelled: true,
    });
    try {
      const opened = await this.open();
      const op = opened.metadata.operators.find((o) => o.operatorId === operatorId);
      if (op === undefined) return failed(vscode.l10n.t('No operator {0} in this snapshot.', operatorId));
      const filter = queryOf(message.filter, op.maxParallelism);
      if (typeof filter === 'string') return failed(filter);
      const query: EntryQuery = { states: new Set([state]), ...filter, ...(after === undefined ? {} : { after }) };
      const access = opened.access(controller.signal, (n) => (bytes += n));
      for await (const { entry, position } of stateEntries(op, opened.pointer, access, query, (p) =>
        problems.push(p),
      )) {
        if (controller.signal.aborted) break;
        scanned++;
        if (entries.length >= limit) {
          // This entry opens the next page: resume after the one before it.
          next = formatResumePoint({ ...position, skip: position.skip - 1 });
          break;
        }
        // Kept plain: a byte array's bytes are a view that would keep the whole buffer it was read from.
        entries.push(plainEntry(entry));
        last = formatResumePoint(position);
      }
      if (controller.signal.aborted) return cancelled();
    } catch (error) {
      if (isCancellation(error) || controller.signal.aborted) return cancelled();
      this.services.log.error(
        `Reading the entries of ${state} in ${this.metadataUri.toString()} failed: ${errorDetail(error)}`,
      );
      return failed(userMessage(error));
    } finally {
      clearInterval(timer);
      this.running.delete(requestId);
    }
    return {
      ...page,
      ...this.keep(key, message.after, entries),
      next,
      problems: problemLines(problems),
      error: null,
      cancelled: false,
    };
  }

  /** Remembers a page's entries for "Copy as JSON": a first page starts the state's list afresh. */
  private keep(key: string, after: string | null, entries: StateEntry[]): Pick<EntryPage, 'entries'> {
    if (after === null) this.loaded.set(key, [...entries]);
    else this.loaded.set(key, [...(this.loaded.get(key) ?? []), ...entries]);
    return { entries: entries.map(entryView) };
  }

  /** The snapshot, opened once per store connection (a store reset by a settings change is opened again). */
  private async open(): Promise<Opened> {
    const uri = this.metadataUri;
    const directory = vscode.Uri.joinPath(uri, '..');
    let store: CheckpointStore;
    let snapshotPath: string;
    let clusterPaths: readonly string[] = [];
    if (uri.scheme === STORE_SCHEME) {
      store = (await this.services.stores.get(uri.authority)).store;
      snapshotPath = directory.path;
      const clusterPath = this.services.stores.config(uri.authority)?.clusterPath;
      if (clusterPath) clusterPaths = [clusterPath];
    } else if (uri.scheme === 'file') {
      // Rooted at the file system's root, as the inspector resolves a local snapshot's files.
      this.local ??= openStore(path.parse(directory.fsPath).root);
      store = this.local;
      snapshotPath = directory.fsPath;
    } else {
      throw new Error(vscode.l10n.t('Open this _metadata from a store or a local folder to read its states.'));
    }
    if (this.opened?.store !== store) {
      const snapshot = this.openSnapshot(store, snapshotPath, clusterPaths);
      this.opened = { store, snapshot };
      snapshot.catch(() => {
        if (this.opened?.snapshot === snapshot) this.opened = undefined;
      });
    }
    return this.opened.snapshot;
  }

  private async openSnapshot(
    store: CheckpointStore,
    snapshotPath: string,
    clusterPaths: readonly string[],
  ): Promise<Opened> {
    const { metadata, pointer, accessWith } = await openStoredSnapshot(store, snapshotPath, clusterPaths);
    const { cache } = this.services;
    return {
      store,
      metadata,
      pointer,
      access: (signal, onBytes) => {
        const read: StoreRangeRead =
          store.uri.scheme === 'file'
            ? (inStore, offset, length) => store.readAll(inStore, { offset, length, maxBytes: length, signal })
            : cachedReader(store, cache, { signal });
        return accessWith(async (inStore, offset, length) => {
          const bytes = await read(inStore, offset, length);
          onBytes(bytes.length);
          return bytes;
        });
      },
    };
  }
}

function stateKey(operatorId: string, state: string): string {
  return `${operatorId}\0${state}`;
}

/** The core's query for a filter of the webview, or why the filter cannot be used. */
function queryOf(filter: EntryFilter | null, maxParallelism: number): Omit<EntryQuery, 'states' | 'after'> | string {
  if (filter === null || filter.text === '') return {};
  switch (filter.by) {
    case 'key':
      return { key: filter.text };
    case 'prefix':
      return { keyPrefix: filter.text };
    case 'keyGroup': {
      const group = /^\d+$/.test(filter.text.trim()) ? Number(filter.text.trim()) : NaN;
      if (!(group >= 0 && group < maxParallelism)) {
        return vscode.l10n.t(
          'A key group is a whole number from 0 to {0} (the operator’s max parallelism is {1}).',
          maxParallelism - 1,
          maxParallelism,
        );
      }
      return { keyGroup: group };
    }
  }
}

function problemLines(problems: readonly EntryProblem[]): string[] {
  const lines = problems
    .slice(0, MAX_PROBLEMS)
    .map((p) => `Cannot read ${p.file}${p.offset === null ? '' : ` at byte ${p.offset}`}: ${p.message}`);
  if (problems.length > MAX_PROBLEMS) {
    lines.push(vscode.l10n.t('… and {0} more problems', problems.length - MAX_PROBLEMS));
  }
  return lines;
}
