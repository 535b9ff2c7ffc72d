import { shellCommandLines } from './quoting';
import { InvocationStep, RestoreInvocation, StepLanguage } from './request';

const COMMENT: Record<StepLanguage, string | null> = { shellscript: '#', yaml: '#', sql: '--', json: null };

export interface FormatOptions {
  /** Continue long command lines with `\` over several lines (one option per line) instead of one long line. */
  readonly wrapCommands?: boolean;
}

/** A step's text, with long command lines continued when asked. */
export function stepText(step: InvocationStep, options: FormatOptions = {}): string {
  const text = options.wrapCommands && step.argv ? `${shellCommandLines(step.argv)}\n` : step.text;
  return text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * The steps as one text for an editor or a terminal: each step under a comment with its title (JSON bodies, which
 * allow no comments, get a `#` line before them), steps separated by a blank line. Warnings are not included: show
 * `invocation.warnings` beside it.
 */
export function formatSteps(steps: readonly InvocationStep[], options: FormatOptions = {}): string {
  return steps.map((step) => `${COMMENT[step.language] ?? '#'} ${step.title}\n${stepText(step, options)}`).join('\n');
}

/** {@link formatSteps} of the whole invocation. */
export function formatInvocation(invocation: RestoreInvocation, options: FormatOptions = {}): string {
  return formatSteps(invocation.steps, options);
}
