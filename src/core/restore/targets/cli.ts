import {
  BuildContext,
  PLACEHOLDER,
  dynamicProperties,
  flinkCommand,
  orPlaceholder,
  programFlags,
  restoreFlags,
  shellStep,
} from '../context';
import type { InvocationStep } from '../request';

/**
 * `flink run --detached --fromSavepoint <path> [--allowNonRestoredState] --claimMode|--restoreMode <mode> [-c class]
 * [-p n] <jar> [args]`: options before the jar, since everything after it goes to the job.
 */
export function cliSteps(ctx: BuildContext): InvocationStep[] {
  const argv = [flinkCommand(ctx), 'run'];
  if (ctx.options.detached !== false) argv.push('--detached');
  argv.push(
    ...dynamicProperties(ctx.configuration),
    ...restoreFlags(ctx),
    ...programFlags(ctx),
    orPlaceholder(ctx, ctx.options.jar, PLACEHOLDER.jar),
    ...(ctx.options.programArgs ?? []),
  );
  return [shellStep('Submit the job to a running session cluster from the snapshot', argv)];
}
