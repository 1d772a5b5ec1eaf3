import t, { type Test } from 'tap';
import { Validator } from '@seriousme/openapi-schema-validator';
import { pushResolutionScheduler } from '../../src/api/routes/push.js';
import { DEFAULT_RESOLUTION_SCHEDULE } from '../../src/push/resolution-scheduler.js';
import { PUSH_DATASET_ID_BASE } from '../../src/store/push-records.js';
import { PUSH_SOURCE_PRIORITY } from '../../src/store/push-sources.js';
import { syncSources } from '../../src/store/sources.js';
import { json, PUBLIC_URL, startPushGateway, validGen2Record, validRecord, type PushGateway } from './push-harness.js';

interface Ok<T> {
  success: true;
  result: T;
}
interface FeedEvent {
  identifier: string;
  kind: 'created' | 'updated' | 'withdrawn';
  record?: Record<string, unknown>;
}
interface FeedPage {
  changes: FeedEvent[];
  nextCursor: string;
  more: boolean;
}

/** Every event of a feed walk from `since` (absent: from the beginning), and the cursor to go on from. */
async function walkFeed(gateway: PushGateway, since?: string): Promise<{ events: FeedEvent[]; cursor: string }> {
  const events: FeedEvent[] = [];
  let cursor = since;
  for (;;) {
    const res = await gateway.request('GET', `/api/changes?limit=1000${cursor === undefined ? '' : `&since=${encodeURIComponent(cursor)}`}`);
    const page = (await json<Ok<FeedPage>>(res)).result;
    events.push(...page.changes);
    cursor = page.nextCursor;
    if (!page.more) return { events, cursor };
  }
}

async function searchIdentifiers(gateway: PushGateway, q: string): Promise<string[]> {
  const res = await gateway.request('GET', `/api/search?q=${encodeURIComponent(q)}&facets=false`);
  return (await json<Ok<{ results: Array<{ identifier: string }> }>>(res)).result.results.map((r) => r.identifier);
}

async function catalogueText(gateway: PushGateway): Promise<string> {
  return (await gateway.request('GET', '/catalog?pageSize=1000')).text();
}

async function assertServed(t: Test, gateway: PushGateway, identifier: string, datasetId: string, title: string): Promise<void> {
  const v1 = await gateway.request('GET', `/api/v1/rest/dataset/${identifier}`);
  t.equal(v1.status, 200, `${identifier}: v1 record served`);
  t.equal((await json<Ok<{ title: string }>>(v1)).result.title, title, 'v1 title');
  const v2 = await gateway.request('GET', `/api/v2/rest/dataset/${datasetId}`);
  t.equal(v2.status, 200, `${identifier}: v2 record served by the gateway's datasetId`);
  const v2Body = (await json<Ok<{ title: string; datasetId: number; identifier: string }>>(v2)).result;
  t.same([v2Body.identifier, v2Body.datasetId, v2Body.title], [identifier, Number(datasetId), title], 'v2 names the dataset and its datasetId');
  t.ok((await catalogueText(gateway)).includes(`/dataset/${identifier}`), `${identifier}: listed in /catalog`);
  t.ok((await searchIdentifiers(gateway, title)).includes(identifier), `${identifier}: found by /api/search`);
}

async function assertGone(t: Test, gateway: PushGateway, identifier: string, datasetId: string, title: string): Promise<void> {
  t.equal((await gateway.request('GET', `/api/v1/rest/dataset/${identifier}`)).status, 410, `${identifier}: v1 answers 410`);
  t.equal((await gateway.request('GET', `/api/v2/rest/dataset/${datasetId}`)).status, 410, `${identifier}: v2 answers 410`);
  t.notOk((await catalogueText(gateway)).includes(`/dataset/${identifier}`), `${identifier}: no longer in /catalog`);
  t.notOk((await searchIdentifiers(gateway, title)).includes(identifier), `${identifier}: no longer found by search`);
}

