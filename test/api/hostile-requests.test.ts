/**
 * Requests built to break the API, each once reported answering 500 or nothing at all: an
 * integer parameter past SQLite's range, a body nested thousands deep, a CONNECT. Every one must
 * get a well-formed 4xx in the spec's error shape (CKAN's under /api/3/action), and every answer
 * carries `X-Content-Type-Options: nosniff`.
 */
import t, { type Test } from 'tap';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildApi } from '../../src/api/app.js';
import { issueApiKey } from '../../src/push/issue-api-key.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { openDatabase } from '../../src/store/database.js';
import { silentLog, tempDir } from '../helpers/gateway.js';

type Raw = Record<string, unknown>;
interface Parameter {
  name: string;
  in: string;
  schema?: { type?: string; minimum?: number; maximum?: number };
}
type OpenApi = { paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: unknown }>> };

const PUBLIC_URL = 'https://gateway.example.tw';
const INT64_MAX = '9223372036854775807';

async function gateway(t: Test) {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(join(dir, 'catalog.db'));
  const app = await buildApi({
    store: sqliteStoreOn(db),
    publicUrl: PUBLIC_URL,
    logger: silentLog,
    http: { rateLimit: { max: 100_000, timeWindowMs: 60_000, allowList: [] } },
  });
  t.teardown(async () => {
    await app.close();
    db.close();
    cleanup();
  });
  const key = (await issueApiKey(sqliteStoreOn(db), { publisher: '國家發展委員會', orgCode: 'A41000000G', allow: [] })).key;
  return { db, app, key };
}

/** `{success:false, error:{…}}` in the spec's shape, or CKAN's (`__type`) under /api/3/action. */
function isErrorShape(body: unknown, path: string): boolean {
  const error = (body as { success?: unknown; error?: Raw } | null)?.error;
  if ((body as Raw | null)?.success !== false || error === undefined || typeof error.message !== 'string') return false;
  return path.startsWith('/api/3/action/') ? typeof error.__type === 'string' : typeof error.error_type === 'string';
}

/** A concrete path for an OpenAPI path template (every path parameter `x`). */
const concrete = (template: string): string => template.replace(/\{[^}]+\}/g, 'x');

