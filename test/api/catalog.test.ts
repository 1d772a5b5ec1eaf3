/**
 * GET /catalog: the federated catalogue as a DCAT-AP 3 dcat:Catalog over a harvested store
 * (a loopback fixture platform, the real harvester and SQLite), its Hydra paging, every filter,
 * bad parameters and the empty catalogue. Syntaxes and negotiation: dcat-conneg.test.ts.
 */
import t from 'tap';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startFederation } from '../helpers/federation.js';
import { dcatApViolations } from '../helpers/dcat-ap.js';
import { CATALOG_RECORDS, IDENTIFIERS, LICENCE_OTHER } from './catalog-records.js';
import { canonicalGraph } from './rdf-compare.js';

type Node = Record<string, unknown>;

const PUBLIC_URL = 'https://gateway.example.tw';
const SERVICE_CATEGORY = 'https://ogd-gateway.example/ns/service-category/';
const EU_THEME = 'http://publications.europa.eu/resource/authority/data-theme/';

interface CatalogPage {
  status: number;
  headers: Headers;
  doc: Node;
  /** Identifiers of the page's datasets, in order. */
  ids: string[];
  view: Node;
}

const idOf = (value: unknown): string | undefined => (value as { '@id'?: string } | undefined)?.['@id'];

t.test('GET /catalog over a harvested catalogue', async (t) => {
  const { harvester, base } = await startFederation(t, CATALOG_RECORDS, PUBLIC_URL);
  t.equal((await harvester.run('fixture'))?.status, 'succeeded');

  async function catalog(query = '', path = '/catalog'): Promise<CatalogPage> {
    const res = await fetch(`${base}${path}${query === '' ? '' : `?${query}`}`);
    const doc = (await res.json()) as Node;
    const datasets = (doc['dcat:dataset'] ?? []) as Node[];
    return { status: res.status, headers: res.headers, doc, ids: datasets.map((d) => String(d['dct:identifier'])), view: (doc['hydra:view'] ?? {}) as Node };
  }

  const filtered = async (query: string): Promise<string[]> => {
    const page = await catalog(query);
    t.equal(page.status, 200, query);
    t.equal(page.view['hydra:totalItems'], page.ids.length, `${query}: totalItems counts the matches`);
    return page.ids;
  };

  await t.test('the catalogue node: DCAT-AP 3, the gateway as publisher, the latest change, every dataset', async (t) => {
    const { status, headers, doc, ids, view } = await catalog();
    t.equal(status, 200);
    t.match(headers.get('content-type'), /^application\/ld\+json; charset=utf-8$/);
    t.match(headers.get('vary'), /\bAccept\b/);
    t.equal(doc['@id'], `${PUBLIC_URL}/catalog`);
    t.equal(doc['@type'], 'dcat:Catalog');
    t.ok(typeof doc['@context'] === 'object' && doc['@context'] !== null, 'the context is inline');
    t.match(doc['dct:title'], [{ '@language': 'zh-Hant' }, { '@language': 'en' }]);
    t.match(doc['dct:description'], [{ '@language': 'zh-Hant' }, { '@language': 'en' }]);
    t.same(doc['dct:publisher'], { '@id': `${PUBLIC_URL}/#publisher`, '@type': 'foaf:Agent', 'foaf:name': 'ogd-gateway' });
    t.same(doc['foaf:homepage'], { '@id': `${PUBLIC_URL}/` });
    t.match(doc['dcat:themeTaxonomy'], { '@id': 'https://ogd-gateway.example/ns/service-category', '@type': 'skos:ConceptScheme' });
    // 379000000A-000001 is the newest: 2024-03-01 10:00:00 in Taipei.
    t.same(doc['dct:modified'], { '@value': '2024-03-01T02:00:00Z', '@type': 'xsd:dateTime' });
    t.same(ids, IDENTIFIERS, 'every dataset, in identifier order');
    const first = (doc['dcat:dataset'] as Node[])[0]!;
    t.equal(first['@id'], `${PUBLIC_URL}/dataset/379000000A-000001`);
    t.match(first['dct:title'], { '@value': '臺北市公車路線', '@language': 'zh-Hant' });
    t.ok(Array.isArray(first['dcat:distribution']), 'the full dataset node, distributions included');
    t.equal(view['@type'], 'hydra:PartialCollectionView');
    t.equal(view['hydra:totalItems'], 6);
    t.equal(idOf(view['hydra:first']), `${PUBLIC_URL}/catalog?pageSize=100&page=1`);
    t.equal(idOf(view['hydra:last']), `${PUBLIC_URL}/catalog?pageSize=100&page=1`);
    t.notOk('hydra:next' in view, 'one page: no next');
    t.notOk('hydra:previous' in view, 'first page: no previous');
  });

  await t.test('a dataset reads the same in the catalogue and on its own', async (t) => {
    const { doc } = await catalog('pageSize=1');
    const inCatalog = (doc['dcat:dataset'] as Node[])[0]!;
    const own = (await (await fetch(`${base}/dataset/379000000A-000001.jsonld`)).json()) as Node;
    const { '@context': _context, ...alone } = own;
    t.same(inCatalog, alone);
  });

  await t.test('the page passes the DCAT-AP 3.0.1 SHACL shapes', async (t) => {
    const { doc } = await catalog();
    t.same(await dcatApViolations(doc), [], 'catalogue, agent, concept scheme and all six datasets conform');
  });

  await t.test('paging: Hydra links on the public URL, totalItems, the page in order', async (t) => {
    const page2 = await catalog('pageSize=2&page=2');
    t.same(page2.ids, IDENTIFIERS.slice(2, 4));
    t.equal(page2.view['@id'], `${PUBLIC_URL}/catalog?pageSize=2&page=2`);
    t.equal(idOf(page2.view['hydra:first']), `${PUBLIC_URL}/catalog?pageSize=2&page=1`);
    t.equal(idOf(page2.view['hydra:previous']), `${PUBLIC_URL}/catalog?pageSize=2&page=1`);
    const nextLink = idOf(page2.view['hydra:next'])!;
    t.match(nextLink, /^https:\/\/gateway\.example\.tw\/catalog\?pageSize=2&cursor=[A-Za-z0-9_-]+$/, 'next names the page after this one by a cursor');
    t.same((await catalog(new URL(nextLink).search.slice(1))).ids, IDENTIFIERS.slice(4), 'the cursor leads to page 3');
    t.equal(idOf(page2.view['hydra:last']), `${PUBLIC_URL}/catalog?pageSize=2&page=3`);
    t.equal(page2.view['hydra:totalItems'], 6);
    t.equal(
      page2.headers.get('link'),
      `<${PUBLIC_URL}/catalog?pageSize=2&page=1>; rel="first", <${PUBLIC_URL}/catalog?pageSize=2&page=1>; rel="prev", <${nextLink}>; rel="next", <${PUBLIC_URL}/catalog?pageSize=2&page=3>; rel="last"`,
      'the same links as an HTTP Link header',
    );

    const last = await catalog('pageSize=2&page=3');
    t.same(last.ids, IDENTIFIERS.slice(4));
    t.notOk('hydra:next' in last.view, 'the last page has no next');

    // Following next from the first page visits every dataset once.
    const seen: string[] = [];
    let next: string | undefined = `${PUBLIC_URL}/catalog?pageSize=4&page=1`;
    while (next !== undefined) {
      const page = await catalog(new URL(next).search.slice(1));
      seen.push(...page.ids);
      next = idOf(page.view['hydra:next']);
    }
    t.same(seen, IDENTIFIERS, 'walking hydra:next covers the catalogue');

    const beyond = await catalog('pageSize=2&page=9');
    t.equal(beyond.status, 200, 'a page past the end is empty, not an error');
    t.same(beyond.ids, []);
    t.equal(beyond.view['hydra:totalItems'], 6);
    t.equal(idOf(beyond.view['hydra:previous']), `${PUBLIC_URL}/catalog?pageSize=2&page=3`, 'previous leads back to the last page');
    t.notOk('hydra:next' in beyond.view);

    const all = await catalog('pageSize=1000');
    t.same(all.ids, IDENTIFIERS, 'the largest page size');
  });

  await t.test('links keep the filters, as written, and the syntax suffix', async (t) => {
    const res = await fetch(`${base}/catalog.ttl?q=${encodeURIComponent('公車')}&category=A00&pageSize=1&page=1&utm_source=x`);
    t.equal(res.status, 200);
    const links = Object.fromEntries([...(res.headers.get('link') ?? '').matchAll(/<([^>]+)>; rel="(\w+)"/g)].map((m) => [m[2]!, m[1]!]));
    t.same(Object.keys(links).sort(), ['first', 'last', 'next']);
    const next = new URL(links.next!);
    t.equal(next.origin + next.pathname, `${PUBLIC_URL}/catalog.ttl`, 'absolute, on the public URL, same suffix');
    t.same(
      [...next.searchParams].map(([name, value]) => (name === 'cursor' ? [name, 'CURSOR'] : [name, value])),
      [
        ['q', '公車'],
        ['category', 'A00'],
        ['pageSize', '1'],
        ['cursor', 'CURSOR'],
      ],
      'filters kept; unknown parameters dropped',
    );
    const body = await res.text();
    t.match(body, /hydra:totalItems (?:2\b|"2"\^\^xsd:integer)/, 'the Turtle carries the count');
  });

  await t.test('filters: full text, Chinese included', async (t) => {
    t.same(await filtered(`q=${encodeURIComponent('公車')}`), ['379000000A-000001', '382000000A-000001'], '公車 in two titles');
    t.same(await filtered(`q=${encodeURIComponent('公車 臺北')}`), ['379000000A-000001'], 'every word must match');
    t.same(await filtered(`q=${encodeURIComponent('台北 公車')}`), ['379000000A-000001'], '台 finds 臺');
    t.same(await filtered(`q=${encodeURIComponent('健保特約')}`), ['A21000000I-000901'], 'the description is searched');
    t.same(await filtered(`q=${encodeURIComponent('火星探測')}`), [], 'nothing matches: an empty page');
    t.same(await filtered('q='), IDENTIFIERS, 'an empty q filters nothing');
  });

  await t.test('filters: publisher, category, theme, format, licence', async (t) => {
    t.same(await filtered(`publisher=${encodeURIComponent('臺北市政府交通局')}`), ['379000000A-000001', '379000000A-000002']);
    t.same(await filtered(`publisher=${encodeURIComponent('不存在的機關')}`), []);
    const transport = ['379000000A-000001', '379000000A-000002', '382000000A-000001'];
    t.same(await filtered('category=A00'), transport);
    t.same(await filtered('category=a00'), transport, 'the code in any case');
    t.same(await filtered(`category=${encodeURIComponent('交通及通訊')}`), transport, 'or its name');
    t.same(await filtered(`theme=${encodeURIComponent(`${SERVICE_CATEGORY}B00`)}`), ['A21000000I-000901'], 'the dcat:theme IRI the views publish');
    t.same(await filtered(`category=A00&theme=${encodeURIComponent(`${SERVICE_CATEGORY}B00`)}`), [], 'two different categories: nothing');
    t.same(await filtered(`category=B00&theme=${encodeURIComponent(`${SERVICE_CATEGORY}B00`)}`), ['A21000000I-000901']);
    t.same(await filtered('format=csv'), ['379000000A-000001', 'A21000000I-000901'], 'format, case-insensitive');
    t.same(await filtered('format=XML'), ['397000000A-000013', 'A41000000G-000002']);
    t.same(await filtered(`license=${encodeURIComponent(LICENCE_OTHER)}`), ['382000000A-000001']);
    t.same(await filtered('category=A00&format=JSON'), ['379000000A-000002', '382000000A-000001'], 'filters combine with AND');
  });

  await t.test('filters: modified_since, RFC 3339 or Taipei local time', async (t) => {
    const sinceMay = ['379000000A-000001', '379000000A-000002', '382000000A-000001'];
    t.same(await filtered('modified_since=2023-05-01'), sinceMay, 'a date is Taipei midnight; "at or after"');
    t.same(await filtered(`modified_since=${encodeURIComponent('2023-04-30T16:00:00Z')}`), sinceMay, 'the same instant in UTC');
    t.same(await filtered(`modified_since=${encodeURIComponent('2023-05-01T00:00:01+08:00')}`), sinceMay.slice(0, 2));
    t.same(await filtered(`modified_since=${encodeURIComponent('2023-06-15 08:30:00')}`), sinceMay.slice(0, 2), 'Taipei local date-time');
    t.same(await filtered('modified_since=2023-06-15T08:30:00 08:00'), sinceMay.slice(0, 2), 'an unencoded + arrives as a space and is read as +');
    t.same(await filtered('modified_since=2030-01-01'), []);
    const page = await catalog('modified_since=2030-01-01');
    t.same(
      page.doc['dct:modified'],
      { '@value': '2024-03-01T02:00:00Z', '@type': 'xsd:dateTime' },
      "dct:modified is the whole catalogue's, whatever the filters",
    );
  });

  await t.test('theme: an EU data theme selects the datasets whose 服務分類 maps to it', async (t) => {
    const transport = ['379000000A-000001', '379000000A-000002', '382000000A-000001'];
    const theme = (value: string): string => `theme=${encodeURIComponent(value)}`;
    t.same(await filtered(theme(`${EU_THEME}TRAN`)), transport, '交通及通訊 → Transport');
    t.same(await filtered(theme('https://publications.europa.eu/resource/authority/data-theme/TRAN')), transport, 'over https');
    t.same(await filtered(theme('TRAN')), transport, 'the bare code');
    t.same(await filtered(theme('tran')), transport, 'in any case');
    t.same(await filtered(theme(`${EU_THEME}tech`)), transport, '交通及通訊 is (tele)communications too');
    t.same(await filtered(theme('HEAL')), ['A21000000I-000901'], '就醫 → Health');
    t.same(await filtered(theme('ENVI')), ['397000000A-000013'], '生活安全及品質 → Environment');
    t.same(await filtered(theme('JUST')), ['397000000A-000013'], '… and public safety');
    t.same(await filtered(theme('GOVE')), ['A41000000G-000002'], '公共資訊 → Government');
    t.same(await filtered(theme('SOCI')), [], 'no dataset of the categories it has');
    t.same(await filtered(theme('OP_DATPRO')), [], 'a theme no category maps to: nothing, not an error');
    t.same(await filtered(`category=A00&${theme('TRAN')}`), transport, 'with category: both hold');
    t.same(await filtered(`category=B00&${theme('TRAN')}`), [], 'a category outside the theme: nothing');
    t.same(await filtered(`${theme('TRAN')}&format=JSON`), ['379000000A-000002', '382000000A-000001'], 'with other filters');
    t.same(await filtered(`q=${encodeURIComponent('公車')}&${theme('TRAN')}`), ['379000000A-000001', '382000000A-000001'], 'with full text');

    const page = await catalog(theme('TRAN'));
    t.same(await dcatApViolations(page.doc), [], 'the filtered page passes the shapes');
    const first = (page.doc['dcat:dataset'] as Node[])[0]!;
    t.same(
      (first['dcat:theme'] as Node[]).map((node) => node['@id']),
      [`${SERVICE_CATEGORY}A00`, `${EU_THEME}TRAN`, `${EU_THEME}TECH`],
      'each dataset carries the theme it was selected by',
    );

    // Walking the next links keeps the theme; a cursor of one theme is refused for another.
    const seen: string[] = [];
    let next: string | undefined = `${PUBLIC_URL}/catalog?${theme('TRAN')}&pageSize=1`;
    while (next !== undefined) {
      const url = new URL(next);
      t.equal(url.searchParams.get('theme'), 'TRAN', 'the theme kept as written');
      const walked = await catalog(url.search.slice(1));
      seen.push(...walked.ids);
      next = idOf(walked.view['hydra:next']);
    }
    t.same(seen, transport, 'walking hydra:next covers the theme');
    const second = await catalog(`${theme('TRAN')}&pageSize=1`);
    const cursorOfTran = new URL(idOf(second.view['hydra:next'])!).searchParams.get('cursor')!;
    const misused = await fetch(`${base}/catalog?${theme('HEAL')}&pageSize=1&cursor=${cursorOfTran}`);
    t.equal(misused.status, 400, 'a cursor of another theme');
    t.match(((await misused.json()) as { error: { message: string } }).error.message, /cursor was issued for another query/);
  });

  await t.test('theme: a code the EU table does not have is refused, not ignored', async (t) => {
    for (const theme of [
      `${EU_THEME}XXXX`,
      'https://publications.europa.eu/resource/authority/data-theme/transport',
      `${EU_THEME}`,
      'XXXX',
      'transport',
      '交通',
    ]) {
      const res = await fetch(`${base}/catalog?theme=${encodeURIComponent(theme)}`);
      t.equal(res.status, 400, theme);
      const body = (await res.json()) as { success: boolean; error: { error_type: string; message: string } };
      t.equal(body.error.error_type, 'ER0210:輸入的參數內容格式錯誤。');
      t.match(body.error.message, /is not an EU data theme|theme must be an EU data theme/, theme);
      t.match(body.error.message, /AGRI, ECON, EDUC/, `${theme}: the codes are listed`);
    }
  });

  await t.test('bad parameters answer 400 in the spec shape, never 500', async (t) => {
    const bad = [
      'page=0',
      'page=-1',
      'page=1.5',
      'page=abc',
      'page=',
      'page=10000001',
      'page=1e400',
      'pageSize=1e400',
      'pageSize=0',
      'pageSize=1001',
      'pageSize=2.5',
      'pageSize=all',
      'pageSize=-5',
      'modified_since=yesterday',
      'modified_since=2021-13-01',
      'modified_since=2021-02-30',
      'modified_since=2021-08-01T25:00:00Z',
      'category=Z99',
      'category=K00',
      `theme=${encodeURIComponent(`${SERVICE_CATEGORY}Z99`)}`,
      'theme=transport',
      `theme=${encodeURIComponent('https://example.org/theme/1')}`,
      `q=${'公'.repeat(501)}`,
      'q=a&q=b',
      'publisher=a&publisher=b',
      `license=${'x'.repeat(2001)}`,
    ];
    for (const query of bad) {
      const res = await fetch(`${base}/catalog?${query}`);
      t.equal(res.status, 400, query.slice(0, 60));
      const body = (await res.json()) as { success: boolean; error: { error_type: string; message: string } };
      t.equal(body.success, false, query.slice(0, 60));
      t.equal(body.error.error_type, 'ER0210:輸入的參數內容格式錯誤。', query.slice(0, 60));
      t.ok(body.error.message.length > 0, query.slice(0, 60));
    }
    const res = await fetch(`${base}/catalog.nt?pageSize=0`);
    t.equal(res.status, 400, 'the suffixed paths check the same');
    t.match(res.headers.get('content-type'), /^application\/json/);
    const message = ((await (await fetch(`${base}/catalog?modified_since=yesterday`)).json()) as { error: { message: string } }).error.message;
    t.match(message, /modified_since must be an RFC 3339 date-time .* got "yesterday"/);
  });

  await t.test('paths that are not the catalogue', async (t) => {
    for (const path of ['/catalog.xml', '/catalog.json', '/catalog/', '/catalogs']) {
      const res = await fetch(`${base}${path}`);
      t.equal(res.status, 404, path);
    }
    const head = await fetch(`${base}/catalog.ttl`, { method: 'HEAD' });
    t.equal(head.status, 200, 'HEAD');
    t.match(head.headers.get('content-type'), /^text\/turtle/);
    t.equal(await head.text(), '');
  });

  await t.test('every syntax of a filtered page holds the same graph', async (t) => {
    const query = `q=${encodeURIComponent('公車')}&pageSize=1&page=2`;
    const graphs = await Promise.all(
      (
        [
          ['.jsonld', 'jsonld'],
          ['.ttl', 'turtle'],
          ['.rdf', 'rdfxml'],
          ['.nt', 'ntriples'],
        ] as const
      ).map(async ([suffix, syntax]) => {
        // The paging IRIs name the suffix: the graphs are equal once that is set aside.
        const body = (await (await fetch(`${base}/catalog${suffix}?${query}`)).text()).replaceAll(`/catalog${suffix}?`, '/catalog?');
        return canonicalGraph(body, syntax);
      }),
    );
    t.ok(graphs[0]!.includes('382000000A-000001'), 'page 2 of 公車 is 新北市公車站牌位置');
    for (const graph of graphs.slice(1)) t.equal(graph, graphs[0]);
  });

  await t.test('GET /openapi.json describes the catalogue paths', async (t) => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, { get?: { operationId: string; parameters?: Array<{ name: string }> } }>;
    };
    const result = await new Validator().validate(doc as never);
    t.ok(result.valid, `valid OpenAPI: ${JSON.stringify(result.errors ?? '').slice(0, 500)}`);
    const operations = ['/catalog', '/catalog.jsonld', '/catalog.ttl', '/catalog.rdf', '/catalog.nt'].map((path) => doc.paths[path]?.get?.operationId);
    t.same(operations, ['getCatalog', 'getCatalogJsonLd', 'getCatalogTurtle', 'getCatalogRdfXml', 'getCatalogNTriples']);
    t.same(doc.paths['/catalog']!.get!.parameters!.map((p) => p.name).sort(), [
      'category',
      'cursor',
      'format',
      'include_withdrawn',
      'license',
      'modified_since',
      'page',
      'pageSize',
      'publisher',
      'q',
      'theme',
    ]);
  });
});

