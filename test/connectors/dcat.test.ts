import t, { type Test } from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateSources } from '../../connectors/index.js';
import { RefusedContextError, localDocumentLoader } from '../../connectors/dcat/jsonld-loader.js';
import { Harvester } from '../../src/harvest/harvester.js';
import { projectPath } from '../../src/model/project-root.js';
import type { Db } from '../../src/store/database.js';
import { runErrors } from '../../src/store/runs.js';
import { openTestDb, silentLog, tempDir, testConfig } from '../helpers/gateway.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';

/**
 * The DCAT connector end to end: catalogues served from loopback, harvested by the real
 * Harvester into a real SQLite store.
 */

interface Route {
  status?: number;
  contentType?: string;
  body: string;
}

interface CatalogueServer {
  url: string;
  routes: Map<string, Route>;
  /** Paths asked for, in order: proves what was (not) fetched. */
  requests: string[];
}

async function startServer(t: Test): Promise<CatalogueServer> {
  const routes = new Map<string, Route>();
  const requests: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '/';
    requests.push(path);
    const route = routes.get(path);
    if (!route) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(route.status ?? 200, route.contentType ? { 'content-type': route.contentType } : {}).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, routes, requests };
}

interface Gateway {
  db: Db;
  harvester: Harvester;
  datasets(): Array<{ identifier: string; record: string }>;
}

function gateway(t: Test, sources: Array<{ id: string; url: string; options?: Record<string, unknown>; withdrawAfterHours?: number }>): Gateway {
  const { dir, cleanup } = tempDir();
  const config = testConfig(join(dir, 'catalog.db'), sources[0]!.url, {
    harvest: { allowPrivateAddresses: true, retries: 0, retryBaseDelayMs: 5, timeoutMs: 5000 },
    sources: sources.map((source) => ({
      id: source.id,
      name: source.id,
      type: 'dcat',
      url: source.url,
      schedule: '0 3 * * *',
      options: source.options ?? {},
      ...(source.withdrawAfterHours !== undefined ? { withdrawAfterHours: source.withdrawAfterHours } : {}),
    })),
  });
  const db = openTestDb(config);
  t.teardown(() => {
    db.close();
    cleanup();
  });
  return {
    db,
    harvester: new Harvester(sqliteStoreOn(db), config, silentLog),
    datasets: () => db.prepare('SELECT identifier, record FROM datasets ORDER BY identifier').all() as Array<{ identifier: string; record: string }>,
  };
}

function fixture(...parts: string[]): string {
  return readFileSync(projectPath('test', 'fixtures', 'dcat', ...parts), 'utf8');
}

const CONTENT_TYPES: Record<string, string> = { ttl: 'text/turtle', rdf: 'application/rdf+xml', jsonld: 'application/ld+json' };

/**
 * Per example (by base name): datasets found, datasets accepted. The rest are rejected by the
 * mapping because the example has no dct:title (W3C examples often show one property alone), or
 * are blank-node datasets without dct:identifier. Blank-node datasets written inside another
 * node (csiro's dct:hasPart [ a dcat:Dataset ]) are part of that node, not records.
 */
const W3C_EXPECTED: Record<string, [number, number]> = {
  'basic-example': [1, 1],
  'catalog-record': [0, 0],
  'classifying-thematically': [1, 0],
  'classifying-types': [3, 0],
  'compress-and-package': [0, 0],
  'csiro-dap-examples': [4, 4],
  'csiro-stratchart-sdo': [0, 0],
  'csiro-stratchart': [2, 1],
  'csiro-stratchart_dcat3': [1, 0],
  'dataset-002': [1, 0],
  'dataset-003': [1, 0],
  'dataset-004-sdo': [0, 0],
  'dataset-004': [1, 0],
  'dryad-globtherm-sdata': [0, 0],
  'eea-csw': [0, 0],
  'ga-courts': [1, 1],
  'ga-wms': [0, 0],
  'genoa-busstop': [1, 0],
  'identifier-types': [4, 0],
  'relation-examples': [2, 0],
  'series-membership': [4, 4],
  'series-releases': [4, 4],
  'series-versions': [6, 6],
  service1: [0, 0],
  'spatial-properties': [5, 1],
  'temporal-properties': [8, 0],
  threddsABC: [1, 0],
};

