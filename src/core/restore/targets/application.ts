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
import type { ApplicationTarget, InvocationStep } from '../request';
import { applicationModeAction, kubernetesImageKey } from '../versionFacts';
import { yamlDocument, yamlText } from '../yaml';

/**
 * `flink run-application --target kubernetes-application|yarn-application` (1.x) or `flink run --target …` (2.x);
 * a standalone application cluster gets `standalone-job.sh` and container arguments instead.
 */
export function applicationSteps(ctx: BuildContext): InvocationStep[] {
  const deployment: ApplicationTarget = ctx.options.applicationTarget ?? 'kubernetes-application';
  if (deployment === 'standalone') return standaloneSteps(ctx);
  const deploymentProperties: Array<readonly [string, string]> = [];
  if (deployment === 'kubernetes-application') {
    deploymentProperties.push([
      'kubernetes.cluster-id',
      orPlaceholder(ctx, ctx.options.clusterId, PLACEHOLDER.clusterId),
    ]);
    deploymentProperties.push([
      kubernetesImageKey(ctx.version),
      orPlaceholder(ctx, ctx.options.image, PLACEHOLDER.image),
    ]);
  } else if (ctx.options.yarnApplicationName) {
    deploymentProperties.push(['yarn.application.name', ctx.options.yarnApplicationName]);
  }
  const argv = [
    flinkCommand(ctx),
    applicationModeAction(ctx.version),
    '--target',
    deployment,
    ...dynamicProperties([...deploymentProperties, ...ctx.configuration]),
    ...restoreFlags(ctx),
    ...programFlags(ctx),
    orPlaceholder(ctx, ctx.options.jar, PLACEHOLDER.jar),
    ...(ctx.options.programArgs ?? []),
  ];
  const where = deployment === 'kubernetes-application' ? 'native Kubernetes' : 'YARN';
  return [shellStep(`Start a ${where} application cluster that runs the job from the snapshot`, argv)];
}

function standaloneScript(ctx: BuildContext): string {
  const flink = flinkCommand(ctx);
  const slash = flink.lastIndexOf('/');
  return slash < 0 ? 'standalone-job.sh' : `${flink.slice(0, slash + 1)}standalone-job.sh`;
}

/** `standalone-job` accepts only `--fromSavepoint` and `--allowNonRestoredState`: no claim mode can be given there. */
function standaloneSteps(ctx: BuildContext): InvocationStep[] {
  const args: string[] = [];
  if (ctx.options.entryClass) args.push('--job-classname', ctx.options.entryClass);
  args.push('--fromSavepoint', ctx.path);
  if (ctx.options.allowNonRestoredState) args.push('--allowNonRestoredState');
  const configuration: Array<readonly [string, string]> = [...ctx.configuration];
  if (ctx.options.parallelism !== undefined) {
    configuration.push(['parallelism.default', String(ctx.options.parallelism)]);
  }
  args.push(...dynamicProperties(configuration), ...(ctx.options.programArgs ?? []));
  return [
    shellStep('Start a standalone application cluster from the snapshot (the job jar in lib/ or usrlib/)', [
      standaloneScript(ctx),
      'start',
      ...args,
    ]),
    {
      title: 'The same as container arguments of the Flink image (Docker, Kubernetes standalone)',
      language: 'yaml',
      text: yamlText(yamlDocument({ args: ['standalone-job', ...args] })),
    },
  ];
}