t.test('GET /catalog of an empty catalogue', async (t) => {
  const { base } = await startFederation(t, [], PUBLIC_URL);
  const res = await fetch(`${base}/catalog`);
  t.equal(res.status, 200);
  const doc = (await res.json()) as Node;
  t.equal(doc['@type'], 'dcat:Catalog');
  t.same(doc['dcat:dataset'], []);
  t.notOk('dct:modified' in doc, 'nothing has changed yet');
  const view = doc['hydra:view'] as Node;
  t.equal(view['hydra:totalItems'], 0);
  t.equal(idOf(view['hydra:first']), `${PUBLIC_URL}/catalog?pageSize=100&page=1`);
  t.equal(idOf(view['hydra:last']), idOf(view['hydra:first']), 'one (empty) page');
  t.notOk('hydra:next' in view);
  t.same(await dcatApViolations(doc), [], 'an empty catalogue is still a valid DCAT-AP catalogue');
  for (const suffix of ['.ttl', '.rdf', '.nt']) {
    const other = await fetch(`${base}/catalog${suffix}?page=3`);
    t.equal(other.status, 200, suffix);
    // In RDF/XML the & of a query string is written &amp;.
    const link = `${PUBLIC_URL}/catalog${suffix}?pageSize=100${suffix === '.rdf' ? '&amp;' : '&'}page=1`;
    t.ok((await other.text()).includes(link), `${suffix}: links to page 1`);
  }
});
