/**
 * Content negotiation of the DCAT views, GET /dataset/{identifier} and GET /catalog: every
 * syntax by Accept (q-values, wildcards, parameters) and by suffix, 406, Vary, and every output
 * parsed back by an independent parser to the same graph as the JSON-LD. Also the per-dataset
 * answers that are not a dataset: 404, 410 and 301 in every form of path.
 */
import t from 'tap';
import { get as httpGet } from 'node:http';
import { readFixture } from '../helpers/gateway.js';
import { startFederation } from '../helpers/federation.js';
import { dcatApViolations } from '../helpers/dcat-ap.js';
import { CATALOG_RECORDS } from './catalog-records.js';
import { canonicalGraph, parseRdf, type Syntax } from './rdf-compare.js';

type Raw = Record<string, unknown>;

const PUBLIC_URL = 'https://gateway.example.tw';
const specExample = readFixture<Raw>('crossplatform', 'spec-example-record.json');
/** 行政院公報, the cross-platform spec's own example: URLs with spaces, a service distribution. */
const specRecord = (specExample.result ?? specExample) as Raw;
const SPEC_ID = 'A41000000G-000001';

/** Text that every syntax must escape correctly: markup characters, quotes, line ends, a tab, an astral character. */
const AWKWARD_ID = 'A41000000G-000777';
const awkwardRecord: Raw = {
  ...CATALOG_RECORDS[0]!,
  identifier: AWKWARD_ID,
  title: '特殊字元 <b>&amp;</b> "引號" \'單引號\' ]]> 𠀋',
  description: '第一行\r\n第二行\twith tab & <tag> "quoted" \\ backslash',
  landingPage: 'https://opendata.example.gov.tw/dataset?id=777&lang=zh-TW&q="x"',
  keyword: ['a&b', '<c>', '𩸽'],
  distribution: [
    { resourceID: `${AWKWARD_ID}-001`, resourceDescription: 'CSV & <XML>', format: 'CSV', downloadURL: 'https://opendata.example.gov.tw/777.csv?a=1&b=2' },
  ],
};

/** An identifier that itself ends in one of the suffixes. */
const SUFFIXED_ID = 'A41000000G-000003.nt';
const suffixedRecord: Raw = {
  ...CATALOG_RECORDS[1]!,
  identifier: SUFFIXED_ID,
  title: '以 .nt 結尾的識別碼',
  landingPage: 'https://opendata.example.gov.tw/dataset/nt',
  distribution: [{ resourceID: 'nt-001', resourceDescription: 'JSON', format: 'JSON', downloadURL: 'https://opendata.example.gov.tw/nt.json' }],
};

const SUFFIXES: Array<[string, Syntax, string]> = [
  ['.jsonld', 'jsonld', 'application/ld+json'],
  ['.ttl', 'turtle', 'text/turtle'],
  ['.rdf', 'rdfxml', 'application/rdf+xml'],
  ['.nt', 'ntriples', 'application/n-triples'],
];

/** Accept header → the media type served (the JSON-LD document for application/json). */
const NEGOTIATED: Array<[string | undefined, string]> = [
  [undefined, 'application/ld+json'],
  ['', 'application/ld+json'],
  ['*/*', 'application/ld+json'],
  ['application/ld+json', 'application/ld+json'],
  ['text/turtle', 'text/turtle'],
  ['application/rdf+xml', 'application/rdf+xml'],
  ['application/n-triples', 'application/n-triples'],
  ['application/json', 'application/json'],
  ['text/*', 'text/turtle'],
  ['application/*', 'application/ld+json'],
  ['TEXT/TURTLE', 'text/turtle'],
  ['text/turtle;q=0.5, application/rdf+xml;q=0.9', 'application/rdf+xml'],
  ['application/n-triples;q=0.2, text/turtle;q=0.8, */*;q=0.1', 'text/turtle'],
  ['text/turtle;q=0, */*;q=0.1', 'application/ld+json'],
  ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'application/ld+json'],
  ['text/html, application/rdf+xml;q=0.5', 'application/rdf+xml'],
  ['text/turtle;charset=utf-8', 'text/turtle'],
  ['application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', 'application/ld+json'],
  ['application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded, http://example.org/p;x"; q=0.3, text/turtle; q=0.2', 'application/ld+json'],
];

