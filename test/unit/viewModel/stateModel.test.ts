import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildStateSection } from '../../../src/viewModel/stateModel';
import type { OperatorSchema } from '../../../src/core/state';

const BASE = 'org.apache.flink.api.common.typeutils.base.';

describe('State section view model', () => {
  it('labels operators, keeps only those with state or problems, and turns serializer snapshots into trees', () => {
    const schemas: OperatorSchema[] = [
      {
        operatorId: 'a'.repeat(32),
        uid: 'counter',
        name: 'Counter',
        problems: [],
        states: [
          {
            name: 'tags',
            kind: 'map',
            backend: 'keyed',
            keySerializer: { class: `${BASE}StringSerializer$StringSerializerSnapshot`, version: 3, offset: 0 },
            namespaceSerializer: null,
            valueSerializer: {
              class: `${BASE}MapSerializerSnapshot`,
              version: 1,
              offset: 0,
              nested: [
                { class: `${BASE}StringSerializer$StringSerializerSnapshot`, version: 3, offset: 0 },
                {
                  class: `${BASE}EnumSerializer$EnumSerializerSnapshot`,
                  version: 3,
                  offset: 0,
                  type: 'com.example.Color',
                  constants: ['RED', 'GREEN'],
                },
              ],
            },
            ttl: { enabled: true },
          },
        ],
      },
      { operatorId: 'b'.repeat(32), uid: null, name: null, problems: [], states: [] },
      {
        operatorId: 'c'.repeat(32),
        uid: null,
        name: null,
        states: [],
        problems: [{ file: 'file:/x/state', offset: 4, message: 'the file does not exist' }],
      },
    ];
    const model = buildStateSection(schemas);
    assert.equal(model.error, null);
    assert.deepEqual(
      model.operators.map((o) => [o.label, o.states.length, o.problems]),
      [
        ['Counter', 1, []],
        ['c'.repeat(32), 0, ['file:/x/state: the file does not exist']],
      ],
    );
    const [state] = model.operators[0].states;
    assert.equal(state.ttl, true);
    assert.deepEqual(
      state.serializers.map((s) => [s.role, s.label]),
      [
        ['key', 'StringSerializer v3'],
        ['value', 'MapSerializer v1'],
      ],
    );
    const enumView = state.serializers[1].children[1];
    assert.deepEqual(
      [enumView.role, enumView.label, enumView.detail],
      ['[1]', 'EnumSerializer<com.example.Color> v3', 'constants: RED, GREEN'],
    );
  });
});
