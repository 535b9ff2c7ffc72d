import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../../src/core/stores';
import { FtpServer, serverPrerequisites, startPyFtpd } from '../../servers/servers';
import { FIXTURES, checkScenario, readScenarios, versions } from './support/scenarios';

describe(
  'layout of the checkpoint trees real Flink wrote (test/fixtures/flink)',
  { skip: versions.length ? false : 'no test/fixtures/flink trees in this checkout' },
  () => {
    for (const version of versions) {
      const { scenarios } = readScenarios(version);
      for (const [name, scenario] of Object.entries(scenarios)) {
        it(`Flink ${version} ${name}`, async () => {
          const dir = path.join(FIXTURES, version, name);
          await checkScenario(openStore(dir), dir, scenario);
        });
      }
    }
  },
);

describe(
  'the same trees over FTP give the same answers as on disk',
  {
    skip:
      versions.length === 0
        ? 'no test/fixtures/flink trees in this checkout'
        : (serverPrerequisites('pyftpdlib') ?? false),
  },
  () => {
    const version = versions[versions.length - 1];
    let server: FtpServer;
    before(async () => {
      server = await startPyFtpd(path.join(FIXTURES, version), [{ name: 'reader', password: 'reader', perm: 'elr' }]);
    });
    after(() => server?.stop());

    it(`Flink ${version}, every scenario`, async () => {
      const { scenarios } = readScenarios(version);
      for (const [name, scenario] of Object.entries(scenarios)) {
        const dir = path.join(FIXTURES, version, name);
        const ftp = openStore(`ftp://reader:reader@127.0.0.1:${server.port}/${name}`);
        try {
          assert.deepEqual(
            await checkScenario(ftp, dir, scenario),
            await checkScenario(openStore(dir), dir, scenario),
            name,
          );
        } finally {
          await ftp.close();
        }
      }
    });
  },
);
