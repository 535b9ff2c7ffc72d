/*
 * The in-host suites under desktop VS Code with @vscode/test-electron, for machines that can download VS Code (or
 * point VSCODE_EXECUTABLE_PATH at an installed one). The suites and their run() entry are the same ones
 * runInHost.js drives under code-server.
 *
 *   npm run test:electron
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { TEST_ENV, TestCounts } from './index';
import { selectedFlavor } from './driver/host';
import { errorMessage } from '../../src/core/errors';

/** `^1.100.0` in package.json's engines.vscode → `1.100.0`. */
function declaredMinimum(root: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    engines: { vscode: string };
  };
  return manifest.engines.vscode.replace(/^[\^~>=]+/, '');
}

async function main(): Promise<number> {
  const root = path.resolve(__dirname, '../../..');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flink-checkpoints-electron-'));
  const results = path.join(scratch, 'results.json');
  const workspace = path.join(scratch, 'workspace');
  fs.mkdirSync(workspace);
  try {
    await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out/test/integration/index.js'),
      // The same choice as under code-server: the declared minimum (engines.vscode) with FLINK_CHECKPOINTS_VSCODE=min,
      // else the newest.
      ...(process.env.VSCODE_EXECUTABLE_PATH
        ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH }
        : { version: selectedFlavor() === 'min' ? declaredMinimum(root) : 'stable' }),
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        `--user-data-dir=${path.join(scratch, 'user-data')}`,
      ],
      extensionTestsEnv: { [TEST_ENV.results]: results },
    });
  } catch (error) {
    console.error(`test:electron: ${errorMessage(error)}`);
  }
  const counts: TestCounts = fs.existsSync(results)
    ? JSON.parse(fs.readFileSync(results, 'utf8'))
    : { passed: 0, failed: 1, skipped: 0 };
  fs.rmSync(scratch, { recursive: true, force: true });
  console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  return counts.failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`test:electron: ${errorMessage(error)}`);
    process.exitCode = 1;
  },
);
