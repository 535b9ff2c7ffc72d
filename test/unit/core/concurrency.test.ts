import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { abortSignalOf, mapLimit } from '../../../src/core/concurrency';

describe('mapLimit', () => {
  it('keeps the order of the items and never more than the limit in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapLimit([50, 10, 30, 0, 20, 5], 2, async (ms, i) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight--;
      return `${i}:${ms}`;
    });
    assert.deepEqual(out, ['0:50', '1:10', '2:30', '3:0', '4:20', '5:5']);
    assert.equal(most, 2);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    await assert.rejects(
      mapLimit([1, 2, 3, 4, 5], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error('two');
        return n;
      }),
      /two/,
    );
    assert.deepEqual(started, [1, 2]);
    assert.deepEqual(await mapLimit([], 4, async () => 1), []);
  });
});

describe('abortSignalOf', () => {
  it('aborts when the token is cancelled, or at once when it already was', () => {
    const listeners: (() => unknown)[] = [];
    const token = {
      isCancellationRequested: false,
      onCancellationRequested: (l: () => unknown) => (listeners.push(l), { dispose: () => undefined }),
    };
    const signal = abortSignalOf(token);
    assert.equal(signal.aborted, false);
    listeners.forEach((l) => l());
    assert.equal(signal.aborted, true);
    assert.equal(abortSignalOf({ ...token, isCancellationRequested: true }).aborted, true);
  });
});
