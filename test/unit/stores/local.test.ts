import * as fs from 'node:fs';
import { after, before, describe } from 'node:test';
import { CheckpointStore, openStore } from '../../../src/core/stores';
import { buildCheckpointTree } from './support/checkpointTree';
import { storeContract } from './support/contract';

describe('LocalStore', () => {
  let tree = '';
  let store: CheckpointStore;
  before(() => {
    tree = buildCheckpointTree();
    store = openStore(tree);
  });
  after(() => fs.rmSync(tree, { recursive: true, force: true }));
  storeContract(
    () => store,
    () => tree,
  );
});
