import t, { type Test } from 'tap';
import { Parser, type Quad } from 'n3';
import { parseConfig } from '../../src/config/load.js';
import { parseTaiwanDate } from '../../src/model/dates.js';
import type { NationalRecord } from '../../src/model/record.js';
import { DCAT_AP_TW_CONTEXT, toDcatJsonLd } from '../../src/views/dcat-jsonld.js';
import { contextPrefixes, writeTriples } from '../../src/views/rdf-serialise.js';
import { startFixturePlatform } from '../helpers/crossplatform-server.js';
import { dcatApViolations, toNQuads } from '../helpers/dcat-ap.js';
import { readFixture } from '../helpers/gateway.js';
import { harvestSource, startFakeSource } from '../helpers/source-harness.js';

/**
 * Issue 13, items 1 and 2: what a source says about the language of its text and the time zone
 * of its date-times is served as it said it, through the real connectors, the store and the
 * DCAT view (JSON-LD expanded by jsonld, Turtle written and read back by n3, SHACL).
 * Fixtures are made up here (it, de, es, en, zh-Hant; UTC, Europe/Rome, America/New_York, Asia/Taipei).
 */

const DCT = 'http://purl.org/dc/terms/';
const DCAT = 'http://www.w3.org/ns/dcat#';
const BASE_URL = 'https://gateway.example.org';

/** A DCAT catalogue in five languages; `base` keeps two sources' datasets apart. */
function catalogue(base: string): string {
  return `@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<${base}/catalog> a dcat:Catalog ; dcat:dataset <${base}/aria>, <${base}/luft>, <${base}/aire>, <${base}/kongqi>, <${base}/plain> .
<${base}/aria> a dcat:Dataset ;
  dct:title "Qualità dell'aria"@it ;
  dct:description "Misure orarie della qualità dell'aria."@it ;
  dcat:keyword "aria"@it, "ambiente"@it ;
  dct:modified "2024-01-15T10:00:00"^^xsd:dateTime ;
  dct:issued "2023-07-01T10:00:00"^^xsd:dateTime ;
  dcat:distribution <${base}/aria/csv> .
<${base}/aria/csv> a dcat:Distribution ; dct:title "Dati orari in CSV"@it ;
  dcat:downloadURL <${base}/aria.csv> ; dct:modified "2024-01-15T23:30:00+01:00"^^xsd:dateTime .
<${base}/luft> a dcat:Dataset ; dct:title "Luftqualität"@de ; dct:description "Stündliche Messwerte der Luftqualität." ;
  dct:modified "2024-03-01"^^xsd:date .
<${base}/aire> a dcat:Dataset ; dct:title "Calidad del aire"@es ; dct:modified "2024-03-01T10:00:00+05:00"^^xsd:dateTime .
<${base}/kongqi> a dcat:Dataset ; dct:title "空氣品質"@zh-Hant ; dcat:keyword "空氣"@zh-Hant .
<${base}/plain> a dcat:Dataset ; dct:title "Water quality" ; dct:description "水質監測" .
`;
}

async function dcatSource(t: Test, id: string, settings: Record<string, unknown>): Promise<Map<string, NationalRecord>> {
  let base = '';
  const site = await startFakeSource(t, '/catalog.ttl', 'text/turtle', () => ({ body: catalogue(base) }));
  base = `https://${id}.example.eu`;
  const source = harvestSource(t, { id, name: id, type: 'dcat', url: site.url }, {}, settings);
  const summary = await source.harvester.run(id);
  t.equal(summary?.status, 'succeeded', `${id}: harvested`);
  return source.datasets();
}

function ckanPackage(id: string, title: string, extras: Array<{ key: string; value: string }> = []): Record<string, unknown> {
  return {
    id,
    name: id,
    title,
    notes: `${title}: notes`,
    tags: [{ name: title.split(' ')[0]!.toLowerCase() }],
    metadata_created: '2024-03-01T23:30:00.123456',
    metadata_modified: '2024-03-01T23:30:00.123456',
    extras,
    resources: [],
  };
}

