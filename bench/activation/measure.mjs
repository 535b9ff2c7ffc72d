// Activation time and bundle size of the extension as it ships (the minified production build), side by side with
// their targets: activation under 50 ms, the extension bundle under 1 MB (the webview and the lazily loaded HDFS
// vendor bundle are reported apart).
//
//   node bench/activation/measure.mjs [--runs 5]
//
// Each run starts a fresh code-server whose extension host activates the extension for the first time; the in-host
// probe (test/integration/activation.test.ts) times require() of the bundle plus activate().
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const root = new URL('../..', import.meta.url).pathname;
execFileSync('node', ['scripts/build.mjs', '--production'], { cwd: root, stdio: 'ignore' });
execFileSync('npx', ['tsc', '-p', '.'], { cwd: root, stdio: 'ignore' });

const times = [];
const scratch = mkdtempSync(join(tmpdir(), 'bench-activation-'));
for (let run = 0; run < Number(values.runs); run++) {
  const result = join(scratch, `run-${run}.json`);
  execFileSync('node', ['out/test/integration/driver/runInHost.js', '--files', 'activation'], {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, FLINK_CHECKPOINTS_ACTIVATION_RESULT: result },
  });
  const { ms, wasActive } = JSON.parse(readFileSync(result, 'utf8'));
  if (wasActive)
    throw new Error('the extension was already active before the probe: a start-up activation event fired');
  times.push(ms);
}
rmSync(scratch, { recursive: true, force: true });
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const size = (file) => statSync(join(root, file)).size;
const bundle = size('dist/extension.js');
console.log(
  JSON.stringify(
    {
      activation: {
        runs: times.length,
        medianMs: +median.toFixed(1),
        maxMs: +times[times.length - 1].toFixed(1),
        targetMs: 50,
        ratioToTarget: +(median / 50).toFixed(2),
      },
      bundle: {
        extensionBytes: bundle,
        targetBytes: 1_000_000,
        ratioToTarget: +(bundle / 1_000_000).toFixed(2),
        webviewBytes: size('dist/media/main.js'),
        hdfsVendorBytesLoadedOnDemand: size('dist/vendor/webhdfs.js'),
      },
    },
    null,
    2,
  ),
);
