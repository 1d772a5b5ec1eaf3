import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import Fastify from 'fastify';
import { Validator } from '@seriousme/openapi-schema-validator';
import { readFixture } from '../helpers/gateway.js';
import { raw, startHttpGateway } from './http-gateway.js';
import { registerCompression, isCompressibleType } from '../../src/api/compression.js';
import { registerHttpCaching } from '../../src/api/http-caching.js';

type Raw = Record<string, unknown>;

const own = readFixture<Raw[]>('crossplatform', 'own-records.json');
const specExample = readFixture<Raw>('crossplatform', 'spec-example-record.json');
const specRecord = (specExample.result ?? specExample) as Raw;
const records = [specRecord, ...own];

const RECORD = '/api/v1/rest/dataset/A41000000G-000001';
const LIST = '/api/v1/rest/dataset';
const JSONLD = '/dataset/A41000000G-000001.jsonld';
const OTHER_RECORD = '/api/v1/rest/dataset/315000000H-000123';

const STRONG_TAG = /^"[0-9a-f]{32}"$/;
const NO_LIMIT = { rateLimit: { max: 0, timeWindowMs: 60_000, allowList: [] } };

function earlier(httpDate: string, seconds: number): string {
  return new Date(Date.parse(httpDate) - seconds * 1000).toUTCString();
}

t.test('conditional GET on a record, the identifier list and the JSON-LD dataset', async (t) => {
  const { base } = await startHttpGateway(t, records, NO_LIMIT);

  for (const path of [RECORD, LIST, JSONLD]) {
    await t.test(path, async (t) => {
      const first = await raw(`${base}${path}`);
      t.equal(first.status, 200);
      const etag = first.headers.etag!;
      const lastModified = first.headers['last-modified']!;
      t.match(etag, STRONG_TAG, 'a strong ETag');
      t.ok(Date.parse(lastModified) > 0, `an HTTP-date Last-Modified: ${lastModified}`);
      t.ok(Date.parse(lastModified) <= Date.now(), 'never in the future');
      t.equal(first.headers['cache-control'], 'public, max-age=60');
      t.match(first.headers.vary, /accept-encoding/i);

      const again = await raw(`${base}${path}`);
      t.equal(again.headers.etag, etag, 'the same body has the same tag');

      const byTag = await raw(`${base}${path}`, { headers: { 'if-none-match': etag } });
      t.equal(byTag.status, 304, 'If-None-Match with the tag: 304');
      t.equal(byTag.body.length, 0, 'no body');
      t.equal(byTag.headers.etag, etag, 'the tag is sent again');
      t.equal(byTag.headers['last-modified'], lastModified);
      t.equal(byTag.headers['cache-control'], 'public, max-age=60');
      t.match(byTag.headers.vary, /accept-encoding/i, 'Vary as the 200 has it');
      t.notOk(byTag.headers['content-type'], 'no Content-Type on a 304');
      t.notOk(byTag.headers['content-length'], 'no Content-Length on a 304');

      const byDate = await raw(`${base}${path}`, { headers: { 'if-modified-since': lastModified } });
      t.equal(byDate.status, 304, 'If-Modified-Since the Last-Modified: 304');
      t.equal(byDate.body.length, 0);
      t.equal(
        (await raw(`${base}${path}`, { headers: { 'if-modified-since': new Date(Date.now() + 3600_000).toUTCString() } })).status,
        304,
        'a later date: 304',
      );

      const older = await raw(`${base}${path}`, { headers: { 'if-modified-since': earlier(lastModified, 3600) } });
      t.equal(older.status, 200, 'an earlier If-Modified-Since: the full answer');
      t.ok(older.body.length > 0);

      const tagWins = await raw(`${base}${path}`, { headers: { 'if-none-match': '"0123456789abcdef0123456789abcdef"', 'if-modified-since': lastModified } });
      t.equal(tagWins.status, 200, 'a non-matching If-None-Match wins over a matching If-Modified-Since');

      for (const list of [`"aaaa", ${etag}`, `W/${etag}`, '*', `${etag}, "bbbb"`]) {
        t.equal((await raw(`${base}${path}`, { headers: { 'if-none-match': list } })).status, 304, `If-None-Match: ${list}`);
      }
      t.equal(
        (await raw(`${base}${path}`, { headers: { 'if-none-match': etag, 'cache-control': 'no-cache' } })).status,
        304,
        'a cache revalidating with no-cache still gets its 304',
      );
    });
  }
});