async function ckanSource(
  t: Test,
  id: string,
  packages: Array<Record<string, unknown>>,
  settings: Record<string, unknown>,
): Promise<Map<string, NationalRecord>> {
  const site = await startFakeSource(t, '', 'application/json', (params) => {
    const start = Number(params.get('start') ?? 0);
    const results = start === 0 ? packages : [];
    return { body: JSON.stringify({ success: true, result: { count: packages.length, results } }) };
  });
  const source = harvestSource(t, { id, name: id, type: 'ckan', url: site.url }, {}, settings);
  const summary = await source.harvester.run(id);
  t.equal(summary?.status, 'succeeded', `${id}: harvested`);
  return source.datasets();
}

async function dcatUsSource(
  t: Test,
  id: string,
  datasets: Array<Record<string, unknown>>,
  settings: Record<string, unknown>,
): Promise<Map<string, NationalRecord>> {
  const site = await startFakeSource(t, '/data.json', 'application/json', () => ({
    body: JSON.stringify({ conformsTo: 'https://project-open-data.cio.gov/v1.1/schema', dataset: datasets }),
  }));
  const source = harvestSource(t, { id, name: id, type: 'dcat-us', url: site.url }, {}, settings);
  const summary = await source.harvester.run(id);
  t.equal(summary?.status, 'succeeded', `${id}: harvested`);
  return source.datasets();
}

async function crossplatformSource(
  t: Test,
  records: Array<Record<string, unknown>>,
  settings: Record<string, unknown> = {},
): Promise<Map<string, NationalRecord>> {
  const platform = await startFixturePlatform(records);
  t.teardown(() => platform.close());
  const source = harvestSource(t, { id: 'tw', name: 'tw', type: 'crossplatform', url: platform.url }, {}, settings);
  const summary = await source.harvester.run('tw');
  t.equal(summary?.status, 'succeeded', 'tw: harvested');
  return source.datasets();
}

