import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFromWebview } from '../../../media/protocol';
import { entriesJson, entryView } from '../../../src/viewModel/stateEntries';
import { ByteArray, fieldChanges, plainEntry, type StateEntry } from '../../../src/core/state/values';

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

  it('shows byte arrays as hex in JSON, in webview messages (a structured clone) and in field changes', () => {
    const block = Uint8Array.of(0xca, 0xfe, 0x00, 0x01, 0xff);
    const bytes = new ByteArray(block.subarray(1, 4));
    const entry: StateEntry = { state: 'b', keyGroup: 3, key: bytes, namespace: null, value: { data: [bytes, 1] } };
    assert.deepEqual(JSON.parse(entriesJson(entry)), {
      state: 'b',
      keyGroup: 3,
      key: 'fe0001',
      namespace: null,
      value: { data: ['fe0001', 1] },
    });
    assert.deepEqual(structuredClone(entryView(entry)), {
      keyGroup: 3,
      subtask: null,
      key: 'fe0001',
      namespace: null,
      value: { data: ['fe0001', 1] },
    });
    // What keeps entries keeps them plain: no view into the block they were read from.
    assert.deepEqual(plainEntry(entry), {
      state: 'b',
      keyGroup: 3,
      key: 'fe0001',
      namespace: null,
      value: { data: ['fe0001', 1] },
    });
    assert.deepEqual(fieldChanges({ data: [bytes, 1] }, { data: [new ByteArray(Uint8Array.of(0xfe, 0, 1)), 1] }), []);
    assert.deepEqual(
      JSON.parse(JSON.stringify(fieldChanges({ data: [bytes] }, { data: [new ByteArray(Uint8Array.of(7))] }))),
      [{ path: '.data[0]', before: 'fe0001', after: '07' }],
    );
  });
});
