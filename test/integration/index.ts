import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/**
 * Environment the runners (test/integration/driver/runInHost.ts under code-server, test/integration/electron.ts under
 * @vscode/test-electron) pass to the extension host to narrow or report a run.
 */
export const TEST_ENV = {
  /** Mocha grep pattern over full test titles. */
  grep: 'FLINK_CHECKPOINTS_TEST_GREP',
  /** Comma-separated substrings; only suite files whose path (relative to this folder) contains one of them run. */
  files: 'FLINK_CHECKPOINTS_TEST_FILES',
  /** A file the counts are written to as JSON when the run ends, for the driver's closing line. */
  results: 'FLINK_CHECKPOINTS_TEST_RESULTS',
} as const;

export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
}

function suiteFiles(root: string, filter: string | undefined): string[] {
  const wanted =
    filter
      ?.split(',')
      .map((part) => part.trim())
      .filter(Boolean) ?? [];
  return fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .filter((file) => wanted.length === 0 || wanted.some((part) => file.includes(part)))
    .sort()
    .map((file) => path.join(root, file));
}

/** The entry VS Code's extension host calls with `extensionTestsPath`: runs every compiled suite beside this file. */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 20_000, reporter: 'spec' });
  const grep = process.env[TEST_ENV.grep];
  if (grep) mocha.grep(grep);
  const files = suiteFiles(__dirname, process.env[TEST_ENV.files]);
  if (files.length === 0) {
    return Promise.reject(new Error(`no in-host suites matched under ${__dirname}`));
  }
  for (const file of files) mocha.addFile(file);

  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const counts: TestCounts = {
        passed: runner.stats?.passes ?? 0,
        failed: failures,
        skipped: runner.stats?.pending ?? 0,
      };
      const resultsFile = process.env[TEST_ENV.results];
      if (resultsFile) fs.writeFileSync(resultsFile, JSON.stringify(counts));
      if (failures > 0) reject(new Error(`${failures} in-host test(s) failed`));
      else resolve();
    });
  });
}
