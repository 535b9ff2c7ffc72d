import { BuildContext, PLACEHOLDER, orPlaceholder, shellStep } from '../context';
import type { InvocationStep } from '../request';
import { operatorFlinkVersion, restoreConfigKeys } from '../versionFacts';
import { yamlDocument, yamlNode, yamlText } from '../yaml';

/** A Kubernetes object name (RFC 1123 subdomain) from free text. */
function kubernetesName(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return name.slice(0, 253).replace(/[^a-z0-9]+$/, '') || 'restore';
}

/**
 * For the Flink Kubernetes operator: a merge patch of the `FlinkDeployment` (`initialSavepointPath`, the upgrade mode,
 * `allowNonRestoredState`, a changed `savepointRedeployNonce`, which makes the operator re-deploy from that path; the claim
 * mode in `flinkConfiguration`, since the operator never sets one), the `kubectl patch` that applies that file, a
 * `FlinkStateSnapshot` with `alreadyExists: true` that registers the snapshot with the operator, and the `kubectl apply`
 * for it. Each manifest is a document of its own with the file name its command uses.
 */
export function k8sSteps(ctx: BuildContext): InvocationStep[] {
  const name = orPlaceholder(ctx, ctx.options.deploymentName, PLACEHOLDER.deployment);
  const namespace = ctx.options.namespace;
  const namespaceFlags = namespace ? ['--namespace', namespace] : [];
  const nonce =
    ctx.options.currentRedeployNonce !== undefined
      ? ctx.options.currentRedeployNonce + 1
      : Math.floor((ctx.options.now ?? Date.now)() / 1000);
  const keys = restoreConfigKeys(ctx.version);
  const flinkConfiguration: Record<string, string> = { [keys.claimMode]: ctx.claimMode.toUpperCase() };
  for (const [key, value] of ctx.configuration) flinkConfiguration[key] = value;
  const job: Record<string, unknown> = {};
  if (ctx.options.jar) job.jarURI = ctx.options.jar;
  if (ctx.options.entryClass) job.entryClass = ctx.options.entryClass;
  if (ctx.options.programArgs && ctx.options.programArgs.length > 0) job.args = [...ctx.options.programArgs];
  if (ctx.options.parallelism !== undefined) job.parallelism = ctx.options.parallelism;
  job.initialSavepointPath = ctx.path;
  job.upgradeMode = ctx.options.upgradeMode ?? 'savepoint';
  job.allowNonRestoredState = ctx.options.allowNonRestoredState === true;
  job.savepointRedeployNonce = nonce;

  const patchFile = `${ctx.options.deploymentName ? kubernetesName(ctx.options.deploymentName) : 'flinkdeployment'}-restore-patch.yaml`;
  const patchCommand = [
    'kubectl',
    'patch',
    'flinkdeployment',
    name,
    ...namespaceFlags,
    '--type',
    'merge',
    '--patch-file',
    patchFile,
  ];
  const patch = yamlDocument({ spec: { flinkConfiguration, job } });
  yamlNode(patch, ['spec'], 'key').commentBefore =
    ` A merge patch of FlinkDeployment ${name}${namespace ? ` in namespace ${namespace}` : ''}: it re-deploys the job from the snapshot.`;
  yamlNode(patch, ['spec', 'flinkConfiguration'], 'key').commentBefore =
    ` The operator never sets a claim mode itself; ${keys.claimMode} is the Flink ${ctx.version.line} key (spec.flinkVersion ${operatorFlinkVersion(ctx.version)})`;
  yamlNode(patch, ['spec', 'job', 'savepointRedeployNonce']).comment =
    ' changed: re-deploy from initialSavepointPath (operator 1.8+)';

  const snapshotName = kubernetesName(
    ctx.options.snapshotResourceName ??
      `${ctx.options.deploymentName ?? 'restore'}-${
        ctx.path
          .replace(/[\\/]_metadata$/, '')
          .split(/[\\/]/)
          .pop() ?? 'snapshot'
      }`,
  );
  const snapshotFile = `${snapshotName}.yaml`;
  const snapshot = yamlDocument({
    apiVersion: 'flink.apache.org/v1beta1',
    kind: 'FlinkStateSnapshot',
    metadata: { name: snapshotName, ...(namespace ? { namespace } : {}) },
    spec: {
      jobReference: { kind: 'FlinkDeployment', name },
      savepoint: { path: ctx.path, alreadyExists: true, disposeOnDelete: false },
    },
  });
  yamlNode(snapshot, ['apiVersion'], 'key').commentBefore =
    ' Registers the existing snapshot with the operator (1.10+); disposeOnDelete: false keeps the files when this resource is deleted';

  return [
    {
      title: `FlinkDeployment merge patch: re-deploy the job from the snapshot (save as ${patchFile})`,
      language: 'yaml',
      text: yamlText(patch),
      fileName: patchFile,
    },
    shellStep(`Apply the patch in ${patchFile}`, patchCommand),
    {
      title: `FlinkStateSnapshot for the existing snapshot (save as ${snapshotFile})`,
      language: 'yaml',
      text: yamlText(snapshot),
      fileName: snapshotFile,
    },
    shellStep(`Create the FlinkStateSnapshot in ${snapshotFile}`, ['kubectl', 'apply', '--filename', snapshotFile]),
  ];
}
