/**
 * How the `flink-checkpoints` launcher (dist/cli.js) changes a short CLI process, side by side in one run:
 *
 *   node out/bench/cli/startup.js [--runs N] [--timeout-ms MS] [--out FILE] FILE [COMMAND...]
 *
 * Each run is `<mode> inspect FILE` (or the given command) in a fresh process, the modes interleaved:
 * - bare: dist/cli-main.js run directly, with neither the code cache nor the collection before exit;
 * - launcher, no cache: dist/cli.js with NODE_DISABLE_COMPILE_CACHE=1;
 * - launcher: dist/cli.js as shipped (its code cache written by a first run before timing).
 * Reports the median wall time and how many runs hung at exit (killed by PID after --timeout-ms, default 20000):
 * Node can deadlock there (nodejs/node#54918), which the launcher's final collection is for. Writes a Markdown table
 * (default bench/cli/RESULTS.md) and prints it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../metadata/corpus';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const [, v] = args.splice(i, 2);
  return v;
};
const runs = Number(option('runs', '300'));
const timeoutMs = Number(option('timeout-ms', '20000'));
const outFile = option('out', path.join(repoRoot(), 'bench', 'cli', 'RESULTS.md'));
if (args.length === 0) {
  console.error('usage: node out/bench/cli/startup.js [--runs N] [--timeout-ms MS] FILE [COMMAND...]');
  process.exit(2);
}
const [file, ...command] = args;
const cliArgs = [...(command.length > 0 ? command : ['inspect']), file];

const dist = path.join(repoRoot(), 'dist');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-startup-'));
const bare = path.join(scratch, 'bare.js');
fs.writeFileSync(bare, `require(${JSON.stringify(path.join(dist, 'cli-main.js'))}).main();\n`);
const cacheHome = path.join(scratch, 'cache');

const modes: { name: string; argv: string[]; env: NodeJS.ProcessEnv }[] = [
  { name: 'bare (dist/cli-main.js)', argv: [bare], env: { ...process.env, XDG_CACHE_HOME: cacheHome } },
  { name: 'launcher, no code cache', argv: [path.join(dist, 'cli.js')], env: { ...process.env, XDG_CACHE_HOME: cacheHome, NODE_DISABLE_COMPILE_CACHE: '1' } },
  { name: 'launcher (dist/cli.js)', argv: [path.join(dist, 'cli.js')], env: { ...process.env, XDG_CACHE_HOME: cacheHome } },
];

function once(mode: (typeof modes)[number]): { ms: number; hung: boolean } {
  const start = performance.now();
  const r = spawnSync(process.execPath, [...mode.argv, ...cliArgs], { env: mode.env, stdio: 'ignore', timeout: timeoutMs, killSignal: 'SIGKILL' });
  const ms = performance.now() - start;
  const hung = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  if (!hung && r.status !== 0) throw new Error(`${mode.name}: exit ${r.status ?? r.signal} for ${cliArgs.join(' ')}`);
  return { ms, hung };
}

try {
  once(modes[2]);
  const results = modes.map(() => ({ times: [] as number[], hangs: 0 }));
  for (let i = 0; i < runs; i++) {
    modes.forEach((mode, m) => {
      const { ms, hung } = once(mode);
      if (hung) results[m].hangs++;
      else results[m].times.push(ms);
    });
  }
  const lines = [
    '# CLI start and exit',
    '',
    `${runs} runs of each, interleaved: \`flink-checkpoints ${cliArgs.map((a) => (a === file ? `${path.basename(path.dirname(a))}/${path.basename(a)}` : a)).join(' ')}\` (Node ${process.version}, ${os.cpus().length} cores${process.env.NODE_EXTRA_CA_CERTS ? ', NODE_EXTRA_CA_CERTS set' : ''})`,
    '',
    '| mode | median | hung at exit |',
    '|---|---:|---:|',
    ...modes.map((mode, m) => {
      const t = results[m].times.sort((a, b) => a - b);
      return `| ${mode.name} | ${t.length > 0 ? `${t[t.length >> 1].toFixed(1)} ms` : '–'} | ${results[m].hangs} |`;
    }),
  ];
  fs.writeFileSync(outFile, `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
