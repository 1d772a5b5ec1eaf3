/**
 * A bounded, seeded fuzz of the whole API: every route and method /openapi.json describes (read
 * from the app itself), with random and hostile path and query values and random, deep or huge
 * JSON bodies, over a store that also holds hostile records (hostile-store.ts). No answer may be
 * a 5xx, and every answer must be what it says it is (JSON that parses, in the error shape when
 * it is an error). Most requests go through inject; a sample goes over a real loopback socket.
 *
 * The seed is fixed so a failure reproduces: FUZZ_SEED=<n> runs another one, FUZZ_REQUESTS=<n>
 * more or fewer requests. A failure prints the seed and the request.
 */
import t, { type Test } from 'tap';
import pino from 'pino';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { request as undiciRequest } from 'undici';
import { buildApi } from '../../src/api/app.js';
import { issueApiKey } from '../../src/push/issue-api-key.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { silentLog } from '../helpers/gateway.js';
import { GOOD_IDS, HOSTILE, hostileStore, nestedValue } from '../helpers/hostile-store.js';
import { validRecord } from './push-harness.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20_240_612);
const REQUESTS = Number(process.env['FUZZ_REQUESTS'] ?? 2500);
/** Of them, this many over a real socket. */
const SOCKET_REQUESTS = Math.min(300, Math.floor(REQUESTS / 8));

/** mulberry32: a small, fast, seedable PRNG (same seed, same requests). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

class Chance {
  constructor(readonly next: () => number) {}
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  coin(p = 0.5): boolean {
    return this.next() < p;
  }
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema?: { type?: string; enum?: unknown[] };
}
interface Operation {
  method: string;
  template: string;
  parameters: Parameter[];
  hasBody: boolean;
}

/** Text that goes into a URL as it is (already percent-encoded, or deliberately not). */
type UrlText = string;

const enc = encodeURIComponent;

/** Hostile values for a path or query parameter, as URL text. */
const HOSTILE_VALUES: UrlText[] = [
  '9223372036854775807',
  '-9223372036854775808',
  '18446744073709551616',
  String(Number.MAX_SAFE_INTEGER),
  String(Number.MAX_SAFE_INTEGER + 2),
  '1e400',
  '-1e400',
  '1e-400',
  '-1',
  '-0',
  '0',
  '1.5',
  '0x10',
  '1_000',
  'NaN',
  'Infinity',
  '-Infinity',
  'null',
  'undefined',
  'true',
  '',
  '%20',
  '+',
  '%ED%A0%80', // a lone surrogate, as UTF-8 would (never) have it
  '%uD800', // the same, as JavaScript's escape() writes it
  '%ED%B0%80',
  '%F4%90%80%80', // past U+10FFFF
  '%C0%AF', // overlong
  '%FF',
  '%',
  '%2',
  '%00',
  'a%00b',
  '%0D%0ASet-Cookie:%20x=1',
  enc('中文資料'),
  enc('臺北市'),
  enc('😀'),
  enc('\u200b\ufeff'),
  enc('"'),
  enc('*'),
  enc('"unterminated'),
  enc('NEAR('),
  enc('NEAR(a b, 2)'),
  enc('a OR b'),
  enc('OR'),
  enc('AND'),
  enc('NOT'),
  enc('-'),
  enc(':'),
  enc('title:x'),
  enc('^a'),
  enc('a*'),
  enc('(((((('),
  enc(')'),
  enc('[* TO *]'),
  enc('metadata_modified:[2024-01-01T00:00:00Z TO *]'),
  enc('organization:"a b'),
  enc('{!func}x'),
  enc("'; DROP TABLE datasets; --"),
  enc('../../etc/passwd'),
  enc('..%2F'),
  enc('<script>alert(1)</script>'),
  enc('["organization","res_format"]'),
  enc('["organization",'),
  enc('[[[[[[[[[[]]]]]]]]]]'),
  enc('['.repeat(5000)),
  enc(`[${'['.repeat(3000)}${']'.repeat(3000)}]`),
  enc('{"a":1}'),
  enc('2025-01-01'),
  enc('2025-13-45T99:99:99Z'),
  enc('110/08/01'),
  enc('0000-00-00'),
  'relevance',
  'title',
  'modified',
  'identifier',
  enc('score desc, metadata_modified desc'),
  enc('name asc, id asc, title_string desc'),
  'x'.repeat(10_000),
  enc('中'.repeat(3000)),
  '%ED%A0%80'.repeat(300),
  ...GOOD_IDS.map(enc),
  enc(HOSTILE.loneSurrogate),
  enc(HOSTILE.deep),
  enc(HOSTILE.manyDistributions),
  enc('A41000000G-000902\ufffd\ufffd\ufffd'),
  'A41000000G-000902%ED%A0%80',
];