t.test('v1: create, update, delete and create again round-trip through the read API and the change feed', async (t) => {
  const gateway = await startPushGateway(t);
  const key = await gateway.issue();
  const identifier = 'A41000000G-000001';
  const start = await walkFeed(gateway);
  t.same(start.events, [], 'an empty catalogue');

  const created = await gateway.request('POST', '/api/v1/rest/dataset', { key, body: validRecord(identifier, { title: '推送的公報' }) });
  t.equal(created.status, 201);
  t.equal(created.headers.get('location'), `${PUBLIC_URL}/api/v1/rest/dataset/${identifier}`);
  t.equal(created.headers.get('cache-control'), 'no-store', 'a write answer is never cached');
  t.equal(created.headers.get('access-control-allow-origin'), null, 'a write answer is not CORS-open');
  const createdBody = await json<Ok<{ identifier: string; datasetId: string; warnings?: unknown }>>(created);
  t.same(
    createdBody,
    { success: true, result: { identifier, datasetId: String(PUSH_DATASET_ID_BASE + 1) } },
    "the spec's success body with the gateway's datasetId",
  );
  const datasetId = createdBody.result.datasetId;

  await gateway.settled();
  await assertServed(t, gateway, identifier, datasetId, '推送的公報');
  const afterCreate = await walkFeed(gateway, start.cursor);
  t.match(
    afterCreate.events,
    [{ identifier, kind: 'created', record: { identifier, title: '推送的公報' } }],
    'the feed reports the creation with the served record',
  );
  const v1Record = (await json<Ok<Record<string, unknown>>>(await gateway.request('GET', `/api/v1/rest/dataset/${identifier}`))).result;
  t.same(afterCreate.events[0]!.record, v1Record, 'the feed record is the v1 record');

  const updated = await gateway.request('PUT', `/api/v1/rest/dataset/${identifier}`, {
    key,
    body: validRecord(identifier, { title: '推送的公報（修訂）', modified: '2026-03-02 10:00:00' }),
  });
  t.equal(updated.status, 200);
  t.same(await json(updated), { success: true, result: { identifier, datasetId } });
  await gateway.settled();
  await assertServed(t, gateway, identifier, datasetId, '推送的公報（修訂）');
  const afterUpdate = await walkFeed(gateway, afterCreate.cursor);
  t.match(afterUpdate.events, [{ identifier, kind: 'updated', record: { title: '推送的公報（修訂）' } }], 'the feed reports the update');

  const deleted = await gateway.request('DELETE', `/api/v1/rest/dataset/${identifier}`, { key });
  t.equal(deleted.status, 200);
  t.same(await json(deleted), { success: true, result: { identifier, datasetId } });
  await gateway.settled();
  await assertGone(t, gateway, identifier, datasetId, '推送的公報（修訂）');
  const afterDelete = await walkFeed(gateway, afterUpdate.cursor);
  t.same(
    afterDelete.events.map((e) => [e.identifier, e.kind, e.record]),
    [[identifier, 'withdrawn', undefined]],
    'the feed reports the withdrawal, without a record',
  );

  const again = await gateway.request('POST', '/api/v1/rest/dataset', {
    key,
    body: validRecord(identifier, { title: '推送的公報（重新上架）', modified: '2026-03-03 10:00:00' }),
  });
  t.equal(again.status, 201, 'a deleted dataset may be created again');
  t.equal((await json<Ok<{ datasetId: string }>>(again)).result.datasetId, datasetId, 'under the datasetId it had');
  await gateway.settled();
  await assertServed(t, gateway, identifier, datasetId, '推送的公報（重新上架）');
  t.match((await walkFeed(gateway, afterDelete.cursor)).events, [{ identifier, kind: 'created' }], 'brought back: created again for a client that deleted it');

  const fromScratch = await walkFeed(gateway);
  t.match(
    fromScratch.events,
    [{ identifier, kind: 'created', record: { title: '推送的公報（重新上架）' } }],
    'a client starting now gets the dataset once, as it is',
  );
});

