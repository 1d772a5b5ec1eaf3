import t from 'tap';
import pino from 'pino';
import { buildApi } from '../../src/api/app.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { openDatabase } from '../../src/store/database.js';

/**
 * ajv coerces `1e400` in an integer query parameter to Infinity and then checks nothing else:
 * one guard in app.ts answers every route with its validation error instead of a 500.
 */
t.test('a non-finite number in any query parameter is a bad parameter on every route', async (t) => {
  const db = openDatabase(':memory:');
  const app = await buildApi({ store: sqliteStoreOn(db), publicUrl: 'https://gateway.example.tw', logger: pino({ level: 'silent' }) });
  t.teardown(async () => {
    await app.close();
    db.close();
  });
  const urls = [
    '/api/v1/rest/dataset?limit=1e400',
    '/api/v1/rest/dataset?offset=-1e400',
    '/api/search?limit=1e400',
    '/api/search?offset=1e400',
    '/catalog?page=1e400',
    '/api/v1/rest/group?limit=1e400',
    '/api/v1/rest/tag?offset=1e400',
    '/api/v1/identity/candidates?limit=1e400',
  ];
  for (const url of urls) {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 400, url);
    t.match(res.json(), { success: false, error: { error_type: /^ER0210/ } }, url);
  }
  const ckan = await app.inject({ url: '/api/3/action/package_search?rows=1e400' });
  t.equal(ckan.statusCode, 409, 'the CKAN API answers in its own shape');
  t.match(ckan.json(), { success: false, error: { __type: 'Validation Error' } });
});
