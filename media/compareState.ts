import type {
  FromWebview,
  StateChangeView,
  StateDiffCountsView,
  StateDiffStatesModel,
  StateDiffTarget,
  ToWebview,
} from './protocol';
import { h } from './dom';
import { VirtualList } from './virtualList';

type Post = (message: FromWebview) => void;

const COUNT_COLUMNS = ['added', 'removed', 'changed', 'unchanged'] as const;
const SIGN = { added: '+', removed: '−', changed: '~' } as const;

const same = (a: StateDiffTarget, b: StateDiffTarget) => a.operatorId === b.operatorId && a.state === b.state;
const number = (n: number) => n.toLocaleString('en-US');

/** One line of a change: its key (map key, subtask) and what changed, the detail pane shows it in full. */
function changeLine(c: StateChangeView): string {
  const where = [
    c.userKey === null ? '' : ` [${c.userKey}]`,
    c.namespace === null ? '' : ` in ${c.namespace}`,
    c.subtask === null ? '' : ` (subtask ${c.subtask})`,
  ].join('');
  const what =
    c.change === 'changed'
      ? c.fields.map((f) => `${f.path}: ${f.before ?? '(none)'} → ${f.after ?? '(none)'}`).join(' · ')
      : (c.value ?? '');
  return `${c.key}${where}   ${what}`;
}

/**
 * Compare With…'s State tab: per operator both snapshots have, its states; per state, on request, the keys added,
 * removed, changed and unchanged (one pass over both sides, with progress and Cancel), then the changed keys in a
 * virtual list, a page at a time, with the selected key's field-level changes beside it.
 */
