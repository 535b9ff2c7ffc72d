import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFromWebview } from '../../../media/protocol';
import { entriesJson, entryView } from '../../../src/viewModel/stateEntries';
import type { StateEntry } from '../../../src/core/state/values';

const OP = 'a'.repeat(32);

describe('entry browser messages and JSON', () => {
  it('accepts well-formed entry requests from the webview and drops the rest', () => {
    const load = {
      type: 'loadEntries',
      requestId: 3,
      operatorId: OP,
      state: 'count',
      filter: { by: 'prefix', text: 'user-' },
      after: '12:3',
      limit: 100,
    };
    assert.ok(isFromWebview(load));
    assert.ok(isFromWebview({ ...load, filter: null, after: null }));
    for (const bad of [
      { ...load, operatorId: '../etc' },
      { ...load, state: '' },
      { ...load, filter: { by: 'regex', text: '.*' } },
      { ...load, filter: { by: 'key', text: 7 } },
      { ...load, after: 'x'.repeat(65) },
      { ...load, limit: 0 },
      { ...load, limit: 1e9 },
      { ...load, requestId: -1 },
      { ...load, requestId: 1.5 },
    ]) {
      assert.equal(isFromWebview(bad), false, JSON.stringify(bad));
    }
    assert.ok(isFromWebview({ type: 'cancelEntries', requestId: 3 }));
    assert.equal(isFromWebview({ type: 'cancelEntries', requestId: '3' }), false);
    assert.ok(isFromWebview({ type: 'copyEntries', operatorId: OP, state: 'count', index: null }));
    assert.ok(isFromWebview({ type: 'copyEntries', operatorId: OP, state: 'count', index: 0 }));
    assert.equal(isFromWebview({ type: 'copyEntries', operatorId: OP, state: 'count', index: -2 }), false);
  });

  it('copies entries with the fields and order of state --json, map keys and subtasks only where they exist', () => {
    const keyed: StateEntry = { state: 'm', keyGroup: 7, key: 4, namespace: null, userKey: 'k0', value: { a: [1] } };
    const operator: StateEntry = { state: 'l', keyGroup: null, key: 0, namespace: null, value: 'x', subtask: 2 };
    assert.deepEqual(Object.keys(JSON.parse(entriesJson(keyed)) as object), [
      'state',
      'keyGroup',
      'key',
      'namespace',
      'userKey',
      'value',
    ]);
    assert.deepEqual(JSON.parse(entriesJson([keyed, operator])), [
      { state: 'm', keyGroup: 7, key: 4, namespace: null, userKey: 'k0', value: { a: [1] } },
      { state: 'l', keyGroup: null, key: 0, namespace: null, value: 'x', subtask: 2 },
    ]);
    assert.deepEqual(entryView(operator), { keyGroup: null, subtask: 2, key: 0, namespace: null, value: 'x' });
    assert.equal('userKey' in entryView(operator), false);
  });
});
