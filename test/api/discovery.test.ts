import t from 'tap';
import { readFixture } from '../helpers/gateway.js';
import { raw, startHttpGateway } from './http-gateway.js';
import { API_DIRECTORY } from '../../src/api/api-directory.js';

type Raw = Record<string, unknown>;

const own = readFixture<Raw[]>('crossplatform', 'own-records.json');
const NO_LIMIT = { rateLimit: { max: 0, timeWindowMs: 60_000, allowList: [] } };

/** The paths the gateway's APIs live under, as issue 6 lists them. */
const API_PATHS = ['/api/v1/rest/dataset', '/api/v2/rest/dataset', '/catalog', '/api/search', '/api/3/action', '/export/catalog.csv', '/api/v1/identity'];

interface ApisJson {
  name: string;
  description: string;
  url: string;
  created: string;
  modified: string;
  specificationVersion: string;
  tags: string[];
  apis: Array<{ name: string; description: string; humanURL: string; baseURL: string; tags: string[]; properties: Array<{ type: string; url: string }> }>;
  maintainers: Array<Record<string, string>>;
}

t.test('GET / is a small bilingual home page linking every API', async (t) => {
  const { base } = await startHttpGateway(t, own, NO_LIMIT, 'https://gateway.example.tw');
  const res = await raw(`${base}/`);
  t.equal(res.status, 200);
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  const html = res.body.toString('utf8');
  t.match(html, /^<!doctype html>\n<html lang="zh-Hant">/, 'Traditional Chinese first');
  t.match(html, /<meta charset="utf-8">/);
  t.match(html, /lang="en"/, 'with English alongside');
  t.match(html, /<\/html>\n$/);
  t.ok(res.body.length < 16_384, `small: ${res.body.length} bytes`);

  t.match(html, '<link rel="api" type="application/apis+json" href="/apis.json">', 'link rel=api with its type');
  t.match(html, '<link rel="service-desc" type="application/vnd.oai.openapi+json" href="/openapi.json">');
  t.match(res.headers.link, /<\/apis\.json>; rel="api"; type="application\/apis\+json"/, 'the Link header names /apis.json');
  t.match(res.headers.link, /<\/openapi\.json>; rel="service-desc"/);

  for (const path of API_PATHS) t.ok(html.includes(`<code>${path}</code>`), `names ${path}`);
  for (const api of API_DIRECTORY) t.match(html, `<section id="${api.key}">`, `a section #${api.key}, the humanURL of its API`);
  t.match(html, /<strong>4<\/strong> 筆資料集/, 'the number of datasets, in Chinese');
  t.match(html, /<strong>4<\/strong> datasets/, 'and in English');
  t.match(html, /<time datetime="\d{4}-\d{2}-\d{2}T/, 'when the catalogue last changed');

  t.notMatch(html, /<script/i, 'no script');
  t.notMatch(html, /\ssrc=/i, 'nothing embedded from anywhere');
  t.notMatch(html, /<link rel="stylesheet"/i, 'no external stylesheet');
  const hrefs = [...html.matchAll(/(?:href|action)="([^"]*)"/g)].map((m) => m[1]!);
  t.ok(hrefs.length >= 10, `${hrefs.length} links`);
  for (const href of hrefs) t.ok(href.startsWith('/') || href.startsWith('https://gateway.example.tw/'), `${href}: on the gateway itself`);
  for (const href of hrefs.filter(
    (h) =>
      h.startsWith('/') &&
      !h.startsWith('/api/search') &&
      !h.startsWith('/catalog') &&
      !h.startsWith('/api/3') &&
      !h.startsWith('/export') &&
      !h.startsWith('/api/v1/rest/group') &&
      !h.startsWith('/api/v1/rest/tag'),
  )) {
    // The links to APIs of this module's neighbours are checked once those exist; these must answer now.
    const target = await raw(`${base}${href.replace(/&#38;/g, '&')}`);
    t.equal(target.status, 200, `${href} answers`);
  }

  t.match(res.headers['content-security-policy'], /default-src 'none'/, 'a strict Content-Security-Policy');
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.match(res.headers.etag, /^"[0-9a-f]{32}"$/);
  t.equal((await raw(`${base}/`, { headers: { 'if-none-match': res.headers.etag! } })).status, 304, 'conditional GET works on the page');
  const head = await raw(`${base}/`, { method: 'HEAD' });
  t.equal(head.status, 200);
  t.equal(head.body.length, 0);
  t.equal(head.headers.link, res.headers.link, 'HEAD has the Link header too');
  t.equal(head.headers['content-length'], String(res.body.length));
});

t.test('the home page of an empty catalogue', async (t) => {
  const { base } = await startHttpGateway(t, [], NO_LIMIT);
  const html = (await raw(`${base}/`)).body.toString('utf8');
  t.match(html, /<strong>0<\/strong> 筆資料集。/, 'no datasets, and no last-change date');
  t.notMatch(html, /<time/);
});

t.test('behind a path prefix every link keeps the prefix', async (t) => {
  const { base } = await startHttpGateway(t, own, NO_LIMIT, 'https://data.example.tw/ogd');
  const res = await raw(`${base}/`);
  const html = res.body.toString('utf8');
  t.match(html, '<link rel="api" type="application/apis+json" href="/ogd/apis.json">');
  t.match(res.headers.link, /^<\/ogd\/apis\.json>; rel="api"/);
  t.match(html, 'href="/ogd/api/v1/rest/dataset"');
  t.notMatch(html, /href="\/api\//, 'no link escapes the prefix');
  const doc = JSON.parse((await raw(`${base}/apis.json`)).body.toString()) as ApisJson;
  t.equal(doc.url, 'https://data.example.tw/ogd/apis.json');
  t.equal(doc.apis[0]!.baseURL, 'https://data.example.tw/ogd/api/v1/rest/dataset');
});

t.test('a public URL with markup in it is escaped, not interpreted', async (t) => {
  const { base } = await startHttpGateway(t, [], NO_LIMIT, 'https://gw.example.tw/a"><script>alert(1)</script>');
  const html = (await raw(`${base}/`)).body.toString('utf8');
  t.notMatch(html, /<script/i);
  t.notMatch(html, /"><s/);
});

t.test('GET /apis.json lists the APIs in the APIs.json format', async (t) => {
  const { base } = await startHttpGateway(t, own, NO_LIMIT, 'https://gateway.example.tw');
  const res = await raw(`${base}/apis.json`);
  t.equal(res.status, 200);
  t.equal(res.headers['content-type'], 'application/apis+json; charset=utf-8');
  const doc = JSON.parse(res.body.toString('utf8')) as ApisJson;

  t.equal(doc.name, 'ogd-gateway');
  t.ok(doc.description.length >= 5);
  t.equal(doc.url, 'https://gateway.example.tw/apis.json', 'url: where this file lives');
  t.equal(doc.specificationVersion, '0.19');
  t.match(doc.created, /^\d{4}-\d{2}-\d{2}$/);
  t.match(doc.modified, /^\d{4}-\d{2}-\d{2}$/);
  t.ok(doc.modified >= doc.created);
  t.ok(doc.tags.length > 0);
  t.ok(doc.maintainers.length > 0 && doc.maintainers.every((m) => typeof m.FN === 'string'), 'maintainers as vCard-like objects');

  const baseUrls = doc.apis.map((api) => api.baseURL);
  for (const path of API_PATHS) t.ok(baseUrls.includes(`https://gateway.example.tw${path}`), `lists ${path}`);
  t.equal(new Set(baseUrls).size, baseUrls.length, 'each API once');

  const openApi = JSON.parse((await raw(`${base}/openapi.json`)).body.toString()) as { tags: Array<{ name: string }> };
  const home = (await raw(`${base}/`)).body.toString('utf8');
  for (const api of doc.apis) {
    t.ok(api.name.length >= 2 && api.description.length >= 5, `${api.baseURL}: name and description`);
    t.match(api.humanURL, /^https:\/\/gateway\.example\.tw\/#[a-z0-9-]+$/, `${api.baseURL}: humanURL`);
    t.ok(home.includes(`id="${api.humanURL.split('#')[1]}"`), `${api.humanURL} points at a section of the home page`);
    t.same(
      api.properties.find((p) => p.type === 'OpenAPI'),
      { type: 'OpenAPI', url: 'https://gateway.example.tw/openapi.json' },
      `${api.baseURL}: its OpenAPI description`,
    );
    for (const tag of api.tags)
      t.ok(
        openApi.tags.some((x) => x.name === tag),
        `${api.baseURL}: tag ${tag} is an OpenAPI tag`,
      );
  }

  t.match(res.headers.etag, /^"[0-9a-f]{32}"$/);
  t.ok(res.headers['last-modified']);
  t.equal((await raw(`${base}/apis.json`, { headers: { 'if-none-match': res.headers.etag! } })).status, 304);
  t.equal((await raw(`${base}/apis.json`, { headers: { 'if-modified-since': res.headers['last-modified']! } })).status, 304);
  const head = await raw(`${base}/apis.json`, { method: 'HEAD' });
  t.equal(head.status, 200);
  t.equal(head.body.length, 0);
});

t.test('discovery routes are described in /openapi.json', async (t) => {
  const { base } = await startHttpGateway(t, [], NO_LIMIT);
  const doc = JSON.parse((await raw(`${base}/openapi.json`)).body.toString()) as {
    tags: Array<{ name: string }>;
    paths: Record<string, { get?: { tags: string[]; operationId: string; responses: Record<string, { content?: Record<string, unknown> }> } }>;
  };
  t.ok(doc.tags.some((x) => x.name === 'discovery'));
  t.same(doc.paths['/']?.get?.tags, ['discovery']);
  t.equal(doc.paths['/']?.get?.operationId, 'homePage');
  t.ok(doc.paths['/']?.get?.responses['200']?.content?.['text/html'], 'the page is text/html');
  t.equal(doc.paths['/apis.json']?.get?.operationId, 'apisJson');
  t.ok(doc.paths['/apis.json']?.get?.responses['200']?.content?.['application/apis+json']);
});

t.test('discovery answers other methods and odd requests in the spec error shape', async (t) => {
  const { base } = await startHttpGateway(t, [], NO_LIMIT);
  for (const path of ['/index.html', '/apis.yaml', '/apis.json/extra']) {
    const res = await raw(`${base}${path}`);
    t.equal(res.status, 404, path);
    t.match(JSON.parse(res.body.toString()).error.error_type, /^ER0100:/);
  }
  const html = await raw(`${base}/`, { headers: { accept: 'application/json' } });
  t.equal(html.status, 200, 'the home page is HTML whatever Accept says (the machine-readable index is /apis.json)');
  t.match(html.headers['content-type'], /^text\/html/);
});