export function stateDiffTab(post: Post, left: string, right: string): { element: HTMLElement; open(): void } {
  const body = h(
    'div',
    { class: 'state-diff-body' },
    h('p', { class: 'hint', attrs: { role: 'status' } }, 'Reading the states of both snapshots…'),
  );
  const changesSection = h('section', { class: 'state-changes', attrs: { hidden: '' } });
  /** Per state, its row's count cells and status cell. */
  const rows = new Map<
    string,
    { cells: HTMLElement[]; status: HTMLElement; problems: HTMLElement; button: HTMLButtonElement }
  >();
  let running: StateDiffTarget | null = null;
  let shown: { target: StateDiffTarget; changes: StateChangeView[]; more: boolean } | null = null;
  let requested = false;
  const keyOf = (t: StateDiffTarget) => JSON.stringify([t.operatorId, t.state]);

  const detail = h('div', { class: 'change-detail' });
  const list = new VirtualList<StateChangeView>({
    rowHeight: 24,
    height: 'min(50vh, 480px)',
    fit: true,
    label: 'Changed keys',
    renderRow: (c, index, selected) => {
      if (selected) showDetail(c);
      return h(
        'div',
        {
          class: `row change change-${c.change}${selected ? ' selected' : ''}`,
          attrs: { role: 'row', 'data-index': String(index) },
          title: changeLine(c),
        },
        h('span', { class: 'cell sign' }, SIGN[c.change]),
        h('span', { class: 'cell change-text' }, changeLine(c)),
      );
    },
  });
  const more = h(
    'button',
    {
      class: 'secondary',
      attrs: { type: 'button' },
      on: {
        click: () => {
          if (shown === null) return;
          more.setAttribute('disabled', '');
          post({ type: 'stateDiffChanges', ...shown.target, skip: shown.changes.length });
        },
      },
    },
    'Load more',
  );

  function showDetail(c: StateChangeView): void {
    const head = h(
      'p',
      {},
      h('strong', {}, `${c.change} `),
      h('code', {}, c.key),
      c.userKey === null ? null : h('span', {}, ' map key ', h('code', {}, c.userKey)),
      c.keyGroup === null ? null : h('span', { class: 'hint' }, `  key group ${c.keyGroup}`),
      c.subtask === null ? null : h('span', { class: 'hint' }, `  subtask ${c.subtask}`),
    );
    const table =
      c.change === 'changed'
        ? h(
            'table',
            { class: 'plain fields' },
            h('thead', {}, h('tr', {}, ...['Field', 'Before', 'After'].map((t) => h('th', {}, t)))),
            h(
              'tbody',
              {},
              ...c.fields.map((f) =>
                h(
                  'tr',
                  {},
                  h('td', {}, h('code', {}, f.path)),
                  h('td', { class: 'before' }, f.before ?? '(none)'),
                  h('td', { class: 'after' }, f.after ?? '(none)'),
                ),
              ),
            ),
          )
        : h('pre', { class: 'value' }, c.value ?? '');
    detail.replaceChildren(head, table);
  }

  function renderChanges(): void {
    if (shown === null) return;
    changesSection.removeAttribute('hidden');
    changesSection.replaceChildren(
      h(
        'h2',
        {},
        `Changed keys of ${shown.target.state} (${number(shown.changes.length)}${shown.more ? ' so far' : ''})`,
      ),
      h('p', { class: 'hint' }, 'Up/Down to move through the keys; the selected key’s changes show below the list.'),
      shown.changes.length === 0 ? h('p', {}, 'No key was added, removed or changed.') : list.element,
      ...(shown.more ? [more] : []),
      detail,
    );
    list.setItems(shown.changes, true);
    if (shown.changes.length > 0) showDetail(shown.changes[Math.min(list.selectedIndex, shown.changes.length - 1)]);
  }

  function compare(target: StateDiffTarget): void {
    const row = rows.get(keyOf(target));
    if (row === undefined) return;
    if (running !== null) rows.get(keyOf(running))?.button.removeAttribute('disabled');
    running = target;
    row.button.setAttribute('disabled', '');
    row.problems.replaceChildren();
    const cancel = h(
      'button',
      { class: 'secondary', attrs: { type: 'button' }, on: { click: () => post({ type: 'stateDiffCancel' }) } },
      'Cancel',
    );
    row.status.replaceChildren(h('span', { attrs: { role: 'status' } }, 'Reading both sides…'), ' ', cancel);
    post({ type: 'stateDiffCount', ...target });
  }

  function renderStates(model: StateDiffStatesModel): void {
    rows.clear();
    if (model.error !== null) {
      body.replaceChildren(h('p', { class: 'error-message', attrs: { role: 'alert' } }, model.error));
      return;
    }
    if (model.operators.length === 0) {
      body.replaceChildren(h('p', {}, 'No operator of both snapshots has managed state.'));
      return;
    }
    body.replaceChildren(
      ...model.operators.map((op) =>
        h(
          'details',
          { class: 'state-operator', attrs: { open: '', 'data-operator': op.operatorId } },
          h(
            'summary',
            { title: op.operatorId },
            `${op.label} `,
            h('span', { class: 'hint' }, `${op.states.length} state(s)`),
          ),
          h(
            'table',
            { class: 'plain state-counts' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...['State', 'Kind', 'Added', 'Removed', 'Changed', 'Unchanged', ''].map((t) => h('th', {}, t)),
              ),
            ),
            h(
              'tbody',
              {},
              ...op.states.flatMap((s) => {
                const target = { operatorId: op.operatorId, state: s.name };
                const cells = COUNT_COLUMNS.map(() => h('td', { class: 'num' }, '·'));
                const status = h('td', { class: 'status' });
                const problems = h('td', { attrs: { colspan: '7' } });
                const button = h(
                  'button',
                  { class: 'secondary', attrs: { type: 'button' }, on: { click: () => compare(target) } },
                  'Compare',
                );
                const note =
                  s.missingIn === null
                    ? null
                    : h('span', { class: 'hint' }, ` only in ${s.missingIn === 'left' ? right : left}`);
                if (s.incomparable === null) status.append(button);
                else problems.append(h('p', { class: 'error-message' }, s.incomparable));
                rows.set(keyOf(target), { cells, status, problems, button });
                return [
                  h(
                    'tr',
                    { attrs: { 'data-state': s.name } },
                    h('td', {}, h('strong', {}, s.name), note),
                    h('td', {}, `${s.kind} · ${s.backend}`),
                    ...cells,
                    status,
                  ),
                  h('tr', { class: 'state-problems', attrs: { 'data-problems-of': s.name } }, problems),
                ];
              }),
            ),
          ),
          ...op.problems.map((p) => h('p', { class: 'error-message' }, `Cannot read ${p}`)),
        ),
      ),
    );
  }

  function onCounts(
    target: StateDiffTarget,
    counts: StateDiffCountsView | null,
    problems: readonly string[],
    cancelled: boolean,
  ): void {
    const row = rows.get(keyOf(target));
    if (row === undefined) return;
    if (running !== null && same(running, target)) running = null;
    row.button.removeAttribute('disabled');
    row.status.replaceChildren(row.button);
    if (counts !== null) {
      COUNT_COLUMNS.forEach((k, i) => (row.cells[i].textContent = number(counts[k])));
      if (counts.notCompared > 0) {
        row.status.prepend(h('span', { class: 'hint' }, `${number(counts.notCompared)} not compared `));
      }
    } else if (cancelled) {
      row.status.prepend(h('span', { class: 'hint' }, 'Cancelled '));
    }
    row.problems.replaceChildren(
      ...problems.map((p) => h('p', { class: 'error-message', attrs: { role: 'alert' } }, p)),
    );
    if (counts !== null && counts.added + counts.removed + counts.changed > 0) {
      shown = { target, changes: [], more: false };
      changesSection.removeAttribute('hidden');
      changesSection.replaceChildren(
        h('p', { class: 'hint', attrs: { role: 'status' } }, `Reading the changed keys of ${target.state}…`),
      );
      post({ type: 'stateDiffChanges', ...target, skip: 0 });
    }
  }

  window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
    const m = event.data;
    if (m.type === 'stateDiffStates') renderStates(m.model);
    else if (m.type === 'stateDiffProgress') {
      const row = rows.get(keyOf(m));
      const status = row?.status.querySelector('[role=status]');
      if (status) {
        status.textContent = `${number(m.entries)} entries read${m.keyGroup === null ? '' : `, key group ${m.keyGroup}`}…`;
      }
    } else if (m.type === 'stateDiffCounts') {
      onCounts({ operatorId: m.operatorId, state: m.state }, m.counts, m.problems, m.cancelled);
    } else if (m.type === 'stateDiffChanges' && shown !== null && same(shown.target, m)) {
      more.removeAttribute('disabled');
      shown = { target: shown.target, changes: [...shown.changes.slice(0, m.skip), ...m.changes], more: m.more };
      renderChanges();
      if (m.skip === 0) changesSection.scrollIntoView({ block: 'start' });
      const row = rows.get(keyOf(m));
      if (row && m.problems.length > 0) {
        row.problems.replaceChildren(...m.problems.map((p) => h('p', { class: 'error-message' }, p)));
      }
    }
  });

  const element = h(
    'div',
    { class: 'state-diff', attrs: { 'data-tab-panel': 'state' } },
    h(
      'p',
      { class: 'hint' },
      `Per state, the keys added, removed and changed from ${left} to ${right}. Compare reads every entry of the state in both snapshots, key group by key group.`,
    ),
    body,
    changesSection,
  );
  return {
    element,
    open: () => {
      if (requested) return;
      requested = true;
      post({ type: 'stateDiffStates' });
    },
  };
}
