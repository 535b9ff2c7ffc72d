import type {
  FromWebview,
  InspectorModel,
  LoadErrorView,
  OperatorRow,
  ParseErrorView,
  SubtaskRow,
  ToWebview,
} from './protocol';
import { h, svg } from './dom';
import { formatBytes } from '../src/viewModel/format';
import { VirtualList } from './virtualList';

type Post = (message: FromWebview) => void;
type SortKey =
  | 'operator'
  | 'parallelism'
  | 'maxParallelism'
  | 'stateSize'
  | 'inlineSize'
  | 'exclusiveSize'
  | 'sharedSize'
  | 'subtaskStates';
type Row =
  | { kind: 'operator'; operator: OperatorRow }
  | { kind: 'subtask'; operator: OperatorRow; subtask: SubtaskRow }
  | { kind: 'loading'; operator: OperatorRow };

const COLUMNS: readonly { key: SortKey; label: string; numeric: boolean }[] = [
  { key: 'operator', label: 'Operator', numeric: false },
  { key: 'parallelism', label: 'Parallelism', numeric: true },
  { key: 'maxParallelism', label: 'Max parallelism', numeric: true },
  { key: 'stateSize', label: 'State size', numeric: true },
  { key: 'inlineSize', label: 'Inline', numeric: true },
  { key: 'exclusiveSize', label: 'Exclusive', numeric: true },
  { key: 'sharedSize', label: 'Shared', numeric: true },
  { key: 'subtaskStates', label: 'Subtasks', numeric: true },
];

function operatorLabel(operator: OperatorRow): string {
  return operator.name ?? operator.uid ?? operator.operatorId;
}

function sortValue(operator: OperatorRow, key: SortKey): number | string {
  return key === 'operator' ? operatorLabel(operator).toLowerCase() : operator[key];
}

export function renderParseError(root: HTMLElement, error: ParseErrorView): void {
  root.replaceChildren(
    h(
      'section',
      { class: 'error-view', attrs: { role: 'alert' } },
      h('h1', {}, 'This _metadata could not be read'),
      h('p', { class: 'error-message' }, error.message),
      h(
        'dl',
        {},
        h('dt', {}, 'File'),
        h('dd', {}, error.source),
        h('dt', {}, 'Error'),
        h('dd', {}, error.code),
        error.offset !== null ? h('dt', {}, 'Byte offset') : null,
        error.offset !== null ? h('dd', {}, `${error.offset} (0x${error.offset.toString(16)})`) : null,
      ),
      h(
        'p',
        {},
        'A checkpoint whose _metadata does not read to the end is not complete: Flink cannot restore from it. Pick an older complete checkpoint, or open the file with a hex editor to look at the bytes around the offset.',
      ),
    ),
  );
}

export function renderLoadError(root: HTMLElement, error: LoadErrorView): void {
  root.replaceChildren(
    h(
      'section',
      { class: 'error-view', attrs: { role: 'alert' } },
      h('h1', {}, 'This snapshot could not be opened'),
      h('p', { class: 'error-message' }, error.message),
      h('dl', {}, h('dt', {}, 'File'), h('dd', {}, error.source)),
      h(
        'p',
        {},
        'The Flink Checkpoints log has the cause. Fix it (or Retry the store in the Checkpoint Stores view), then open the file again.',
      ),
    ),
  );
}

