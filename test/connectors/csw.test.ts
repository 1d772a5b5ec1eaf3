import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { harvestSource, startFakeSource, type Answer, type FakeSource, type HarvestedSource } from '../helpers/source-harness.js';
import { runErrors } from '../../src/store/runs.js';
import { projectPath } from '../../src/model/project-root.js';

const fixture = (name: string): string => readFileSync(projectPath('test', 'fixtures', 'csw', name), 'utf8');

/** A pycsw-like catalogue on loopback, and a gateway harvesting it. */
interface Setup extends HarvestedSource {
  catalogue: FakeSource;
}

async function setup(
  t: Test,
  answer: (params: URLSearchParams) => Answer,
  options: Record<string, unknown> = {},
  settings: Record<string, unknown> = {},
): Promise<Setup> {
  const catalogue = await startFakeSource(t, '/csw', 'application/xml; charset=utf-8', answer);
  return { catalogue, ...harvestSource(t, { id: 'csw', name: 'pycsw', type: 'csw', url: catalogue.url }, options, settings) };
}

/** The records of a GetRecordsResponse, as XML text, in order. */
function recordsOf(xml: string, element: string): string[] {
  return [...xml.matchAll(new RegExp(`<${element}[\\s>][\\s\\S]*?</${element}>`, 'g'))].map((match) => match[0]);
}

/**
 * A GetRecordsResponse page around records taken from the real pycsw answers (the namespace
 * declarations are pycsw's own), for pages pycsw's test suite does not have as a file.
 */
function getRecordsPage(records: string[], attributes: { matched: number; next: number; schema: string }): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dct="http://purl.org/dc/terms/" xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gml="http://www.opengis.net/gml" xmlns:ows="http://www.opengis.net/ows" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="2.0.2">
  <csw:SearchStatus timestamp="2024-01-01T00:00:00Z"/>
  <csw:SearchResults numberOfRecordsMatched="${attributes.matched}" numberOfRecordsReturned="${records.length}" nextRecord="${attributes.next}" recordSchema="${attributes.schema}" elementSet="full">
${records.join('\n')}
  </csw:SearchResults>