const DCAT_AP_EXPECTED: Record<string, [number, number]> = {
  'example-bee-population': [1, 1],
  'example-bee-population-2022-2023': [2, 2],
  'example-bee-populaton-2022-2023': [2, 2],
  'example-bee-population-dataset-frequency': [1, 0],
  'example-bee-population-dataset-series': [3, 1],
  'example-bee-population-dataset-series-api': [1, 1],
  'example-bee-population-dataset-series-combined': [5, 5],
  'example-bee-population-dataset-series-frequency': [3, 1],
  'example-bee-population-dataset-series-gea-nha': [4, 4],
  'example-bee-population-dataset-series-issued': [3, 3],
  'example-bee-population-dataset-series-life-count': [1, 1],
  'example-bee-population-dataset-series-modified': [4, 4],
  'example-bee-population-dataset-series-ordered': [3, 1],
  'example-bee-population-dataset-series-spatial-thessaloniki': [2, 2],
  'example-bee-population-dataset-series-spatial-thessaloniki-athens': [3, 3],
};

/** The two DCAT-AP 3.0.1 Turtle files that are invalid as published (a prefixed name with a `/`). */
const INVALID_TURTLE: Record<string, number> = {
  'example-bee-population-dataset-series-api.ttl': 20,
  'example-bee-population-dataset-series-combined.ttl': 32,
};

t.test('every W3C DCAT 3 and DCAT-AP 3.0.1 example, in each serialisation, harvested from loopback', async (t) => {
  const server = await startServer(t);
  const files: Array<{ folder: string; file: string; base: string; expected: [number, number] }> = [];
  for (const [folder, expected] of [
    ['w3c-dcat3-examples', W3C_EXPECTED],
    ['dcat-ap-3.0.1-examples', DCAT_AP_EXPECTED],
  ] as const) {
    const names = readdirSync(projectPath('test', 'fixtures', 'dcat', folder)).filter((file) => /\.(ttl|rdf|jsonld)$/.test(file) && file !== 'context.jsonld');
    for (const file of names.sort()) {
      const base = file.replace(/\.(ttl|rdf|jsonld)$/, '');
      const counts = expected[base];
      if (counts === undefined) throw new Error(`no expectation for ${folder}/${file}`);
      server.routes.set(`/${folder}/${file}`, { contentType: CONTENT_TYPES[file.split('.').pop()!]!, body: fixture(folder, file) });
      files.push({ folder, file, base, expected: counts });
    }
  }
  t.equal(files.length, 27 * 3 + 15 * 2, 'every W3C example in 3 serialisations, every DCAT-AP example in 2');
  const gw = gateway(
    t,
    files.map(({ folder, file }, index) => ({ id: `example-${index}`, url: `${server.url}/${folder}/${file}` })),
  );
  for (const [index, { folder, file, expected }] of files.entries()) {
    const id = `example-${index}`;
    const run = (await gw.harvester.run(id))!;
    const invalidLine = INVALID_TURTLE[file];
    if (invalidLine !== undefined) {
      t.equal(run.status, 'failed', `${file}: invalid Turtle fails the run`);
      t.match(
        run.message,
        new RegExp(`\\(Turtle\\), line ${invalidLine}: Unexpected "example-dist:BeePopulation2023/biojson"`),
        `${file}: the error names line ${invalidLine}`,
      );
      t.match(runErrors(gw.db, run.runId), [{ stage: 'source', rule: 'malformed-turtle' }]);
      continue;
    }
    t.equal(run.status, 'succeeded', `${folder}/${file} succeeded`);
    t.same([run.counts.seen, run.counts.created], expected, `${file}: datasets seen, accepted`);
    t.equal(run.counts.rejected, expected[0] - expected[1], `${file}: the rest rejected by the mapping`);
  }
  // JSON-LD examples name a remote @context; the local copy served it: nothing was fetched from elsewhere.
  t.ok(server.requests.every((path) => path.startsWith('/w3c-dcat3-examples/') || path.startsWith('/dcat-ap-3.0.1-examples/')));
});

