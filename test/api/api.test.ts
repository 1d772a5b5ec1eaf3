import t from 'tap';
import jsonld from 'jsonld';
import { Validator } from '@seriousme/openapi-schema-validator';
import { readFixture } from '../helpers/gateway.js';
import { startFederation } from '../helpers/federation.js';

type Raw = Record<string, unknown>;
type Expanded = Array<Record<string, unknown>>;

const DCT = 'http://purl.org/dc/terms/';
const DCAT = 'http://www.w3.org/ns/dcat#';
const FOAF = 'http://xmlns.com/foaf/0.1/';

/** Expansion must never reach the network: every document request fails the test. */
const offlineLoader = async (url: string): Promise<never> => {
  throw new Error(`the JSON-LD output asked to load ${url}; it must be self-contained`);
};

const specExample = readFixture<Raw>('crossplatform', 'spec-example-record.json');
const specRecord = (specExample.result ?? specExample) as Raw;
const own = readFixture<Raw[]>('crossplatform', 'own-records.json');

t.test('the gateway API over a harvested catalogue', async (t) => {
  const { harvester, base } = await startFederation(t, [specRecord, ...own], 'https://gateway.example.tw');
  await harvester.run('fixture');

  await t.test('GET /dataset/{id}.jsonld expands to the intended DCAT triples', async (t) => {
    const res = await fetch(`${base}/dataset/A41000000G-000001.jsonld`);
    t.equal(res.status, 200);
    t.match(res.headers.get('content-type'), /^application\/ld\+json/);
    const doc = (await res.json()) as Raw;
    const expanded = (await ((jsonld.expand as (input: unknown, options: unknown) => Promise<unknown>)(
      doc as jsonld.JsonLdDocument,
      { documentLoader: offlineLoader as never, safe: true } as never,
    ) as Promise<unknown>)) as unknown as Expanded;
    const dataset = expanded.find((node) => (node['@type'] as string[] | undefined)?.includes(`${DCAT}Dataset`));
    t.ok(dataset, 'a dcat:Dataset node');
    t.equal(dataset!['@id'], 'https://gateway.example.tw/dataset/A41000000G-000001');
    t.match(dataset![`${DCT}title`], [{ '@value': '行政院公報' }]);
    t.match(dataset![`${DCT}identifier`], [{ '@value': 'A41000000G-000001' }]);
    const publisher = (dataset![`${DCT}publisher`] as Expanded)[0]!;
    t.match(publisher[`${FOAF}name`], [{ '@value': '國家發展委員會' }]);
    const distributions = dataset![`${DCAT}distribution`] as Expanded;
    t.equal(distributions.length, 3, 'three distributions');
    const first = distributions.find((d) => JSON.stringify(d[`${DCT}identifier`]).includes('A41000000G-000001-001'))!;
    t.ok(first, 'the first distribution keeps its resourceID');
    t.match(
      first[`${DCAT}downloadURL`],
      [{ '@id': /^http:\/\/gazette\.nat\.gov\.tw\/eg%20Front\/OpenData\/download\.jsp$/ }],
      'a URL with a space becomes a valid IRI',
    );
    const service = distributions.find((d) => JSON.stringify(d[`${DCT}identifier`]).includes('-003'))!;
    t.match(service[`${DCAT}accessURL`], [{ '@id': 'http://example/endpoint' }]);
  });

  await t.test('every served dataset has a JSON-LD view that expands offline', async (t) => {
    const ids = ((await (await fetch(`${base}/api/v1/rest/dataset`)).json()) as { result: string[] }).result;
    t.ok(ids.length >= 4);
    for (const id of ids) {
      const doc = await (await fetch(`${base}/dataset/${encodeURIComponent(id)}.jsonld`)).json();
      const expanded = (await ((jsonld.expand as (input: unknown, options: unknown) => Promise<unknown>)(
        doc as jsonld.JsonLdDocument,
        { documentLoader: offlineLoader as never, safe: true } as never,
      ) as Promise<unknown>)) as unknown as Expanded;
      t.ok(expanded.length > 0, `${id} expands`);
    }
  });

  await t.test('JSON-LD paths that name no dataset answer 404 in the spec shape', async (t) => {
    for (const path of ['/dataset/A41000000G-999999.jsonld', '/dataset/A41000000G-999999', '/dataset/.jsonld', '/nowhere']) {
      const res = await fetch(`${base}${path}`);
      t.equal(res.status, 404, path);
      const body = (await res.json()) as { success: boolean; error: { error_type: string } };
      t.equal(body.success, false, path);
      t.match(body.error.error_type, /^ER0100:/, path);
    }
  });

  await t.test('GET /openapi.json is a valid OpenAPI 3 document describing every route', async (t) => {
    const res = await fetch(`${base}/openapi.json`);
    t.equal(res.status, 200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    const result = await new Validator().validate(doc as never);
    t.ok(result.valid, `valid OpenAPI: ${JSON.stringify(result.errors ?? '').slice(0, 500)}`);
    t.match(doc.openapi, /^3\./);
    for (const path of ['/api/v1/rest/dataset', '/api/v1/rest/dataset/{identifier}', '/dataset/{file}', '/healthz', '/openapi.json']) {
      t.ok(doc.paths[path]?.get, `GET ${path} is described`);
    }
    const list = doc.paths['/api/v1/rest/dataset']!.get as { parameters: Array<{ name: string }> };
    t.same(list.parameters.map((p) => p.name).sort(), ['after', 'limit', 'modified', 'offset']);
  });

  await t.test('browsers may read the catalogue from any origin', async (t) => {
    const res = await fetch(`${base}/api/v1/rest/dataset`, { headers: { origin: 'https://civic.example.tw' } });
    t.equal(res.headers.get('access-control-allow-origin'), '*');
    const preflight = await fetch(`${base}/api/v1/rest/dataset`, {
      method: 'OPTIONS',
      headers: { origin: 'https://civic.example.tw', 'access-control-request-method': 'GET' },
    });
    t.equal(preflight.status, 204);
    t.match(preflight.headers.get('access-control-allow-methods'), /GET/);
  });

  await t.test('GET /healthz reports the catalogue', async (t) => {
    const body = (await (await fetch(`${base}/healthz`)).json()) as { status: string; datasets: number };
    t.equal(body.status, 'ok');
    t.equal(body.datasets, 5);
  });

  await t.test('hostile identifiers in the path are answered, not crashed on', async (t) => {
    for (const id of ['%00', '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(900), '%E4%B8%AD%E6%96%87', "'; DROP TABLE datasets; --"]) {
      const res = await fetch(`${base}/api/v1/rest/dataset/${id}`);
      t.equal(res.status, 404, id.slice(0, 40));
    }
    const health = (await (await fetch(`${base}/healthz`)).json()) as { datasets: number };
    t.equal(health.datasets, 5, 'the catalogue is untouched');
  });
});
