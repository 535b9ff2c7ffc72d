import { BuildContext, PLACEHOLDER } from '../context';
import { sqlString } from '../quoting';
import type { InvocationStep } from '../request';
import { restoreConfigKeys } from '../versionFacts';

/** `SET` lines with the line's keys, the DML, then `RESET` of every key set (the path stays set for the session). */
export function sqlSteps(ctx: BuildContext): InvocationStep[] {
  const keys = restoreConfigKeys(ctx.version);
  const settings: Array<readonly [string, string]> = [[keys.path, ctx.path]];
  if (ctx.options.allowNonRestoredState) settings.push([keys.ignoreUnclaimedState, 'true']);
  settings.push([keys.claimMode, ctx.claimMode.toUpperCase()]);
  if (ctx.options.parallelism !== undefined) settings.push(['parallelism.default', String(ctx.options.parallelism)]);
  settings.push(...ctx.configuration);
  let statement = ctx.options.sqlStatement?.trim();
  if (!statement) {
    ctx.placeholders.add(PLACEHOLDER.sinkTable).add(PLACEHOLDER.sourceTable);
    statement =
      '-- every DML submitted while the path is set restores from it\n' +
      `INSERT INTO ${PLACEHOLDER.sinkTable} SELECT * FROM ${PLACEHOLDER.sourceTable};`;
  } else if (!statement.endsWith(';')) {
    statement = `${statement};`;
  }
  const lines = [
    ...settings.map(([key, value]) => `SET ${sqlString(key)} = ${sqlString(value)};`),
    statement,
    ...settings.map(([key]) => `RESET ${sqlString(key)};`),
  ];
  return [
    {
      title: 'SQL client / SQL gateway: run the statement from the snapshot',
      language: 'sql',
      text: `${lines.join('\n')}\n`,
    },
  ];
}
