import { CliCommand } from './command';
import { inspectCommand } from './inspect';
import { diffCommand } from './diff';
import { restoreCommand } from './restore';
import { orphansCommand } from './orphans';
import { confCommand } from './conf';
import { lsCommand } from './ls';
import { latestCommand } from './latest';

/** Every subcommand, in the order `--help` lists them. */
export const commands: CliCommand[] = [inspectCommand, diffCommand, restoreCommand, orphansCommand, confCommand, lsCommand, latestCommand];