const SPECIALS = [
  '"',
  '*',
  '(',
  ')',
  ':',
  '-',
  '+',
  '^',
  '~',
  '\\',
  '/',
  '?',
  '#',
  '&',
  '=',
  ';',
  ',',
  ' ',
  '\t',
  '\n',
  '\u0000',
  '\ud800',
  '\udc00',
  '中',
  '臺',
  '😀',
  'a',
  'Z',
  '0',
  '9',
  '.',
  "'",
  '%',
  '[',
  ']',
  '{',
  '}',
];

/** A random text made of characters search and filter syntaxes care about, percent-encoded (lone surrogates as %ED%A0%80). */
function randomText(chance: Chance): UrlText {
  const length = chance.coin(0.9) ? chance.int(12) : chance.int(400);
  let text = '';
  for (let i = 0; i < length; i += 1) {
    const c = chance.pick(SPECIALS);
    text += c === '\ud800' ? '%ED%A0%80' : c === '\udc00' ? '%ED%B0%80' : enc(c);
  }
  return text;
}

function randomNumber(chance: Chance): UrlText {
  return chance.pick([
    String(chance.int(10)),
    String(chance.int(1_000_000)),
    String(-chance.int(100)),
    String(chance.next() * 1e6),
    String(2 ** chance.int(70)),
    `${chance.int(100)}e${chance.int(400)}`,
  ]);
}

function parameterValue(chance: Chance, parameter: Parameter): UrlText {
  const roll = chance.next();
  if (roll < 0.45) return chance.pick(HOSTILE_VALUES);
  if (roll < 0.7) return randomText(chance);
  const type = parameter.schema?.type;
  if (parameter.schema?.enum && parameter.schema.enum.length > 0) return enc(String(chance.pick(parameter.schema.enum)));
  if (type === 'integer' || type === 'number') return randomNumber(chance);
  if (type === 'boolean') return chance.pick(['true', 'false', 'True', '1', '0', 'yes', 'maybe', '']);
  return chance.pick([...GOOD_IDS.map(enc), enc('國家發展委員會'), 'a41000000g', 'CSV', enc('交通'), '統計']);
}

function pathFor(chance: Chance, operation: Operation): string {
  return operation.template.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    if (name === 'file') {
      const id = chance.coin(0.7)
        ? chance.pick([...GOOD_IDS, HOSTILE.loneSurrogate, HOSTILE.deep, HOSTILE.manyDistributions].map(enc))
        : chance.pick(HOSTILE_VALUES);
      return `${id}${chance.pick(['.jsonld', '.ttl', '.rdf', '.nt', '.json', '.xml', '', '.', '.JSONLD', '.jsonld.ttl'])}`;
    }
    return chance.coin(0.4)
      ? chance.pick([...GOOD_IDS, HOSTILE.loneSurrogate, HOSTILE.deep, HOSTILE.manyDistributions, 'I00', '統計', '9000000001'].map(enc))
      : chance.pick(HOSTILE_VALUES);
  });
}

