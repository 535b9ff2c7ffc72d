/* eslint-disable @typescript-eslint/no-require-imports -- each command is loaded when it runs (see below) */
import type { CliCommand } from './command';

/**
 * Every subcommand, in the order `--help` lists them. A command's module (and what it pulls in: the configuration
 * catalog, the store clients) is loaded only when that command runs, so `inspect` starts without them.
 */
const loaders: [string, () => CliCommand][] = [
  ['inspect', () => (require('./inspect') as typeof import('./inspect')).inspectCommand],
  ['diff', () => (require('./diff') as typeof import('./diff')).diffCommand],
  ['schema', () => (require('./schema') as typeof import('./schema')).schemaCommand],
  ['preflight', () => (require('./preflight') as typeof import('./preflight')).preflightCommand],
  ['state', () => (require('./state') as typeof import('./state')).stateCommand],
  ['restore', () => (require('./restore') as typeof import('./restore')).restoreCommand],
  ['orphans', () => (require('./orphans') as typeof import('./orphans')).orphansCommand],
  ['conf', () => (require('./conf') as typeof import('./conf')).confCommand],
  ['ls', () => (require('./ls') as typeof import('./ls')).lsCommand],
  ['latest', () => (require('./latest') as typeof import('./latest')).latestCommand],
  ['cluster', () => (require('./cluster') as typeof import('./cluster')).clusterCommand],
];

export function loadCommand(name: string): CliCommand | undefined {
  return loaders.find(([n]) => n === name)?.[1]();
}

/** All commands, loaded: for the overall help. */
export function allCommands(): CliCommand[] {
  return loaders.map(([, load]) => load());
}
