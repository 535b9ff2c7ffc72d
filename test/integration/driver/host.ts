import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root, from out/test/integration/driver/ (compiled) or test/integration/driver/ (sources). */
export const repoRoot = path.resolve(
  __dirname,
  __dirname.includes(`${path.sep}out${path.sep}`) ? '../../../..' : '../../..',
);

/**
 * The one setting that picks the VS Code the in-host and UI tiers (and npm start) run in: `min`, the oldest VS Code the
 * extension declares (engines.vscode), or `current`, the newest code-server on npm. Default: current.
 */
export const VSCODE_ENV = 'FLINK_CHECKPOINTS_VSCODE';
export const VSCODE_FLAVORS = ['min', 'current'] as const;
export type VsCodeFlavor = (typeof VSCODE_FLAVORS)[number];

/** What scripts/install-vscode-host.sh wrote to .vscode-test/host-<flavor>.json after installing that code-server. */
export interface VsCodeHost {
  flavor: VsCodeFlavor;
  /** code-server's version, e.g. 4.139.1. */
  codeServer: string;
  /** The VS Code inside it, e.g. 1.139.1. */
  vscode: string;
  /** The Node that installed it and runs it (its native modules are built for that Node). */
  node: string;
  nodeVersion: string;
  /** code-server's entry script, run as `<node> <entry> …`. */
  entry: string;
}

export function selectedFlavor(env: NodeJS.ProcessEnv = process.env): VsCodeFlavor {
  const value = env[VSCODE_ENV] || 'current';
  if (!(VSCODE_FLAVORS as readonly string[]).includes(value)) {
    throw new Error(`${VSCODE_ENV}=${value} is not one of ${VSCODE_FLAVORS.join(', ')}`);
  }
  return value as VsCodeFlavor;
}

/** The installed code-server of a flavor; throws naming the install command when it is missing. */
export function loadHost(flavor: VsCodeFlavor = selectedFlavor()): VsCodeHost {
  const descriptor = path.join(repoRoot, '.vscode-test', `host-${flavor}.json`);
  const install = `run bash scripts/install-vscode-host.sh ${flavor} (or pick the other one with ${VSCODE_ENV}=${flavor === 'min' ? 'current' : 'min'})`;
  let host: VsCodeHost;
  try {
    host = JSON.parse(fs.readFileSync(descriptor, 'utf8')) as VsCodeHost;
  } catch {
    throw new Error(`the ${flavor} VS Code (code-server) is not installed (${descriptor} is missing): ${install}`);
  }
  for (const file of [host.node, host.entry]) {
    if (!fs.existsSync(file)) throw new Error(`the ${flavor} VS Code is incomplete (${file} is missing): ${install}`);
  }
  return host;
}

/** One line naming the VS Code a run uses, printed first by the drivers so each tier's log says what it ran on. */
export function describeHost(host: VsCodeHost): string {
  return `VS Code ${host.vscode} (code-server ${host.codeServer}, Node ${host.nodeVersion.replace(/^v/, '')}; ${VSCODE_ENV}=${host.flavor})`;
}
