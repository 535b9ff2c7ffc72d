import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { REPO_ROOT, eventually, services, setStores } from './support/extension';
import { FtpServer, serverPrerequisites, startPyFtpd } from '../servers/servers';
import type {
  EntryFilter,
  EntryPage,
  FromWebview,
  SerializerView,
  StateRow,
  StateSectionModel,
  ToWebview,
} from '../../media/protocol';
import type { StateBrowser } from '../../src/providers/stateBrowser';

/** The serializer-zoo job of Flink 2.2 on RocksDB (full checkpoints): every kind of state, with known contents. */
const ZOO = path.join(REPO_ROOT, 'test/fixtures/flink-zoo/2.2.1/rocksdb-full');
const ZOO_OPERATOR = '3e998f41e72b1c44f2161cbe3ff93388';

interface OracleState {
  name: string;
  kind: string;
  backend: string;
  ttl: boolean;
  valueSerializer: { class: string } | null;
}

function copyZoo(): { root: string; metadata: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-zoo-'));
  fs.cpSync(ZOO, root, { recursive: true });
  const job = fs.readdirSync(root).find((n) => /^[0-9a-f]{32}$/.test(n));
  assert.ok(job, 'a job directory in the zoo fixture');
  const chk = fs.readdirSync(path.join(root, job)).find((n) => n.startsWith('chk-'));
  assert.ok(chk);
  return { root, metadata: `/${job}/${chk}/_metadata` };
}

/** Sends one message to the State section's host side, as the webview does, and collects what it posts back. */
async function ask(browser: StateBrowser, message: FromWebview): Promise<ToWebview[]> {
  const posted: ToWebview[] = [];
  await browser.handle(message as Parameters<StateBrowser['handle']>[0], (m) => posted.push(m));
  return posted;
}

let requests = 0;
async function page(
  browser: StateBrowser,
  state: string,
  options: { filter?: EntryFilter; after?: string | null; limit?: number; operatorId?: string } = {},
): Promise<EntryPage> {
  const posted = await ask(browser, {
    type: 'loadEntries',
    requestId: ++requests,
    operatorId: options.operatorId ?? ZOO_OPERATOR,
    state,
    filter: options.filter ?? null,
    after: options.after ?? null,
    limit: options.limit ?? 100,
  });
  const reply = posted.find((m): m is Extract<ToWebview, { type: 'entries' }> => m.type === 'entries');
  assert.ok(reply, 'the host answered with a page');
  return reply.page;
}

/** The zoo job keys by `n % 8` and writes "s" + n into v-string: each value says which key it belongs to. */
function assertStringEntries(p: EntryPage): void {
  for (const e of p.entries) {
    const m = /^s(\d+)$/.exec(String(e.value));
    assert.ok(m, `v-string value ${JSON.stringify(e.value)}`);
    assert.equal(Number(m[1]) % 8, e.key, `the value ${String(e.value)} belongs to key ${String(e.key)}`);
    assert.equal(e.namespace, null);
    assert.ok(typeof e.keyGroup === 'number' && e.keyGroup >= 0 && e.keyGroup < 128);
  }
}

