/*
 * Runs mocha suites inside the Node extension host of a real VS Code (code-server), the way @vscode/test-electron runs
 * them in desktop VS Code: the workbench opens in Chromium with extensionDevelopmentPath + extensionTestsPath, the
 * extension host calls the test entry's run(), and the workbench reports back through codeAutomationLog/Exit.
 *
 *   node out/test/integration/driver/runInHost.js [--grep <pattern>] [--files <a,b>] [--workspace <dir>]
 *        [--settings <settings.json>] [--tests <compiled index.js>] [--extension <dir>] [--timeout <seconds>]
 *
 * The VS Code is the one FLINK_CHECKPOINTS_VSCODE (min|current, default current) selects; see scripts/install-vscode-host.sh.
 *
 * Prints the mocha output and a closing `N passed, N failed[, N skipped]` line; exits 1 on any failure or timeout.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, format } from 'node:util';
import type { Browser } from 'playwright-core';
import { CodeServer, launchChromium, repoRoot, startCodeServer } from './codeServer';
import { describeHost, loadHost } from './host';
import { TEST_ENV, TestCounts } from '../index';

const usage = `usage: runInHost [--grep <pattern>] [--files <a,b>] [--workspace <dir>] [--settings <settings.json>]
                 [--tests <compiled index.js>] [--extension <dir>] [--timeout <seconds>] [--verbose]`;

/**
 * The workbench logs its own start-up through the same channel as the tests' output; these known lines are dropped
 * unless --verbose. The extension gallery lookup fails by design: these machines reach no gallery. The newer workbench
 * (1.13x) adds its agent host, chat and account-policy chatter and waits in vain for a GitHub sign-in.
 */
const WORKBENCH_CHATTER = [
  /^\[(AgentHost(:\w+)?|ChatModelSelection|AccountPolicyGate|reconnection-grace-time)\]/,
  /^Creation of workbench contribution '[^']+' took \d+ms/,
  /^Timed out waiting for authentication provider 'github' to register/,
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket \(renderer-/,
  /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/,
  /^ChatSessionStore:/,
  /ENOTFOUND open-vsx\.org/,
];

interface HostRun {
  exitCode: number;
  counts: TestCounts | undefined;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      grep: { type: 'string' },
      files: { type: 'string' },
      workspace: { type: 'string' },
      settings: { type: 'string' },
      tests: { type: 'string', default: path.join(repoRoot, 'out/test/integration/index.js') },
      extension: { type: 'string', default: repoRoot },
      timeout: { type: 'string', default: '300' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new Error(`--timeout must be a positive number of seconds\n${usage}`);
  }
  const tests = path.resolve(values.tests);
  if (!fs.existsSync(tests)) throw new Error(`test entry ${tests} does not exist: compile first (npx tsc -p .)`);
  const extension = path.resolve(values.extension);
  if (!fs.existsSync(path.join(extension, 'dist/extension.js'))) {
    throw new Error(`${extension}/dist/extension.js does not exist: build first (npm run build)`);
  }
  const settings = values.settings
    ? (JSON.parse(fs.readFileSync(values.settings, 'utf8')) as Record<string, unknown>)
    : undefined;

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const cleanup = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  };
  const interrupted = (signal: NodeJS.Signals): void => {
    console.error(`\nrunInHost: ${signal}, stopping code-server (pid ${server?.pid ?? 'not started'})`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    const host = loadHost();
    console.log(describeHost(host));
    const resultsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flink-checkpoints-results-')), 'counts.json');
    server = await startCodeServer({
      host,
      workspace: values.workspace && path.resolve(values.workspace),
      settings,
      env: {
        [TEST_ENV.results]: resultsFile,
        ...(values.grep ? { [TEST_ENV.grep]: values.grep } : {}),
        ...(values.files ? { [TEST_ENV.files]: values.files } : {}),
      },
      onLog: values.verbose ? (line) => console.error(`[code-server] ${line}`) : undefined,
    });
    browser = await launchChromium();
    const run = await runTests(server, browser, extension, tests, timeoutSeconds, values.verbose);
    const counts = run.counts ?? readCounts(resultsFile);
    fs.rmSync(path.dirname(resultsFile), { recursive: true, force: true });
    if (!counts) {
      console.log(`in-host run ended with exit code ${run.exitCode} before reporting results`);
      console.log('0 passed, 1 failed');
      return 1;
    }
    console.log(
      `${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}`,
    );
    return run.exitCode === 0 && counts.failed === 0 ? 0 : 1;
  } finally {
    await cleanup();
  }
}

function readCounts(file: string): TestCounts | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as TestCounts;
  } catch {
    return undefined;
  }
}

async function runTests(
  server: CodeServer,
  browser: Browser,
  extension: string,
  tests: string,
  timeoutSeconds: number,
  verbose: boolean,
): Promise<HostRun> {
  const page = await browser.newPage();
  if (verbose) page.on('console', (message) => console.error(`[browser] ${message.text()}`));
  let finish: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (finish = resolve));
  let ended = false;
  await page.exposeFunction('codeAutomationLog', (level: string, args: unknown[]) => {
    const text = format(...(Array.isArray(args) ? args : [args]));
    // After the exit report only shutdown chatter follows; the closing line must stay last.
    if (ended || (!verbose && WORKBENCH_CHATTER.some((pattern) => pattern.test(text)))) return;
    // One stream, so failures stay in order with the mocha report around them.
    console.log(level === 'error' || level === 'warn' ? `[${level}] ${text}` : text);
  });
  await page.exposeFunction('codeAutomationExit', (code: number) => {
    ended = true;
    finish(code);
  });
  await page.goto(
    server.workbenchUrl([
      ['extensionDevelopmentPath', server.remoteUri(extension)],
      ['extensionTestsPath', server.remoteUri(tests)],
    ]),
  );
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      console.log(`in-host tests did not finish within ${timeoutSeconds} s`);
      resolve(-1);
    }, timeoutSeconds * 1000);
  });
  const exitCode = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  return { exitCode, counts: exitCode === -1 ? { passed: 0, failed: 1, skipped: 0 } : undefined };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
