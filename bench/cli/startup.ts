/**
 * What the `flink-checkpoints` launcher (dist/cli.js) changes in a short CLI process, side by side in one run:
 *
 *   node out/bench/cli/startup.js [--runs N] [--timeout-ms MS] [--node 22,24|PATH,...] [--dist DIR] [--out FILE] FILE [COMMAND...]
 *
 * Each run is `<mode> inspect FILE` (or the given command) in a fresh process, the modes interleaved:
 * - bundle: dist/cli-main.js run directly (no compile cache);
 * - launcher, cache off: dist/cli.js with NODE_DISABLE_COMPILE_CACHE=1;
 * - launcher: dist/cli.js as shipped, with Node's compile cache (Node 22.1 and later) written by a first run.
 * Reports the median wall time and how many runs hung at exit (killed by PID after --timeout-ms, default 20000; Node
 * 20 could deadlock there, nodejs/node#54918). `--node` runs the same under other Node binaries: a path, or a major
 * version fetched once from the npm registry (package node-<platform>-<arch>). `--dist` times another build of dist/
 * (default this checkout's). Writes a Markdown table (default
 * bench/cli/RESULTS.md) and prints it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
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
const dist = path.resolve(option('dist', path.join(repoRoot(), 'dist')));
const nodeSpecs = option('node', '')
  .split(',')
  .filter((spec) => spec !== '');
if (args.length === 0) {
  console.error('usage: node out/bench/cli/startup.js [--runs N] [--timeout-ms MS] [--node 22,24] FILE [COMMAND...]');
  process.exit(2);
}
const [file, ...command] = args;
const cliArgs = [...(command.length > 0 ? command : ['inspect']), file];

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-startup-'));

/** A Node binary: `spec` itself, or for a major version the official build published on npm, fetched once. */
function nodeBinary(spec: string): string {
  if (!/^\d+$/.test(spec)) return path.resolve(spec);
  const dir = path.join(os.tmpdir(), 'flink-checkpoints-bench', 'node', spec);
  const binary = path.join(dir, 'package', 'bin', 'node');
  if (!fs.existsSync(binary)) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const packed =
      execFileSync('npm', ['pack', '--silent', `node-${process.platform}-${process.arch}@${spec}`], {
        cwd: dir,
        encoding: 'utf8',
      })
        .trim()
        .split('\n')
        .pop() ?? '';
    execFileSync('tar', ['xzf', packed], { cwd: dir });
    fs.rmSync(path.join(dir, packed));
  }
  return binary;
}

interface Mode {
  name: string;
  argv: string[];
  env: NodeJS.ProcessEnv;
}

function modesFor(node: string, index: number): Mode[] {
  const cacheHome = path.join(scratch, `cache-${index}`);
  const bundle = path.join(scratch, 'bundle.js');
  fs.writeFileSync(bundle, `require(${JSON.stringify(path.join(dist, 'cli-main.js'))}).main();\n`);
  return [
    { name: 'bundle (dist/cli-main.js)', argv: [node, bundle], env: { ...process.env, XDG_CACHE_HOME: cacheHome } },
    {
      name: 'launcher, cache off',
      argv: [node, path.join(dist, 'cli.js')],
      env: { ...process.env, XDG_CACHE_HOME: cacheHome, NODE_DISABLE_COMPILE_CACHE: '1' },
    },
    {
      name: 'launcher (dist/cli.js)',
      argv: [node, path.join(dist, 'cli.js')],
      env: { ...process.env, XDG_CACHE_HOME: cacheHome },
    },
  ];
}

function once(mode: Mode): { ms: number; hung: boolean } {
  const start = performance.now();
  const [node, ...rest] = mode.argv;
  const r = spawnSync(node, [...rest, ...cliArgs], {
    env: mode.env,
    stdio: 'ignore',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  const ms = performance.now() - start;
  const hung = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  if (!hung && r.status !== 0) throw new Error(`${mode.name}: exit ${r.status ?? r.signal} for ${cliArgs.join(' ')}`);
  return { ms, hung };
}

try {
  const nodes = [process.execPath, ...nodeSpecs.map(nodeBinary)];
  const modes = nodes.flatMap((node, index) => {
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    return modesFor(node, index).map((mode) => ({ ...mode, version }));
  });
  for (const mode of modes) once(mode);
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
    `${runs} runs of each, interleaved: \`flink-checkpoints ${cliArgs.map((a) => (a === file ? `${path.basename(path.dirname(a))}/${path.basename(a)}` : a)).join(' ')}\` (${os.cpus().length} cores${process.env.NODE_EXTRA_CA_CERTS ? ', NODE_EXTRA_CA_CERTS set' : ''})`,
    '',
    '| Node | mode | median | hung at exit |',
    '|---|---|---:|---:|',
    ...modes.map((mode, m) => {
      const t = results[m].times.sort((a, b) => a - b);
      return `| ${mode.version} | ${mode.name} | ${t.length > 0 ? `${t[t.length >> 1].toFixed(1)} ms` : '–'} | ${results[m].hangs} |`;
    }),
  ];
  fs.writeFileSync(outFile, `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