t.test('v2: create (datasetId assigned), update and take down by datasetId', async (t) => {
  const gateway = await startPushGateway(t);
  const key = await gateway.issue();
  const identifier = 'A41000000G-000002';
  const created = await gateway.request('POST', '/api/v2/rest/dataset', {
    key,
    body: validGen2Record(identifier, { title: '政府資料開放平臺資料集清單', datasetId: '6564' }),
  });
  t.equal(created.status, 201);
  const { result } = await json<Ok<{ identifier: string; datasetId: string; warnings: Array<{ field: string; message: string }> }>>(created);
  t.match(
    result.warnings,
    [{ field: 'publisherOrgCode' }, { field: 'type', message: /gen-2 has no key/ }, { field: 'organization' }],
    'what gen-2 cannot carry is accepted and reported back as warnings',
  );
  t.same(
    [result.identifier, result.datasetId],
    [identifier, String(PUSH_DATASET_ID_BASE + 1)],
    "a datasetId in the body is ignored: the gateway's is assigned",
  );
  t.equal(created.headers.get('location'), `${PUBLIC_URL}/api/v2/rest/dataset/${result.datasetId}`);
  await gateway.settled();
  await assertServed(t, gateway, identifier, result.datasetId, '政府資料開放平臺資料集清單');
  t.equal((await gateway.request('GET', '/api/v2/rest/dataset/6564')).status, 404, 'the body’s datasetId names nothing');
  const v2 = (await json<Ok<Record<string, unknown>>>(await gateway.request('GET', `/api/v2/rest/dataset/${result.datasetId}`))).result;
  t.match(
    v2,
    { categoryTheme: '001', categoryService: 'I00', license: '1', cost: 'free', updateFrequency: '每日', publisher: '國家發展委員會' },
    'the gen-2 record reads back in its own keys',
  );

  const updated = await gateway.request('PUT', `/api/v2/rest/dataset/${result.datasetId}`, {
    key,
    body: validGen2Record(identifier, { title: '資料集清單（v2 修訂）', modifiedDate: '2026-03-05 09:00:00', datasetId: Number(result.datasetId) }),
  });
  t.equal(updated.status, 200);
  t.match(await json(updated), { success: true, result: { datasetId: result.datasetId } }, "the spec's v2 PUT answer");
  await gateway.settled();
  await assertServed(t, gateway, identifier, result.datasetId, '資料集清單（v2 修訂）');

  const scheduler = pushResolutionScheduler(gateway.api)!;
  const resolutionsBefore = scheduler.resolutions;
  const sameAgain = await gateway.request('PUT', `/api/v2/rest/dataset/${result.datasetId}`, {
    key,
    body: validGen2Record(identifier, { title: '資料集清單（v2 修訂）', modifiedDate: '2026-03-05 09:00:00', datasetId: Number(result.datasetId) }),
  });
  t.equal(sameAgain.status, 200, 'the same PUT replayed is answered as done');
  await gateway.settled();
  t.equal(scheduler.resolutions, resolutionsBefore, 'and changes nothing: no resolution');

  const down = await gateway.request('DELETE', `/api/v2/rest/dataset/${result.datasetId}`, { key });
  t.equal(down.status, 200);
  t.same(await json(down), { success: true, result: { datasetId: result.datasetId } });
  await gateway.settled();
  await assertGone(t, gateway, identifier, result.datasetId, '資料集清單（v2 修訂）');
});

t.test('v1 and v2 address one store: a dataset created by v1 is updated by v2 and read in both', async (t) => {
  const gateway = await startPushGateway(t);
  const key = await gateway.issue();
  const identifier = 'A41000000G-000003';
  const created = await json<Ok<{ datasetId: string }>>(await gateway.request('POST', '/api/v1/rest/dataset', { key, body: validRecord(identifier) }));
  const put = await gateway.request('PUT', `/api/v2/rest/dataset/${created.result.datasetId}`, {
    key,
    body: validGen2Record(identifier, { title: 'v2 改寫', modifiedDate: '2026-04-01 00:00:00' }),
  });
  t.equal(put.status, 200);
  await gateway.settled();
  await assertServed(t, gateway, identifier, created.result.datasetId, 'v2 改寫');
});

