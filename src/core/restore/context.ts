import type { FlinkVersion } from './flinkVersion';
import { shellCommand } from './quoting';
import type { ClaimMode, InvocationStep, RestoreOptions } from './request';
import { claimModeFlag } from './versionFacts';
import type { RestoreWarning } from './warnings';

/** Stand-ins for values the request did not give; each one used is named in a `placeholder` warning. */
export const PLACEHOLDER = {
  jar: '<job.jar>',
  clusterId: '<cluster-id>',
  image: '<image>',
  deployment: '<deployment>',
  jarId: '<jarid>',
  sinkTable: '<sink_table>',
  sourceTable: '<source_table>',
} as const;

/** The state every target builder reads: the validated request plus the warnings collected so far. */
export interface BuildContext {
  readonly version: FlinkVersion;
  readonly path: string;
  readonly options: RestoreOptions;
  readonly claimMode: ClaimMode;
  /** The user's extra configuration, without the restore keys the invocation sets itself. */
  readonly configuration: ReadonlyArray<readonly [string, string]>;
  readonly warnings: RestoreWarning[];
  readonly placeholders: Set<string>;
}

/** `value`, or `placeholder` (remembered for the warning) when it was not given. */
export function orPlaceholder(ctx: BuildContext, value: string | undefined, placeholder: string): string {
  if (value !== undefined && value !== '') return value;
  ctx.placeholders.add(placeholder);
  return placeholder;
}

export function shellStep(title: string, argv: string[]): InvocationStep {
  return { title, language: 'shellscript', text: shellCommand(argv), argv };
}

export function flinkCommand(ctx: BuildContext): string {
  return ctx.options.flinkCommand ?? './bin/flink';
}

/** `--fromSavepoint`, `--allowNonRestoredState` and the claim mode: always flags, never `-D` (the CLI overwrites those keys). */
export function restoreFlags(ctx: BuildContext): string[] {
  const flags = ['--fromSavepoint', ctx.path];
  if (ctx.options.allowNonRestoredState) flags.push('--allowNonRestoredState');
  flags.push(claimModeFlag(ctx.version), ctx.claimMode);
  return flags;
}

export function programFlags(ctx: BuildContext): string[] {
  const flags: string[] = [];
  if (ctx.options.entryClass) flags.push('-c', ctx.options.entryClass);
  if (ctx.options.parallelism !== undefined) flags.push('-p', String(ctx.options.parallelism));
  return flags;
}

export function dynamicProperties(entries: ReadonlyArray<readonly [string, string]>): string[] {
  return entries.map(([key, value]) => `-D${key}=${value}`);
}
