import t, { type Test } from 'tap';
import { PUSH_DATASET_ID_BASE } from '../../src/store/push-records.js';
import { revokeApiKey } from '../../src/store/api-keys.js';
import { apiKeyId } from '../../src/push/api-key-secret.js';
import { json, startPushGateway, validGen2Record, validRecord, type PushGateway, type SpecErrorBody } from './push-harness.js';

interface Refusal {
  status: number;
  code: RegExp;
  field?: string;
  message?: RegExp;
}

/**
 * A call refused with this status, code and field, in the spec's error shape, never cached, and
 * with nothing stored changed: every row of every table, and the catalogue export, as before.
 */
async function assertRefused(
  t: Test,
  gateway: PushGateway,
  label: string,
  call: () => Promise<Response>,
  expected: Refusal,
): Promise<SpecErrorBody | undefined> {
  // What accepted pushes before it stored is resolved first: the comparison is of this call alone.
  await gateway.settled();
  const before = gateway.snapshot();
  const exportBefore = await (await gateway.request('GET', '/export/catalog.csv')).text();
  const res = await call();
  const text = await res.text();
  t.equal(res.status, expected.status, `${label}: status ${expected.status}`);
  t.equal(res.headers.get('cache-control'), 'no-store', `${label}: not cached`);
  t.equal(res.headers.get('access-control-allow-origin'), null, `${label}: not CORS-open`);
  let body: SpecErrorBody | undefined;
  try {
    body = JSON.parse(text) as SpecErrorBody;
  } catch {
    t.fail(`${label}: the answer is JSON: ${text.slice(0, 200)}`);
  }
  if (body !== undefined) {
    t.equal(body.success, false, `${label}: success false`);
    t.match(body.error.error_type, expected.code, `${label}: ${String(expected.code)}`);
    t.type(body.error.message, 'string');
    if (expected.field !== undefined) t.equal(body.error.field, expected.field, `${label}: names the field ${expected.field}`);
    if (expected.message !== undefined) t.match(body.error.message, expected.message, `${label}: message`);
  }
  await gateway.settled();
  t.same(gateway.snapshot(), before, `${label}: nothing stored changed`);
  t.equal(await (await gateway.request('GET', '/export/catalog.csv')).text(), exportBefore, `${label}: the export is the same`);
  return body;
}

interface Seeded {
  gateway: PushGateway;
  key: string;
  otherKey: string;
  revokedKey: string;
  fencedKey: string;
  /** A41000000G-000001, pushed by `key` (v1): datasetId 9000000001. */
  live: { identifier: string; datasetId: string };
  /** 313000000G-000001, pushed by `otherKey`: datasetId 9000000002. */
  others: { identifier: string; datasetId: string };
  /** A41000000G-000002, pushed and deleted: datasetId 9000000003. */
  deleted: { identifier: string; datasetId: string };
}

async function seeded(t: Test): Promise<Seeded> {
  const gateway = await startPushGateway(t);
  const key = await gateway.issue();
  const otherKey = await gateway.issue({ publisher: '臺北市政府', orgCode: '313000000G' });
  const revokedKey = await gateway.issue();
  revokeApiKey(gateway.db, apiKeyId(revokedKey)!);
  const fencedKey = await gateway.issue({ allow: ['10.0.0.0/8', '2001:db8::/32'] });
  const post = async (body: Record<string, unknown>, as = key): Promise<string> => {
    const res = await gateway.request('POST', '/api/v1/rest/dataset', { key: as, body });
    t.equal(res.status, 201, `seed ${String(body['identifier'])}`);
    return (await json<{ result: { datasetId: string } }>(res)).result.datasetId;
  };
  const live = { identifier: 'A41000000G-000001', datasetId: await post(validRecord('A41000000G-000001')) };
  const others = { identifier: '313000000G-000001', datasetId: await post(validRecord('313000000G-000001', { publisher: '臺北市政府' }), otherKey) };
  const deleted = { identifier: 'A41000000G-000002', datasetId: await post(validRecord('A41000000G-000002')) };
  t.equal((await gateway.request('DELETE', `/api/v1/rest/dataset/${deleted.identifier}`, { key })).status, 200);
  await gateway.settled();
  t.same(
    [live.datasetId, others.datasetId, deleted.datasetId],
    [1, 2, 3].map((n) => String(PUSH_DATASET_ID_BASE + n)),
  );
  return { gateway, key, otherKey, revokedKey, fencedKey, live, others, deleted };
}

