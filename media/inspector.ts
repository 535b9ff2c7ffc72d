import type {
  FileRow,
  FromWebview,
  InspectorModel,
  LoadErrorView,
  OperatorRow,
  ParseErrorView,
  SegmentRow,
  SubtaskRow,
  ToWebview,
} from './protocol';
import { h, svg } from './dom';
import { formatBytes } from '../src/viewModel/format';
import { VirtualList } from './virtualList';
import { stateSection } from './stateSection';

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
    actions(model, post),
    h(
      'div',
      { class: 'cards' },
      card('Checkpoint ID', String(model.checkpointId)),
      card(
        'Type',
        model.typeLabel,
        model.snapshotType ? `Flink's name for it: ${model.snapshotType}` : 'Not recorded before metadata version 4',
      ),
      card(
        'Completed',
        model.completedAt === null ? 'unknown' : new Date(model.completedAt).toLocaleString(),
        "When _metadata was written, as the store reports its time: Flink writes _metadata last, when the snapshot completes, and records no time inside it. The directory's own time is not used: it changes whenever a file in it is removed.",
        'completed',
      ),
      card(
        'Full size',
        formatBytes(model.stateSize),
        "All state this snapshot references, new or reused: Flink's Full Checkpoint Data Size",
        'full-size',
      ),
      card(
        'Checkpointed size',
        formatBytes(model.checkpointedSize),
        "The bytes new in this snapshot (the incremental delta): Flink's Checkpointed Data Size",
        'checkpointed-size',
      ),
      card(
        'Footprint in store',
        `${formatBytes(model.footprint.bytes)}${model.footprint.unknown > 0 ? ' +' : ''}`,
        `What the store holds for this snapshot: _metadata and ${model.footprint.files - 1} referenced files, merged files counted whole${model.footprint.unknown > 0 ? `; ${model.footprint.unknown} files missing or not checked are not counted` : ''}`,
        'footprint',
      ),
      card('Metadata version', `${model.metadataVersion} (Flink ${model.flinkLines})`),
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
    fit: true,
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
          active ? ' ' : '',
          h('span', { class: 'sort-mark', attrs: { 'aria-hidden': 'true' } }, active ? (descending ? '▾' : '▴') : ''),
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
      operator.coordinatorState === null ? '' : `coordinator state ${clip(JSON.stringify(operator.coordinatorState))}`,
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

  // The page is a list of sections, each built on its own; a new section is one more entry here.
  root.replaceChildren(
    header,
    section('chart', 'State size by operator', sizeChart(model.operators)),
    section(
      'operators',
      'Operators',
      filterBox,
      h('div', { class: 'table operators' }, headerRow, list.element),
      noMatch,
      h('p', { class: 'hint' }, 'Arrow keys move, Enter expands an operator into its subtasks, headers sort.'),
    ),
    stateSection(post),
    section('uid', 'Operator id from uid', uidForm),
    section('files', `Referenced files (${model.fileCount})`, fileList(model, post)),
  );
  refresh();
}

/** A tooltip line kept short: a Kafka enumerator can list thousands of partitions. */
function clip(text: string, max = 600): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** One titled section of the inspector page (`data-section` names it for tests and styles). */
export function section(name: string, title: string, ...content: (Node | null)[]): HTMLElement {
  return h('section', { attrs: { 'data-section': name } }, h('h2', {}, title), ...content);
}

/** Restore… and Compare With… act on this snapshot through the commands of the Checkpoint Stores view. */
function actions(model: InspectorModel, post: Post): HTMLElement {
  const why = model.inStore
    ? undefined
    : 'Open this _metadata from the Checkpoint Stores view to restore or compare it';
  const button = (label: string, type: 'restore' | 'compare', title: string) =>
    h(
      'button',
      {
        class: type === 'restore' ? '' : 'secondary',
        title: why ?? title,
        attrs: model.inStore ? { type: 'button' } : { type: 'button', disabled: '' },
        on: { click: () => post({ type }) },
      },
      label,
    );
  return h(
    'div',
    { class: 'actions' },
    button('Restore…', 'restore', 'Restore a job from this snapshot: target, Flink version, options'),
    button('Compare With…', 'compare', 'Compare this snapshot with another one of the same job'),
  );
}

