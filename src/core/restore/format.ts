import { RestoreInvocation, StepLanguage } from './request';

const COMMENT: Record<StepLanguage, string | null> = { shellscript: '#', yaml: '#', sql: '--', json: null };

/**
 * The invocation as one text for an editor or a terminal: each step under a comment with its title (JSON bodies, which
 * allow no comments, get a `#` line before them), steps separated by a blank line. Warnings are not included: show
 * `invocation.warnings` beside it.
 */
export function formatInvocation(invocation: RestoreInvocation): string {
  return invocation.steps
    .map((step) => `${COMMENT[step.language] ?? '#'} ${step.title}\n${step.text.endsWith('\n') ? step.text : `${step.text}\n`}`)
    .join('\n');
}
