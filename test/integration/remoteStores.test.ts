import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { copyScenario, newestFixtureVersion, services, setStores } from './support/extension';
import {
  FtpServer,
  HdfsServer,
  serverPrerequisites,
  startMiniHdfs,
  startProftpd,
  startPyFtpd,
} from '../servers/servers';
import type { TreeNode } from '../../src/views/storesTree';

/** A password with every character Hadoop's own FTP file system mishandles in a URI. */
const PASSWORD = 'p@ss:w/rd%#';

async function children(node?: TreeNode): Promise<TreeNode[]> {
  return (await services()).storesTree.getChildren(node);
}

/** Expands store → job → snapshots and returns the snapshot rows, newest first. */
async function snapshotsOf(storeName: string): Promise<TreeNode[]> {
  const store = (await children()).find((n) => n.label === storeName);
  assert.ok(store, `store ${storeName} in the tree`);
  const nodes = await children(store);
  const job = nodes.find((n) => n.contextValue === 'job');
  assert.ok(job, `a job under ${storeName}: ${nodes.map((n) => `${n.label} ${n.description ?? ''}`).join('; ')}`);
  return (await children(job)).filter((n) => String(n.contextValue).startsWith('snapshot.'));
}

async function openMetadataOfLatest(storeName: string, localJob: string): Promise<void> {
  const [latest] = await snapshotsOf(storeName);
  assert.match(String(latest.description), /latest/);
  const files = await children(latest);
  const metadata = files.find((n) => n.label === '_metadata');
  assert.ok(metadata?.resourceUri);
  const bytes = await vscode.workspace.fs.readFile(metadata.resourceUri);
  assert.deepEqual(Buffer.from(bytes), fs.readFileSync(path.join(localJob, String(latest.label), '_metadata')));
}

describe('remote stores: FTP, FTPS and HDFS servers serving real Flink checkpoints', function () {
  this.timeout(600_000);
  let fixture: { root: string; jobId: string };

  before(() => {
    fixture = copyScenario(newestFixtureVersion(), 'rocksdb-incremental');
  });
  after(() => setStores([]));

  describe('FTP (pyftpdlib) with a password in secret storage', () => {
    let server: FtpServer;
    before(async function () {
      const missing = serverPrerequisites('pyftpdlib');
      if (missing) this.skip();
      server = await startPyFtpd(fixture.root, [{ name: 'flink', password: PASSWORD }]);
      const s = await services();
      await setStores([{ id: 'ftp', name: 'FTP', uri: `ftp://flink@127.0.0.1:${server.port}/` }]);
      await s.stores.setPassword('ftp', PASSWORD);
    });
    after(async () => server?.stop());

    it('lists the job, marks the latest checkpoint and opens its _metadata', async () => {
      await openMetadataOfLatest('FTP', path.join(fixture.root, fixture.jobId));
    });

    it('names a wrong password once, in an error node, without the password', async () => {
      const s = await services();
      await s.stores.setPassword('ftp', 'wrong-password');
      const [store] = await children();
      const [node] = await children(store);
      assert.equal(node.contextValue, 'error');
      assert.match(String(node.label), /password|login|530|auth/i);
      assert.ok(!String(node.label).includes('wrong-password'));
      await s.stores.setPassword('ftp', PASSWORD);
    });
  });

  describe('FTPS (ProFTPD, explicit TLS, self-signed certificate)', () => {
    let server: FtpServer;
    before(async function () {
      if (serverPrerequisites('proftpd')) this.skip();
      server = await startProftpd(fixture.root, { name: 'flink', password: PASSWORD });
      const s = await services();
      await setStores([
        { id: 'ftps', name: 'FTPS', uri: `ftps://flink@127.0.0.1:${server.port}/`, allowUntrustedCertificate: true },
      ]);
      await s.stores.setPassword('ftps', PASSWORD);
    });
    after(async () => server?.stop());

    it("lists the job over TLS and opens the latest checkpoint's _metadata", async () => {
      await openMetadataOfLatest('FTPS', path.join(fixture.root, fixture.jobId));
    });
  });

  describe('HDFS (MiniDFSCluster) over WebHDFS', () => {
    let server: HdfsServer;
    before(async function () {
      if (serverPrerequisites('hdfs')) this.skip();
      server = await startMiniHdfs({ seed: fixture.root });
      await setStores([
        {
          id: 'hdfs',
          name: 'HDFS',
          uri: `hdfs://127.0.0.1:${server.rpcPort}/flink`,
          webHdfsAddress: `127.0.0.1:${server.httpPort}`,
        },
      ]);
    });
    after(async () => server?.stop());

    it('lists the job, marks the latest checkpoint and opens its _metadata', async () => {
      await openMetadataOfLatest('HDFS', path.join(fixture.root, fixture.jobId));
    });
  });
});