function queryFor(chance: Chance, operation: Operation): string {
  const pairs: string[] = [];
  const declared = operation.parameters.filter((p) => p.in === 'query');
  for (const parameter of declared) {
    if (!chance.coin(0.4)) continue;
    const name = enc(parameter.name);
    pairs.push(`${name}=${parameterValue(chance, parameter)}`);
    // The same parameter again (a list), or as PHP-style brackets.
    if (chance.coin(0.1)) pairs.push(`${name}=${parameterValue(chance, parameter)}`);
    if (chance.coin(0.05)) pairs.push(`${name}[]=${parameterValue(chance, parameter)}`);
    if (chance.coin(0.03)) pairs.push(`${name}[a][b]=1`);
  }
  if (chance.coin(0.1)) pairs.push(`${chance.pick(['__proto__', 'constructor', 'x', '%ED%A0%80', '', 'q[', 'toString'])}=${chance.pick(HOSTILE_VALUES)}`);
  if (chance.coin(0.05)) pairs.push(chance.pick(['&&&', '=', '==', 'a', '&=x', '%ED%A0%80']));
  return pairs.length > 0 ? `?${pairs.join('&')}` : chance.coin(0.05) ? '?' : '';
}

/** A random JSON value of at most `depth` levels. */
function randomJson(chance: Chance, depth: number): unknown {
  const roll = chance.int(depth <= 0 ? 6 : 9);
  switch (roll) {
    case 0:
      return null;
    case 1:
      return chance.coin();
    case 2:
      return chance.pick([0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 63, chance.int(1000)]);
    case 3:
      return chance.pick([
        '',
        'x',
        '\ud800',
        '中文',
        '"',
        '*',
        'NEAR(',
        'a OR b',
        '%ED%A0%80',
        'x'.repeat(chance.int(5000)),
        '2025-01-01',
        'A41000000G-000001',
      ]);
    case 4:
    case 5:
      return chance.pick(['["organization"]', '[', 'true', '10', '{}']);
    case 6:
      return Array.from({ length: chance.int(5) }, () => randomJson(chance, depth - 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = chance.int(6); i > 0; i -= 1) {
        object[
          chance.pick([
            'q',
            'id',
            'rows',
            'start',
            'fq',
            'sort',
            'limit',
            'offset',
            'facet.field',
            'name',
            'title',
            'identifier',
            'distribution',
            'keyword',
            'publisher',
            '__proto__',
            'constructor',
            '\ud800',
            '',
          ])
        ] = randomJson(chance, depth - 1);
      }
      return object;
    }
  }
}

