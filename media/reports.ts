import type { CleanupModel, DiffModel, FromWebview, HistoryModel } from './protocol';
import { h, svg } from './dom';
import { formatBytes, formatSigned } from '../src/viewModel/format';
import { stateDiffTab } from './compareState';

type Post = (message: FromWebview) => void;

function pair(values: readonly [number | null, number | null], format: (n: number) => string = String): string {
  const [a, b] = values;
  if (a === b) return a === null ? '' : format(a);
  return `${a === null ? '—' : format(a)} → ${b === null ? '—' : format(b)}`;
}

function operatorTable(operators: DiffModel['operators']): HTMLElement {
  return h(
    'table',
    { class: 'plain' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Operator', 'Change', 'Parallelism', 'Max parallelism', 'State size', 'Delta'].map((t) => h('th', {}, t)),
      ),
    ),
    h(
      'tbody',
      {},
      ...operators.map((o) =>
        h(
          'tr',
          { class: `change-${o.change}` },
          h('td', { title: o.operatorId }, o.label),
          h('td', {}, o.change),
          h('td', { class: 'num' }, pair(o.parallelism)),
          h('td', { class: 'num' }, pair(o.maxParallelism)),
          h('td', { class: 'num' }, pair(o.stateSize, formatBytes)),
          h('td', { class: 'num' }, formatSigned((o.stateSize[1] ?? 0) - (o.stateSize[0] ?? 0))),
        ),
      ),
    ),
  );
}

/** The comparison in two tabs: operators and files (from `_metadata`), and State (entries, read on request). */
export function renderDiff(root: HTMLElement, model: DiffModel, post: Post): void {
  const changed = model.operators.filter((o) => o.change !== 'same');
  const same = model.operators.filter((o) => o.change === 'same');
  const name = (p: string) => p.split('/').pop() ?? p;
  const state = stateDiffTab(post, name(model.left), name(model.right));
  state.element.setAttribute('hidden', '');
  const overview = h('div', { attrs: { 'data-tab-panel': 'overview' } });
  const tabs = (['overview', 'state'] as const).map((tab) =>
    h(
      'button',
      {
        class: 'tab',
        attrs: { type: 'button', role: 'tab', 'data-tab': tab, 'aria-selected': String(tab === 'overview') },
        on: { click: () => select(tab) },
      },
      tab === 'overview' ? 'Operators and files' : 'State',
    ),
  );
  const select = (tab: 'overview' | 'state') => {
    for (const t of tabs) t.setAttribute('aria-selected', String(t.dataset.tab === tab));
    overview.toggleAttribute('hidden', tab !== 'overview');
    state.element.toggleAttribute('hidden', tab !== 'state');
    if (tab === 'state') state.open();
  };
  overview.append(
    h(
      'section',
      { class: 'operators-differ' },
      h(
        'h2',
        {},
        changed.length
          ? `Operators that differ (${changed.length})`
          : 'No operator differs in id, parallelism, max parallelism or state size',
      ),
      changed.length ? operatorTable(changed) : null,
    ),
    ...(same.length
      ? [
          h(
            'section',
            { class: 'operators-same' },
            h('h2', {}, `Operators unchanged (${same.length})`),
            operatorTable(same),
          ),
        ]
      : []),
    fileSection(`Files only in ${model.left}`, model.filesOnlyLeft),
    fileSection(`Files only in ${model.right}`, model.filesOnlyRight),
  );
  root.replaceChildren(
    h(
      'header',
      { class: 'summary' },
      h('h1', {}, 'Snapshot comparison'),
      h('p', { class: 'source' }, `${model.left}  ⟷  ${model.right}`),
      h(
        'div',
        { class: 'cards' },
        ...(['added', 'removed', 'changed', 'same'] as const).map((change) =>
          h(
            'div',
            { class: 'card' },
            h('div', { class: 'card-label' }, `Operators ${change}`),
            h('div', { class: 'card-value' }, String(model.operators.filter((o) => o.change === change).length)),
          ),
        ),
        h(
          'div',
          { class: 'card' },
          h('div', { class: 'card-label' }, 'Files in both'),
          h('div', { class: 'card-value' }, String(model.filesInBoth)),
        ),
      ),
    ),
    h('nav', { class: 'tabs', attrs: { role: 'tablist' } }, ...tabs),
    overview,
    state.element,
  );
}

function fileSection(title: string, files: readonly string[]): HTMLElement {
  return h(
    'section',
    {},
    h('h2', {}, `${title} (${files.length})`),
    files.length
      ? h('ul', { class: 'files' }, ...files.slice(0, 2000).map((file) => h('li', {}, file)))
      : h('p', {}, 'None.'),
    files.length > 2000 ? h('p', { class: 'hint' }, `${files.length - 2000} more not listed.`) : null,
  );
}