t.test('a pushed record takes part in identity resolution: one dataset with the harvested copy, its fields first', async (t) => {
  const identifier = 'A41000000G-000010';
  const harvestedCopy = validRecord(identifier, {
    title: '平臺轉載的標題',
    description: '轉載平臺的描述。',
    landingPage: 'https://portal.example.tw/dataset/10',
    modified: '2026-02-01 00:00:00',
  });
  const gateway = await startPushGateway(t, { harvested: [harvestedCopy] });
  const start = await walkFeed(gateway);
  t.match(start.events, [{ identifier, kind: 'created', record: { title: '平臺轉載的標題' } }], 'the harvested copy is served first');

  const key = await gateway.issue();
  const pushed = await gateway.request('POST', '/api/v1/rest/dataset', {
    key,
    body: validRecord(identifier, { title: '機關推送的標題', modified: '2026-03-01 00:00:00' }),
  });
  t.equal(pushed.status, 201, "a dataset another source lists can be pushed by its publisher (a create for the publisher's push source)");
  const { datasetId } = (await json<Ok<{ datasetId: string }>>(pushed)).result;
  await gateway.settled();

  const explained = await json<{ state: string; members: Array<{ sourceId: string; priority: number }>; fields: Record<string, { sourceId: string }> }>(
    await gateway.request('GET', `/api/v1/identity/dataset/${identifier}`),
  );
  t.same(
    explained.members.map((m) => [m.sourceId, m.priority]).sort(),
    [
      ['fixture', 0],
      ['push:A41000000G', PUSH_SOURCE_PRIORITY],
    ],
    'one dataset, two members',
  );
  t.equal(explained.fields['title']?.sourceId, 'push:A41000000G', "the publisher's own title wins");
  t.equal(explained.fields['landingPage']?.sourceId, 'fixture', 'a field only the harvested copy has still comes from it');
  await assertServed(t, gateway, identifier, datasetId, '機關推送的標題');
  t.match(
    (await walkFeed(gateway, start.cursor)).events,
    [{ identifier, kind: 'updated', record: { title: '機關推送的標題' } }],
    'the feed reports the dataset updated, not a second one created',
  );

  // syncSources (every CLI verb and serve at start-up) leaves the push source alone.
  syncSources(gateway.db, []);
  t.same(gateway.db.prepare("SELECT id, type, priority FROM sources WHERE id = 'push:A41000000G'").get(), {
    id: 'push:A41000000G',
    type: 'push',
    priority: PUSH_SOURCE_PRIORITY,
  });

  const deleted = await gateway.request('DELETE', `/api/v1/rest/dataset/${identifier}`, { key });
  t.equal(deleted.status, 200);
  await gateway.settled();
  const after = await json<Ok<{ title: string }>>(await gateway.request('GET', `/api/v1/rest/dataset/${identifier}`));
  t.equal(after.result.title, '平臺轉載的標題', 'the pushed record withdrawn, the harvested copy speaks for the dataset again');
});

t.test('a gateway datasetId is never one a stored record claims', async (t) => {
  const claimed = String(PUSH_DATASET_ID_BASE + 1);
  const gateway = await startPushGateway(t, { harvested: [validRecord('313000000G-000001', { title: '已有此編號' })] });
  // A harvested gen-2 record claiming the first id the gateway would assign.
  gateway.db
    .prepare("INSERT INTO record_keys (kind, value, source_id, native_id) VALUES ('datasetId', ?, 'fixture', '313000000G-000001')")
    .run(`data.gov.tw/${claimed}`);
  const key = await gateway.issue();
  const created = await json<Ok<{ datasetId: string }>>(await gateway.request('POST', '/api/v1/rest/dataset', { key, body: validRecord('A41000000G-000020') }));
  t.equal(created.result.datasetId, String(PUSH_DATASET_ID_BASE + 2), 'the claimed id is skipped');
});

t.test('pushes in a burst are resolved together, and every one is readable after', async (t) => {
  // The gateway's own schedule: its gap after a resolution is what coalesces the burst.
  const gateway = await startPushGateway(t, { resolution: DEFAULT_RESOLUTION_SCHEDULE });
  const key = await gateway.issue();
  const scheduler = pushResolutionScheduler(gateway.api)!;
  const count = 12;
  const answers = await Promise.all(
    Array.from({ length: count }, (_, n) =>
      gateway.request('POST', '/api/v1/rest/dataset', { key, body: validRecord(`A41000000G-1000${String(n).padStart(2, '0')}`) }),
    ),
  );
  t.same(
    answers.map((r) => r.status),
    Array<number>(count).fill(201),
  );
  await gateway.settled();
  t.ok(scheduler.resolutions >= 1 && scheduler.resolutions <= 3, `${count} pushes, ${scheduler.resolutions} resolutions`);
  const list = await json<Ok<string[]>>(await gateway.request('GET', '/api/v1/rest/dataset'));
  t.equal(list.result.length, count, 'every pushed dataset is served');
});