const NOT_ACCEPTABLE = [
  'text/html',
  'image/png',
  'text/turtle;q=0',
  'application/xml',
  'text/csv, application/pdf;q=0.5',
  'garbage;;;',
  'application/ld+json;q=0, text/plain',
];

const SYNTAX_OF: Record<string, Syntax> = {
  'application/ld+json': 'jsonld',
  'application/json': 'jsonld',
  'text/turtle': 'turtle',
  'application/rdf+xml': 'rdfxml',
  'application/n-triples': 'ntriples',
};

function varyFields(headers: Headers): string[] {
  return (headers.get('vary') ?? '').split(',').map((field) => field.trim().toLowerCase());
}

interface SpecError {
  success: boolean;
  error: { identifier?: string; error_type: string; message: string };
}

t.test('DCAT content negotiation', async (t) => {
  const f = await startFederation(t, [specRecord, awkwardRecord, suffixedRecord, ...CATALOG_RECORDS], PUBLIC_URL, { withdrawAfterHours: 0 });
  t.equal((await f.harvester.run('fixture'))?.status, 'succeeded');
  const get = (path: string, accept?: string): Promise<Response> =>
    fetch(`${f.base}${path}`, { headers: accept === undefined ? {} : { accept }, redirect: 'manual' });

  /** The graph of the JSON-LD form of a path: what every other syntax must equal. */
  const referenceGraph = async (path: string): Promise<string> => canonicalGraph(await (await get(path, 'application/ld+json')).text(), 'jsonld');

  await t.test('a dataset in every syntax, by suffix, is one graph', async (t) => {
    for (const id of [SPEC_ID, AWKWARD_ID]) {
      const reference = await referenceGraph(`/dataset/${id}`);
      t.ok(reference.includes(`<${PUBLIC_URL}/dataset/${id}>`), `${id}: the reference graph names the dataset`);
      for (const [suffix, syntax, mediaType] of SUFFIXES) {
        // The suffix wins over Accept: ask for something else.
        const res = await get(`/dataset/${id}${suffix}`, suffix === '.ttl' ? 'application/rdf+xml' : 'text/turtle');
        t.equal(res.status, 200, `${id}${suffix}`);
        t.equal(res.headers.get('content-type'), `${mediaType}; charset=utf-8`, `${id}${suffix}`);
        t.notOk(varyFields(res.headers).includes('accept'), `${id}${suffix}: a suffixed path does not vary by Accept`);
        t.equal(await canonicalGraph(await res.text(), syntax), reference, `${id}${suffix}: the same graph as the JSON-LD`);
      }
    }
  });

  await t.test('awkward text survives every syntax', async (t) => {
    for (const [suffix, syntax] of SUFFIXES) {
      const quads = await parseRdf(await (await get(`/dataset/${AWKWARD_ID}${suffix}`)).text(), syntax);
      const valueOf = (predicate: string): string[] =>
        quads.filter((q) => q.predicate.value === predicate && q.subject.value.endsWith(AWKWARD_ID)).map((q) => q.object.value);
      t.same(valueOf('http://purl.org/dc/terms/title'), [awkwardRecord.title], `${suffix}: title`);
      t.same(valueOf('http://purl.org/dc/terms/description'), [awkwardRecord.description], `${suffix}: description with CR LF and tab`);
      t.same(valueOf('http://www.w3.org/ns/dcat#keyword').sort(), ['<c>', 'a&b', '𩸽'], `${suffix}: keywords`);
      t.match(
        valueOf('http://www.w3.org/ns/dcat#landingPage')[0],
        /^https:\/\/opendata\.example\.gov\.tw\/dataset\?id=777&lang=zh-TW&q=%22x%22$/,
        `${suffix}: landing page IRI`,
      );
    }
  });

  await t.test('GET /dataset/{identifier} negotiates on Accept', async (t) => {
    const reference = await referenceGraph(`/dataset/${SPEC_ID}`);
    for (const [accept, mediaType] of NEGOTIATED) {
      const res = await get(`/dataset/${SPEC_ID}`, accept);
      const label = `Accept: ${accept ?? '(none)'}`;
      t.equal(res.status, 200, label);
      t.equal(res.headers.get('content-type'), `${mediaType}; charset=utf-8`, label);
      t.ok(varyFields(res.headers).includes('accept'), `${label}: Vary: Accept`);
      t.equal(await canonicalGraph(await res.text(), SYNTAX_OF[mediaType]!), reference, `${label}: the same graph`);
    }
  });

  await t.test('an Accept nothing matches is 406 in the spec shape; a suffix never is', async (t) => {
    for (const accept of NOT_ACCEPTABLE) {
      for (const path of [`/dataset/${SPEC_ID}`, '/catalog']) {
        const res = await get(path, accept);
        t.equal(res.status, 406, `${path} Accept: ${accept}`);
        t.ok(varyFields(res.headers).includes('accept'), `${path} Accept: ${accept}: Vary: Accept`);
        t.match(res.headers.get('content-type'), /^application\/json/);
        const body = (await res.json()) as SpecError;
        t.equal(body.success, false);
        t.equal(body.error.error_type, 'ER0210:輸入的參數內容格式錯誤。');
        t.match(body.error.message, /text\/turtle.*application\/rdf\+xml.*application\/n-triples/, 'names what is available');
      }
    }
    for (const [suffix] of SUFFIXES) {
      t.equal((await get(`/dataset/${SPEC_ID}${suffix}`, 'text/html')).status, 200, `/dataset/{id}${suffix} with Accept: text/html`);
      t.equal((await get(`/catalog${suffix}`, 'text/html')).status, 200, `/catalog${suffix} with Accept: text/html`);
    }
  });

  await t.test('GET /catalog negotiates on Accept, and every syntax is one graph', async (t) => {
    const query = '?pageSize=3&page=2';
    const reference = await referenceGraph(`/catalog${query}`);
    t.ok(reference.includes('http://www.w3.org/ns/hydra/core#PartialCollectionView'), 'the paging view is in the graph');
    for (const [accept, mediaType] of NEGOTIATED) {
      const res = await get(`/catalog${query}`, accept);
      const label = `Accept: ${accept ?? '(none)'}`;
      t.equal(res.status, 200, label);
      t.equal(res.headers.get('content-type'), `${mediaType}; charset=utf-8`, label);
      t.ok(varyFields(res.headers).includes('accept'), `${label}: Vary: Accept`);
      t.equal(await canonicalGraph(await res.text(), SYNTAX_OF[mediaType]!), reference, `${label}: the same graph`);
    }
    for (const [suffix, syntax, mediaType] of SUFFIXES) {
      const res = await get(`/catalog${suffix}${query}`, 'application/ld+json');
      t.equal(res.headers.get('content-type'), `${mediaType}; charset=utf-8`, `/catalog${suffix}: the suffix wins`);
      // Only the paging view's own IRIs name the suffix.
      const body = (await res.text()).replaceAll(`/catalog${suffix}?`, '/catalog?');
      t.equal(await canonicalGraph(body, syntax), reference, `/catalog${suffix}: the same graph`);
    }
  });

  await t.test('the outputs pass the DCAT-AP 3.0.1 SHACL shapes', async (t) => {
    const dataset = (await (await get(`/dataset/${SPEC_ID}`)).json()) as Raw;
    t.same(await dcatApViolations(dataset), [], 'the spec example dataset');
    const catalog = (await (await get('/catalog?pageSize=1000')).json()) as Raw;
    t.equal((catalog['dcat:dataset'] as unknown[]).length, 9);
    t.same(await dcatApViolations(catalog), [], 'the whole catalogue, the awkward record included');
  });

  await t.test('an identifier ending in a suffix is still found', async (t) => {
    const whole = await get(`/dataset/${SUFFIXED_ID}`, 'text/turtle');
    t.equal(whole.status, 200, 'no dataset is called A41000000G-000003: the whole path is the identifier');
    t.match(whole.headers.get('content-type'), /^text\/turtle/, 'and Accept decides');
    t.ok((await whole.text()).includes(`<${PUBLIC_URL}/dataset/A41000000G-000003.nt>`));
    const suffixed = await get(`/dataset/${SUFFIXED_ID}.rdf`);
    t.equal(suffixed.status, 200);
    t.match(suffixed.headers.get('content-type'), /^application\/rdf\+xml/);
  });

  await t.test('unknown datasets and paths are 404 in every form', async (t) => {
    for (const path of [
      '/dataset/A41000000G-999999',
      '/dataset/A41000000G-999999.ttl',
      '/dataset/A41000000G-999999.nt',
      '/dataset/.ttl',
      '/dataset/.jsonld',
      '/dataset/%E4%B8%AD%E6%96%87.rdf',
      `/dataset/${'x'.repeat(900)}.ttl`,
    ]) {
      const res = await get(path, 'text/turtle');
      t.equal(res.status, 404, path.slice(0, 60));
      const body = (await res.json()) as SpecError;
      t.equal(body.error.error_type, 'ER0100:找不到資料。', path.slice(0, 60));
    }
    // Not even a negotiable Accept turns an unknown dataset into a 406.
    t.equal((await get('/dataset/A41000000G-999999', 'text/html')).status, 404);
    t.equal((await get(`/dataset/${SPEC_ID}`, 'text/html')).status, 406, 'but a known one answers 406');
  });

  await t.test('a request with no Accept at all gets JSON-LD', async (t) => {
    // fetch always sends an Accept; node:http sends none unless told.
    const { status, type, vary } = await new Promise<{ status: number; type: string; vary: string }>((resolve, reject) => {
      httpGet(`${f.base}/dataset/${SPEC_ID}`, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), vary: String(res.headers.vary) }));
      }).on('error', reject);
    });
    t.equal(status, 200);
    t.equal(type, 'application/ld+json; charset=utf-8');
    t.match(vary, /Accept/);
  });

  await t.test('HEAD answers like GET without a body', async (t) => {
    const res = await fetch(`${f.base}/dataset/${SPEC_ID}`, { method: 'HEAD', headers: { accept: 'application/n-triples' } });
    t.equal(res.status, 200);
    t.match(res.headers.get('content-type'), /^application\/n-triples/);
    t.equal(await res.text(), '');
  });

  await t.test('a withdrawn dataset is 410 in every form and leaves the catalogue', async (t) => {
    const before = (await (await get('/catalog')).json()) as Raw;
    const totalBefore = (before['hydra:view'] as Raw)['hydra:totalItems'] as number;
    f.platform.records.delete('397000000A-000013');
    t.equal((await f.harvester.run('fixture'))?.status, 'succeeded');
    for (const path of ['/dataset/397000000A-000013', '/dataset/397000000A-000013.ttl', '/dataset/397000000A-000013.rdf']) {
      const res = await get(path, 'text/turtle');
      t.equal(res.status, 410, path);
      const body = (await res.json()) as SpecError;
      t.equal(body.error.error_type, 'ER010001:資料集已下架。', path);
      t.equal(body.error.identifier, '397000000A-000013', path);
    }
    const after = (await (await get('/catalog')).json()) as Raw;
    t.equal((after['hydra:view'] as Raw)['hydra:totalItems'], totalBefore - 1);
    t.notOk(JSON.stringify(after['dcat:dataset']).includes('397000000A-000013'), 'no longer listed');
  });
  await t.test('an absorbed dataset redirects to the same form of path', async (t) => {
    // Identity resolution decides merges (test/identity); here the store is set as it leaves an
    // absorbed dataset, to see every form of path follow it.
    f.db
      .prepare("UPDATE dataset_entries SET merged_into = ?, withdrawn_at = '2026-01-01T00:00:00Z' WHERE identifier = ?")
      .run('379000000A-000001', '379000000A-000002');
    for (const [path, location] of [
      ['/dataset/379000000A-000002', '/dataset/379000000A-000001'],
      ['/dataset/379000000A-000002.ttl', '/dataset/379000000A-000001.ttl'],
      ['/dataset/379000000A-000002.jsonld', '/dataset/379000000A-000001.jsonld'],
    ] as const) {
      const res = await get(path, 'text/turtle');
      t.equal(res.status, 301, path);
      t.equal(res.headers.get('location'), location, path);
    }
    const followed = await fetch(`${f.base}/dataset/379000000A-000002`, { headers: { accept: 'text/turtle' } });
    t.equal(followed.status, 200);
    t.ok((await followed.text()).includes(`<${PUBLIC_URL}/dataset/379000000A-000001>`), 'the redirect leads to the surviving dataset, in the syntax asked for');
  });
});