t.test('every serialisation of a dataset carries the dataset’s Last-Modified, and its own tag', async (t) => {
  const { base } = await startHttpGateway(t, records, NO_LIMIT);
  const record = await raw(`${base}${RECORD}`);
  const list = await raw(`${base}${LIST}`);
  const seen = new Set<string>();
  for (const [path, accept] of [
    [JSONLD, undefined],
    ['/dataset/A41000000G-000001.ttl', undefined],
    ['/dataset/A41000000G-000001.nt', undefined],
    ['/dataset/A41000000G-000001', 'text/turtle'],
    ['/dataset/A41000000G-000001', 'application/ld+json'],
  ] as const) {
    const res = await raw(`${base}${path}`, accept ? { headers: { accept } } : {});
    if (res.status === 404) {
      t.pass(`${path}: not served by this build`);
      continue;
    }
    t.equal(res.status, 200, `${path} ${accept ?? ''}`);
    t.equal(res.headers['last-modified'], record.headers['last-modified'], `${path} ${accept ?? ''}: the dataset's date`);
    seen.add(res.headers.etag!);
    if (accept) {
      t.match(res.headers.vary, /accept\b/i, `${path}: varies by Accept`);
      t.match(res.headers.vary, /accept-encoding/i, `${path}: and by Accept-Encoding`);
      const notModified = await raw(`${base}${path}`, { headers: { accept, 'if-none-match': res.headers.etag! } });
      t.equal(notModified.status, 304);
      t.equal(notModified.headers.vary, res.headers.vary, `${path}: the 304 varies as the 200 does`);
    }
  }
  t.ok(seen.size >= 2, 'different syntaxes have different tags');
  const catalog = await raw(`${base}/catalog`);
  if (catalog.status === 200) t.equal(catalog.headers['last-modified'], list.headers['last-modified'], '/catalog: the catalogue’s date');
});

t.test('a changed dataset gets new validators; the list moves its date, an untouched dataset keeps its own', async (t) => {
  const { base, platform, harvester } = await startHttpGateway(t, records, NO_LIMIT);
  const before = {
    record: await raw(`${base}${RECORD}`),
    jsonld: await raw(`${base}${JSONLD}`),
    list: await raw(`${base}${LIST}`),
    other: await raw(`${base}${OTHER_RECORD}`),
  };

  // Last-Modified counts whole seconds: let one pass so the change is visible in it.
  await sleep(1100);
  platform.records.set('A41000000G-000001', { ...specRecord, title: '行政院公報（新版）', modified: '2030-01-01 00:00:00' });
  await harvester.run('fixture');

  const record = await raw(`${base}${RECORD}`, { headers: { 'if-none-match': before.record.headers.etag! } });
  t.equal(record.status, 200, 'the old tag no longer matches');
  t.match(JSON.parse(record.body.toString()).result.title, '行政院公報（新版）');
  t.not(record.headers.etag, before.record.headers.etag);
  t.ok(Date.parse(record.headers['last-modified']!) > Date.parse(before.record.headers['last-modified']!), 'Last-Modified moved');
  t.equal(
    (await raw(`${base}${RECORD}`, { headers: { 'if-modified-since': before.record.headers['last-modified']! } })).status,
    200,
    'the old date no longer matches',
  );

  const jsonld = await raw(`${base}${JSONLD}`, { headers: { 'if-none-match': before.jsonld.headers.etag! } });
  t.equal(jsonld.status, 200, 'the JSON-LD view changed too');

  const list = await raw(`${base}${LIST}`, { headers: { 'if-modified-since': before.list.headers['last-modified']! } });
  t.equal(list.status, 200, 'the catalogue changed, so the list is newer than the client’s copy');
  t.equal(list.headers.etag, before.list.headers.etag, 'but its body (the identifiers) is the same, and so is its tag');
  t.equal((await raw(`${base}${LIST}`, { headers: { 'if-none-match': before.list.headers.etag! } })).status, 304);

  const other = await raw(`${base}${OTHER_RECORD}`, {
    headers: { 'if-none-match': before.other.headers.etag!, 'if-modified-since': before.other.headers['last-modified']! },
  });
  t.equal(other.status, 304, 'an untouched dataset is still fresh');
  t.equal(other.headers['last-modified'], before.other.headers['last-modified']);
});

