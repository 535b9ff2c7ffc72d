import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { SETTING_DEFAULTS } from '../../src/settings';
import { EXTENSION_ID } from './support/extension';

describe('settings: one table of what the extension reads', () => {
  it('has the defaults package.json declares, for every setting it contributes', () => {
    const configuration = vscode.workspace.getConfiguration('flinkCheckpoints');
    for (const [key, value] of Object.entries(SETTING_DEFAULTS)) {
      assert.deepEqual(configuration.inspect(key)?.defaultValue, value, `flinkCheckpoints.${key}`);
    }
    const contributed = Object.keys(
      (
        vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
          contributes: { configuration: { properties: object } };
        }
      ).contributes.configuration.properties,
    );
    assert.deepEqual(
      contributed.sort(),
      [...Object.keys(SETTING_DEFAULTS), 'stores', 'clusters'].map((key) => `flinkCheckpoints.${key}`).sort(),
      'every contributed setting is read through src/settings.ts',
    );
  });
});
