import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './support/extension';

/** Where bench/activation collects the measurement; unset in ordinary test runs. */
const RESULT_FILE = process.env.FLINK_CHECKPOINTS_ACTIVATION_RESULT;

describe('activation', () => {
  it('activates on first use, loading the bundle and running activate() (measured for bench/activation)', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    const wasActive = extension.isActive;
    const started = performance.now();
    await extension.activate();
    const ms = performance.now() - started;
    assert.equal(extension.isActive, true);
    if (RESULT_FILE) fs.writeFileSync(RESULT_FILE, JSON.stringify({ ms, wasActive }));
  });
});