function only(datasets: Map<string, NationalRecord>, suffix: string): NationalRecord {
  const found = [...datasets.entries()].filter(([identifier]) => identifier.endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one dataset ending ${suffix}, found ${found.length} of ${[...datasets.keys()].join(', ')}`);
  return found[0]![1];
}

/** A served literal: its text and language ('' for none), lower-cased as RDF processors may write it (BCP 47 tags are case-insensitive). */
type Served = { value: string; language: string };

/** The DCAT view of a record, read back twice: JSON-LD expanded by jsonld, and the Turtle written from it parsed by n3. */
async function servedTexts(t: Test, record: NationalRecord): Promise<(property: string, subject?: 'dataset' | 'distribution') => Served[]> {
  const document = toDcatJsonLd(record, { baseUrl: BASE_URL });
  const quads = new Parser({ format: 'N-Quads' }).parse(await toNQuads(document));
  const turtle = await writeTriples(quads, 'turtle', contextPrefixes(DCAT_AP_TW_CONTEXT));
  const reread = new Parser({ format: 'Turtle' }).parse(turtle);
  const literals = (from: Quad[], property: string, type: string): Served[] => {
    const subjects = new Set(
      from.filter((q) => q.predicate.value === 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type' && q.object.value === type).map((q) => q.subject.value),
    );
    return from
      .filter((q) => subjects.has(q.subject.value) && q.predicate.value === property && q.object.termType === 'Literal')
      .map((q) => ({ value: q.object.value, language: q.object.termType === 'Literal' ? q.object.language.toLowerCase() : '' }))
      .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  };
  // The SHACL shapes of DCAT-AP 3 accept what is written: no text property breaks a constraint.
  const textViolations = (await dcatApViolations(document)).filter(
    (violation) => /^(dct:title|dct:description|dcat:keyword) /.test(violation) && !violation.endsWith('MinCount'),
  );
  t.same(textViolations, [], `${record.identifier}: DCAT-AP SHACL has nothing to say about its texts`);
  return (property, subject = 'dataset') => {
    const type = subject === 'dataset' ? `${DCAT}Dataset` : `${DCAT}Distribution`;
    const fromJsonLd = literals(quads, property, type);
    t.same(literals(reread, property, type), fromJsonLd, `${record.identifier} ${property}: Turtle says what JSON-LD says`);
    return fromJsonLd;
  };
}

const lit = (value: string, language = ''): Served => ({ value, language });

t.test("item 1: every text keeps the language its source gave, or the source's configured one, or none", async (t) => {
  // DCAT without configuration: the source's tags, kept; untagged text stays untagged.
  const plainDcat = await dcatSource(t, 'dati', {});
  let texts = await servedTexts(t, only(plainDcat, '/aria'));
  t.same(texts(`${DCT}title`), [lit("Qualità dell'aria", 'it')], 'Italian title, tagged @it as the source said (was @zh-Hant)');
  t.same(texts(`${DCT}description`), [lit("Misure orarie della qualità dell'aria.", 'it')]);
  t.same(texts(`${DCAT}keyword`), [lit('ambiente', 'it'), lit('aria', 'it')]);
  t.same(texts(`${DCT}title`, 'distribution'), [lit('Dati orari in CSV', 'it')], "a distribution's title too");
  texts = await servedTexts(t, only(plainDcat, '/luft'));
  t.same(texts(`${DCT}title`), [lit('Luftqualität', 'de')]);
  t.same(texts(`${DCT}description`), [lit('Stündliche Messwerte der Luftqualität.')], 'untagged by the source, no language configured: untagged');
  texts = await servedTexts(t, only(plainDcat, '/aire'));
  t.same(texts(`${DCT}title`), [lit('Calidad del aire', 'es')]);
  texts = await servedTexts(t, only(plainDcat, '/kongqi'));
  t.same(texts(`${DCT}title`), [lit('空氣品質', 'zh-hant')], 'zh-Hant stays zh-Hant');
  t.same(texts(`${DCAT}keyword`), [lit('空氣', 'zh-hant')]);
  texts = await servedTexts(t, only(plainDcat, '/plain'));
  t.same(texts(`${DCT}title`), [lit('Water quality')], 'an untagged English title is not served as Chinese');
  t.same(texts(`${DCT}description`), [lit('水質監測')], 'nor is untagged Chinese guessed to be zh-Hant by a source that did not say');

  // The same catalogue from a source configured `language: "de"`: untagged text in a Latin script is German; tags are still the source's.
  const germanDcat = await dcatSource(t, 'daten', { language: 'de' });
  texts = await servedTexts(t, only(germanDcat, '/luft'));
  t.same(texts(`${DCT}description`), [lit('Stündliche Messwerte der Luftqualität.', 'de')], 'untagged text gets the configured language');
  texts = await servedTexts(t, only(germanDcat, '/aria'));
  t.same(texts(`${DCT}title`), [lit("Qualità dell'aria", 'it')], 'an explicit tag beats the configured language');
  texts = await servedTexts(t, only(germanDcat, '/plain'));
  t.same(texts(`${DCT}description`), [lit('水質監測')], 'Chinese script is not German: untagged');

  // CKAN has no language tags: the configured language, or none.
  const italianCkan = await ckanSource(t, 'ckan-it', [ckanPackage('aria-1', "Qualità dell'aria")], { language: 'it' });
  texts = await servedTexts(t, only(italianCkan, 'aria-1'));
  t.same(texts(`${DCT}title`), [lit("Qualità dell'aria", 'it')]);
  t.same(texts(`${DCT}description`), [lit("Qualità dell'aria: notes", 'it')]);
  t.same(texts(`${DCAT}keyword`), [lit('qualità', 'it')]);
  const plainCkan = await ckanSource(t, 'ckan-en', [ckanPackage('water-1', 'Water quality')], {});
  texts = await servedTexts(t, only(plainCkan, 'water-1'));
  t.same(texts(`${DCT}title`), [lit('Water quality')], 'no language configured: untagged (was @zh-Hant)');
  t.same(texts(`${DCAT}keyword`), [lit('water')]);

  // DCAT-US, configured English.
  const english = await dcatUsSource(
    t,
    'us',
    [{ identifier: 'us-water-1', title: 'Water quality', description: 'Hourly samples.', keyword: ['water', 'samples'], modified: '2024-07-04' }],
    { language: 'en' },
  );
  texts = await servedTexts(t, only(english, 'us-water-1'));
  t.same(texts(`${DCT}title`), [lit('Water quality', 'en')]);
  t.same(texts(`${DCAT}keyword`), [lit('samples', 'en'), lit('water', 'en')]);

  // A Taiwanese platform: zh-Hant by default, but only for text in a CJK script.
  const spec = readFixture<Record<string, unknown>>('crossplatform', 'spec-example-record.json');
  const twRecord = { ...((spec['result'] ?? spec) as Record<string, unknown>), title: '空氣品質監測', keyword: ['空氣', 'PM2.5'] };
  const taiwan = await crossplatformSource(t, [twRecord]);
  texts = await servedTexts(t, [...taiwan.values()][0]!);
  t.same(texts(`${DCT}title`), [lit('空氣品質監測', 'zh-hant')], 'Taiwanese default kept');
  t.same(texts(`${DCAT}keyword`), [lit('PM2.5'), lit('空氣', 'zh-hant')], 'a keyword with no CJK character is not Chinese');
});

t.test("item 2: naive date-times are read in the source's zone; offsets and dates are kept", async (t) => {
  // DCAT: UTC unless configured (was Asia/Taipei: 8 hours off).
  const utc = await dcatSource(t, 'dati', {});
  t.equal(only(utc, '/aria').modified, '2024-01-15T10:00:00Z', 'DCAT default: UTC');
  t.equal(only(utc, '/aria').issued, '2023-07-01T10:00:00Z');
  t.equal(only(utc, '/aria').distribution?.[0]?.resourceModified, '2024-01-15T22:30:00Z', "an offset is the value's own");
  t.equal(only(utc, '/luft').modified, '2024-03-01', 'a date stays a date');
  t.equal(only(utc, '/aire').modified, '2024-03-01T05:00:00Z');

  const rome = await dcatSource(t, 'roma', { timeZone: 'Europe/Rome' });
  t.equal(only(rome, '/aria').modified, '2024-01-15T09:00:00Z', 'Europe/Rome in winter: UTC+1');
  t.equal(only(rome, '/aria').issued, '2023-07-01T08:00:00Z', 'Europe/Rome in summer: UTC+2');
  t.equal(only(rome, '/aria').distribution?.[0]?.resourceModified, '2024-01-15T22:30:00Z', 'never shifted by the configured zone');
  t.equal(only(rome, '/luft').modified, '2024-03-01');
  t.equal(only(rome, '/aire').modified, '2024-03-01T05:00:00Z');
  const romeTexts = toDcatJsonLd(only(rome, '/aria'), { baseUrl: BASE_URL });
  t.same(romeTexts['dct:modified'], { '@value': '2024-01-15T09:00:00Z', '@type': 'xsd:dateTime' }, 'the view serves the instant');

  // CKAN: metadata_* are UTC by CKAN's definition, whatever the source's zone; other naive values are in the source's zone.
  const ckanDefault = await ckanSource(t, 'ckan-utc', [ckanPackage('late-1', 'Late update', [{ key: 'temporal_start', value: '2024-01-15T08:00:00' }])], {});
  t.equal(only(ckanDefault, 'late-1').modified, '2024-03-01T23:30:00Z', 'metadata_modified: UTC, the same day');
  t.equal(only(ckanDefault, 'late-1').temporalCoverageFrom, '2024-01-15T08:00:00Z', 'CKAN default: UTC (was Asia/Taipei)');
  const ckanNewYork = await ckanSource(t, 'ckan-ny', [ckanPackage('late-2', 'Late update', [{ key: 'temporal_start', value: '2024-01-15T08:00:00' }])], {
    timeZone: 'America/New_York',
  });
  t.equal(only(ckanNewYork, 'late-2').modified, '2024-03-01T23:30:00Z', 'metadata_modified stays UTC');
  t.equal(only(ckanNewYork, 'late-2').temporalCoverageFrom, '2024-01-15T13:00:00Z', 'America/New_York in winter: UTC-5');

  // DCAT-US, New York across the daylight-saving change.
  const us = await dcatUsSource(
    t,
    'us',
    [
      { identifier: 'us-1', title: 'Summer', modified: '2024-07-04T12:00:00', issued: '2024-07-04' },
      { identifier: 'us-2', title: 'Winter', modified: '2024-01-04T12:00:00', issued: '2024-01-04T12:00:00-05:00' },
    ],
    { timeZone: 'America/New_York' },
  );
  t.equal(only(us, 'us-1').modified, '2024-07-04T16:00:00Z', 'EDT: UTC-4');
  t.equal(only(us, 'us-1').issued, '2024-07-04', 'a date stays a date');
  t.equal(only(us, 'us-2').modified, '2024-01-04T17:00:00Z', 'EST: UTC-5');
  t.equal(only(us, 'us-2').issued, '2024-01-04T17:00:00Z');

  // A Taiwanese platform: Asia/Taipei by default.
  const spec = readFixture<Record<string, unknown>>('crossplatform', 'spec-example-record.json');
  const twRecord = { ...((spec['result'] ?? spec) as Record<string, unknown>), modified: '2024-03-01 10:00:00' };
  const taiwan = await crossplatformSource(t, [twRecord]);
  t.equal([...taiwan.values()][0]!.modified, '2024-03-01T02:00:00Z', 'Asia/Taipei: UTC+8');
});

t.test('zones: the conversion itself, at the edges', async (t) => {
  t.same(
    parseTaiwanDate('2024-03-31 02:30:00', 'Europe/Rome'),
    { kind: 'datetime', value: '2024-03-31T01:30:00Z' },
    'a skipped hour reads with the offset before the change',
  );
  t.same(parseTaiwanDate('2024-10-27 02:30:00', 'Europe/Rome'), { kind: 'datetime', value: '2024-10-27T00:30:00Z' }, 'a repeated hour: the first of the two');
  t.same(parseTaiwanDate('2024-03-10 03:30:00', 'America/New_York'), { kind: 'datetime', value: '2024-03-10T07:30:00Z' });
  t.same(parseTaiwanDate('2024-03-01 10:00:00', 'UTC'), { kind: 'datetime', value: '2024-03-01T10:00:00Z' });
  t.same(parseTaiwanDate('2024-03-01 10:00:00'), { kind: 'datetime', value: '2024-03-01T02:00:00Z' }, 'Taipei is still the default');
  t.same(parseTaiwanDate('2024-03-01T10:00:00+01:00', 'America/New_York'), { kind: 'datetime', value: '2024-03-01T09:00:00Z' }, 'an offset wins over the zone');
  t.same(parseTaiwanDate('2024-03-01', 'America/New_York'), { kind: 'date', value: '2024-03-01' });
  t.equal(parseTaiwanDate('2024-03-01 10:00:00', 'Mars/Olympus'), null, 'an unknown zone reads nothing rather than guessing');
});

t.test('configuration: timeZone and language are validated, naming the source and the field', async (t) => {
  const config = (settings: Record<string, unknown>) => ({
    sources: [{ id: 'eu', name: 'eu', type: 'dcat', url: 'https://example.eu/catalog.ttl', schedule: '0 3 * * *', ...settings }],
  });
  const good = parseConfig(config({ timeZone: 'Europe/Rome', language: 'it' }), 'test');
  t.equal(good.sources[0]!.timeZone, 'Europe/Rome');
  t.equal(good.sources[0]!.language, 'it');
  t.throws(() => parseConfig(config({ timeZone: 'Mars/Olympus' }), 'test'), /sources\[0\]\.timeZone.*"eu".*not an IANA time zone/);
  t.throws(() => parseConfig(config({ timeZone: '+08:00' }), 'test'), /sources\[0\]\.timeZone/);
  t.throws(() => parseConfig(config({ language: 'not a tag' }), 'test'), /sources\[0\]\.language/);
  t.throws(() => parseConfig(config({ language: 'zz-1234567890' }), 'test'), /sources\[0\]\.language/);
  t.throws(() => parseConfig(config({ timeZone: 8 }), 'test'), /sources\[0\]\.timeZone/);
});