export function renderInspector(root: HTMLElement, model: InspectorModel, post: Post): void {
  const expanded = new Set<string>();
  // Subtask rows are asked for when an operator is first expanded: a large snapshot has hundreds of thousands.
  const subtasks = new Map<string, readonly SubtaskRow[] | 'loading'>();
  let sortKey: SortKey = 'stateSize';
  let descending = true;
  let filter = '';

  const kindLabel =
    model.kind === null
      ? 'snapshot (kind not recorded)'
      : model.kind === 'savepoint'
        ? `${model.savepointFormat ?? ''} savepoint`.trim()
        : 'checkpoint';
  const header = h(
    'header',
    { class: 'summary' },
    h('h1', {}, `${kindLabel[0].toUpperCase()}${kindLabel.slice(1)} ${model.checkpointId}`),
    h('p', { class: 'source' }, model.source),
    h(
      'div',
      { class: 'cards' },
      card('Type', model.snapshotType ?? kindLabel),
      card('Metadata version', `${model.metadataVersion} (Flink ${model.flinkLines})`),
      card('State size', formatBytes(model.stateSize)),
      card('Operators', String(model.operators.length)),
      card('Subtask states', String(model.subtaskCount)),
      card('Files', String(model.fileCount)),
      model.masterStates.length > 0 ? card('Master states', model.masterStates.map((m) => m.name).join(', ')) : null,
    ),
  );

  const filterBox = h('input', {
    class: 'filter',
    attrs: {
      type: 'search',
      placeholder: 'Filter operators by id, uid, name or handle type',
      'aria-label': 'Filter operators',
    },
    on: {
      input: (event) => {
        filter = (event.target as HTMLInputElement).value.trim().toLowerCase();
        refresh();
      },
    },
  });

  const headerRow = h('div', { class: 'row head', attrs: { role: 'row' } });
  const list = new VirtualList<Row>({
    rowHeight: 26,
    height: 'min(60vh, 640px)',
    label: 'Operators and their subtasks',
    renderRow: (row, _index, selected) => renderRow(row, selected),
    onKey: (event, row) => {
      if (row.kind !== 'operator') return;
      if (
        (event.key === 'Enter' || event.key === 'ArrowRight' || event.key === ' ') &&
        !expanded.has(row.operator.operatorId)
      ) {
        event.preventDefault();
        toggle(row.operator);
      } else if (
        (event.key === 'Enter' || event.key === 'ArrowLeft' || event.key === ' ') &&
        expanded.has(row.operator.operatorId)
      ) {
        event.preventDefault();
        toggle(row.operator);
      }
    },
  });

  function renderHeader(): void {
    headerRow.replaceChildren(
      ...COLUMNS.map((column) => {
        const active = column.key === sortKey;
        return h(
          'button',
          {
            class: `cell ${column.numeric ? 'num' : ''} ${active ? 'sorted' : ''}`,
            attrs: { role: 'columnheader', 'aria-sort': active ? (descending ? 'descending' : 'ascending') : 'none' },
            on: {
              click: () => {
                if (sortKey === column.key) descending = !descending;
                else {
                  sortKey = column.key;
                  descending = column.numeric;
                }
                refresh();
              },
            },
          },
          column.label,
          active ? (descending ? ' ▾' : ' ▴') : '',
        );
      }),
      h('span', { class: 'cell handles' }, 'State handles'),
    );
  }

  function toggle(operator: OperatorRow): void {
    if (expanded.has(operator.operatorId)) {
      expanded.delete(operator.operatorId);
    } else {
      expanded.add(operator.operatorId);
      if (!subtasks.has(operator.operatorId)) {
        subtasks.set(operator.operatorId, 'loading');
        post({ type: 'loadSubtasks', operatorId: operator.operatorId });
      }
    }
    refresh(true);
  }

  function renderRow(row: Row, selected: boolean): HTMLElement {
    if (row.kind === 'loading') {
      return h(
        'div',
        { class: `row loading ${selected ? 'selected' : ''}`, attrs: { role: 'row' } },
        h('span', { class: 'cell' }, 'Loading subtasks…'),
      );
    }
    if (row.kind === 'subtask') {
      const { subtask } = row;
      return h(
        'div',
        { class: `row subtask ${selected ? 'selected' : ''}`, attrs: { role: 'row' } },
        h('span', { class: 'cell' }, `subtask ${subtask.index}${subtask.finished ? ' (finished)' : ''}`),
        h('span', { class: 'cell num' }),
        h('span', { class: 'cell num' }),
        h('span', { class: 'cell num' }, formatBytes(subtask.stateSize)),
        h('span', { class: 'cell num' }),
        h('span', { class: 'cell num' }),
        h('span', { class: 'cell num' }),
        h('span', { class: 'cell num' }),
        h('span', { class: 'cell handles' }, subtask.handles.join(', ')),
      );
    }
    const { operator } = row;
    const open = expanded.has(operator.operatorId);
    const title = [
      `Operator id ${operator.operatorId}`,
      operator.uid ? `uid ${operator.uid}` : 'no uid recorded',
      operator.name ? `name ${operator.name}` : '',
    ]
      .filter(Boolean)
      .join('\n');
    return h(
      'div',
      { class: `row operator ${selected ? 'selected' : ''}`, attrs: { role: 'row', 'aria-expanded': String(open) } },
      h(
        'span',
        { class: 'cell', title },
        h(
          'button',
          {
            class: 'twisty',
            attrs: { 'aria-label': open ? 'Collapse subtasks' : 'Expand subtasks', tabindex: '-1' },
            on: {
              click: (event) => {
                event.stopPropagation();
                toggle(operator);
              },
            },
          },
          open ? '▾' : '▸',
        ),
        h('span', { class: 'op-label' }, operatorLabel(operator)),
        operator.name || operator.uid ? h('span', { class: 'op-id' }, operator.operatorId) : null,
        operator.finished ? h('span', { class: 'badge' }, 'finished') : null,
      ),
      h('span', { class: 'cell num' }, String(operator.parallelism)),
      h('span', { class: 'cell num' }, String(operator.maxParallelism)),
      h('span', { class: 'cell num' }, formatBytes(operator.stateSize)),
      h('span', { class: 'cell num' }, formatBytes(operator.inlineSize)),
      h('span', { class: 'cell num' }, formatBytes(operator.exclusiveSize)),
      h('span', { class: 'cell num' }, formatBytes(operator.sharedSize)),
      h(
        'span',
        { class: 'cell num' },
        operator.finishedSubtasks
          ? `${operator.subtaskStates} + ${operator.finishedSubtasks} finished`
          : String(operator.subtaskStates),
      ),
      h(
        'span',
        { class: 'cell handles' },
        Object.entries(operator.handleTypes)
          .map(([type, count]) => `${type} ×${count}`)
          .join(', '),
      ),
    );
  }

  function visibleOperators(): OperatorRow[] {
    const matches = model.operators.filter(
      (operator) =>
        !filter ||
        [operator.operatorId, operator.uid ?? '', operator.name ?? '', ...Object.keys(operator.handleTypes)].some(
          (text) => text.toLowerCase().includes(filter),
        ),
    );
    return matches.sort((a, b) => {
      const x = sortValue(a, sortKey);
      const y = sortValue(b, sortKey);
      const order = x < y ? -1 : x > y ? 1 : 0;
      return descending ? -order : order;
    });
  }

  function refresh(keepSelection = false): void {
    renderHeader();
    const rows: Row[] = [];
    for (const operator of visibleOperators()) {
      rows.push({ kind: 'operator', operator });
      if (!expanded.has(operator.operatorId)) continue;
      const loaded = subtasks.get(operator.operatorId);
      if (loaded === 'loading' || loaded === undefined) rows.push({ kind: 'loading', operator });
      else for (const subtask of loaded) rows.push({ kind: 'subtask', operator, subtask });
    }
    list.setItems(rows, keepSelection);
    noMatch.hidden = rows.length > 0;
  }

  const noMatch = h('p', { class: 'hint', attrs: { role: 'status' } }, 'No operator matches the filter.');

  const uidInput = h('input', {
    attrs: { type: 'text', placeholder: 'my-operator-uid', 'aria-label': 'Operator uid' },
  });
  const uidResult = h('output', { class: 'uid-result', attrs: { 'aria-live': 'polite' } });
  const uidForm = h(
    'form',
    {
      class: 'uid-box',
      on: {
        submit: (event) => {
          event.preventDefault();
          if (uidInput.value) post({ type: 'computeUid', uid: uidInput.value });
        },
      },
    },
    h('label', {}, 'Find an operator by uid: ', uidInput),
    h('button', { attrs: { type: 'submit' } }, 'Compute operator id'),
    uidResult,
  );

  window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
    const message = event.data;
    if (message.type === 'subtasks') {
      subtasks.set(message.operatorId, message.rows);
      refresh(true);
      return;
    }
    if (message.type !== 'uidResult') return;
    const match = model.operators.find((operator) => operator.operatorId === message.operatorId);
    uidResult.textContent = `${message.uid} → ${message.operatorId}: ${match ? `present (${formatBytes(match.stateSize)})` : 'not in this snapshot'}`;
    if (match) {
      filterBox.value = message.operatorId;
      filter = message.operatorId;
      refresh();
    }
  });

  root.replaceChildren(
    header,
    h('section', {}, h('h2', {}, 'State size by operator'), sizeChart(model.operators)),
    h(
      'section',
      {},
      h('h2', {}, 'Operators'),
      filterBox,
      h('div', { class: 'table' }, headerRow, list.element),
      noMatch,
      h('p', { class: 'hint' }, 'Arrow keys move, Enter expands an operator into its subtasks, headers sort.'),
    ),
    h('section', {}, h('h2', {}, 'Operator id from uid'), uidForm),
    h('section', {}, h('h2', {}, `Referenced files (${model.fileCount})`), fileList(model, post)),
  );
  refresh();
}

