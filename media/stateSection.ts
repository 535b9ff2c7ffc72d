import type { FromWebview, SerializerView, StateSectionModel, ToWebview } from './protocol';
import { h } from './dom';
import { entryBrowser } from './stateEntries';

/**
 * The inspector's State section: per operator, its states (name, kind, backend, TTL) and their serializer snapshots
 * as collapsible trees. The schemas come from the heads of the state files, read when the user asks (one small
 * ranged read per state file).
 */
export function stateSection(post: (message: FromWebview) => void): HTMLElement {
  const body = h('div', { class: 'state-body' });
  const button = h(
    'button',
    {
      class: 'secondary',
      attrs: { type: 'button' },
      on: {
        click: () => {
          button.setAttribute('disabled', '');
          body.replaceChildren(h('p', { class: 'hint', attrs: { role: 'status' } }, 'Reading state schemas…'));
          post({ type: 'loadStates' });
        },
      },
    },
    'Read state schemas',
  );
  window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
    if (event.data.type !== 'states') return;
    button.removeAttribute('disabled');
    body.replaceChildren(...render(event.data.model, post));
  });
  return h(
    'section',
    { attrs: { 'data-section': 'state' } },
    h('h2', {}, 'State'),
    h(
      'p',
      { class: 'hint' },
      'The states each operator registered and how they are serialized, from the head of each state file (a few kilobytes each). Browse entries reads a state’s keys and values, a page at a time.',
    ),
    button,
    body,
  );
}

function render(model: StateSectionModel, post: (message: FromWebview) => void): HTMLElement[] {
  if (model.error !== null) return [h('p', { class: 'error-message', attrs: { role: 'alert' } }, model.error)];
  if (model.operators.length === 0) {
    return [h('p', { class: 'hint' }, 'No operator of this snapshot has managed state.')];
  }
  return model.operators.map((op) =>
    h(
      'details',
      { class: 'state-operator', attrs: { open: '', 'data-operator': op.operatorId } },
      h(
        'summary',
        { title: op.operatorId },
        `${op.label} `,
        h('span', { class: 'hint' }, `${op.states.length} state(s)`),
      ),
      ...op.states.map((s) => {
        const browse = entriesToggle(post, op.operatorId, s.name);
        return h(
          'div',
          { class: 'state', attrs: { 'data-state': s.name } },
          h(
            'div',
            { class: 'state-head' },
            h('strong', {}, s.name),
            ` ${s.kind} · ${s.backend}`,
            s.ttl
              ? h('span', { class: 'badge', title: "The value is wrapped by Flink's TTL serializer" }, ' TTL')
              : null,
            browse.button,
          ),
          h('ul', { class: 'serializer-tree' }, ...s.serializers.map(serializerItem)),
          browse.holder,
        );
      }),
      ...op.problems.map((p) => h('p', { class: 'error-message' }, `Cannot read ${p}`)),
    ),
  );
}

function serializerItem(view: SerializerView): HTMLElement {
  const line = [h('span', { class: 'role' }, `${view.role}: `), h('code', { title: view.className }, view.label)];
  const detail = view.detail === null ? null : h('div', { class: 'hint serializer-detail' }, view.detail);
  if (view.children.length === 0) return h('li', {}, ...line, detail);
  return h(
    'li',
    {},
    h(
      'details',
      {},
      h('summary', {}, ...line),
      detail,
      h('ul', { class: 'serializer-tree' }, ...view.children.map(serializerItem)),
    ),
  );
}

/** A button in the state's head that opens its entry browser below its serializers; nothing is read before. */
function entriesToggle(
  post: (message: FromWebview) => void,
  operatorId: string,
  state: string,
): { button: HTMLElement; holder: HTMLElement } {
  const holder = h('div', { class: 'state-entries' });
  let browser: HTMLElement | null = null;
  const button = h(
    'button',
    {
      class: 'secondary browse-entries',
      title: `Read the keys and values of ${state}, a page at a time`,
      attrs: { type: 'button', 'aria-expanded': 'false' },
      on: {
        click: () => {
          if (browser === null) {
            browser = entryBrowser(post, operatorId, state);
            holder.append(browser);
          } else {
            browser.hidden = !browser.hidden;
          }
          button.textContent = browser.hidden ? 'Browse entries' : 'Hide entries';
          button.setAttribute('aria-expanded', String(!browser.hidden));
        },
      },
    },
    'Browse entries',
  );
  return { button, holder };
}
