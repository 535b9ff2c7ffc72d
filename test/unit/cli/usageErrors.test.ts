import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const root = path.resolve(__dirname, '../../../..');
const cli = path.join(root, 'dist', 'cli.js');
const fixture = path.join(root, 'test', 'fixtures', 'flink', 'synthetic', '1.20.5', 'unicode');

/** Every usage error of every command: argv, and what the message must say. */
const CASES: [string[], RegExp][] = [
  [['restore', fixture, '-p', '4', '--target', 'cli', '--flink', '1.20'], /exactly one snapshot path/],
  [['restore', fixture, '--target', 'nope', '--flink', '1.20'], /--target must be one of/],
  [['restore', fixture, '--target', 'cli', '--flink', 'abc'], /abc/],
  [['restore', fixture, '--flink', '1.20'], /--target is required/],
  [['restore', fixture, '--target', 'cli'], /--flink is required/],
  [
    ['restore', fixture, '--target', 'cli', '--flink', '1.20', '--parallelism', 'many'],
    /--parallelism takes an integer/,
  ],
  [['restore', fixture, '--target', 'cli', '--flink', '1.20', '--conf', 'novalue'], /--conf takes KEY=VALUE/],
  [['restore', fixture, '--target', 'cli', '--flink', '1.20', '--path-map'], /--path-map needs a value/],
  [['restore', fixture, '--target', 'cli', '--flink', '1.20', '--claim-mode', 'all'], /--claim-mode must be one of/],
  [['restore'], /exactly one snapshot path/],
  [['ls'], /give one path or store URI/],
  [['ls', fixture, fixture], /give one path or store URI/],
  [['ls', fixture, '--bogus'], /unknown option --bogus/],
  [['latest'], /give one job directory/],
  [['latest', fixture, '--json=yes'], /unknown option --json/],
  [['orphans'], /exactly one job directory/],
  [['orphans', fixture, '--delete'], /add --yes/],
  [['orphans', fixture, '--recursive'], /unknown option --recursive/],
  [['conf'], /conf needs a subcommand/],
  [['conf', 'lint'], /unknown conf subcommand 'lint'/],
  [['conf', 'check'], /exactly one file/],
  [['conf', 'check', 'config.yaml', '--flink', 'abc'], /abc/],
  [['conf', 'check', 'config.yaml', '--format', 'toml'], /--format must be legacy or yaml/],
  [['conf', 'migrate'], /exactly one flink-conf.yaml/],
  [['conf', 'snippets', 'x'], /takes no file/],
  [['diff', fixture], /exactly two snapshots/],
  [['diff', fixture, fixture, '--yaml'], /unknown option --yaml/],
  [['inspect'], /at least one _metadata/],
  [['inspect', fixture, '--pointer'], /--pointer needs a value/],
];

describe(
  'usage errors of the built CLI exit 2 with the usage line and no stack trace',
  { skip: fs.existsSync(cli) ? false : 'dist/cli.js is not built: run npm run build' },
  () => {
    for (const [argv, message] of CASES) {
      it(argv.map((a) => (a === fixture ? '<snapshot>' : a)).join(' '), () => {
        const r = spawnSync(process.execPath, [cli, ...argv], { encoding: 'utf8', timeout: 60_000 });
        assert.equal(r.status, 2, `exit ${r.status}\n${r.stderr}`);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, message);
        assert.match(r.stderr, new RegExp(`\\nUsage: flink-checkpoints ${argv[0]} `));
        assert.match(r.stderr, new RegExp(`Run 'flink-checkpoints ${argv[0]} --help' for all options`));
        assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
      });
    }
  },
);