function card(label: string, value: string): HTMLElement {
  return h(
    'div',
    { class: 'card' },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value', title: value }, value),
  );
}

/** A horizontal bar per operator, stacked inline / exclusive / shared; the largest 20 operators. */
function sizeChart(operators: readonly OperatorRow[]): Element {
  const top = [...operators].sort((a, b) => b.stateSize - a.stateSize).slice(0, 20);
  const max = Math.max(1, ...top.map((o) => o.inlineSize + o.exclusiveSize + o.sharedSize));
  const barHeight = 18;
  const labelWidth = 260;
  const width = 720;
  const chart = svg('svg', {
    class: 'chart',
    viewBox: `0 0 ${width} ${top.length * (barHeight + 6) + 24}`,
    role: 'img',
    'aria-label': 'State size by operator, stacked by inline, exclusive and shared bytes',
  });
  top.forEach((operator, i) => {
    const y = i * (barHeight + 6);
    const label = operatorLabel(operator);
    chart.append(
      svg('text', { x: 0, y: y + 13, class: 'chart-label' }, label.length > 36 ? `${label.slice(0, 35)}…` : label),
    );
    let x = labelWidth;
    for (const [part, value] of [
      ['inline', operator.inlineSize],
      ['exclusive', operator.exclusiveSize],
      ['shared', operator.sharedSize],
    ] as const) {
      const w = ((width - labelWidth - 90) * value) / max;
      if (w > 0) {
        chart.append(
          svg(
            'rect',
            { x, y, width: Math.max(w, 1), height: barHeight, class: `bar ${part}` },
            svg('title', {}, `${label}: ${part} ${formatBytes(value)}`),
          ),
        );
      }
      x += w;
    }
    chart.append(svg('text', { x: x + 6, y: y + 13, class: 'chart-value' }, formatBytes(operator.stateSize)));
  });
  const legendY = top.length * (barHeight + 6) + 14;
  (['inline', 'exclusive', 'shared'] as const).forEach((part, i) => {
    chart.append(svg('rect', { x: labelWidth + i * 110, y: legendY - 9, width: 10, height: 10, class: `bar ${part}` }));
    chart.append(svg('text', { x: labelWidth + i * 110 + 14, y: legendY, class: 'chart-label' }, part));
  });
  return chart;
}

