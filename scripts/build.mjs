// One esbuild build per target: the extension host (Node), the CLI (Node) and the webview UI (browser).
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

// webhdfs depends on buffer-stream-reader, whose `delete data;` is a syntax error once bundled into strict-mode
// output; dropping the reference instead has the same effect.
const sloppyModePatches = {
  name: 'sloppy-mode-patches',
  setup(build) {
    build.onLoad({ filter: /buffer-stream-reader[\\/]reader\.js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(/delete data;/g, 'data = null;'),
      loader: 'js',
    }));
  },
};

// webhdfs pulls in an HTTP client stack of ~550 KB: it becomes its own file, required when an HDFS store opens.
const vendorWebHdfs = {
  name: 'vendor-webhdfs',
  setup(build) {
    build.onResolve({ filter: /^webhdfs$/ }, () => ({ path: './vendor/webhdfs.js', external: true }));
  },
};

// The AWS SDK (S3 stores) is larger than the rest of the extension: its own file, required by the first S3 request.
const vendorS3Sdk = {
  name: 'vendor-s3sdk',
  setup(build) {
    build.onResolve({ filter: /^\.\/s3Sdk$/ }, () => ({ path: './vendor/s3sdk.js', external: true }));
  },
};

const common = {
  define: { __VERSION__: JSON.stringify(version) },
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  metafile: true,
  plugins: [sloppyModePatches],
};

const targets = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    plugins: [sloppyModePatches, vendorWebHdfs, vendorS3Sdk],
  },
  {
    // The whole CLI is one bundle, so every class (UsageError, StoreError, ...) exists once; commands and the store
    // clients inside it still initialize only when required (src/cli/commands.ts).
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli-main.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [sloppyModePatches, vendorWebHdfs, vendorS3Sdk],
  },
  {
    // The `flink-checkpoints` command: turns on Node's compile cache, then runs dist/cli-main.js (src/cli/launcher.ts).
    ...common,
    entryPoints: ['src/cli/launcher.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['./cli-main.js'],
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: ['src/providers/metadataWorker.ts'],
    outfile: 'dist/metadataWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['webhdfs'],
    outfile: 'dist/vendor/webhdfs.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['src/core/stores/s3Sdk.ts'],
    outfile: 'dist/vendor/s3sdk.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
];
if (existsSync('media/main.ts')) {
  targets.push({
    ...common,
    entryPoints: ['media/main.ts'],
    outfile: 'dist/media/main.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  });
}

mkdirSync('dist', { recursive: true });
if (watch) {
  for (const options of targets) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
} else {
  const results = await Promise.all(targets.map((options) => esbuild.build(options)));
  const sizes = {};
  for (const result of results) {
    for (const [file, info] of Object.entries(result.metafile.outputs)) {
      if (file.endsWith('.js')) sizes[file] = info.bytes;
    }
  }
  writeFileSync('dist/bundle-sizes.json', JSON.stringify(sizes, null, 2) + '\n');
}
