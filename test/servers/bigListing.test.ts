import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/core/stores';
import { ListingMeasurement, measureListing } from './measure';
import { FtpServer, serverPrerequisites, startPyFtpd } from './servers';

const ENTRIES = 100_000;
/**
 * A UI stays responsive when no single step holds the event loop longer than this. One 1000-entry page takes about
 * 10 ms to describe; garbage collection on a busy machine adds pauses of up to ~150 ms that no listing strategy
 * avoids. Stat-ing 100,000 local files all at once, by contrast, stalls the loop for seconds (see bench/listing).
 */
const MAX_STALL_MS = 250;

/**
 * The best of three listings: blocking by our code shows in every run, while a stall caused by other processes on a
 * busy machine (the OS not scheduling this one) does not repeat.
 */
async function bestOfThree(list: () => Promise<ListingMeasurement>): Promise<ListingMeasurement> {
  const runs: ListingMeasurement[] = [];
  for (let i = 0; i < 3; i++) runs.push(await list());
  return runs.reduce((best, m) => (m.maxStallMs < best.maxStallMs ? m : best));
}

describe(`a ${ENTRIES.toLocaleString('en')}-entry shared/ directory lists in pages without blocking`, () => {
  let root = '';
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-100k-'));
    const shared = path.join(root, 'shared');
    fs.mkdirSync(shared);
    for (let i = 0; i < ENTRIES; i++) {
      fs.closeSync(fs.openSync(path.join(shared, `${String(i).padStart(6, '0')}-sst`), 'w'));
    }
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('through the local store', async () => {
    const m = await bestOfThree(() => measureListing(openStore(root), '/shared'));
    console.log(`local: ${JSON.stringify(m)}`);
    assert.equal(m.entries, ENTRIES);
    assert.equal(m.pages, ENTRIES / 1000);
    assert.ok(m.maxStallMs < MAX_STALL_MS, `event loop blocked for ${m.maxStallMs} ms`);
  });

  describe('through FTP (pyftpdlib)', { skip: serverPrerequisites('pyftpdlib') ?? false }, () => {
    let server: FtpServer;
    before(async () => {
      server = await startPyFtpd(root, [{ name: 'flink', password: 'secret' }]);
    });
    after(() => server?.stop());

    it('pages of 1000, no long stall', async () => {
      const store = openStore(`ftp://flink:secret@127.0.0.1:${server.port}/`);
      try {
        const m = await bestOfThree(() => measureListing(store, '/shared'));
        console.log(`ftp: ${JSON.stringify(m)}`);
        assert.equal(m.entries, ENTRIES);
        assert.equal(m.pages, ENTRIES / 1000);
        assert.ok(m.maxStallMs < MAX_STALL_MS, `event loop blocked for ${m.maxStallMs} ms`);
      } finally {
        await store.close();
      }
    });
  });
});