t.test('401: no key, a malformed, unknown, wrong or revoked key', async (t) => {
  const { gateway, key, revokedKey, live } = await seeded(t);
  const body = validRecord('A41000000G-000050');
  const wrongSecret = `${key.slice(0, key.lastIndexOf('.') + 1)}${'A'.repeat(43)}`;
  const cases: Array<[string, Record<string, string>]> = [
    ['no Authorization header', {}],
    ['an empty Authorization header', { authorization: ' ' }],
    ['not a key', { authorization: 'not-a-key' }],
    ['an unknown key id', { authorization: `ogd.000000000000.${'A'.repeat(43)}` }],
    ['the right id with a wrong secret', { authorization: wrongSecret }],
    ['a revoked key', { authorization: revokedKey }],
    ['a key in Basic form', { authorization: `Basic ${Buffer.from(key).toString('base64')}` }],
  ];
  for (const [label, headers] of cases) {
    await assertRefused(t, gateway, `POST with ${label}`, () => gateway.request('POST', '/api/v1/rest/dataset', { body, headers }), {
      status: 401,
      code: /^ER0001:/,
    });
  }
  const revoked = await assertRefused(
    t,
    gateway,
    'DELETE with a revoked key',
    () => gateway.request('DELETE', `/api/v1/rest/dataset/${live.identifier}`, { key: revokedKey }),
    {
      status: 401,
      code: /^ER0001:/,
      message: /revoked/,
    },
  );
  t.ok(revoked);
  const res = await gateway.request('PUT', `/api/v1/rest/dataset/${live.identifier}`, { body: validRecord(live.identifier) });
  t.match(res.headers.get('www-authenticate'), /^ApiKey /, '401 says how to authenticate');
  t.equal((await gateway.request('GET', `/api/v1/rest/dataset/${live.identifier}`)).status, 200, 'the dataset is still served');
});

t.test('403: another publisher’s dataset, or an address the key is not registered for', async (t) => {
  const { gateway, key, fencedKey, others } = await seeded(t);
  await assertRefused(
    t,
    gateway,
    'POST of another org code’s identifier',
    () => gateway.request('POST', '/api/v1/rest/dataset', { key, body: validRecord('313000000G-000009') }),
    {
      status: 403,
      code: /^ER000102:/,
      field: 'identifier',
    },
  );
  await assertRefused(
    t,
    gateway,
    'POST claiming another publisherOrgCode',
    () => gateway.request('POST', '/api/v1/rest/dataset', { key, body: validRecord('A41000000G-000009', { publisherOrgCode: '313000000G' }) }),
    { status: 403, code: /^ER000102:/, field: 'publisherOrgCode' },
  );
  await assertRefused(
    t,
    gateway,
    'v2 POST of another org code’s identifier',
    () => gateway.request('POST', '/api/v2/rest/dataset', { key, body: validGen2Record('313000000G-000009') }),
    { status: 403, code: /^ER000102:/, field: 'identifier' },
  );
  await assertRefused(
    t,
    gateway,
    'PUT of another publisher’s dataset',
    () => gateway.request('PUT', `/api/v1/rest/dataset/${others.identifier}`, { key, body: validRecord(others.identifier) }),
    {
      status: 403,
      code: /^ER000102:/,
    },
  );
  await assertRefused(
    t,
    gateway,
    'DELETE of another publisher’s dataset',
    () => gateway.request('DELETE', `/api/v1/rest/dataset/${others.identifier}`, { key }),
    { status: 403, code: /^ER000102:/ },
  );
  await assertRefused(
    t,
    gateway,
    'v2 PUT of another publisher’s datasetId',
    () => gateway.request('PUT', `/api/v2/rest/dataset/${others.datasetId}`, { key, body: validGen2Record('A41000000G-000001') }),
    { status: 403, code: /^ER000102:/ },
  );
  await assertRefused(
    t,
    gateway,
    'v2 DELETE of another publisher’s datasetId',
    () => gateway.request('DELETE', `/api/v2/rest/dataset/${others.datasetId}`, { key }),
    {
      status: 403,
      code: /^ER000102:/,
    },
  );
  await assertRefused(
    t,
    gateway,
    'a key registered for 10.0.0.0/8 used from 127.0.0.1',
    () => gateway.request('POST', '/api/v1/rest/dataset', { key: fencedKey, body: validRecord('A41000000G-000009') }),
    { status: 403, code: /^ER000101:/, message: /127\.0\.0\.1/ },
  );
  await assertRefused(
    t,
    gateway,
    'X-Forwarded-For is not believed when trustProxy is off',
    () =>
      gateway.request('POST', '/api/v1/rest/dataset', { key: fencedKey, body: validRecord('A41000000G-000009'), headers: { 'x-forwarded-for': '10.1.2.3' } }),
    { status: 403, code: /^ER000101:/ },
  );
});