t.test('a stored record keeps its content hash: a second run changes nothing', async (t) => {
  const server = await startServer(t);
  server.routes.set('/catalog.ttl', { contentType: 'text/turtle', body: fixture('own', 'taiwan-agency.ttl') });
  const gw = gateway(t, [{ id: 'tw', url: `${server.url}/catalog.ttl` }]);
  const first = (await gw.harvester.run('tw'))!;
  t.equal(first.status, 'succeeded');
  t.equal(first.counts.created, 2);
  const stored = gw.datasets();
  t.same(
    stored.map((d) => d.identifier),
    ['A41000000G-000123', 'https://opendata.example.gov.tw/dataset-rain'],
  );
  t.match(JSON.parse(stored[0]!.record), {
    title: '公有停車場即時剩餘車位',
    publisher: '範例市政府交通局',
    distribution: [{ format: 'JSON' }, { format: 'CSV' }],
  });
  const second = (await gw.harvester.run('tw'))!;
  t.match(second.counts, { created: 0, updated: 0, unchanged: 2 });
  const payload = JSON.parse(
    gw.db.prepare("SELECT payload FROM source_payloads WHERE native_id = 'https://opendata.example.gov.tw/dataset-rain'").pluck().get() as string,
  ) as { subject: string; nquads: string };
  t.equal(payload.subject, 'https://opendata.example.gov.tw/dataset-rain');
  t.match(payload.nquads, /^<https:\/\/opendata\.example\.gov\.tw\/dataset-rain> <http:\/\/purl\.org\/dc\/terms\/title> "Rain gauge observations" \.$/m);
});