t.test('errors carry no validators and ignore conditionals', async (t) => {
  const { base } = await startHttpGateway(t, records, NO_LIMIT);
  for (const [path, status] of [
    ['/api/v1/rest/dataset/A41000000G-999999', 404],
    ['/dataset/A41000000G-999999.jsonld', 404],
    ['/nowhere', 404],
    ['/api/v1/rest/dataset?limit=11.5', 400],
    ['/api/v1/rest/dataset?modified=yesterday', 400],
  ] as const) {
    const res = await raw(`${base}${path}`, { headers: { 'if-none-match': '*', 'if-modified-since': new Date().toUTCString() } });
    t.equal(res.status, status, path);
    t.notOk(res.headers.etag, `${path}: no ETag`);
    t.notOk(res.headers['last-modified'], `${path}: no Last-Modified`);
    t.notOk(res.headers['cache-control'], `${path}: no Cache-Control`);
    t.equal(JSON.parse(res.body.toString()).success, false, `${path}: the spec error body`);
  }
});

t.test('malformed conditional headers are ignored, never a 500', async (t) => {
  const { base } = await startHttpGateway(t, records, NO_LIMIT);
  const malformed: Array<Record<string, string>> = [
    { 'if-none-match': 'garbage' },
    { 'if-none-match': '"unterminated' },
    { 'if-none-match': ',,, ,' },
    { 'if-none-match': `"${'a'.repeat(8000)}"` },
    { 'if-none-match': '"-gzip"' },
    { 'if-modified-since': 'yesterday' },
    { 'if-modified-since': 'Tue, 99 Foo 2021 99:99:99 GMT' },
    { 'if-modified-since': '0' },
  ];
  for (const headers of malformed) {
    const res = await raw(`${base}${RECORD}`, { headers });
    t.equal(res.status, 200, JSON.stringify(headers).slice(0, 60));
    t.ok(res.body.length > 0);
  }
});

t.test('an empty catalogue still answers conditionals', async (t) => {
  const { base } = await startHttpGateway(t, [], NO_LIMIT);
  const list = await raw(`${base}${LIST}`);
  t.same(JSON.parse(list.body.toString()), { success: true, result: [] });
  t.match(list.headers.etag, STRONG_TAG);
  t.ok(list.headers['last-modified'], 'dated from when the gateway started serving');
  t.equal((await raw(`${base}${LIST}`, { headers: { 'if-none-match': list.headers.etag! } })).status, 304);
  t.equal((await raw(`${base}${LIST}`, { headers: { 'if-modified-since': list.headers['last-modified']! } })).status, 304);
});

t.test('Cache-Control follows server.cacheMaxAgeSeconds; 0 means revalidate every time', async (t) => {
  const { base } = await startHttpGateway(t, records, { ...NO_LIMIT, cacheMaxAgeSeconds: 0 });
  t.equal((await raw(`${base}${RECORD}`)).headers['cache-control'], 'no-cache');
  const other = await startHttpGateway(t, records, { ...NO_LIMIT, cacheMaxAgeSeconds: 3600 });
  t.equal((await raw(`${other.base}${RECORD}`)).headers['cache-control'], 'public, max-age=3600');
  t.notOk((await raw(`${other.base}/healthz`)).headers['cache-control'], 'the health check is never cached');
  t.notOk((await raw(`${other.base}/healthz`)).headers.etag);
});