t.test('behind a trusted proxy, the client address (IPv4 or IPv6) is checked against the key’s ranges', async (t) => {
  const gateway = await startPushGateway(t, { http: { trustProxy: ['127.0.0.1'] } });
  const fenced = await gateway.issue({ allow: ['203.0.113.0/24', '2001:db8::/32'] });
  const ok4 = await gateway.request('POST', '/api/v1/rest/dataset', {
    key: fenced,
    body: validRecord('A41000000G-000001'),
    headers: { 'x-forwarded-for': '203.0.113.7' },
  });
  t.equal(ok4.status, 201, 'an IPv4 client inside the range');
  const ok6 = await gateway.request('POST', '/api/v1/rest/dataset', {
    key: fenced,
    body: validRecord('A41000000G-000002'),
    headers: { 'x-forwarded-for': '2001:db8::5' },
  });
  t.equal(ok6.status, 201, 'an IPv6 client inside the range');
  await assertRefused(
    t,
    gateway,
    'an IPv6 client outside the ranges',
    () =>
      gateway.request('POST', '/api/v1/rest/dataset', { key: fenced, body: validRecord('A41000000G-000003'), headers: { 'x-forwarded-for': '2001:db9::5' } }),
    { status: 403, code: /^ER000101:/, message: /2001:db9::5/ },
  );
  await assertRefused(
    t,
    gateway,
    'an IPv4 client outside the ranges',
    () =>
      gateway.request('POST', '/api/v1/rest/dataset', { key: fenced, body: validRecord('A41000000G-000003'), headers: { 'x-forwarded-for': '198.51.100.1' } }),
    { status: 403, code: /^ER000101:/ },
  );
  const bearer = await gateway.request('PUT', '/api/v1/rest/dataset/A41000000G-000001', {
    body: validRecord('A41000000G-000001', { modified: '2026-03-02 00:00:00' }),
    headers: { authorization: `Bearer ${fenced}`, 'x-forwarded-for': '203.0.113.8' },
  });
  t.equal(bearer.status, 200, '`Bearer <key>` is accepted as well as the raw key');
});