t.test('bad catalogue pages fail the run with a typed error; stored records stay', async (t) => {
  const server = await startServer(t);
  const good = { contentType: 'text/turtle', body: fixture('own', 'taiwan-agency.ttl') };
  server.routes.set('/catalog', good);
  const gw = gateway(t, [{ id: 'bad', url: `${server.url}/catalog` }]);
  t.equal((await gw.harvester.run('bad'))!.status, 'succeeded');
  const before = gw.datasets();
  t.equal(before.length, 2);

  const basicRdf = fixture('w3c-dcat3-examples', 'basic-example.rdf');
  const basicJsonLd = fixture('w3c-dcat3-examples', 'basic-example.jsonld');
  const cases: Array<{ name: string; route: Route; message: RegExp; rule: string }> = [
    {
      name: 'invalid Turtle (DCAT-AP 3.0.1 as published)',
      rule: 'malformed-turtle',
      route: { contentType: 'text/turtle', body: fixture('dcat-ap-3.0.1-examples', 'example-bee-population-dataset-series-combined.ttl') },
      message: /\(Turtle\), line 32: Unexpected/,
    },
    {
      name: 'malformed RDF/XML (cut in the middle)',
      rule: 'malformed-rdfxml',
      route: { contentType: 'application/rdf+xml', body: basicRdf.slice(0, Math.floor(basicRdf.length / 2)) },
      message: /\(RDF\/XML\)(, line \d+)?: /,
    },
    {
      name: 'RDF/XML with an unclosed element',
      rule: 'malformed-rdfxml',
      route: {
        contentType: 'application/rdf+xml',
        body: '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<rdf:Description rdf:about="http://x.test/a">\n</rdf:RDF>',
      },
      message: /\(RDF\/XML\), line 4: /,
    },
    {
      name: 'truncated JSON-LD',
      rule: 'malformed-jsonld',
      route: { contentType: 'application/ld+json', body: basicJsonLd.slice(0, Math.floor(basicJsonLd.length / 2)) },
      message: /\(JSON-LD\), line \d+: not valid JSON/,
    },
    {
      name: 'an HTML error page sent with 200 as text/turtle',
      rule: 'not-rdf',
      route: { contentType: 'text/turtle', body: '<!DOCTYPE html>\n<html><head><title>Maintenance</title></head><body>Back soon</body></html>' },
      message: /the body is an HTML page \(Content-Type text\/turtle\); not an RDF catalogue/,
    },
    {
      name: 'an empty body',
      rule: 'not-rdf',
      route: { contentType: 'text/turtle', body: '   \n' },
      message: /the body is empty/,
    },
    {
      name: 'a plain-text error sent as text/turtle',
      rule: 'malformed-turtle',
      route: { contentType: 'text/turtle', body: 'Service temporarily unavailable' },
      message: /\(Turtle\), line 1: /,
    },
    {
      name: 'a remote @context not in the local map',
      rule: 'context-refused',
      route: {
        contentType: 'application/ld+json',
        body: JSON.stringify({ '@context': `${server.url}/evil-context.jsonld`, '@id': 'http://x.test/d', '@type': 'Dataset' }),
      },
      message: new RegExp(`remote JSON-LD context ${server.url}/evil-context.jsonld is not in the local context map`),
    },
    {
      name: 'RDF/XML declaring an external entity',
      rule: 'xml-doctype',
      route: {
        contentType: 'application/rdf+xml',
        body: `<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY ext SYSTEM "${server.url}/secret"> ]>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/"><rdf:Description rdf:about="http://x.test/d"><dct:title>&ext;</dct:title></rdf:Description></rdf:RDF>`,
      },
      message: /\(RDF\/XML\), line 2: XML <!DOCTYPE> declarations are refused/,
    },
    {
      name: 'a document with no triples',
      rule: 'no-triples',
      route: { contentType: 'text/turtle', body: '@prefix dcat: <http://www.w3.org/ns/dcat#> .\n# nothing here\n' },
      message: /\(Turtle\): the document holds no RDF triples; not a catalogue/,
    },
  ];
  for (const { name, route, message, rule } of cases) {
    server.routes.set('/catalog', route);
    const run = (await gw.harvester.run('bad', { full: true }))!;
    t.equal(run.status, 'failed', `${name}: the run fails`);
    t.match(run.message, message, `${name}: the error says why`);
    t.match(run.message, /^bad: http:\/\/127\.0\.0\.1:\d+\/catalog/, `${name}: naming source and page`);
    t.same(
      runErrors(gw.db, run.runId).map((e) => [e.sourceId, e.stage, e.rule]),
      [['bad', 'source', rule]],
      `${name}: a typed run error`,
    );
    t.same(gw.datasets(), before, `${name}: nothing stored was lost`);
  }
  t.notOk(server.requests.includes('/evil-context.jsonld'), 'the remote context was never fetched');
  t.notOk(server.requests.includes('/secret'), 'the external entity was never fetched');

  server.routes.set('/catalog', { status: 500, contentType: 'text/plain', body: 'boom' });
  const failed = (await gw.harvester.run('bad', { full: true }))!;
  t.equal(failed.status, 'failed');
  t.match(runErrors(gw.db, failed.runId), [{ stage: 'source', rule: 'http-500' }]);
  t.same(gw.datasets(), before);
});