t.test('gzip and br bodies decode to the same JSON as the plain one', async (t) => {
  const { base } = await startHttpGateway(t, records, NO_LIMIT);
  for (const path of [RECORD, LIST, JSONLD, '/openapi.json']) {
    const plain = await raw(`${base}${path}`);
    t.notOk(plain.headers['content-encoding'], `${path}: not compressed without Accept-Encoding`);
    const expected = JSON.parse(plain.body.toString('utf8'));
    for (const [encoding, decode] of [
      ['gzip', gunzipSync],
      ['br', brotliDecompressSync],
    ] as const) {
      const res = await raw(`${base}${path}`, { headers: { 'accept-encoding': encoding } });
      if (plain.body.length < 1024) {
        t.notOk(res.headers['content-encoding'], `${path}: below the threshold, sent as is`);
        continue;
      }
      t.equal(res.headers['content-encoding'], encoding, `${path}: ${encoding}`);
      t.match(res.headers.vary, /accept-encoding/i);
      t.ok(res.body.length < plain.body.length, `${path}: ${encoding} is smaller (${res.body.length} < ${plain.body.length})`);
      t.same(JSON.parse(decode(res.body).toString('utf8')), expected, `${path}: ${encoding} decodes to the same JSON`);
      t.equal(res.headers.etag, `${plain.headers.etag!.slice(0, -1)}-${encoding}"`, `${path}: the ${encoding} body has its own tag`);

      const revalidated = await raw(`${base}${path}`, { headers: { 'accept-encoding': encoding, 'if-none-match': res.headers.etag! } });
      t.equal(revalidated.status, 304, `${path}: the ${encoding} tag revalidates`);
      t.equal(revalidated.headers.etag, res.headers.etag, `${path}: the 304 confirms the tag the client holds`);
      t.equal(
        (await raw(`${base}${path}`, { headers: { 'if-none-match': res.headers.etag! } })).status,
        304,
        `${path}: so does it without Accept-Encoding (same content)`,
      );
    }
  }

  const preferred = await raw(`${base}${JSONLD}`, { headers: { 'accept-encoding': 'gzip;q=1, br;q=0.5' } });
  t.equal(preferred.headers['content-encoding'], 'gzip', 'q-values choose gzip');
  const both = await raw(`${base}${JSONLD}`, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
  t.equal(both.headers['content-encoding'], 'br', 'br when both are equally welcome');
  for (const header of ['identity', 'br;q=0, gzip;q=0', 'compress', 'x-nonsense;q=abc', ',,,']) {
    const res = await raw(`${base}${JSONLD}`, { headers: { 'accept-encoding': header } });
    t.equal(res.status, 200, `Accept-Encoding: ${header}`);
    t.notOk(res.headers['content-encoding'], `Accept-Encoding: ${header}: sent as is`);
    t.ok(JSON.parse(res.body.toString('utf8')), 'and readable');
  }
  const small = await raw(`${base}/healthz`, { headers: { 'accept-encoding': 'gzip' } });
  t.notOk(small.headers['content-encoding'], 'a small body is not compressed');
});

t.test('HEAD answers as GET would, without the body', async (t) => {
  const { base } = await startHttpGateway(t, records, NO_LIMIT);
  for (const path of [RECORD, LIST, JSONLD, '/', '/apis.json', '/openapi.json']) {
    const get = await raw(`${base}${path}`);
    const head = await raw(`${base}${path}`, { method: 'HEAD' });
    t.equal(head.status, 200, path);
    t.equal(head.body.length, 0, `${path}: no body`);
    t.equal(head.headers.etag, get.headers.etag, `${path}: the GET's tag`);
    t.equal(head.headers['last-modified'], get.headers['last-modified'], `${path}: the GET's date`);
    t.equal(head.headers['content-type'], get.headers['content-type'], `${path}: the GET's type`);
    t.equal(head.headers['content-length'], String(get.body.length), `${path}: the GET's length`);
    const conditional = await raw(`${base}${path}`, { method: 'HEAD', headers: { 'if-none-match': get.headers.etag! } });
    t.equal(conditional.status, 304, `${path}: conditional HEAD`);
    t.notOk(conditional.headers['content-length'], `${path}: no Content-Length on the 304`);
  }
  const missing = await raw(`${base}/api/v1/rest/dataset/A41000000G-999999`, { method: 'HEAD' });
  t.equal(missing.status, 404);
  t.equal(missing.body.length, 0);
});

t.test('streamed answers stay streamed, compressed or not', async (t) => {
  // The mechanism on its own: the same compression and conditional layers buildApi registers,
  // around a route that streams far more than any buffer and waits for the client half-way.
  const app = Fastify();
  await registerCompression(app);
  registerHttpCaching(app, { cacheMaxAgeSeconds: 60, servingSince: new Date(), isCompressibleType });
  // 64 KiB rows of pseudo-random hex: compressible, but not so much that a compressor could
  // hold the whole stream back in its window.
  const chunk = (i: number): string => {
    let seed = i + 1;
    let row = `${i},`;
    for (let j = 0; j < 65_536; j += 1) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      row += (seed >>> 16).toString(16).slice(-1);
    }
    return `${row}\n`;
  };
  let release: () => void = () => {};
  // Set before each request below.
  let produced: number;
  let closed: boolean;
  app.get('/stream.csv', { config: { lastModified: () => '2020-01-01T00:00:00Z' } }, async (_request, reply) => {
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* rows(): AsyncGenerator<string> {
      try {
        for (let i = 0; i < 16; i += 1) {
          if (i === 8) await gate; // half-way: wait until the client has seen bytes
          produced = i + 1;
          yield chunk(i);
        }
      } finally {
        closed = true;
      }
    }
    return reply.type('text/csv; charset=utf-8').send(Readable.from(rows()));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const expected = Array.from({ length: 16 }, (_, i) => chunk(i)).join('');

  for (const [encoding, decode] of [
    ['identity', (b: Buffer) => b],
    ['gzip', gunzipSync],
    ['br', brotliDecompressSync],
  ] as const) {
    produced = 0;
    closed = false;
    // Headers leave with the first bytes: a response held back whole would never arrive here.
    const pending = fetchRaw(`${base}/stream.csv`, encoding);
    const started = await Promise.race([pending, sleep(5000).then(() => 'timeout' as const)]);
    if (started === 'timeout') {
      t.fail(`${encoding}: nothing arrived while the route waited half-way: the answer is buffered, not streamed`);
      release();
      await (await pending).body?.cancel();
      continue;
    }
    const res = started;
    t.equal(res.status, 200);
    t.notOk(res.headers.get('content-length'), `${encoding}: no Content-Length: it is streamed`);
    t.equal(res.headers.get('content-encoding') ?? 'identity', encoding);
    t.notOk(res.headers.get('etag'), `${encoding}: no computed ETag (it would mean buffering)`);
    t.ok(res.headers.get('last-modified'), `${encoding}: the route's Last-Modified`);
    const reader = res.body!.getReader();
    const received: Buffer[] = [];
    const firstRead = await Promise.race([reader.read(), sleep(5000).then(() => 'timeout' as const)]);
    t.not(firstRead, 'timeout', `${encoding}: bytes arrive before the route has produced the end`);
    if (firstRead === 'timeout') {
      release();
      continue;
    }
    t.ok(produced <= 8, `${encoding}: the route was still at row ${produced} of 16`);
    if (firstRead.value) received.push(Buffer.from(firstRead.value));
    release();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received.push(Buffer.from(value));
    }
    t.equal(decode(Buffer.concat(received)).toString('utf8'), expected, `${encoding}: the whole body, in order`);
    t.ok(closed, `${encoding}: the generator finished`);
  }

  produced = 0;
  const notModified = await raw(`${base}/stream.csv`, { headers: { 'if-modified-since': new Date().toUTCString(), 'accept-encoding': 'gzip' } });
  t.equal(notModified.status, 304, 'a streamed answer with a Last-Modified answers If-Modified-Since');
  t.equal(notModified.body.length, 0);
  await sleep(50);
  t.equal(produced, 0, 'without reading any of the stream');
  release();
});

/** The top-level properties of an OpenAPI answer's JSON body. */
function bodyKeys(answer: { content?: unknown }): string[] {
  const content = answer.content as Record<string, { schema?: { properties?: Record<string, unknown> } }> | undefined;
  return Object.keys(Object.values(content ?? {})[0]?.schema?.properties ?? {}).sort();
}

/** fetch for the stream test, with decompression left to the test: undici's fetch would decode. */
async function fetchRaw(url: string, encoding: string): Promise<{ status: number; headers: Headers; body: ReadableStream<Uint8Array> | null }> {
  const { request } = await import('undici');
  const res = await request(url, { headers: { 'accept-encoding': encoding } });
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers.set(name, value);
  return { status: res.statusCode, headers, body: Readable.toWeb(res.body) as ReadableStream<Uint8Array> };
}

t.test('the whole-catalogue CSV export is compressed as it streams', async (t) => {
  const { base } = await startHttpGateway(t, records, NO_LIMIT);
  const doc = JSON.parse((await raw(`${base}/openapi.json`)).body.toString()) as { paths: Record<string, unknown> };
  if (!doc.paths['/export/catalog.csv']) {
    t.pass('GET /export/catalog.csv is not registered in this build: nothing to check');
    return;
  }
  const plain = await raw(`${base}/export/catalog.csv`);
  t.equal(plain.status, 200);
  for (const [encoding, decode] of [
    ['gzip', gunzipSync],
    ['br', brotliDecompressSync],
  ] as const) {
    const res = await raw(`${base}/export/catalog.csv`, { headers: { 'accept-encoding': encoding } });
    t.equal(res.headers['content-encoding'], encoding);
    t.notOk(res.headers['content-length'], 'streamed');
    t.equal(decode(res.body).toString('utf8'), plain.body.toString('utf8'), `${encoding} decodes to the same CSV`);
  }
});

t.test('rate limiting per client', async (t) => {
  const limit = (max: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    rateLimit: { max, timeWindowMs: 60_000, allowList: [], ...extra },
  });

  await t.test('the request over the limit gets 429 in the spec shape, with Retry-After', async (t) => {
    const { base } = await startHttpGateway(t, records, limit(3));
    for (let i = 1; i <= 3; i += 1) {
      const res = await raw(`${base}${RECORD}`, { headers: { origin: 'https://civic.example.tw' } });
      t.equal(res.status, 200, `request ${i}`);
      t.equal(res.headers['ratelimit-limit'], '3');
      t.equal(res.headers['ratelimit-remaining'], String(3 - i));
      t.ok(Number(res.headers['ratelimit-reset']) > 0 && Number(res.headers['ratelimit-reset']) <= 60, 'RateLimit-Reset in seconds');
    }
    const over = await raw(`${base}${RECORD}`, { headers: { origin: 'https://civic.example.tw' } });
    t.equal(over.status, 429);
    const retryAfter = Number(over.headers['retry-after']);
    t.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60, `Retry-After in seconds: ${over.headers['retry-after']}`);
    t.equal(over.headers['ratelimit-remaining'], '0');
    t.match(over.headers['content-type'], /^application\/json/);
    const body = JSON.parse(over.body.toString()) as { success: boolean; error: { error_type: string; message: string } };
    t.equal(body.success, false);
    t.equal(body.error.error_type, 'ER0429:請求次數過多。');
    t.match(body.error.message, /at most 3 per 60 s/);
    t.equal(over.headers['access-control-allow-origin'], '*', 'a web page can read the 429 and its Retry-After');
    t.match(over.headers['access-control-expose-headers'], /Retry-After/);

    t.equal((await raw(`${base}/nowhere`)).status, 429, 'unknown paths are limited too');
    t.equal((await raw(`${base}${LIST}`, { method: 'HEAD' })).status, 429, 'and HEAD');
    t.equal(
      (await raw(`${base}${LIST}`, { headers: { 'x-forwarded-for': '198.51.100.9' } })).status,
      429,
      'X-Forwarded-For is ignored unless the operator trusts a proxy',
    );
    for (let i = 0; i < 10; i += 1) {
      const health = await raw(`${base}/healthz`);
      t.equal(health.status, 200, `/healthz ${i + 1}: never limited`);
      t.notOk(health.headers['ratelimit-limit'], 'and not counted');
    }
  });

  await t.test('behind a trusted proxy each X-Forwarded-For client has its own budget', async (t) => {
    const { base } = await startHttpGateway(t, records, { ...limit(2), trustProxy: ['loopback'] });
    const as = (client: string): Promise<number> => raw(`${base}${RECORD}`, { headers: { 'x-forwarded-for': client } }).then((r) => r.status);
    t.same([await as('203.0.113.1'), await as('203.0.113.1'), await as('203.0.113.1')], [200, 200, 429], 'client A is limited');
    t.equal(await as('203.0.113.2'), 200, 'client B is not');
    t.equal(await as('198.51.100.7, 203.0.113.2'), 200, 'the nearest untrusted hop is the client: B again (second request)');
    t.equal(await as('203.0.113.2'), 429, 'B used its two');
    t.same([await as('2001:db8::1'), await as('2001:db8::2'), await as('2001:db8::3')], [200, 200, 429], 'IPv6 clients count per /64');
    t.equal(await as('2001:db8:0:1::1'), 200, 'another /64 is another client');
  });

  await t.test('allow-listed clients are never limited', async (t) => {
    const { base } = await startHttpGateway(t, records, { ...limit(1, { allowList: ['203.0.113.0/24', '2001:db8::/32'] }), trustProxy: ['127.0.0.1'] });
    for (let i = 0; i < 5; i += 1) {
      t.equal((await raw(`${base}${RECORD}`, { headers: { 'x-forwarded-for': '203.0.113.77' } })).status, 200, `allow-listed IPv4 ${i + 1}`);
      t.equal((await raw(`${base}${RECORD}`, { headers: { 'x-forwarded-for': '2001:db8:5::1' } })).status, 200, `allow-listed IPv6 ${i + 1}`);
    }
    t.same(
      [
        (await raw(`${base}${RECORD}`, { headers: { 'x-forwarded-for': '198.51.100.1' } })).status,
        (await raw(`${base}${RECORD}`, { headers: { 'x-forwarded-for': '198.51.100.1' } })).status,
      ],
      [200, 429],
      'others are',
    );
  });

  await t.test('the window resets', async (t) => {
    const { base } = await startHttpGateway(t, records, { rateLimit: { max: 1, timeWindowMs: 1000, allowList: [] } });
    t.equal((await raw(`${base}${RECORD}`)).status, 200);
    const over = await raw(`${base}${RECORD}`);
    t.equal(over.status, 429);
    t.equal(over.headers['retry-after'], '1');
    await sleep(1100);
    t.equal((await raw(`${base}${RECORD}`)).status, 200, 'after Retry-After the client is served again');
  });

  await t.test('max 0 turns rate limiting off', async (t) => {
    const { base } = await startHttpGateway(t, records, limit(0));
    for (let i = 0; i < 30; i += 1) {
      const res = await raw(`${base}${RECORD}`);
      t.equal(res.status, 200);
      t.notOk(res.headers['ratelimit-limit'], 'no rate-limit headers');
    }
    const doc = JSON.parse((await raw(`${base}/openapi.json`)).body.toString()) as { paths: Record<string, { get: { responses: Record<string, unknown> } }> };
    t.notOk(doc.paths['/api/v1/rest/dataset']!.get.responses['429'], 'and no 429 is described');
  });
});

