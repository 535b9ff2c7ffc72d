import * as fs from 'node:fs';
import { after, before, describe } from 'node:test';
import { CheckpointStore, openStore } from '../../../src/core/stores';
import { SKIP_NO_FIXTURES, buildCheckpointTree, sharedFixturesDir } from './support/checkpointTree';
import { storeContract } from './support/contract';

const fixtures = sharedFixturesDir();

describe('LocalStore', { skip: fixtures ? false : SKIP_NO_FIXTURES }, () => {
  let tree = '';
  let store: CheckpointStore;
  before(() => {
    tree = buildCheckpointTree(fixtures!);
    store = openStore(tree);
  });
  after(() => fs.rmSync(tree, { recursive: true, force: true }));
  storeContract(() => store, () => tree);
});