/** A body for a POST or PUT: text and content type. */
function bodyFor(chance: Chance, operation: Operation): { payload: string; contentType: string | undefined } {
  const contentType = chance.coin(0.85)
    ? 'application/json'
    : chance.pick([
        undefined,
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/xml',
        'application/json; charset=big5',
        'multipart/form-data; boundary=x',
        'application/json\u0000',
      ]);
  const roll = chance.next();
  let payload: string;
  if (roll < 0.25 && operation.template.startsWith('/api/v')) {
    // A record close to valid, with one field made hostile: it gets past the first checks.
    const id = chance.coin(0.7) ? `A41000000G-${String(chance.int(999_999)).padStart(6, '0')}` : 'B00000000X-000001';
    const record = validRecord(id);
    const field = chance.pick(Object.keys(record));
    record[field] = randomJson(chance, 4);
    if (chance.coin(0.2)) record['distribution'] = Array.from({ length: chance.pick([0, 1, 1000, 10_001]) }, () => ({}));
    if (chance.coin(0.1)) record['extras'] = nestedValue(chance.pick([10, 70, 1000]));
    payload = JSON.stringify(record);
  } else if (roll < 0.65) {
    payload = JSON.stringify(randomJson(chance, 5)) ?? 'null';
  } else if (roll < 0.75) {
    const depth = chance.pick([63, 64, 65, 200, 1000, 5000, 20_000]);
    payload = chance.coin() ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `{"q":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
  } else if (roll < 0.8) {
    payload = `{"q":"${'x'.repeat(chance.pick([100_000, 1_100_000, 6_000_000]))}"}`;
  } else if (roll < 0.9) {
    payload = chance.pick([
      '',
      '{',
      '}',
      '[',
      'nul',
      '{"a":}',
      '{"q":"\\ud800"}',
      '{"q":"\\u0000"}',
      '{"__proto__":{"x":1}}',
      '{"constructor":{"prototype":{"x":1}}}',
      '\ufeff{}',
      '"just a string"',
      '1e999',
      '[1,2,3]',
      'q=1&rows=x',
    ]);
  } else {
    payload = JSON.stringify(randomJson(chance, 3));
  }
  return { payload, contentType };
}

const ACCEPTS = [
  undefined,
  undefined,
  undefined,
  '*/*',
  'application/json',
  'application/ld+json',
  'text/turtle',
  'application/rdf+xml',
  'application/n-triples',
  'text/html',
  'text/csv',
  'application/xml',
  'image/png',
  'garbage',
  'text/turtle;q=0, */*;q=0',
  ';;;',
  'application/ld+json;profile="x',
];

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

function requestFor(chance: Chance, operation: Operation, key: string): FuzzRequest {
  const headers: Record<string, string> = {};
  const accept = chance.pick(ACCEPTS);
  if (accept !== undefined) headers['accept'] = accept;
  if (chance.coin(0.05)) headers['if-none-match'] = chance.pick(['*', '"x"', 'W/"', '"' + 'a'.repeat(500) + '"']);
  if (chance.coin(0.05)) headers['if-modified-since'] = chance.pick(['Thu, 01 Jan 1970 00:00:00 GMT', 'yesterday', '']);
  if (chance.coin(0.05)) headers['accept-encoding'] = chance.pick(['gzip', 'br', 'deflate', 'identity;q=0', 'x']);
  const method = chance.coin(0.03) ? chance.pick(['PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'DELETE', 'PUT', 'HEAD']) : operation.method;
  if (method !== 'GET' && method !== 'HEAD' && chance.coin(0.85))
    headers['authorization'] = chance.coin(0.9) ? key : chance.pick(['', 'Bearer x', key.slice(0, -1), `${key}x`, 'ApiKey ' + key]);
  const request: FuzzRequest = { method, url: pathFor(chance, operation) + queryFor(chance, operation), headers };
  if (operation.hasBody && (method === 'POST' || method === 'PUT')) {
    const { payload, contentType } = bodyFor(chance, operation);
    request.payload = payload;
    if (contentType !== undefined) headers['content-type'] = contentType;
  }
  return request;
}

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function hasLoneSurrogate(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node === 'string') {
      if (LONE_SURROGATE.test(node)) return true;
    } else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) {
        if (LONE_SURROGATE.test(key)) return true;
        pending.push(item);
      }
    }
  }
  return false;
}

/** What is wrong with an answer, or undefined. */
function problemWith(request: FuzzRequest, answer: Answer): string | undefined {
  if (answer.status >= 500) return `status ${answer.status}: ${answer.body.slice(0, 300)}`;
  if (answer.status < 100) return `no HTTP status (${answer.status})`;
  if (request.method === 'HEAD' || answer.status === 204 || answer.status === 304) return undefined;
  if (answer.body.length > 0 && answer.contentType === undefined) return 'a body without a Content-Type';
  if (answer.contentType !== undefined && /json/.test(answer.contentType)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body) as unknown;
    } catch (err) {
      return `declared ${answer.contentType} but does not parse: ${(err as Error).message}: ${answer.body.slice(0, 200)}`;
    }
    if (hasLoneSurrogate(parsed)) return `a lone surrogate in the answer: ${answer.body.slice(0, 200)}`;
    if (answer.status >= 400) {
      const error = (parsed as { success?: unknown; error?: Record<string, unknown> } | null)?.error;
      const shaped =
        (parsed as { success?: unknown } | null)?.success === false &&
        error !== undefined &&
        typeof error['message'] === 'string' &&
        (typeof error['error_type'] === 'string' || typeof error['__type'] === 'string');
      if (!shaped) return `a ${answer.status} not in the error shape: ${answer.body.slice(0, 200)}`;
    }
  }
  return undefined;
}

function describe(request: FuzzRequest): string {
  const body = request.payload === undefined ? '' : ` body(${request.payload.length} chars)=${request.payload.slice(0, 120)}`;
  return `${request.method} ${request.url.slice(0, 300)} headers=${JSON.stringify(request.headers)}${body}`;
}

/** The body as text, decompressed as its Content-Encoding says. */
function decoded(bytes: Buffer, encoding: unknown): string {
  if (encoding === 'gzip') return gunzipSync(bytes).toString('utf8');
  if (encoding === 'br') return brotliDecompressSync(bytes).toString('utf8');
  if (encoding === 'deflate') return inflateSync(bytes).toString('utf8');
  return bytes.toString('utf8');
}

async function viaInject(app: FastifyInstance, request: FuzzRequest): Promise<Answer> {
  const res = await app.inject({
    method: request.method as 'GET',
    url: request.url,
    headers: request.headers,
    ...(request.payload !== undefined ? { payload: request.payload } : {}),
  });
  const type = res.headers['content-type'];
  return { status: res.statusCode, contentType: typeof type === 'string' ? type : undefined, body: decoded(res.rawPayload, res.headers['content-encoding']) };
}

async function viaSocket(base: string, request: FuzzRequest): Promise<Answer> {
  const res = await undiciRequest(`${base}${request.url}`, {
    method: request.method as 'GET',
    headers: request.headers,
    ...(request.payload !== undefined ? { body: request.payload } : {}),
    headersTimeout: 20_000,
    bodyTimeout: 20_000,
  });
  const type = res.headers['content-type'];
  return {
    status: res.statusCode,
    contentType: typeof type === 'string' ? type : undefined,
    body: decoded(Buffer.from(await res.body.arrayBuffer()), res.headers['content-encoding']),
  };
}

async function operationsOf(app: FastifyInstance): Promise<Operation[]> {
  const doc = (await app.inject({ url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: unknown }>>;
  };
  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!['get', 'head', 'post', 'put', 'delete', 'patch'].includes(method)) continue;
      operations.push({ method: method.toUpperCase(), template, parameters: operation.parameters ?? [], hasBody: operation.requestBody !== undefined });
    }
  }
  return operations;
}

t.test(`fuzz: ${REQUESTS} requests over every route and method of /openapi.json (seed ${SEED})`, async (t: Test) => {
  const store = await hostileStore(t);
  const key = (await issueApiKey(sqliteStoreOn(store.db), { publisher: '國家發展委員會', orgCode: 'A41000000G', allow: [] })).key;
  const app = await buildApi({
    store: sqliteStoreOn(store.db),
    publicUrl: 'https://gateway.example.tw',
    logger: (process.env['FUZZ_LOG'] ? pino({ level: 'error' }, pino.destination(process.env['FUZZ_LOG'])) : silentLog) as never,
    http: { rateLimit: { max: 0, timeWindowMs: 60_000, allowList: [] } },
  });
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const operations = await operationsOf(app);
  t.ok(operations.length >= 30, `${operations.length} operations described`);
  t.ok(
    operations.some((o) => o.method === 'POST') && operations.some((o) => o.method === 'PUT') && operations.some((o) => o.method === 'DELETE'),
    'writes among them',
  );

  const chance = new Chance(mulberry32(SEED));
  const failures: string[] = [];
  const started = Date.now();
  for (let i = 0; i < REQUESTS; i += 1) {
    // Round robin over the operations, so each gets its share whatever the seed.
    const operation = operations[i % operations.length]!;
    const request = requestFor(chance, operation, key);
    const overSocket = i % Math.max(1, Math.floor(REQUESTS / SOCKET_REQUESTS)) === 0;
    let problem: string | undefined;
    try {
      problem = problemWith(request, overSocket ? await viaSocket(base, request) : await viaInject(app, request));
    } catch (err) {
      // A client-side refusal of a URL or header the fuzzer made is not the server's fault.
      if (overSocket && err instanceof Error && /invalid|Invalid/.test(err.message) && !/socket|ECONN/.test(err.message)) continue;
      problem = `the request failed: ${(err as Error).message}`;
    }
    if (problem !== undefined) failures.push(`#${i} ${overSocket ? 'socket' : 'inject'} ${describe(request)} → ${problem}`);
  }
  const seconds = (Date.now() - started) / 1000;
  t.comment(`${REQUESTS} requests (${SOCKET_REQUESTS} over a socket) in ${seconds.toFixed(1)} s, seed ${SEED}`);
  for (const failure of failures.slice(0, 25)) t.fail(`seed ${SEED}: ${failure}`);
  t.equal(failures.length, 0, `no failing answers (seed ${SEED}; rerun with FUZZ_SEED=${SEED})`);

  // The store still answers after all that.
  const health = await app.inject({ url: '/healthz' });
  t.equal(health.statusCode, 200);
});
