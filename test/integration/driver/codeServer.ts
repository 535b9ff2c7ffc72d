import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Browser, chromium } from 'playwright-core';

import { loadHost, VsCodeHost } from './host';

export { repoRoot } from './host';

const chromiumBin = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface CodeServerOptions {
  /** Folder the workbench opens; a fresh empty temp folder when absent. */
  workspace?: string;
  /** User settings written to the fresh user-data-dir's settings.json. */
  settings?: Record<string, unknown>;
  /** Extensions directory; a fresh empty temp folder when absent (so nothing but what a test loads is there). */
  extensionsDir?: string;
  /** Extra environment for code-server and so for its extension host. */
  env?: NodeJS.ProcessEnv;
  /** Receives code-server's own log lines; dropped when absent. */
  onLog?: (line: string) => void;
  /** Seconds to wait for code-server to listen. */
  startTimeout?: number;
  /** The code-server to start; the one FLINK_CHECKPOINTS_VSCODE selects when absent. */
  host?: VsCodeHost;
}

/** A running code-server bound to 127.0.0.1 on a free port, owned by this process and stopped by PID. */
export interface CodeServer {
  readonly pid: number;
  readonly host: VsCodeHost;
  readonly origin: string;
  readonly workspace: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** The temp folder holding everything this server created; removed by stop(). */
  readonly scratch: string;
  /** The workbench URL for the workspace, with `payload` entries (e.g. extensionDevelopmentPath) as remote URIs. */
  workbenchUrl(payload?: Array<[string, string]>): string;
  /** A local path as the vscode-remote URI the workbench resolves on this server. */
  remoteUri(localPath: string): string;
  stop(): Promise<void>;
}

function assertChromium(): void {
  if (!fs.existsSync(chromiumBin)) {
    throw new Error(`Chromium is not installed at ${chromiumBin}: run bash scripts/install-vscode-host.sh`);
  }
}

/** Settings that keep a test workbench from reaching for the network or opening editors of its own. */
const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
};

const live = new Set<ChildProcess>();

// Last resort when the driver dies without running its cleanup: code-server must not outlive it.
process.on('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // code-server was spawned as the leader of its own process group: this reaches its extension host too.
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * code-server runs on the Node that installed it (first on PATH, so whatever it spawns gets the same). Since 4.133 its
 * workbench reads extensionDevelopmentPath / extensionTestsPath from the URL only with VS Code's smoke-test driver
 * option on, which 4.134+ take from VSCODE_OPTIONS; 4.100 ignores the variable.
 */
function hostEnv(host: VsCodeHost, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: [path.dirname(host.node), process.env.PATH].filter(Boolean).join(path.delimiter),
    VSCODE_OPTIONS: 'enable-smoke-test-driver',
    ...extra,
  };
}

/** Runs `code-server --install-extension <vsix>` into an extensions dir and returns its output. */
export function installExtension(
  vsix: string,
  extensionsDir: string,
  userDataDir: string,
  host: VsCodeHost = loadHost(),
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      host.node,
      [host.entry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix],
      { stdio: ['ignore', 'pipe', 'pipe'], env: hostEnv(host) },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`code-server --install-extension ${vsix} exited with ${code}:\n${output}`));
    });
  });
}

/** Starts code-server on 127.0.0.1 (port 0, the port it reports) with fresh user data and extensions dirs. */
export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const host = options.host ?? loadHost();
  assertChromium();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flink-checkpoints-host-'));
  const userDataDir = path.join(scratch, 'user-data');
  const extensionsDir = options.extensionsDir ?? path.join(scratch, 'extensions');
  const workspace = options.workspace ?? path.join(scratch, 'workspace');
  const config = path.join(scratch, 'config.yaml');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.mkdirSync(workspace, { recursive: true });
  // Keeps code-server from writing a password config into the home directory.
  fs.writeFileSync(config, 'auth: none\n');
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...quietSettings, ...options.settings }, null, 2),
  );

  const child = spawn(
    host.node,
    [
      host.entry,
      '--config',
      config,
      '--auth',
      'none',
      '--bind-addr',
      '127.0.0.1:0',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      workspace,
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: hostEnv(host, options.env) },
  );
  live.add(child);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start code-server ${host.codeServer} (${host.entry})`);

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    live.delete(child);
    fs.rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    const origin = await new Promise<string>((resolve, reject) => {
      let pending = '';
      const timer = setTimeout(
        () => reject(new Error(`code-server did not listen within ${options.startTimeout ?? 60} s`)),
        (options.startTimeout ?? 60) * 1000,
      );
      const onData = (chunk: Buffer): void => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          options.onLog?.(line);
          const match = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited before listening (code ${code}, signal ${signal})`));
      });
    });
    const remoteUri = (localPath: string): string =>
      `vscode-remote://${new URL(origin).host}${path.resolve(localPath).split(path.sep).map(encodeURIComponent).join('/')}`;
    return {
      pid,
      host,
      origin,
      workspace,
      userDataDir,
      extensionsDir,
      scratch,
      remoteUri,
      workbenchUrl(payload = []) {
        const url = new URL('/', origin);
        url.searchParams.set('folder', workspace);
        if (payload.length > 0) url.searchParams.set('payload', JSON.stringify(payload));
        return url.toString();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Debian's Chromium driven by playwright-core (a Playwright browser download does not work on these machines). */
export function launchChromium(): Promise<Browser> {
  assertChromium();
  return chromium.launch({
    executablePath: chromiumBin,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