t.test('every integer query parameter is bounded, and a value past the bound is a 4xx, never a 500', async (t) => {
  const { app } = await gateway(t);
  const doc = (await app.inject({ url: '/openapi.json' })).json() as OpenApi;
  let checked = 0;
  for (const [template, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (method !== 'get') continue;
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in !== 'query' || parameter.schema?.type !== 'integer') continue;
        const what = `${template} ?${parameter.name}`;
        t.ok(
          parameter.schema.maximum !== undefined && parameter.schema.maximum <= Number.MAX_SAFE_INTEGER,
          `${what} has a maximum within Number.MAX_SAFE_INTEGER`,
        );
        for (const value of [INT64_MAX, `-${INT64_MAX}`, '18446744073709551616', String(Number.MAX_SAFE_INTEGER + 2)]) {
          const url = `${concrete(template)}?${encodeURIComponent(parameter.name)}=${value}`;
          const res = await app.inject({ url });
          t.ok(res.statusCode >= 400 && res.statusCode < 500, `${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          t.ok(isErrorShape(res.json(), url), `${url} answers in the error shape`);
          checked += 1;
        }
      }
    }
  }
  t.ok(checked > 20, `${checked} parameter values checked`);
});

t.test('GET /api/v1/identity/candidates with an offset past 2^63 is a bad parameter (once SQLITE_MISMATCH)', async (t) => {
  const { app } = await gateway(t);
  const res = await app.inject({ url: `/api/v1/identity/candidates?offset=${INT64_MAX}` });
  t.equal(res.statusCode, 400);
  t.match(res.json(), { success: false, error: { error_type: /^ER0210:/, message: /offset/ } });
  const largest = await app.inject({ url: `/api/v1/identity/candidates?offset=${Number.MAX_SAFE_INTEGER}` });
  t.equal(largest.statusCode, 200, 'the largest offset allowed reads an empty page');
});

/** JSON nested `depth` levels: arrays, objects, or both in turn. */
function nested(depth: number, kind: 'array' | 'object' | 'mixed'): string {
  let open = '';
  let close = '';
  for (let level = 0; level < depth; level += 1) {
    const array = kind === 'array' || (kind === 'mixed' && level % 2 === 0);
    open += array ? '[' : '{"a":';
    close = (array ? ']' : '}') + close;
  }
  return `${open}1${close}`;
}

t.test('a JSON body nested too deep is a 400 in the error shape on every route that takes a body', async (t) => {
  const { app, key } = await gateway(t);
  const doc = (await app.inject({ url: '/openapi.json' })).json() as OpenApi;
  const targets: Array<{ method: string; url: string }> = [];
  for (const [template, operations] of Object.entries(doc.paths)) {
    for (const method of ['post', 'put']) {
      if (operations[method] !== undefined) targets.push({ method: method.toUpperCase(), url: concrete(template) });
    }
  }
  t.ok(
    targets.some((target) => target.url.startsWith('/api/3/action/')) && targets.some((target) => target.url.startsWith('/api/v1/rest/')),
    'CKAN and push routes among them',
  );
  for (const { method, url } of targets) {
    for (const body of [
      nested(5000, 'array'),
      nested(5000, 'object'),
      `{"q":${nested(5000, 'mixed')}}`,
      `{"q":${nested(100_000, 'array')}}`,
      `{"id":${nested(65, 'array')}}`,
    ]) {
      for (const contentType of ['application/json', 'application/json; charset=utf-8', 'text/plain']) {
        // text/plain is read as JSON by the CKAN actions only (what browsers send to avoid a preflight).
        if (contentType === 'text/plain' && !url.startsWith('/api/3/action/')) continue;
        const res = await app.inject({ method: method as 'POST', url, headers: { 'content-type': contentType, authorization: key }, payload: body });
        const what = `${method} ${url} (${contentType}, ${body.length} bytes)`;
        t.equal(res.statusCode, 400, `${what}: ${res.body.slice(0, 200)}`);
        t.ok(isErrorShape(res.json(), url), `${what} answers in the error shape`);
        t.match(res.body, /nested|deep/i, `${what} says why`);
      }
    }
  }
  // Within the limit, a body is read as before.
  const shallow = await app.inject({
    method: 'POST',
    url: '/api/3/action/package_search',
    headers: { 'content-type': 'application/json' },
    payload: `{"rows":1,"fq_list":${nested(10, 'array')}}`,
  });
  t.equal(shallow.statusCode, 409, 'a shallow body reaches the parameter checks');
  t.match(shallow.json(), { error: { __type: 'Validation Error' } });
});

t.test('every answer says X-Content-Type-Options: nosniff, errors and 404s included', async (t) => {
  const { app, key } = await gateway(t);
  const requests: Array<{ method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD'; url: string; payload?: string; headers?: Record<string, string> }> = [
    { url: '/api/v1/rest/dataset' },
    { url: '/api/v1/rest/dataset/none' },
    { url: '/api/search?limit=-1' },
    { url: '/nowhere' },
    { url: '/' },
    { url: '/openapi.json' },
    { url: '/catalog' },
    { url: '/export/catalog.csv' },
    { url: '/api/3/action/package_search' },
    { url: '/api/3/action/nothing' },
    { url: '/api/3/action/package_search?rows=x' },
    { method: 'POST', url: '/api/3/action/package_search', payload: '{', headers: { 'content-type': 'application/json' } },
    { method: 'POST', url: '/api/v1/rest/dataset', payload: '{}', headers: { 'content-type': 'application/json' } },
    { method: 'POST', url: '/api/v1/rest/dataset', payload: '{}', headers: { 'content-type': 'application/json', authorization: key } },
    { method: 'DELETE', url: '/api/v1/rest/dataset/none', headers: { authorization: key } },
    { method: 'HEAD', url: '/api/v1/rest/dataset' },
    { url: '/%ED%A0%80' },
    { url: '/api/v1/rest/dataset/%E0%A4%A' },
  ];
  for (const request of requests) {
    const res = await app.inject(request);
    t.equal(res.headers['x-content-type-options'], 'nosniff', `${request.method ?? 'GET'} ${request.url}: ${res.statusCode}`);
  }
});

t.test('a URL that does not decode is a 400 in the spec error shape', async (t) => {
  const { app } = await gateway(t);
  for (const url of ['/%ED%A0%80', '/api/v1/rest/dataset/%E0%A4%A', '/api/v1/rest/dataset/%ED%A0%80']) {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 400, url);
    t.ok(isErrorShape(res.json(), url), `${url}: ${res.body}`);
  }
});

/** What the server writes back to `text` sent on a raw loopback socket (until it closes, or 2 s). */
function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
    socket.write(text);
  });
}

/** The status line, headers and body of one HTTP/1.1 answer. */
function parseAnswer(text: string): { status: number; headers: Record<string, string>; body: string } | undefined {
  const match = /^HTTP\/1\.1 (\d{3}) [^\r\n]*\r\n((?:[^\r\n]+\r\n)*)\r\n([\s\S]*)$/.exec(text);
  if (match === null) return undefined;
  const headers: Record<string, string> = {};
  for (const line of match[2]!.split('\r\n').filter(Boolean)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(match[1]), headers, body: match[3]! };
}

t.test('odd methods and request targets on a real socket all get a well-formed HTTP answer', async (t) => {
  const { app } = await gateway(t);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const close = 'Host: 127.0.0.1\r\nConnection: close\r\n\r\n';

  await t.test('CONNECT is refused with 405 in the error shape (it used to get no answer at all)', async (t) => {
    for (const target of [`127.0.0.1:${port}`, 'example.org:443', '/api/search']) {
      const answer = parseAnswer(await rawExchange(port, `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
      t.ok(answer, `CONNECT ${target} is answered`);
      t.equal(answer?.status, 405, `CONNECT ${target}`);
      t.equal(answer?.headers['x-content-type-options'], 'nosniff');
      t.match(answer?.headers['content-type'], /^application\/json/);
      t.equal(Number(answer?.headers['content-length']), Buffer.byteLength(answer?.body ?? '', 'latin1'));
      t.match(JSON.parse(Buffer.from(answer?.body ?? '', 'latin1').toString('utf8')), { success: false, error: { error_type: /^ER/, message: /CONNECT/ } });
    }
  });

  await t.test('other methods, known or not, and malformed request lines', async (t) => {
    const cases: Array<[string, (status: number) => boolean]> = [
      [`TRACE /api/search HTTP/1.1\r\n${close}`, (s) => s === 404 || s === 405],
      [`PROPFIND / HTTP/1.1\r\n${close}`, (s) => s === 404 || s === 405],
      [`FOO / HTTP/1.1\r\n${close}`, (s) => s === 400],
      [`G\u0000T / HTTP/1.1\r\n${close}`, (s) => s === 400],
      [`GET /\u0001 HTTP/1.1\r\n${close}`, (s) => s === 400],
      [`GET / HTTP/9.9\r\n${close}`, (s) => s >= 400 && s < 500],
      ['hello\r\n\r\n', (s) => s === 400],
      [`GET http://gateway.example.tw/api/v1/rest/dataset HTTP/1.1\r\n${close}`, (s) => s === 200],
      [`GET http://127.0.0.1:1/nowhere HTTP/1.1\r\n${close}`, (s) => s === 404],
      [`GET /%ED%A0%80 HTTP/1.1\r\n${close}`, (s) => s === 400],
      [`OPTIONS * HTTP/1.1\r\n${close}`, (s) => s >= 200 && s < 500],
    ];
    for (const [request, acceptable] of cases) {
      const text = await rawExchange(port, request);
      const answer = parseAnswer(text);
      const what = JSON.stringify(request.split('\r\n')[0]);
      t.ok(answer, `${what} is answered: ${JSON.stringify(text.slice(0, 120))}`);
      if (answer === undefined) continue;
      t.ok(acceptable(answer.status), `${what}: ${answer.status}`);
      t.equal(answer.headers['x-content-type-options'], 'nosniff', `${what} nosniff`);
      if (answer.status >= 400 && answer.headers['content-type']?.startsWith('application/json')) {
        t.ok(
          isErrorShape(JSON.parse(Buffer.from(answer.body, 'latin1').toString('utf8')), ''),
          `${what} in the spec error shape: ${answer.body.slice(0, 200)}`,
        );
      }
    }
  });
});