export function renderHistory(root: HTMLElement, model: HistoryModel): void {
  const points = model.points;
  const width = 760;
  const height = 260;
  const pad = { left: 70, right: 20, top: 16, bottom: 40 };
  const max = Math.max(1, ...points.map((p) => p.stateSize));
  const chart = svg('svg', {
    class: 'chart',
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': `State size of the retained snapshots of job ${model.job}`,
  });
  const x = (i: number) =>
    pad.left + (points.length <= 1 ? 0 : (i * (width - pad.left - pad.right)) / (points.length - 1));
  const y = (v: number) => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);
  for (const fraction of [0, 0.5, 1]) {
    chart.append(
      svg('line', { x1: pad.left, x2: width - pad.right, y1: y(max * fraction), y2: y(max * fraction), class: 'grid' }),
    );
    chart.append(
      svg('text', { x: 4, y: y(max * fraction) + 4, class: 'chart-label' }, formatBytes(Math.round(max * fraction))),
    );
  }
  if (points.length > 1) {
    chart.append(
      svg('polyline', { points: points.map((p, i) => `${x(i)},${y(p.stateSize)}`).join(' '), class: 'line' }),
    );
  }
  points.forEach((p, i) => {
    chart.append(
      svg(
        'circle',
        { cx: x(i), cy: y(p.stateSize), r: 4, class: `dot ${p.kind}` },
        svg(
          'title',
          {},
          `${p.label}: ${formatBytes(p.stateSize)}${p.time ? `, ${new Date(p.time).toLocaleString()}` : ''}`,
        ),
      ),
    );
    if (points.length <= 20 || i % Math.ceil(points.length / 10) === 0) {
      chart.append(svg('text', { x: x(i) - 16, y: height - pad.bottom + 18, class: 'chart-label' }, p.label));
    }
  });
  root.replaceChildren(
    h(
      'header',
      { class: 'summary' },
      h('h1', {}, `Retained snapshots of job ${model.job}`),
      h('p', { class: 'source' }, `${points.length} complete checkpoints and savepoints, oldest first.`),
    ),
    points.length ? chart : h('p', {}, 'This job has no complete checkpoint or savepoint.'),
    h(
      'table',
      { class: 'plain' },
      h(
        'thead',
        {},
        h('tr', {}, ...['Snapshot', 'Kind', 'Checkpoint id', 'Time', 'State size'].map((t) => h('th', {}, t))),
      ),
      h(
        'tbody',
        {},
        ...points.map((p) =>
          h(
            'tr',
            {},
            h('td', {}, p.label),
            h('td', {}, p.kind),
            h('td', { class: 'num' }, String(p.checkpointId)),
            h('td', {}, p.time ? new Date(p.time).toLocaleString() : ''),
            h('td', { class: 'num' }, formatBytes(p.stateSize)),
          ),
        ),
      ),
    ),
  );
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function renderCleanup(root: HTMLElement, model: CleanupModel, post: Post): void {
  const count = plural(model.candidates.length, 'entry', 'entries');
  const action = model.reversible
    ? `Move ${count} (${formatBytes(model.totalBytes)}) to the trash…`
    : `Delete ${count} (${formatBytes(model.totalBytes)}) for good…`;
  const confirm = h('button', { class: 'danger', on: { click: () => post({ type: 'confirmCleanup' }) } }, action);
  confirm.toggleAttribute('disabled', model.candidates.length === 0);
  const stopped = h('input', {
    attrs: { type: 'checkbox', id: 'job-stopped' },
    on: { change: () => post({ type: 'cleanupJobStopped', stopped: stopped.checked }) },
  });
  stopped.checked = model.jobStopped;
  const notes = [model.blocked, model.keptWhileRunning].filter((n): n is string => n !== null);
  root.replaceChildren(
    h(
      'header',
      { class: 'summary' },
      h('h1', {}, `Clean up job ${model.job} in store ${model.store} (dry run)`),
      h(
        'p',
        { class: 'source' },
        `Nothing has been removed. ${plural(model.retained.length, 'retained snapshot', 'retained snapshots')} of the checkpoint base reference ${plural(model.referencedFiles, 'file', 'files')}; those are never removed.`,
      ),
      h(
        'p',
        { class: 'source' },
        model.reversible
          ? 'Removing moves entries to .flink-checkpoints-trash in the checkpoint base, from where they can be put back.'
          : 'This store cannot rename cheaply: removing deletes for good, after the base is checked again.',
      ),
    ),
    ...notes.map((n) => h('p', { class: 'note' }, n)),
    h('label', { class: 'toggle' }, stopped, ' The job is stopped (no checkpoint is being written)'),
    ...(model.lastRun ? [h('p', { class: 'note' }, model.lastRun)] : []),
    h('h2', {}, `Can be removed: ${count}`),
    h(
      'table',
      { class: 'plain' },
      h('thead', {}, h('tr', {}, ...['Path', 'Why', 'Size'].map((t) => h('th', {}, t)))),
      h(
        'tbody',
        {},
        ...model.candidates.map((c) =>
          h(
            'tr',
            {},
            h('td', {}, c.uri + (c.kind === 'link' ? ' (link; only the link goes)' : '')),
            h('td', {}, c.reason),
            h('td', { class: 'num' }, formatBytes(c.size)),
          ),
        ),
      ),
    ),
    model.candidates.length ? confirm : h('p', {}, 'Nothing to clean up.'),
    ...(model.kept.length
      ? [
          h('h2', {}, `Kept: ${plural(model.kept.length, 'entry', 'entries')}`),
          h(
            'table',
            { class: 'plain' },
            h('thead', {}, h('tr', {}, ...['Path', 'Why it is kept'].map((t) => h('th', {}, t)))),
            h('tbody', {}, ...model.kept.map((k) => h('tr', {}, h('td', {}, k.uri), h('td', {}, k.why)))),
          ),
        ]
      : []),
    ...(model.trash.length
      ? [
          h('h2', {}, 'Trash of this checkpoint base'),
          h(
            'table',
            { class: 'plain' },
            h(
              'tbody',
              {},
              ...model.trash.map((t) =>
                h(
                  'tr',
                  {},
                  h('td', {}, t.path),
                  h('td', {}, new Date(t.time).toLocaleString()),
                  h(
                    'td',
                    {},
                    h(
                      'button',
                      { class: 'secondary', on: { click: () => post({ type: 'restoreTrash', path: t.path }) } },
                      'Put back',
                    ),
                  ),
                ),
              ),
            ),
          ),
        ]
      : []),
  );
}