t.test('CORS: any origin, with the headers a web page needs exposed', async (t) => {
  const { base } = await startHttpGateway(t, records, NO_LIMIT);
  const res = await raw(`${base}${RECORD}`, { headers: { origin: 'https://civic.example.tw' } });
  t.equal(res.headers['access-control-allow-origin'], '*');
  const exposed = res.headers['access-control-expose-headers']!.split(',').map((h) => h.trim().toLowerCase());
  for (const header of ['etag', 'last-modified', 'link', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'content-disposition']) {
    t.ok(exposed.includes(header), `${header} is exposed`);
  }
  const notModified = await raw(`${base}${RECORD}`, { headers: { origin: 'https://civic.example.tw', 'if-none-match': res.headers.etag! } });
  t.equal(notModified.status, 304);
  t.equal(notModified.headers['access-control-allow-origin'], '*', 'on a 304 too');

  const preflight = await raw(`${base}${RECORD}`, {
    method: 'OPTIONS',
    headers: { origin: 'https://civic.example.tw', 'access-control-request-method': 'GET', 'access-control-request-headers': 'if-none-match' },
  });
  t.equal(preflight.status, 204);
  t.match(preflight.headers['access-control-allow-methods'], /GET/);
  t.match(preflight.headers['access-control-allow-methods'], /HEAD/);
  t.equal(preflight.headers['access-control-allow-origin'], '*');
  t.equal(preflight.headers['access-control-max-age'], '86400', 'browsers may cache the preflight for a day');
});