t.test('400: a body that is not a record, or a record that breaks the national standard', async (t) => {
  const { gateway, key, live } = await seeded(t);
  const post = (body: unknown) => () => gateway.request('POST', '/api/v1/rest/dataset', { key, body });
  const postV2 = (body: unknown) => () => gateway.request('POST', '/api/v2/rest/dataset', { key, body });
  const fresh = 'A41000000G-000100';

  await assertRefused(
    t,
    gateway,
    'malformed JSON',
    () => gateway.request('POST', '/api/v1/rest/dataset', { key, rawBody: '{"identifier": ', headers: { 'content-type': 'application/json' } }),
    {
      status: 400,
      code: /^ER0210:/,
    },
  );
  await assertRefused(t, gateway, 'a JSON array', post([validRecord(fresh)]), { status: 400, code: /^ER0210:/ });
  await assertRefused(
    t,
    gateway,
    'JSON null',
    () => gateway.request('POST', '/api/v1/rest/dataset', { key, rawBody: 'null', headers: { 'content-type': 'application/json' } }),
    {
      status: 400,
      code: /^ER0210:/,
    },
  );
  await assertRefused(
    t,
    gateway,
    'a text/plain body',
    () => gateway.request('POST', '/api/v1/rest/dataset', { key, rawBody: JSON.stringify(validRecord(fresh)), headers: { 'content-type': 'text/plain' } }),
    {
      status: 400,
      code: /^ER0210:/,
    },
  );
  await assertRefused(t, gateway, 'no identifier', post(validRecord(fresh, { identifier: undefined })), { status: 400, code: /^ER0030:/, field: 'identifier' });
  await assertRefused(t, gateway, 'an identifier not in 機關代碼-流水號 form', post(validRecord('A41000000G-1')), {
    status: 400,
    code: /^ER0030:/,
    field: 'identifier',
  });
  await assertRefused(t, gateway, 'an unknown categoryCode', post(validRecord(fresh, { categoryCode: 'Z99' })), {
    status: 400,
    code: /^ER0031:/,
    field: 'categoryCode',
  });
  await assertRefused(
    t,
    gateway,
    'a bad category and a missing description: the spec’s code first',
    post(validRecord(fresh, { categoryCode: 'Z99', description: undefined })),
    {
      status: 400,
      code: /^ER0031:/,
      field: 'categoryCode',
      message: /also to fix: description/,
    },
  );
  await assertRefused(t, gateway, 'no description', post(validRecord(fresh, { description: undefined })), {
    status: 400,
    code: /^ER0030:/,
    field: 'description',
  });
  await assertRefused(t, gateway, 'an unknown cost', post(validRecord(fresh, { cost: '看情況' })), { status: 400, code: /^ER0030:/, field: 'cost' });
  await assertRefused(t, gateway, 'an unreadable modified', post(validRecord(fresh, { modified: 'yesterday' })), {
    status: 400,
    code: /^ER0030:/,
    field: 'modified',
  });
  await assertRefused(
    t,
    gateway,
    'a download URL with a space',
    post(
      validRecord(fresh, {
        distribution: [{ resourceID: `${fresh}-001`, resourceDescription: 'CSV', format: 'CSV', downloadURL: 'http://example.gov.tw/a b.csv' }],
      }),
    ),
    { status: 400, code: /^ER0030:/, field: 'distribution[0].downloadURL' },
  );
  await assertRefused(
    t,
    gateway,
    'too many distributions',
    post(
      validRecord(fresh, {
        distribution: Array.from({ length: 10_001 }, (_, n) => ({
          resourceID: `${fresh}-${n}`,
          resourceDescription: 'd',
          format: 'CSV',
          downloadURL: `https://e.gov.tw/${n}`,
        })),
      }),
    ),
    { status: 400, code: /^ER0030:/, field: 'distribution' },
  );

  await assertRefused(t, gateway, 'v2: an unknown categoryService', postV2(validGen2Record(fresh, { categoryService: 'Z99' })), {
    status: 400,
    code: /^ER0031:/,
    field: 'categoryService',
  });
  await assertRefused(t, gateway, 'v2: a malformed categoryTheme', postV2(validGen2Record(fresh, { categoryTheme: 'abc' })), {
    status: 400,
    code: /^ER0032:/,
    field: 'categoryTheme',
  });
  await assertRefused(
    t,
    gateway,
    'v2: a resource download URL with a space, named in gen-2 keys',
    postV2(
      validGen2Record(fresh, {
        distribution: [
          { resourceDescription: 'CSV', resourceField: '年度(year)', resourceFormat: 'CSV', resourceDownloadUrl: 'http://example.gov.tw/a b.csv' },
        ],
      }),
    ),
    { status: 400, code: /^ER0030:/, field: 'distribution[0].resourceDownloadUrl' },
  );
  await assertRefused(t, gateway, 'v2: no publisher (a bare OID)', postV2(validGen2Record(fresh, { publisherOID: '2.16.886.101.20003.20069' })), {
    status: 400,
    code: /^ER0030:/,
    field: 'publisher',
  });

  await assertRefused(
    t,
    gateway,
    'PUT whose body names another identifier',
    () =>
      gateway.request('PUT', `/api/v1/rest/dataset/${live.identifier}`, { key, body: validRecord('A41000000G-000777', { modified: '2026-04-01 00:00:00' }) }),
    { status: 400, code: /^ER0030:/, field: 'identifier' },
  );
  await assertRefused(
    t,
    gateway,
    'v2 PUT whose body names another datasetId',
    () =>
      gateway.request('PUT', `/api/v2/rest/dataset/${live.datasetId}`, {
        key,
        body: validGen2Record(live.identifier, { datasetId: '6564', modifiedDate: '2026-04-01 00:00:00' }),
      }),
    { status: 400, code: /^ER0030:/, field: 'datasetId' },
  );
  await assertRefused(
    t,
    gateway,
    'PUT of a record breaking the standard',
    () => gateway.request('PUT', `/api/v1/rest/dataset/${live.identifier}`, { key, body: validRecord(live.identifier, { categoryCode: '999' }) }),
    {
      status: 400,
      code: /^ER0031:/,
    },
  );
  const stillThere = await json<{ result: { title: string } }>(await gateway.request('GET', `/api/v1/rest/dataset/${live.identifier}`));
  t.equal(stillThere.result.title, `資料集 ${live.identifier}`, 'the stored record stands');
});