function card(label: string, value: string, explanation?: string, name?: string): HTMLElement {
  return h(
    'div',
    { class: 'card', title: explanation ?? '', attrs: name ? { 'data-card': name } : {} },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value', title: explanation ? `${value}\n\n${explanation}` : value }, value),
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

type FileListRow =
  | { readonly kind: 'file'; readonly file: FileRow }
  | { readonly kind: 'segment'; readonly file: FileRow; readonly segment: SegmentRow };

/** A path whose folder part gives way first (an ellipsis in the middle), so the file name always shows. */
function pathCell(shown: string, title: string, post: Post, uri: string): HTMLElement {
  const slash = shown.lastIndexOf('/');
  return h(
    'a',
    {
      class: 'cell path',
      title,
      attrs: { href: '#' },
      on: {
        click: (event) => {
          event.preventDefault();
          post({ type: 'openFile', uri });
        },
      },
    },
    h('span', { class: 'path-dir' }, shown.slice(0, slash + 1)),
    h('span', { class: 'path-name' }, shown.slice(slash + 1)),
  );
}

function fileStatus(file: FileRow): string {
  return file.exists === false ? 'missing' : file.exists === true ? 'present' : 'not checked';
}

function fileList(model: InspectorModel, post: Post): HTMLElement {
  if (model.files.length === 0) {
    return h('p', {}, 'No files: every state handle of this snapshot is stored inline in _metadata.');
  }
  // A merged physical file (file merging) is one row followed by its segments.
  const rows: FileListRow[] = model.files.flatMap((file): FileListRow[] => [
    { kind: 'file', file },
    ...file.segments.map((segment) => ({ kind: 'segment' as const, file, segment })),
  ]);
  const rowHeight = 24;
  const list = new VirtualList<FileListRow>({
    rowHeight,
    height: 'min(50vh, 480px)',
    fit: true,
    label: 'Referenced files',
    renderRow: (row, _index, selected) => {
      const { file } = row;
      if (row.kind === 'segment') {
        const { segment } = row;
        return h(
          'div',
          { class: `row file segment ${selected ? 'selected' : ''}`, attrs: { role: 'row' } },
          h(
            'span',
            { class: 'cell' },
            `segment at offset ${segment.offset.toLocaleString('en-US')}, ${segment.length.toLocaleString('en-US')} bytes · ${segment.operator}${segment.subtask === null ? ' (coordinator)' : ` subtask ${segment.subtask}`}`,
          ),
          h('span', { class: 'cell num' }, formatBytes(segment.length)),
          h('span', { class: 'cell' }, segment.scope),
          h('span', { class: 'cell' }),
        );
      }
      const shown = file.storePath ?? file.uri;
      const title = [
        file.exists === false ? 'Missing: no file at this path in the store' : 'Open beside the inspector',
        file.storePath === null ? file.uri : `In the store: ${file.storePath}\nAs Flink wrote it: ${file.uri}`,
        file.segments.length > 0 ? `A merged file: ${file.segments.length} segments of it belong to this snapshot` : '',
      ]
        .filter(Boolean)
        .join('\n');
      return h(
        'div',
        {
          class: `row file ${selected ? 'selected' : ''} ${file.exists === false ? 'missing' : ''} ${file.segments.length > 0 ? 'merged' : ''}`,
          attrs: { role: 'row', 'data-status': fileStatus(file) },
        },
        pathCell(shown, title, post, file.uri),
        h('span', { class: 'cell num' }, formatBytes(file.size)),
        h(
          'span',
          { class: 'cell' },
          file.segments.length > 0
            ? `${file.segments.length} segment${file.segments.length === 1 ? '' : 's'}`
            : file.shared
              ? 'shared'
              : 'exclusive',
        ),
        h('span', { class: 'cell' }, fileStatus(file)),
      );
    },
    onKey: (event, row) => {
      if (event.key === 'Enter') post({ type: 'openFile', uri: row.file.uri });
    },
  });
  list.setItems(rows);
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'table files-table' },
      h(
        'div',
        { class: 'row file head', attrs: { role: 'row' } },
        h('span', { class: 'cell', attrs: { role: 'columnheader' } }, 'Path (relative to the job directory)'),
        h('span', { class: 'cell num', attrs: { role: 'columnheader' } }, 'Size'),
        h('span', { class: 'cell', attrs: { role: 'columnheader' } }, 'Kind'),
        h('span', { class: 'cell', attrs: { role: 'columnheader' } }, 'Status'),
      ),
      list.element,
    ),
    model.filesOmitted > 0 ? h('p', { class: 'hint' }, `${model.filesOmitted} more files not listed.`) : null,
  );
}
