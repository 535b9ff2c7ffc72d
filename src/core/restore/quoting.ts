const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes one argument for a POSIX shell (bash, zsh, sh): unchanged when it holds only characters no shell treats
 * specially, otherwise in single quotes with each `'` written as `'\''`.
 */
export function shellQuote(argument: string): string {
  if (SHELL_SAFE.test(argument)) return argument;
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

/** Joins arguments into one shell command line, each quoted by {@link shellQuote}. */
export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

const YAML_PLAIN = /^[A-Za-z0-9_./][A-Za-z0-9_./@%+=:-]*$/;
const YAML_AMBIGUOUS = /^(?:[-+.]?[0-9].*|~|null|true|false|yes|no|on|off|y|n|\.inf|\.nan)$/i;

/**
 * A YAML scalar for `value`: plain when that cannot be read as anything but the same string (no number, boolean or
 * null look-alike, no `: `/` #`), otherwise double-quoted with JSON escapes, which YAML 1.1 and 1.2 both read back.
 */
export function yamlString(value: string): string {
  if (YAML_PLAIN.test(value) && !YAML_AMBIGUOUS.test(value) && !value.endsWith(':')) return value;
  return JSON.stringify(value);
}

/** A SQL string literal (Flink SQL: single quotes, `'` doubled). */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Options of the commands the builders emit (flink, kubectl, curl) that take the next argument as their value. */
const OPTIONS_WITH_VALUE = new Set([
  '-c',
  '-p',
  '-s',
  '-t',
  '-m',
  '-cm',
  '-rm',
  '--class',
  '--parallelism',
  '--fromSavepoint',
  '--claimMode',
  '--restoreMode',
  '--target',
  '--job-classname',
  '--namespace',
  '--type',
  '--patch',
  '--patch-file',
  '--filename',
  '-X',
  '-H',
  '-F',
  '-d',
]);

/**
 * The command of {@link shellCommand}, continued over several lines with `\` when it is longer than `width`: the
 * command and its action on the first line, then one option (with its value) or argument per line, so every flag stays
 * in view; bash, zsh and sh read it as the same command.
 */
export function shellCommandLines(argv: readonly string[], width = 100): string {
  const oneLine = shellCommand(argv);
  if (oneLine.length <= width) return oneLine;
  const first = argv.findIndex((arg) => arg.startsWith('-'));
  const units: string[][] = [argv.slice(0, first < 0 ? argv.length : first)];
  let takesValue = false;
  for (const arg of first < 0 ? [] : argv.slice(first)) {
    if (takesValue) units[units.length - 1].push(arg);
    else units.push([arg]);
    takesValue = !takesValue && OPTIONS_WITH_VALUE.has(arg);
  }
  return units
    .filter((unit) => unit.length > 0)
    .map((unit) => shellCommand(unit))
    .join(' \\\n  ');
}