t.test('/openapi.json describes 304, 406 and 429 where they apply', async (t) => {
  const { base } = await startHttpGateway(t, records, { rateLimit: { max: 100, timeWindowMs: 60_000, allowList: [] } });
  const doc = JSON.parse((await raw(`${base}/openapi.json`)).body.toString()) as {
    tags: Array<{ name: string }>;
    paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown>; content?: unknown }> }>>;
  };
  const result = await new Validator().validate(doc as never);
  t.ok(result.valid, `valid OpenAPI: ${JSON.stringify(result.errors ?? '').slice(0, 500)}`);
  for (const tag of ['cross-platform', 'dcat', 'catalog', 'search', 'ckan', 'export', 'identity', 'discovery', 'operations']) {
    t.ok(
      doc.tags.some((x) => x.name === tag),
      `tag ${tag}`,
    );
  }
  for (const [path, operations] of Object.entries(doc.paths)) {
    const get = operations.get;
    if (!get) continue;
    if (path === '/healthz') {
      t.notOk(get.responses['304'], '/healthz: never 304');
      t.notOk(get.responses['429'], '/healthz: never 429');
      continue;
    }
    t.ok(get.responses['304'], `${path}: 304`);
    t.notOk(get.responses['304']!.content, `${path}: the 304 has no body`);
    t.ok(get.responses['429'], `${path}: 429`);
    t.ok(get.responses['429']!.headers?.['Retry-After'], `${path}: 429 documents Retry-After`);
    t.ok(get.responses['200']?.headers?.ETag, `${path}: 200 documents ETag`);
    const ownError = get.responses['404'] ?? get.responses['400'];
    if (ownError?.content) {
      t.same(bodyKeys(get.responses['429']!), bodyKeys(ownError), `${path}: the 429 body has the route's own error shape`);
    }
  }
  t.ok(doc.paths['/dataset/{file}']!.get!.responses['406'], '/dataset/{file}: 406 (content negotiation)');
  t.notOk(doc.paths['/api/v1/rest/dataset']!.get!.responses['406'], 'the plain JSON list never answers 406');
});
