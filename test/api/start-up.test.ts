import t from 'tap';
import pino from 'pino';
import { buildApi } from '../../src/api/app.js';
import type { Store } from '../../src/store/contract/store.js';
import type { SearchQuery } from '../../src/store/search.js';
import { openStore } from '../../src/store/sqlite-store.js';

/**
 * buildApi loads the search columns before the API listens (app.ts loadSearchColumns), so the
 * first request that searches or lists the catalogue does not wait for them.
 */

/** The store with its searches recorded, and failing while `failing` says so. */
function watched(store: Store, failing: () => boolean): { store: Store; searches: SearchQuery[] } {
  const searches: SearchQuery[] = [];
  const searchDatasets: Store['search']['searchDatasets'] = async (query) => {
    searches.push(query);
    if (failing()) throw new Error('the store cannot search now');
    return store.search.searchDatasets(query);
  };
  return { store: { ...store, search: { ...store.search, searchDatasets } }, searches };
}

t.test('the API searches once while it is built, before any request', async (t) => {
  const inner = await openStore(':memory:');
  t.teardown(() => inner.close());
  const { store, searches } = watched(inner, () => false);
  const app = await buildApi({ store, publicUrl: 'http://gateway.test', logger: pino({ level: 'silent' }) });
  t.teardown(() => app.close());
  t.same(searches, [{ limit: 0, offset: 0 }], 'one search for no dataset: what loads the columns');
  const res = await app.inject('/catalog');
  t.equal(res.statusCode, 200);
});

t.test('a store that cannot search at start-up does not stop the API: it is logged, and requests search as before', async (t) => {
  const inner = await openStore(':memory:');
  t.teardown(() => inner.close());
  let failing = true;
  const { store, searches } = watched(inner, () => failing);
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) });
  const app = await buildApi({ store, publicUrl: 'http://gateway.test', logger });
  t.teardown(() => app.close());
  t.equal(searches.length, 1);
  t.match(lines, [{ level: 40, msg: /search columns were not loaded at start-up/ }]);
  failing = false;
  const res = await app.inject('/catalog');
  t.equal(res.statusCode, 200);
  t.equal(searches.length, 3, "the page's search and the catalogue's latest change");
});