function fileList(model: InspectorModel, post: Post): HTMLElement {
  if (model.files.length === 0) {
    return h('p', {}, 'No files: every state handle of this snapshot is stored inline in _metadata.');
  }
  const list = new VirtualList<InspectorModel['files'][number]>({
    rowHeight: 24,
    height: `${Math.min(model.files.length * 24 + 4, 360)}px`,
    label: 'Referenced files',
    renderRow: (file, _index, selected) =>
      h(
        'div',
        {
          class: `row file ${selected ? 'selected' : ''} ${file.exists === false ? 'missing' : ''}`,
          attrs: { role: 'row' },
        },
        h(
          'a',
          {
            class: 'cell path',
            attrs: { href: '#', title: file.exists === false ? 'Missing: no retained file at this path' : 'Open' },
            on: {
              click: (event) => {
                event.preventDefault();
                post({ type: 'openFile', uri: file.uri });
              },
            },
          },
          file.uri,
        ),
        h('span', { class: 'cell num' }, formatBytes(file.size)),
        h('span', { class: 'cell' }, file.shared ? 'shared' : 'exclusive'),
        h('span', { class: 'cell' }, file.exists === false ? 'missing' : file.exists === true ? 'present' : ''),
      ),
    onKey: (event, file) => {
      if (event.key === 'Enter') post({ type: 'openFile', uri: file.uri });
    },
  });
  list.setItems(model.files);
  return h(
    'div',
    {},
    list.element,
    model.filesOmitted > 0 ? h('p', { class: 'hint' }, `${model.filesOmitted} more files not listed.`) : null,
  );
}
