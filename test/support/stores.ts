import * as assert from 'node:assert/strict';
import { StoreError, isStoreError } from '../../src/core/stores';

/** The StoreError a store call rejects with; fails the test when it resolves or rejects with anything else. */
export async function storeRejection(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isStoreError(error), `expected a StoreError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}
