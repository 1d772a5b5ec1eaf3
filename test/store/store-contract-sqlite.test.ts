/** The store contract's suite (test/store/contract) on the embedded SQLite store, in a temp file. */
import t from 'tap';
import { join } from 'node:path';
import { openStore } from '../../src/store/sqlite-store.js';
import { tempDir } from '../helpers/gateway.js';
import { storeContract } from './contract/store-contract.js';

storeContract(t, async (t) => {
  const { dir, cleanup } = tempDir('ogd-contract-');
  const store = await openStore(join(dir, 'contract.db'));
  t.teardown(async () => {
    await store.close().catch(() => undefined);
    cleanup();
  });
  return store;
});
