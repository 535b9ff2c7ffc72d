import { BuildContext, PLACEHOLDER, shellStep } from '../context';
import type { InvocationStep, JarRunRequest, JarRunRequestBody } from '../request';
import { restAcceptsFlinkConfiguration, restClaimModeField } from '../versionFacts';
import { restoreWarning } from '../warnings';

function restUrl(ctx: BuildContext): string {
  return (ctx.options.restUrl ?? 'http://localhost:8081').replace(/\/+$/, '');
}

/** The `POST /jars/:jarid/run` call, fields in the order Flink's REST docs list them. */
export function jarRunRequest(ctx: BuildContext): JarRunRequest {
  const jarId = ctx.options.jarId ? encodeURIComponent(ctx.options.jarId) : PLACEHOLDER.jarId;
  const body: Record<string, unknown> = {};
  if (ctx.options.entryClass) body.entryClass = ctx.options.entryClass;
  if (ctx.options.programArgs && ctx.options.programArgs.length > 0) {
    body.programArgsList = [...ctx.options.programArgs];
  }
  if (ctx.options.parallelism !== undefined) body.parallelism = ctx.options.parallelism;
  body.savepointPath = ctx.path;
  body.allowNonRestoredState = ctx.options.allowNonRestoredState === true;
  body[restClaimModeField(ctx.version)] = ctx.claimMode.toUpperCase();
  if (ctx.configuration.length > 0 && restAcceptsFlinkConfiguration(ctx.version)) {
    body.flinkConfiguration = Object.fromEntries(ctx.configuration);
  }
  return { method: 'POST', url: `${restUrl(ctx)}/jars/${jarId}/run`, body: body as unknown as JarRunRequestBody };
}

/** The jar-run body, an upload `curl` line when a jar is given, and the run `curl` line. */
export function restSteps(ctx: BuildContext): InvocationStep[] {
  if (ctx.configuration.length > 0 && !restAcceptsFlinkConfiguration(ctx.version)) {
    ctx.warnings.push(
      restoreWarning('rest-flink-configuration-unsupported', {
        target: ctx.version,
        keys: ctx.configuration.map(([key]) => key),
      }),
    );
  }
  if (!ctx.options.jarId) ctx.placeholders.add(PLACEHOLDER.jarId);
  const request = jarRunRequest(ctx);
  const steps: InvocationStep[] = [];
  if (ctx.options.jar) {
    steps.push(
      shellStep('Upload the job jar (the jar id is the last segment of the returned "filename")', [
        'curl',
        '-sS',
        '-X',
        'POST',
        '-H',
        'Expect:',
        '-F',
        `jarfile=@${ctx.options.jar}`,
        `${restUrl(ctx)}/jars/upload`,
      ]),
    );
  }
  steps.push(
    {
      title: `POST ${request.url.slice(restUrl(ctx).length)} body`,
      language: 'json',
      text: `${JSON.stringify(request.body, null, 2)}\n`,
    },
    shellStep('Run the uploaded jar from the snapshot', [
      'curl',
      '-sS',
      '-X',
      'POST',
      '-H',
      'Content-Type: application/json',
      '-d',
      JSON.stringify(request.body),
      request.url,
    ]),
  );
  return steps;
}
