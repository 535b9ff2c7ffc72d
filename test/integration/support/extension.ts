import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Services } from '../../../src/services';
import type { StoreConfig } from '../../../src/settings';

export const EXTENSION_ID = 'flink-checkpoints.flink-checkpoints';
/** The repository root, from the compiled suite in out/test/integration/support. */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');
export const FLINK_FIXTURES = path.join(REPO_ROOT, 'test/fixtures/flink');

/** The activated extension's services (the composition root hands them back from activate()). */
export async function services(): Promise<Services> {
  const extension = vscode.extensions.getExtension<Services>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded`);
  return extension.activate();
}

/** Replaces the configured stores (user settings of the test's code-server profile). */
export async function setStores(stores: StoreConfig[]): Promise<void> {
  await vscode.workspace
    .getConfiguration('flinkCheckpoints')
    .update('stores', stores, vscode.ConfigurationTarget.Global);
}

/** A job directory of a real Flink fixture scenario, copied to a temp dir so tests may change it. */
export function copyScenario(version: string, scenario: string): { root: string; jobId: string } {
  const source = path.join(FLINK_FIXTURES, version, scenario);
  assert.ok(fs.existsSync(source), `${source} is missing: run npm run fixtures`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `fc-${scenario}-`));
  fs.cpSync(source, root, { recursive: true });
  const jobId = fs.readdirSync(root).find((name) => /^[0-9a-f]{32}$/.test(name));
  assert.ok(jobId, `no job directory in ${source}`);
  return { root, jobId };
}

/** The newest Flink line the bench wrote fixtures for. */
export function newestFixtureVersion(): string {
  const versions = fs.readdirSync(FLINK_FIXTURES).filter((v) => /^\d+\.\d+/.test(v));
  versions.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  assert.ok(versions.length > 0, 'no Flink fixtures');
  return versions[versions.length - 1];
}

/** Polls until `probe` returns a value, so suites wait on the workbench instead of sleeping a fixed time. */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