describe("the inspector's State section and entry browser on the serializer zoo (host side, in VS Code)", function () {
  this.timeout(120_000);
  let root: string;
  let browser: StateBrowser;
  let oracle: { operators: { operatorId: string; states: OracleState[] }[] };

  before(async () => {
    let metadata: string;
    ({ root, metadata } = copyZoo());
    oracle = JSON.parse(fs.readFileSync(path.join(root, `${metadata}.schema.json`), 'utf8')) as typeof oracle;
    await setStores([{ id: 'zoo', name: 'Zoo', uri: root }]);
    browser = (await services()).stateBrowser(
      vscode.Uri.from({ scheme: 'flink-store', authority: 'zoo', path: metadata }),
    );
  });

  after(async () => {
    browser?.dispose();
    await setStores([]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('lists every operator’s states with the kinds, serializers and TTL Flink’s own reader finds', async () => {
    const [reply] = await ask(browser, { type: 'loadStates' });
    assert.equal(reply.type, 'states');
    const model = (reply as { model: StateSectionModel }).model;
    assert.equal(model.error, null);
    let compared = 0;
    for (const expected of oracle.operators.filter((o) => o.states.length > 0)) {
      const shown = model.operators.find((o) => o.operatorId === expected.operatorId);
      assert.ok(shown, `operator ${expected.operatorId} in the State section`);
      assert.deepEqual(shown.problems, []);
      assert.deepEqual(shown.states.map((s) => s.name).sort(), expected.states.map((s) => s.name).sort());
      for (const state of expected.states) {
        const row: StateRow | undefined = shown.states.find((s) => s.name === state.name);
        assert.ok(row, `state ${state.name}`);
        assert.equal(row.kind, state.kind, `${state.name} kind`);
        assert.equal(row.backend, state.backend, `${state.name} backend`);
        assert.equal(row.ttl, state.ttl, `${state.name} TTL`);
        const value: SerializerView | undefined = row.serializers.find((s) => s.role === 'value');
        assert.equal(value?.className ?? null, state.valueSerializer?.class ?? null, `${state.name} value serializer`);
        compared++;
      }
    }
    assert.ok(compared >= 25, `${compared} states compared`);
    const zoo = model.operators.find((o) => o.operatorId === ZOO_OPERATOR)!;
    assert.equal(zoo.label, 'Zoo');
    assert.match(zoo.states.find((s) => s.name === 'v-pojo')!.serializers[2].label, /^PojoSerializer<.*Account> v\d+$/);
  });

  it('reads the first page, then the rest with Load more, never the same entry twice', async () => {
    const first = await page(browser, 'v-string', { limit: 3 });
    assert.equal(first.error, null);
    assert.deepEqual(first.problems, []);
    assert.equal(first.entries.length, 3);
    assert.ok(first.next, 'a position to load more from');
    assertStringEntries(first);
    const rest = await page(browser, 'v-string', { after: first.next, limit: 100 });
    assert.equal(rest.next, null, 'the second page reached the end');
    assertStringEntries(rest);
    const keys = [...first.entries, ...rest.entries].map((e) => e.key);
    assert.deepEqual([...keys].sort(), [0, 1, 2, 3, 4, 5, 6, 7], 'every key once, none twice');
    const all = await page(browser, 'v-string');
    assert.deepEqual(
      all.entries.map((e) => e.key),
      keys,
      'the pages together are what one read gives',
    );
  });

  it('filters by exact key, key prefix and key group in the reader', async () => {
    const exact = await page(browser, 'm-row', { filter: { by: 'key', text: '7' } });
    assert.ok(exact.entries.length > 0);
    assert.ok(exact.entries.every((e) => e.key === 7 && typeof e.userKey === 'string'));
    const prefix = await page(browser, 'v-int', { filter: { by: 'prefix', text: '3' } });
    assert.deepEqual(
      prefix.entries.map((e) => e.key),
      [3],
    );
    const group = exact.entries[0].keyGroup!;
    const inGroup = await page(browser, 'v-string', { filter: { by: 'keyGroup', text: String(group) } });
    assert.ok(inGroup.entries.length > 0 && inGroup.entries.every((e) => e.keyGroup === group));
    assert.ok(inGroup.entries.some((e) => e.key === 7));
    const none = await page(browser, 'v-string', { filter: { by: 'key', text: '8' } });
    assert.deepEqual(none.entries, []);
    assert.equal(none.error, null);
    const wrong = await page(browser, 'v-string', { filter: { by: 'keyGroup', text: '128' } });
    assert.match(wrong.error ?? '', /key group is a whole number from 0 to 127/);
  });

  it('Copy as JSON puts an entry, and every loaded entry, on the clipboard as state --json has them', async () => {
    const first = await page(browser, 'v-pojo', { limit: 2 });
    const second = await page(browser, 'v-pojo', { after: first.next, limit: 2 });
    await vscode.env.clipboard.writeText('');
    await ask(browser, { type: 'copyEntries', operatorId: ZOO_OPERATOR, state: 'v-pojo', index: 3 });
    const e = second.entries[1];
    assert.deepEqual(JSON.parse(await vscode.env.clipboard.readText()), {
      state: 'v-pojo',
      keyGroup: e.keyGroup,
      key: e.key,
      namespace: null,
      value: e.value,
    });
    const value = e.value as { id: string; balance: number };
    assert.equal(value.id, `account-${value.balance}`, 'the zoo job names each account after its balance');
    await ask(browser, { type: 'copyEntries', operatorId: ZOO_OPERATOR, state: 'v-pojo', index: null });
    const copied = JSON.parse(await vscode.env.clipboard.readText()) as { key: number }[];
    assert.deepEqual(
      copied.map((c) => c.key),
      [...first.entries, ...second.entries].map((x) => x.key),
    );
    const map = await page(browser, 'm-row', { filter: { by: 'key', text: '7' }, limit: 1 });
    await ask(browser, { type: 'copyEntries', operatorId: ZOO_OPERATOR, state: 'm-row', index: 0 });
    const mapEntry = JSON.parse(await vscode.env.clipboard.readText()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(mapEntry), ['state', 'keyGroup', 'key', 'namespace', 'userKey', 'value']);
    assert.equal(mapEntry.userKey, map.entries[0].userKey);
  });

  it('names the file and the byte when the state files are cut short, and reads again once they are whole', async () => {
    const job = path.join(root, fs.readdirSync(root)[0]);
    const dir = path.join(
      job,
      fs.readdirSync(job).find((n) => n.startsWith('chk-'))!,
    );
    const files = fs.readdirSync(dir).filter((n) => !n.startsWith('_metadata'));
    const saved = new Map(files.map((n) => [n, fs.readFileSync(path.join(dir, n))]));
    for (const [n, bytes] of saved) fs.truncateSync(path.join(dir, n), Math.floor(bytes.length / 2));
    const fresh = (await services()).stateBrowser(browser.metadataUri);
    try {
      const broken = await page(fresh, 'v-string');
      const said = [broken.error ?? '', ...broken.problems].join('\n');
      assert.ok(
        files.some((n) => said.includes(n)),
        `the message names the state file: ${said}`,
      );
      assert.match(said, /at byte \d+/);
    } finally {
      for (const [n, bytes] of saved) fs.writeFileSync(path.join(dir, n), bytes);
    }
    try {
      const whole = await (async () => {
        const again = (await services()).stateBrowser(browser.metadataUri);
        try {
          return await page(again, 'v-string');
        } finally {
          again.dispose();
        }
      })();
      assert.deepEqual(whole.problems, []);
      assert.equal(whole.entries.length, 8);
    } finally {
      fresh.dispose();
    }
  });
});

describe('the entry browser on an FTP store, through the state cache', function () {
  this.timeout(180_000);
  let server: FtpServer;
  let root: string;
  let metadata: string;

  before(async function () {
    if (serverPrerequisites('pyftpdlib')) this.skip();
    ({ root, metadata } = copyZoo());
    server = await startPyFtpd(root, [{ name: 'flink', password: 'zoo-secret' }]);
    const s = await services();
    await setStores([{ id: 'zoo-ftp', name: 'Zoo FTP', uri: `ftp://flink@127.0.0.1:${server.port}/` }]);
    await s.stores.setPassword('zoo-ftp', 'zoo-secret');
  });

  after(async () => {
    await setStores([]);
    await server?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('reads a key’s value from the server once, then from the cache, until Clear State Cache', async () => {
    const s = await services();
    await vscode.commands.executeCommand('flinkCheckpoints.clearStateCache');
    const uri = vscode.Uri.from({ scheme: 'flink-store', authority: 'zoo-ftp', path: metadata });
    const browser = s.stateBrowser(uri);
    try {
      const first = await page(browser, 'v-pojo', { filter: { by: 'key', text: '5' } });
      assert.equal(first.error, null);
      assert.equal(first.entries.length, 1);
      assert.equal(first.entries[0].key, 5);
      const cached = s.stateCache.stats;
      assert.ok(cached.bytes > 0, 'the state file ranges are cached');
      const again = await page(browser, 'v-pojo', { filter: { by: 'key', text: '5' } });
      assert.deepEqual(again.entries, first.entries);
      assert.equal(s.stateCache.stats.misses, cached.misses, 'the second read transferred nothing');
      assert.ok(s.stateCache.stats.hits > cached.hits);
      const freed = await vscode.commands.executeCommand<number>('flinkCheckpoints.clearStateCache');
      assert.equal(freed, cached.bytes);
      assert.equal(s.stateCache.stats.bytes, 0);
      const afresh = await page(browser, 'v-pojo', { filter: { by: 'key', text: '5' } });
      assert.deepEqual(afresh.entries, first.entries);
      assert.ok(s.stateCache.stats.misses > cached.misses, 'read from the server again after clearing');
    } finally {
      browser.dispose();
    }
  });

  it('reports progress while a slow server sends, and a cancelled read ends at once and says so', async () => {
    const slow = await startPyFtpd(root, [{ name: 'flink', password: 'zoo-secret' }], { throttle: 4096 });
    const s = await services();
    try {
      await setStores([{ id: 'zoo-slow', name: 'Zoo slow', uri: `ftp://flink@127.0.0.1:${slow.port}/` }]);
      await s.stores.setPassword('zoo-slow', 'zoo-secret');
      const browser = s.stateBrowser(vscode.Uri.from({ scheme: 'flink-store', authority: 'zoo-slow', path: metadata }));
      try {
        const posted: ToWebview[] = [];
        const requestId = ++requests;
        const reading = browser.handle(
          {
            type: 'loadEntries',
            requestId,
            operatorId: ZOO_OPERATOR,
            state: 'v-string',
            filter: null,
            after: null,
            limit: 100,
          },
          (m) => posted.push(m),
        );
        const progress = await eventually(
          'a progress report',
          () => posted.find((m) => m.type === 'entriesProgress'),
          60_000,
        );
        assert.equal(progress.type === 'entriesProgress' && progress.requestId, requestId);
        await browser.handle({ type: 'cancelEntries', requestId }, () => undefined);
        await reading;
        const reply = posted.find((m): m is Extract<ToWebview, { type: 'entries' }> => m.type === 'entries');
        assert.ok(reply);
        assert.equal(reply.page.cancelled, true);
        assert.equal(reply.page.error, null);
      } finally {
        browser.dispose();
      }
    } finally {
      await slow.stop();
    }
  });
});