t.test('413 for a body over the record cap; 415 for a body that is not JSON', async (t) => {
  const { gateway, key, live } = await seeded(t);
  const huge = validRecord('A41000000G-000200', { notes: 'x'.repeat(6 * 1024 * 1024) });
  await assertRefused(t, gateway, 'a 6 MB record', () => gateway.request('POST', '/api/v1/rest/dataset', { key, body: huge }), {
    status: 413,
    code: /^ER0413:/,
  });
  await assertRefused(
    t,
    gateway,
    'a 6 MB PUT',
    () => gateway.request('PUT', `/api/v1/rest/dataset/${live.identifier}`, { key, body: { ...huge, identifier: live.identifier } }),
    {
      status: 413,
      code: /^ER0413:/,
    },
  );
  await assertRefused(
    t,
    gateway,
    'an oversize body with a bad key is refused for the key',
    () => gateway.request('POST', '/api/v1/rest/dataset', { key: 'nope', body: huge }),
    {
      status: 401,
      code: /^ER0001:/,
    },
  );
  await assertRefused(
    t,
    gateway,
    'an XML body',
    () => gateway.request('POST', '/api/v1/rest/dataset', { key, rawBody: '<dataset/>', headers: { 'content-type': 'application/xml' } }),
    { status: 415, code: /^ER0210:/ },
  );
});

t.test('404: no live pushed dataset to modify or delete, with the spec’s codes', async (t) => {
  const { gateway, key, deleted } = await seeded(t);
  const unknown = 'A41000000G-000999';
  await assertRefused(
    t,
    gateway,
    'v1 PUT of an unknown identifier',
    () => gateway.request('PUT', `/api/v1/rest/dataset/${unknown}`, { key, body: validRecord(unknown) }),
    { status: 404, code: /^ER0050:/ },
  );
  await assertRefused(
    t,
    gateway,
    'v1 PUT of a deleted dataset',
    () => gateway.request('PUT', `/api/v1/rest/dataset/${deleted.identifier}`, { key, body: validRecord(deleted.identifier) }),
    {
      status: 404,
      code: /^ER0050:/,
    },
  );
  await assertRefused(t, gateway, 'v1 DELETE of an unknown identifier', () => gateway.request('DELETE', `/api/v1/rest/dataset/${unknown}`, { key }), {
    status: 404,
    code: /^ER0060:/,
  });
  await assertRefused(
    t,
    gateway,
    'v2 PUT of an unknown datasetId',
    () => gateway.request('PUT', '/api/v2/rest/dataset/9000000999', { key, body: validGen2Record(unknown) }),
    { status: 404, code: /^ER0051:/ },
  );
  await assertRefused(
    t,
    gateway,
    'v2 PUT of a datasetId that is not a number',
    () => gateway.request('PUT', '/api/v2/rest/dataset/abc', { key, body: validGen2Record(unknown) }),
    {
      status: 404,
      code: /^ER0051:/,
    },
  );
  await assertRefused(
    t,
    gateway,
    'v2 PUT of a data.gov.tw id the gateway did not assign',
    () => gateway.request('PUT', '/api/v2/rest/dataset/6564', { key, body: validGen2Record(unknown) }),
    {
      status: 404,
      code: /^ER0051:/,
    },
  );
  await assertRefused(t, gateway, 'v2 DELETE of an unknown datasetId', () => gateway.request('DELETE', '/api/v2/rest/dataset/9000000999', { key }), {
    status: 404,
    code: /^ER0052:/,
  });
});