t.test('a wrong or generic Content-Type falls back to what the body and extension show', async (t) => {
  const server = await startServer(t);
  server.routes.set('/jsonld-as-turtle', { contentType: 'text/turtle', body: fixture('w3c-dcat3-examples', 'series-versions.jsonld') });
  server.routes.set('/rdfxml-as-plain', { contentType: 'text/plain', body: fixture('w3c-dcat3-examples', 'series-versions.rdf') });
  server.routes.set('/catalog.ttl', { contentType: 'application/octet-stream', body: fixture('w3c-dcat3-examples', 'series-versions.ttl') });
  server.routes.set('/turtle-as-json', { contentType: 'application/json', body: fixture('w3c-dcat3-examples', 'series-versions.ttl') });
  server.routes.set('/no-type.jsonld', { body: fixture('w3c-dcat3-examples', 'series-versions.jsonld') });
  const ids = ['jsonld-as-turtle', 'rdfxml-as-plain', 'catalog.ttl', 'turtle-as-json', 'no-type.jsonld'];
  const gw = gateway(
    t,
    ids.map((path) => ({ id: path.replace(/\W/g, '-'), url: `${server.url}/${path}` })),
  );
  for (const path of ids) {
    const run = (await gw.harvester.run(path.replace(/\W/g, '-')))!;
    t.equal(run.status, 'succeeded', path);
    t.equal(run.counts.seen, 6, `${path}: the six datasets of series-versions`);
  }
  // Each source stored the same six datasets; the first source owns them.
  t.equal(gw.datasets().length, 6);

  // A body that says nothing and a Content-Type that says JSON: it is read as JSON-LD and fails clearly.
  server.routes.set('/garbage', { contentType: 'application/ld+json', body: '<<not rdf>>' });
  const gw2 = gateway(t, [{ id: 'garbage', url: `${server.url}/garbage` }]);
  const run = (await gw2.harvester.run('garbage'))!;
  t.equal(run.status, 'failed');
  t.match(run.message, /\(Turtle\), line 1: |\(JSON-LD\)|\(RDF\/XML\)/);
});

function hydraPage(base: string, n: number, next: number | undefined, style: 'view' | 'paged'): string {
  const paging =
    style === 'view'
      ? `<${base}/catalog?page=${n}> a hydra:PartialCollectionView${next !== undefined ? ` ; hydra:next <${base}/catalog?page=${next}>` : ''} .`
      : `<${base}/catalog?page=${n}> a hydra:PagedCollection${next !== undefined ? ` ; hydra:nextPage "${base}/catalog?page=${next}"` : ''} .`;
  return `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> . @prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<${base}/catalog> a dcat:Catalog ; dcat:dataset <https://x.test/d${n}> .
<https://x.test/d${n}> a dcat:Dataset ; dct:title "資料集 ${n}"@zh-Hant ; dct:identifier "A41000000G-00000${n}" .
${paging}
`;
}

t.test('Hydra paging: PartialCollectionView (hydra:next) and PagedCollection (hydra:nextPage)', async (t) => {
  for (const style of ['view', 'paged'] as const) {
    const server = await startServer(t);
    server.routes.set('/catalog', { contentType: 'text/turtle', body: hydraPage(server.url, 1, 2, style) });
    server.routes.set('/catalog?page=2', { contentType: 'text/turtle', body: hydraPage(server.url, 2, 3, style) });
    server.routes.set('/catalog?page=3', { contentType: 'text/turtle', body: hydraPage(server.url, 3, undefined, style) });
    const gw = gateway(t, [{ id: 'hydra', url: `${server.url}/catalog`, withdrawAfterHours: 0 }]);
    const run = (await gw.harvester.run('hydra'))!;
    t.equal(run.status, 'succeeded', style);
    t.match(run.counts, { pages: 3, created: 3 }, `${style}: one RecordPage per catalogue page`);
    t.same(
      gw.datasets().map((d) => d.identifier),
      ['A41000000G-000001', 'A41000000G-000002', 'A41000000G-000003'],
    );

    // The catalogue lists everything: a dataset that is gone is withdrawn after a succeeded run.
    server.routes.set('/catalog?page=3', {
      contentType: 'text/turtle',
      body: hydraPage(server.url, 3, undefined, style).replace(/<https:\/\/x\.test\/d3> a dcat:Dataset.*\n/, ''),
    });
    const again = (await gw.harvester.run('hydra'))!;
    t.equal(again.status, 'succeeded');
    t.equal(again.counts.withdrawn, 1, `${style}: the dataset no page lists any more is withdrawn`);
  }
});