</csw:GetRecordsResponse>`;
}

const DC = 'http://www.opengis.net/cat/csw/2.0.2';
const GMD = 'http://www.isotc211.org/2005/gmd';

const firstPage = fixture('default_get_GetRecords-sortby-asc.xml');
// The two records pycsw's ascending page 1 (10 of 12) leaves for page 2 are the first two of its descending answer.
const secondPage = getRecordsPage(recordsOf(fixture('default_get_GetRecords-sortby-desc.xml'), 'csw:Record').slice(0, 2), { matched: 12, next: 0, schema: DC });

/** pycsw's 12-record catalogue in Dublin Core, two pages. */
function dublinCoreCatalogue(params: URLSearchParams): Answer {
  return { body: params.get('startPosition') === '11' ? secondPage : firstPage };
}

t.test('a CSW catalogue in Dublin Core is paged through by nextRecord and mapped', async (t) => {
  const s = await setup(t, dublinCoreCatalogue, { pageSize: 10 });
  const run = await s.harvester.run('csw');
  t.equal(run!.status, 'succeeded', 'records without a title are rejected, not failures of the source');
  t.equal(run!.counts.seen, 12);
  t.equal(run!.counts.rejected, 3, 'three pycsw records have no dc:title');
  t.same(
    runErrors(s.db, run!.runId)
      .filter((e) => e.stage === 'map')
      .map((e) => [e.nativeId, e.field, e.rule]),
    [
      ['urn:uuid:1ef30a8b-876d-4828-9246-c37ab4510bbd', 'title', 'required'],
      ['urn:uuid:88247b56-4cbc-4df9-9860-db3f8042e357', 'title', 'required'],
      ['urn:uuid:ab42a8c4-95e8-4630-bf79-33e59241605a', 'title', 'required'],
    ],
  );
  const datasets = s.datasets();
  t.equal(datasets.size, 9);
  t.ok(datasets.has('urn:uuid:9a669547-b69b-469f-a11f-2d875366bbdc'), 'page 2 was read');

  const [first, second] = s.catalogue.requests;
  t.match(Object.fromEntries(first!), {
    service: 'CSW',
    version: '2.0.2',
    request: 'GetRecords',
    typeNames: 'csw:Record',
    elementSetName: 'full',
    resultType: 'results',
    outputSchema: DC,
    startPosition: '1',
    maxRecords: '10',
  });
  t.equal(second!.get('startPosition'), '11', 'the second page starts at nextRecord');
  t.equal(s.catalogue.requests.length, 2, 'nextRecord 0 ends the paging');
  t.notOk(first!.has('constraint'), 'a full run sends no constraint');

  const mauris = datasets.get('urn:uuid:94bc9c83-97f6-4b40-9eb8-a8e8787a5c63')!;
  t.same(mauris, {
    identifier: 'urn:uuid:94bc9c83-97f6-4b40-9eb8-a8e8787a5c63',
    title: 'Mauris sed neque',
    description: 'Curabitur lacinia, ante non porta tempus, mi lorem feugiat odio, eget suscipit eros pede ac velit.',
    keyword: ['Vegetation-Cropland'],
    type: 'rawData',
    issued: '2006-03-26',
    spatial: '{"type":"Polygon","coordinates":[[[-4.097,47.595],[0.889,47.595],[0.889,51.217],[-4.097,51.217],[-4.097,47.595]]]}',
    extensions: { sourceVocabulary: 'csw-dc', sourceExtras: { 'dc:subject': [{ subject: 'Vegetation-Cropland', scheme: 'http://www.digest.org/2.1' }] } },
  });
});

t.test('a full run lists everything: a record the catalogue drops is withdrawn; an incremental run withdraws nothing', async (t) => {
  let dropLast = false;
  const s = await setup(
    t,
    (params) => ({
      body:
        params.get('startPosition') === '11'
          ? dropLast
            ? getRecordsPage(recordsOf(secondPage, 'csw:Record').slice(0, 1), { matched: 11, next: 0, schema: DC })
            : secondPage
          : firstPage,
    }),
    { pageSize: 10 },
    { withdrawAfterHours: 0 },
  );
  await s.harvester.run('csw');
  t.equal(s.datasets().size, 9);
  dropLast = true;
  const run = await s.harvester.run('csw', { full: true });
  t.equal(run!.status, 'succeeded');
  t.equal(run!.counts.withdrawn, 1, 'the record no longer listed is withdrawn');
  t.notOk(s.datasets().has('urn:uuid:829babb0-b2f1-49e1-8cd5-7b489fe71a1e'));
});

t.test('incremental: a CQL constraint on dct:modified since the last good run', async (t) => {
  const s = await setup(t, dublinCoreCatalogue, { pageSize: 10, incremental: true });
  await s.harvester.run('csw');
  t.notOk(s.catalogue.requests[0]!.has('constraint'), 'the first run is full');
  s.catalogue.requests.length = 0;
  const run = await s.harvester.run('csw');
  t.equal(run!.status, 'succeeded');
  const request = s.catalogue.requests[0]!;
  t.equal(request.get('constraintLanguage'), 'CQL_TEXT');
  t.match(request.get('constraint'), /^dct:modified >= '\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z'$/);
  t.equal(run!.counts.withdrawn, 0, 'an incremental run never withdraws');
});

t.test("ISO 19139: pycsw's 18 apiso records over two pages, mapped", async (t) => {
  const pageOne = fixture('apiso_post_GetRecords-all.xml');
  const inPageOne = [
    '3e9a8c05',
    'T_aerfo_RAS_1991_GR800P001800000012',
    'T_aerfo_RAS_1991_GR800P001800000013',
    'T_aerfo_RAS_1991_GR800P001800000014',
    'T_aerfo_RAS_1991_GR800P001800000015',
  ];
  const rest = [
    'T_ortho_RAS_1998_284404',
    'T_ortho_RAS_1998_288395',
    'T_ortho_RAS_1998_288398',
    'T_ortho_RAS_1998_288401',
    'T_ortho_RAS_1998_288404',
    'T_pmoed_DTM_1996_276395',
    'T_pmoed_DTM_1996_276398',
    'T_pmoed_DTM_1996_276401',
    'T_pmoed_DTM_1996_276404',
    'T_pmoed_DTM_1996_280395',
    'pacioos-NS06agg',
    'iso_19115-2_Sentinel-2-scene',
    'test',
  ];
  t.equal(inPageOne.length + rest.length, 18, "the suite's source records are the 18 the answer matched");
  const pageTwo = getRecordsPage(
    rest.map((name) => fixture(`${name}.xml`).replace(/^<\?xml[^>]*>\s*/, '')),
    { matched: 18, next: 0, schema: GMD },
  );
  const s = await setup(t, (params) => ({ body: params.get('startPosition') === '6' ? pageTwo : pageOne }), { outputSchema: 'iso19139', pageSize: 5 });
  const run = await s.harvester.run('csw');
  t.equal(run!.status, 'succeeded');
  t.equal(run!.counts.seen, 18);
  t.equal(s.catalogue.requests[0]!.get('outputSchema'), GMD);
  t.equal(s.catalogue.requests[0]!.get('typeNames'), 'gmd:MD_Metadata');
  const datasets = s.datasets();
  t.equal(datasets.size, 18);
  const pacioos = datasets.get('NS06agg')!;
  t.match(pacioos, {
    identifier: 'NS06agg',
    title: 'PacIOOS Nearshore Sensor 06: Pohnpei, Micronesia',
    publisher: 'University of Hawaii',
    publisherContactName: 'Margaret McManus',
    publisherContactEmail: 'mamc@hawaii.edu',
    temporalCoverageFrom: '2010-05-07T00:00:00Z',
    temporalCoverageTo: '2014-03-17T23:56:00Z',
    extensions: { sourceVocabulary: 'iso19139' },
  });
  t.equal(pacioos.distribution?.length, 7);
  t.equal(datasets.get('S2B_MSIL2A_20200902T090559_N0214_R050_T34SFG_20200902T113910.SAFE')?.accrualPeriodicity, '即時', 'gmi:MI_Metadata is read too');
});

t.test('a paging that ends short of numberOfRecordsMatched is a partial run (never a base for withdrawals)', async (t) => {
  const s = await setup(
    t,
    (params) => ({ body: params.get('startPosition') === '11' ? secondPage.replace('numberOfRecordsMatched="12"', 'numberOfRecordsMatched="13"') : firstPage }),
    { pageSize: 10 },
  );
  const run = await s.harvester.run('csw');
  t.equal(run!.status, 'partial');
  t.match(
    runErrors(s.db, run!.runId).filter((e) => e.stage === 'list'),
    [{ rule: 'incomplete-listing', message: /matched 13 records but the paging ended after 12/ }],
  );
});

t.test('records repeating an identifier: the first is kept, the others are typed failures', async (t) => {
  const s = await setup(t, () => ({ body: fixture('harvesting_post_Harvest-zzz-post-GetRecords-filter-wms-dc.xml') }));
  const run = await s.harvester.run('csw');
  t.equal(run!.status, 'partial');
  t.same(
    runErrors(s.db, run!.runId)
      .filter((e) => e.stage === 'parse')
      .map((e) => [e.stage, e.rule, e.nativeId]),
    [
      ['parse', 'duplicate-identifier', 'PYCSW_IDENTIFIER'],
      ['parse', 'duplicate-identifier', 'PYCSW_IDENTIFIER'],
      ['parse', 'duplicate-identifier', 'PYCSW_IDENTIFIER'],
    ],
  );
  t.equal(s.datasets().get('PYCSW_IDENTIFIER')?.title, '1 Million Scale WMS Layers from the National Atlas of the United States');
});

/** After a good harvest, the catalogue turns bad: the run fails with a typed error and nothing stored is lost. */
async function badAnswer(t: Test, bad: (params: URLSearchParams) => Answer, rule: RegExp, message: RegExp, expectedStatus = 'failed'): Promise<void> {
  let broken = false;
  const s = await setup(t, (params) => (broken ? bad(params) : dublinCoreCatalogue(params)), { pageSize: 10 });
  await s.harvester.run('csw');
  const before = s.datasets();
  t.equal(before.size, 9);
  broken = true;
  const run = await s.harvester.run('csw', { full: true });
  t.equal(run!.status, expectedStatus);
  const errors = runErrors(s.db, run!.runId);
  t.ok(
    errors.some((e) => rule.test(e.rule ?? '') && message.test(e.message ?? '')),
    `a typed error: ${JSON.stringify(errors)}`,
  );
  t.same(s.datasets(), before, 'nothing stored was lost or changed');
}

t.test('an ows:ExceptionReport fails the run naming its exceptionCode', (t) =>
  badAnswer(
    t,
    () => ({ body: fixture('default_get_GetRecords-sortby-invalid-order.xml') }),
    /^csw-exception$/,
    /csw-exception: .*ExceptionReport: InvalidParameterValue \(locator sortby\): Invalid SortBy value/,
  ),
);

t.test('an ExceptionReport sent with 400 is read too', (t) =>
  badAnswer(t, () => ({ status: 400, body: fixture('default_get_GetRecords-sortby-invalid-order.xml') }), /^csw-exception$/, /InvalidParameterValue/),
);

t.test('malformed XML fails the run', (t) =>
  badAnswer(t, () => ({ body: firstPage.slice(0, 1500) }), /^malformed-xml$/, /malformed-xml: .*malformed XML at line/),
);

t.test('an HTML error page sent with 200 fails the run', (t) =>
  badAnswer(t, () => ({ contentType: 'text/html', body: '<!DOCTYPE html><html><body><h1>Service unavailable</h1></body></html>' }), /^html-page$/, /html-page/),
);

t.test('an HTML page sent as XML is recognised by its content', (t) =>
  badAnswer(t, () => ({ body: '<!DOCTYPE html><html><body>maintenance</body></html>' }), /^html-page$/, /html-page: .*HTML page/),
);

t.test('a wrong Content-Type (JSON) fails the run', (t) =>
  badAnswer(t, () => ({ contentType: 'application/json', body: '{"records":[]}' }), /^wrong-content-type$/, /wrong-content-type/),
);

t.test('a DOCTYPE with entities is refused, never expanded', (t) =>
  badAnswer(
    t,
    () => ({
      body: '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">&b;</csw:GetRecordsResponse>',
    }),
    /^doctype-refused$/,
    /doctype-refused/,
  ),
);

t.test('another root element than GetRecordsResponse fails the run', (t) =>
  badAnswer(
    t,
    () => ({ body: '<Capabilities xmlns="http://www.opengis.net/cat/csw/2.0.2"/>' }),
    /^not-csw$/,
    /not-csw: .*csw:Capabilities, not a csw:GetRecordsResponse/,
  ),
);

t.test('a nextRecord that does not advance stops the paging: a partial run', (t) =>
  badAnswer(
    t,
    () => ({ body: getRecordsPage(recordsOf(firstPage, 'csw:Record'), { matched: 12, next: 1, schema: DC }) }),
    /^paging-loop$/,
    /nextRecord=1 does not advance/,
    'partial',
  ),
);

t.test('a catalogue that ignores startPosition (same page again) stops the paging', (t) =>
  badAnswer(t, () => ({ body: firstPage }), /^paging-loop$/, /same records as the previous page/, 'partial'),
);

t.test('an empty page claiming more records stops the paging', (t) =>
  badAnswer(
    t,
    () => ({
      body: fixture('default_get_GetRecords-sortby-asc.xml')
        .replace(/<csw:Record>[\s\S]*<\/csw:Record>/, '')
        .replace('numberOfRecordsReturned="10"', 'numberOfRecordsReturned="0"'),
    }),
    /^incomplete-listing$/,
    /matched 12 records but the paging ended after 0/,
    'partial',
  ),
);

t.test('the hard cap stops a catalogue that pages forever', async (t) => {
  let start = 0;
  const s = await setup(
    t,
    (params) => {
      start = Number(params.get('startPosition'));
      const records = recordsOf(firstPage, 'csw:Record').map((record) => record.replace(/urn:uuid:[0-9a-f-]+/, `urn:uuid:page-${start}-${Math.random()}`));
      return { body: getRecordsPage(records, { matched: 1_000_000, next: start + 10, schema: DC }) };
    },
    { pageSize: 10, maxRecords: 35 },
  );
  const run = await s.harvester.run('csw');
  t.equal(run!.status, 'partial');
  t.match(
    runErrors(s.db, run!.runId).filter((e) => e.stage === 'list'),
    [{ rule: 'too-many-records' }],
  );
  t.equal(s.catalogue.requests.length, 4);
});
