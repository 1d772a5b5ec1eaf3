/**
 * The DCAT statements a record's sourceExtras carry, served again (src/views/dcat-source-statements.ts):
 * what a damaged or hostile stored record holds there never breaks the view or its RDF, and
 * never becomes an invalid IRI.
 */
import t from 'tap';
import { Parser, Store } from 'n3';
import type { NationalRecord } from '../../src/model/record.js';
import { toDcatJsonLd } from '../../src/views/dcat-jsonld.js';
import { dcatApViolations, toNQuads } from '../helpers/dcat-ap.js';

const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const DCATAP = 'http://data.europa.eu/r5r/';
const ENVI = 'http://publications.europa.eu/resource/authority/data-theme/ENVI';

function record(extensions: unknown, spatial = '臺北市'): NationalRecord {
  return {
    identifier: 'A41000000G-000001',
    title: '測試資料集',
    description: '說明',
    spatial,
    extensions: extensions as NationalRecord['extensions'],
  };
}

async function triples(rec: NationalRecord): Promise<Store> {
  return new Store(new Parser({ format: 'N-Quads' }).parse(await toNQuads(toDcatJsonLd(rec, { baseUrl: 'https://gateway.test' }))));
}

function objects(store: Store, predicate: string): string[] {
  return store
    .getObjects(`https://gateway.test/dataset/A41000000G-000001`, predicate, null)
    .map((term) => `${term.termType}:${term.value}`)
    .sort();
}

t.test("only records harvested from DCAT: another vocabulary's extras of the same name are not DCAT statements", async (t) => {
  const store = await triples(
    record({ sourceVocabulary: 'ckan', sourceExtras: { 'dcat:theme': { '@id': ENVI }, 'dct:spatial': { '@id': 'https://example.org/place' } } }),
  );
  t.same(objects(store, `${DCAT}theme`), []);
  t.equal(objects(store, `${DCT}spatial`).length, 1, "the record's place name, as before");
  t.same(
    objects(store, `${DCT}spatial`).map((value) => value.startsWith('BlankNode:')),
    [true],
  );
});

t.test('a literal spatial value of the source becomes the name of a dct:Location, in its language', async (t) => {
  const rec = record({ sourceVocabulary: 'dcat', sourceExtras: { 'dct:spatial': [{ '@value': 'Bayern', '@language': 'de' }, 'Wien'] } }, 'Bayern、Wien');
  const document = toDcatJsonLd(rec, { baseUrl: 'https://gateway.test' });
  t.same(document['dct:spatial'], [
    { '@type': 'dct:Location', 'skos:prefLabel': { '@value': 'Bayern', '@language': 'de' } },
    { '@type': 'dct:Location', 'skos:prefLabel': { '@value': 'Wien' } },
  ]);
  t.same(await dcatApViolations(document), []);
});

t.test('damaged extras: no invalid IRI, no broken literal, no throw; the view falls back to the place name', async (t) => {
  const hostile = [
    null,
    'text',
    42,
    [],
    { sourceVocabulary: 'dcat' },
    { sourceVocabulary: 'dcat', sourceExtras: 'not an object' },
    { sourceVocabulary: 'dcat', sourceExtras: [] },
    {
      sourceVocabulary: 'dcat',
      sourceExtras: {
        'dcat:theme': ['a literal theme', { '@id': 'relative/theme' }, { '@id': 'http://bad host/x' }, { '@id': 42 }, null, { '@id': ENVI }, { '@id': ENVI }],
        'dcatap:hvdCategory': { '@value': 'Earth observation' },
        'dcatap:applicableLegislation': [{ '@id': 'http://data.europa.eu/eli/reg_impl/2023/138/oj\u0000' }, { '@id': '\ud800http://x.example/' }],
        'dct:spatial': [
          { '@id': 'not an iri' },
          {},
          { 'locn:address': { 'locn:fullAddress': 'nested: not served' } },
          { 'skos:prefLabel': { '@value': 'Ort', '@language': 'not a tag!' }, 'dcat:centroid': { '@value': 'POINT(1 2)', '@type': 'geo:wktLiteral' } },
          { 'skos:prefLabel': { '@value': 'lone \ud800 surrogate' } },
          { 'bad key with spaces': 'x', 'skos:prefLabel': [null, 3, { '@value': 7 }] },
        ],
      },
    },
  ];
  for (const [index, extensions] of hostile.entries()) {
    const rec = record(extensions);
    const store = await triples(rec);
    t.same(await dcatApViolations(toDcatJsonLd(rec, { baseUrl: 'https://gateway.test' })), [], `#${index}: DCAT-AP valid`);
    if (index < hostile.length - 1) {
      t.same(objects(store, `${DCAT}theme`), [], `#${index}: no theme`);
      t.equal(objects(store, `${DCT}spatial`).length, 1, `#${index}: the record's place name`);
    }
  }
  const store = await triples(record(hostile.at(-1)));
  t.same(objects(store, `${DCAT}theme`), [`NamedNode:${ENVI}`], 'the one valid theme, once');
  t.same(objects(store, `${DCATAP}hvdCategory`), [], 'a literal HVD category is not served');
  t.same(objects(store, `${DCATAP}applicableLegislation`), [], 'no IRI with a control character or a lone surrogate');
  const places = store.getObjects('https://gateway.test/dataset/A41000000G-000001', `${DCT}spatial`, null);
  t.equal(places.length, 2, 'the two places with something servable');
  const labels = places.flatMap((place) => store.getObjects(place, 'http://www.w3.org/2004/02/skos/core#prefLabel', null));
  t.same(labels.map((label) => [label.value, (label as { language: string }).language]).sort(), [
    ['Ort', ''],
    ['lone \ufffd surrogate', ''],
  ]);
});