t.test('preflight: reads of the shared paths stay CORS-open, writes are not', async (t) => {
  const gateway = await startPushGateway(t);
  for (const [path, method] of [
    ['/api/v1/rest/dataset', 'POST'],
    ['/api/v1/rest/dataset/A41000000G-000001', 'PUT'],
    ['/api/v1/rest/dataset/A41000000G-000001', 'DELETE'],
    ['/api/v2/rest/dataset', 'POST'],
    ['/api/v2/rest/dataset/9000000001', 'PUT'],
    ['/api/v2/rest/dataset/9000000001', 'DELETE'],
  ] as const) {
    const res = await gateway.request('OPTIONS', path, {
      headers: {
        origin: 'https://elsewhere.example',
        'access-control-request-method': method,
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    t.equal(res.headers.get('access-control-allow-origin'), null, `${method} ${path}: no CORS grant`);
    t.equal(res.headers.get('access-control-allow-methods'), null);
  }
  const read = await gateway.request('OPTIONS', '/api/v1/rest/dataset/A41000000G-000001', {
    headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'if-none-match' },
  });
  t.equal(read.status, 204);
  t.equal(read.headers.get('access-control-allow-origin'), '*', 'a read preflight is granted as before');
  t.equal(read.headers.get('access-control-allow-methods'), 'GET, HEAD');
  t.equal(read.headers.get('access-control-allow-headers'), 'if-none-match');
  const get = await gateway.request('GET', '/api/v1/rest/dataset', { headers: { origin: 'https://elsewhere.example' } });
  t.equal(get.headers.get('access-control-allow-origin'), '*', 'the read routes themselves are still CORS-open');
});

t.test('/openapi.json documents the write routes with the API-key security scheme and stays valid', async (t) => {
  const gateway = await startPushGateway(t);
  const doc = await json<{
    components: { securitySchemes?: Record<string, { type: string; in: string; name: string }> };
    paths: Record<string, Record<string, { security?: unknown; operationId?: string; requestBody?: unknown; responses: Record<string, unknown> }>>;
  }>(await gateway.request('GET', '/openapi.json'));
  const result = await new Validator().validate(doc as never);
  t.ok(result.valid, JSON.stringify(result.errors));
  t.match(doc.components.securitySchemes, { pushApiKey: { type: 'apiKey', in: 'header', name: 'Authorization' } });
  const operations = [
    ['/api/v1/rest/dataset', 'post', ['201', '400', '401', '403', '409', '413', '415', '429']],
    ['/api/v1/rest/dataset/{identifier}', 'put', ['200', '400', '401', '403', '404', '409', '413']],
    ['/api/v1/rest/dataset/{identifier}', 'delete', ['200', '401', '403', '404']],
    ['/api/v2/rest/dataset', 'post', ['201', '400', '401', '403', '409', '413']],
    ['/api/v2/rest/dataset/{datasetId}', 'put', ['200', '400', '401', '403', '404', '409', '413']],
    ['/api/v2/rest/dataset/{datasetId}', 'delete', ['200', '401', '403', '404']],
  ] as const;
  for (const [path, method, statuses] of operations) {
    const operation = doc.paths[path]?.[method];
    t.ok(operation, `${method.toUpperCase()} ${path} is described`);
    t.same(operation?.security, [{ pushApiKey: [] }], `${method.toUpperCase()} ${path} needs the key`);
    for (const status of statuses) t.ok(operation?.responses[status], `${method.toUpperCase()} ${path} documents ${status}`);
  }
  t.match(
    doc.paths['/api/v1/rest/dataset']?.['post']?.requestBody,
    { content: { 'application/json': { schema: { properties: { categoryCode: {}, distribution: {} } } } } },
    'the v1 body is the gen-1 record',
  );
  t.match(
    doc.paths['/api/v2/rest/dataset']?.['post']?.requestBody,
    { content: { 'application/json': { schema: { properties: { categoryService: {}, categoryTheme: {} } } } } },
    'the v2 body is the gen-2 record',
  );
  t.notOk(doc.paths['/api/v1/rest/dataset']?.['get']?.security, 'the read side needs no key');
});
