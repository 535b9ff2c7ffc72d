import type { EntryFilter, EntryPage, EntryView, FromWebview, JsonValue, ToWebview } from './protocol';
import { h } from './dom';
import { formatBytes } from '../src/viewModel/format';
import { VirtualList } from './virtualList';

type Post = (message: FromWebview) => void;

/** Entries asked for per page; "Load more" asks for the next as many. */
export const PAGE_SIZE = 100;
/** Characters of a value shown in its row; the detail tree below the list has it whole. */
const SUMMARY_CHARS = 240;

let lastRequest = 0;

/** A value on one line, cut to fit a row. */
function summary(value: JsonValue | undefined): string {
  const text = JSON.stringify(value) ?? '';
  return text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS - 1)}…` : text;
}

/** A JSON value as a tree: objects and arrays open into their fields, the outer levels open at first. */
export function valueTree(label: string, value: JsonValue | undefined, depth = 0): HTMLElement {
  const name = h('span', { class: 'role' }, `${label}: `);
  if (value === null || typeof value !== 'object') {
    return h('li', {}, name, h('code', { class: `json ${value === null ? 'null' : typeof value}` }, summaryOf(value)));
  }
  const fields: [string, JsonValue][] = Array.isArray(value)
    ? value.map((v, i): [string, JsonValue] => [`[${i}]`, v])
    : Object.entries(value);
  const size = Array.isArray(value) ? `[${value.length}]` : `{${fields.length}}`;
  return h(
    'li',
    {},
    h(
      'details',
      { attrs: depth < 2 ? { open: '' } : {} },
      h('summary', {}, name, h('span', { class: 'hint' }, `${size} `), h('code', { class: 'json' }, summary(value))),
      h('ul', { class: 'value-tree' }, ...fields.map(([k, v]) => valueTree(k, v, depth + 1))),
    ),
  );
}

function summaryOf(value: JsonValue | undefined): string {
  return value === undefined ? '(none)' : JSON.stringify(value);
}

/**
 * The entry browser of one state: its entries a page at a time, read in the extension host on demand (nothing is read
 * until the user opens it), filtered there by key, key prefix or key group. A virtualised list of one line per entry;
 * the selected entry shows below as a tree with its key, namespace, map key and value.
 */
export function entryBrowser(post: Post, operatorId: string, state: string): HTMLElement {
  let entries: EntryView[] = [];
  let next: string | null = null;
  let request: number | null = null;
  let filter: EntryFilter | null = null;

  const by = h(
    'select',
    { attrs: { 'aria-label': 'Filter by' } },
    h('option', { attrs: { value: 'key' } }, 'Exact key'),
    h('option', { attrs: { value: 'prefix' } }, 'Key prefix'),
    h('option', { attrs: { value: 'keyGroup' } }, 'Key group'),
  );
  const text = h('input', {
    class: 'entry-filter',
    attrs: { type: 'search', placeholder: 'Key (as text or JSON)', 'aria-label': 'Key filter' },
  });
  by.addEventListener('change', () => {
    text.placeholder =
      by.value === 'keyGroup'
        ? 'Key group number'
        : by.value === 'prefix'
          ? 'Start of the key'
          : 'Key (as text or JSON)';
  });
  const status = h('p', { class: 'hint entry-status', attrs: { role: 'status', 'aria-live': 'polite' } });
  const problems = h('div', { class: 'entry-problems' });
  const detail = h('div', { class: 'entry-detail' });
  const loadMore = h(
    'button',
    { class: 'secondary', attrs: { type: 'button', hidden: '' }, on: { click: () => load(next) } },
    'Load more',
  );
  const cancel = h(
    'button',
    {
      class: 'secondary',
      attrs: { type: 'button', hidden: '' },
      on: { click: () => request !== null && post({ type: 'cancelEntries', requestId: request }) },
    },
    'Cancel',
  );
  const copyPage = h(
    'button',
    {
      class: 'secondary',
      title: 'Every entry loaded so far, as a JSON array (the fields of `state --json`)',
      attrs: { type: 'button', disabled: '' },
      on: { click: () => post({ type: 'copyEntries', operatorId, state, index: null }) },
    },
    'Copy loaded entries as JSON',
  );

  const list = new VirtualList<EntryView>({
    rowHeight: 24,
    height: 'min(40vh, 360px)',
    fit: true,
    label: `Entries of ${state}`,
    renderRow: (entry, index, selected) => {
      if (selected) showDetail(entry, index);
      return h(
        'div',
        { class: `row entry ${selected ? 'selected' : ''}`, attrs: { role: 'row', 'data-index': String(index) } },
        h('span', { class: 'cell entry-key', title: summaryOf(entry.key) }, summary(entry.key)),
        h(
          'span',
          { class: 'cell entry-user-key', title: entry.userKey === undefined ? '' : summaryOf(entry.userKey) },
          entry.userKey === undefined ? '' : summary(entry.userKey),
        ),
        h('span', { class: 'cell entry-value', title: summary(entry.value) }, summary(entry.value)),
        h(
          'span',
          { class: 'cell num hint' },
          entry.keyGroup === null ? `subtask ${entry.subtask ?? '?'}` : `key group ${entry.keyGroup}`,
        ),
      );
    },
  });
  list.element.hidden = true;

  let shown = -1;
  function showDetail(entry: EntryView, index: number): void {
    if (shown === index && detail.childElementCount > 0) return;
    shown = index;
    detail.replaceChildren(
      h(
        'div',
        { class: 'entry-detail-head' },
        h('strong', {}, `Entry ${index + 1}`),
        h(
          'button',
          {
            class: 'secondary',
            attrs: { type: 'button' },
            on: { click: () => post({ type: 'copyEntries', operatorId, state, index }) },
          },
          'Copy entry as JSON',
        ),
      ),
      h(
        'ul',
        { class: 'value-tree' },
        valueTree('key', entry.key),
        entry.namespace === null ? null : valueTree('namespace', entry.namespace),
        entry.userKey === undefined ? null : valueTree('map key', entry.userKey),
        valueTree('value', entry.value),
      ),
    );
  }

  function load(after: string | null): void {
    const requestId = ++lastRequest;
    request = requestId;
    loadMore.hidden = true;
    cancel.hidden = false;
    apply.setAttribute('disabled', '');
    status.textContent = after === null ? 'Reading entries…' : 'Reading more entries…';
    post({ type: 'loadEntries', requestId, operatorId, state, filter, after, limit: PAGE_SIZE });
  }

  function onPage(page: EntryPage): void {
    if (page.requestId !== request) return;
    request = null;
    cancel.hidden = true;
    apply.removeAttribute('disabled');
    const first = page.requestId === firstRequest;
    entries = first ? [...page.entries] : [...entries, ...page.entries];
    next = page.next;
    if (first) {
      shown = -1;
      detail.replaceChildren();
    }
    list.element.hidden = entries.length === 0;
    // Only map state has map keys: other states give the column's room to the value.
    element.classList.toggle(
      'with-user-key',
      entries.some((e) => e.userKey !== undefined),
    );
    list.setItems(entries, !first);
    loadMore.hidden = next === null;
    if (entries.length > 0) copyPage.removeAttribute('disabled');
    else copyPage.setAttribute('disabled', '');
    problems.replaceChildren(
      ...(page.error === null ? [] : [h('p', { class: 'error-message', attrs: { role: 'alert' } }, page.error)]),
      ...page.problems.map((p) => h('p', { class: 'error-message' }, p)),
    );
    const count = `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}${filter === null ? '' : ' matching the filter'}`;
    status.textContent = page.cancelled
      ? `Cancelled: ${count} loaded.`
      : page.error !== null
        ? ''
        : entries.length === 0
          ? filter === null
            ? 'No entries.'
            : 'No entry matches the filter.'
          : `${count} loaded${next === null ? ', all of them.' : '; more to load.'}`;
  }

  let firstRequest = -1;
  function start(): void {
    const value = text.value.trim();
    filter = value === '' ? null : { by: by.value as EntryFilter['by'], text: value };
    entries = [];
    load(null);
    firstRequest = request ?? -1;
  }

  const apply = h('button', { attrs: { type: 'submit' } }, 'Show entries');
  const form = h(
    'form',
    {
      class: 'entry-filter-form',
      on: {
        submit: (event) => {
          event.preventDefault();
          start();
        },
      },
    },
    by,
    text,
    apply,
  );

  window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
    const message = event.data;
    if (message.type === 'entries') onPage(message.page);
    else if (message.type === 'entriesProgress' && message.requestId === request) {
      status.textContent = `Reading… ${formatBytes(message.bytes)} of state files read, ${message.scanned} entries looked at.`;
    }
  });

  const element = h(
    'div',
    { class: 'entry-browser', attrs: { 'data-entries': state } },
    form,
    status,
    h(
      'div',
      { class: 'table entries' },
      h(
        'div',
        { class: 'row entry head', attrs: { role: 'row' } },
        h('span', { class: 'cell', attrs: { role: 'columnheader' } }, 'Key'),
        h('span', { class: 'cell entry-user-key', attrs: { role: 'columnheader' } }, 'Map key'),
        h('span', { class: 'cell', attrs: { role: 'columnheader' } }, 'Value'),
        h('span', { class: 'cell num', attrs: { role: 'columnheader' } }, 'Where'),
      ),
      list.element,
    ),
    h('div', { class: 'entry-actions' }, loadMore, cancel, copyPage),
    problems,
    detail,
  );
  start();
  return element;
}