t.test('replayed and reordered requests are refused clearly and change nothing', async (t) => {
  const { gateway, key, live, deleted } = await seeded(t);
  await assertRefused(t, gateway, 'a replayed v1 POST', () => gateway.request('POST', '/api/v1/rest/dataset', { key, body: validRecord(live.identifier) }), {
    status: 409,
    code: /^ER0040:/,
    message: /PUT \/api\/v1\/rest\/dataset\/A41000000G-000001/,
  });
  await assertRefused(
    t,
    gateway,
    'a v2 POST of a dataset created by v1',
    () => gateway.request('POST', '/api/v2/rest/dataset', { key, body: validGen2Record(live.identifier) }),
    {
      status: 409,
      code: /^ER0040:/,
      message: new RegExp(`PUT /api/v2/rest/dataset/${live.datasetId}`),
    },
  );
  await assertRefused(t, gateway, 'a replayed v1 DELETE', () => gateway.request('DELETE', `/api/v1/rest/dataset/${deleted.identifier}`, { key }), {
    status: 404,
    code: /^ER0060:/,
  });
  await assertRefused(t, gateway, 'a replayed v2 DELETE', () => gateway.request('DELETE', `/api/v2/rest/dataset/${deleted.datasetId}`, { key }), {
    status: 404,
    code: /^ER0052:/,
  });

  // The stored record says modified 2026-03-01 10:00 (Taipei); a PUT from before it was overtaken.
  await assertRefused(
    t,
    gateway,
    'a v1 PUT older than the stored record',
    () =>
      gateway.request('PUT', `/api/v1/rest/dataset/${live.identifier}`, {
        key,
        body: validRecord(live.identifier, { title: '舊的', modified: '2026-02-28 23:59:59' }),
      }),
    { status: 409, code: /^ER005001:/, field: 'modified' },
  );
  await assertRefused(
    t,
    gateway,
    'a v2 PUT older than the stored record',
    () =>
      gateway.request('PUT', `/api/v2/rest/dataset/${live.datasetId}`, {
        key,
        body: validGen2Record(live.identifier, { title: '舊的', modifiedDate: '2026-01-01 00:00:00' }),
      }),
    { status: 409, code: /^ER005101:/, field: 'modifiedDate' },
  );
  const newer = await gateway.request('PUT', `/api/v1/rest/dataset/${live.identifier}`, {
    key,
    body: validRecord(live.identifier, { title: '新的', modified: '2026-03-01T02:00:01Z' }),
  });
  t.equal(newer.status, 200, 'a PUT newer than the stored record (by one second, given in UTC) is applied');
  await assertRefused(
    t,
    gateway,
    'the PUT it overtook, arriving late',
    () =>
      gateway.request('PUT', `/api/v1/rest/dataset/${live.identifier}`, {
        key,
        body: validRecord(live.identifier, { title: '舊的', modified: '2026-03-01 10:00:00' }),
      }),
    { status: 409, code: /^ER005001:/ },
  );
  await gateway.settled();
  t.equal((await json<{ result: { title: string } }>(await gateway.request('GET', `/api/v1/rest/dataset/${live.identifier}`))).result.title, '新的');
});

t.test('the write routes are rate limited like the read API', async (t) => {
  const gateway = await startPushGateway(t, { http: { rateLimit: { max: 3, timeWindowMs: 60_000, allowList: [] } } });
  const key = await gateway.issue();
  for (let n = 1; n <= 3; n += 1) {
    const res = await gateway.request('POST', '/api/v1/rest/dataset', { key: n === 2 ? 'wrong' : key, body: validRecord(`A41000000G-00000${n}`) });
    t.equal(res.status, n === 2 ? 401 : 201, `request ${n}`);
  }
  const limited = await assertRefused(
    t,
    gateway,
    'the fourth request in the window',
    () => gateway.request('POST', '/api/v1/rest/dataset', { key, body: validRecord('A41000000G-000004') }),
    {
      status: 429,
      code: /^ER0429:/,
    },
  );
  t.ok(limited, 'refused calls count against the limit too (the 401 was counted)');
});