t.test('Hydra guards: a next link back to a page already read; the page cap', async (t) => {
  const server = await startServer(t);
  server.routes.set('/catalog', { contentType: 'text/turtle', body: hydraPage(server.url, 1, 2, 'view') });
  // Page 2 points back at page 1 (through the query form the first page was not asked by: the URL itself).
  server.routes.set('/catalog?page=2', {
    contentType: 'text/turtle',
    body: hydraPage(server.url, 2, 1, 'view').replace(`${server.url}/catalog?page=1>`, `${server.url}/catalog>`),
  });
  server.routes.set('/catalog?page=3', { contentType: 'text/turtle', body: hydraPage(server.url, 3, undefined, 'view') });
  const gw = gateway(t, [
    { id: 'loop', url: `${server.url}/catalog`, withdrawAfterHours: 0 },
    { id: 'capped', url: `${server.url}/catalog?page=1`, options: { maxPages: 2 } },
  ]);
  const loop = (await gw.harvester.run('loop'))!;
  t.equal(loop.status, 'partial', 'a paging loop makes the run partial: it withdraws nothing');
  t.match(loop.counts, { pages: 2, created: 2 });
  t.match(
    runErrors(gw.db, loop.runId).filter((e) => e.stage !== 'validate'),
    [{ stage: 'list', rule: 'paging-loop', message: /catalog\?page=2 links to .*\/catalog as its next page, which was already read/ }],
  );
  t.equal(server.requests.filter((path) => path === '/catalog').length, 1, 'the first page was read once');

  server.routes.set('/catalog?page=1', { contentType: 'text/turtle', body: hydraPage(server.url, 1, 2, 'view') });
  server.routes.set('/catalog?page=2', { contentType: 'text/turtle', body: hydraPage(server.url, 2, 3, 'view') });
  const capped = (await gw.harvester.run('capped'))!;
  t.equal(capped.status, 'partial');
  t.match(capped.counts, { pages: 3 });
  t.match(
    runErrors(gw.db, capped.runId).filter((e) => e.stage !== 'validate'),
    [{ stage: 'list', rule: 'too-many-pages' }],
  );
  t.notOk(server.requests.includes('/catalog?page=3'), 'the page past the cap was not requested');
});

t.test('options are checked at start-up', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const withOptions = (options: Record<string, unknown>) =>
    testConfig(join(dir, 'x.db'), 'http://127.0.0.1:1/', {
      sources: [{ id: 's', name: 's', type: 'dcat', url: 'http://127.0.0.1:1/', schedule: '0 3 * * *', options }],
    });
  t.doesNotThrow(() => validateSources(withOptions({ format: 'jsonld', maxPages: 10, maxQuadsPerDataset: 100 })));
  t.throws(() => validateSources(withOptions({ pageSize: 5 })), /sources\[0\]\.options\.pageSize/);
  t.throws(() => validateSources(withOptions({ format: 'n3' })), /sources\[0\]\.options\.format/);
});

t.test('the JSON-LD document loader serves only the local context copies', async (t) => {
  const loader = localDocumentLoader();
  const known = 'https://semiceu.github.io/uri.semic.eu-generated/DCAT-AP/releases/3.0.0/html/examples/context.jsonld';
  const served = await loader.load(known);
  t.equal(served.documentUrl, known);
  t.match(served.document, { '@context': { dcat: 'http://www.w3.org/ns/dcat#' } });
  await t.rejects(loader.load('https://example.org/context.jsonld'), new RefusedContextError('https://example.org/context.jsonld'));
  t.same(loader.refused, ['https://example.org/context.jsonld']);
});
