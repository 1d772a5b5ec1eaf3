/**
 * A DCAT source's texts in several languages (issue 13, item 1): the record holds one language of
 * each (the source's configured language first), and the DCAT view serves every language again,
 * each with the tag the source gave it.
 */
import t from 'tap';
import { Parser } from 'n3';
import { PageGraph } from '../../connectors/dcat/page-graph.js';
import { datasetsOf } from '../../connectors/dcat/datasets.js';
import { parseRdf } from '../../connectors/dcat/parse.js';
import { mapDcatRecord } from '../../src/mapping/dcat.js';
import type { MappingContext } from '../../src/mapping/context.js';
import type { NationalRecord } from '../../src/model/record.js';
import { toDcatJsonLd } from '../../src/views/dcat-jsonld.js';
import { recordViolations, toNQuads } from '../helpers/dcat-ap.js';

const TURTLE = `
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<https://dati.comune.test/dataset/bilancio> a dcat:Dataset ;
  dct:identifier "bilancio-2024" ;
  dct:title "Bilancio comunale 2024"@it , "Municipal budget 2024"@en , "Gemeindehaushalt 2024"@de ;
  dct:description "Entrate e uscite del comune."@it , "Revenue and spending of the municipality."@en ;
  dcat:keyword "bilancio"@it , "finanze"@it , "budget"@en ;
  dct:publisher [ a foaf:Agent ; foaf:name "Comune di Prova"@it ] ;
  dcat:distribution [ a dcat:Distribution ; dcat:downloadURL <https://dati.comune.test/files/bilancio.csv> ; dct:format "CSV" ] .
`;

async function mapped(context: MappingContext): Promise<NationalRecord> {
  const quads = await parseRdf({ sourceId: 'comune', url: 'https://dati.comune.test/catalog.ttl', body: TURTLE, format: 'turtle' });
  const [dataset] = await datasetsOf(PageGraph.of(quads), { maxQuadsPerDataset: 20_000 });
  const result = mapDcatRecord(dataset!.payload, context);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.record;
}

/** Every literal of `predicate` in the served dataset, as `text@tag`. */
async function served(record: NationalRecord, predicate: string): Promise<string[]> {
  const quads = new Parser({ format: 'N-Quads' }).parse(await toNQuads(toDcatJsonLd(record, { baseUrl: 'https://gateway.test' })));
  return quads
    .filter(
      (quad) => quad.predicate.value === predicate && quad.subject.termType === 'NamedNode' && quad.subject.value.startsWith('https://gateway.test/dataset/'),
    )
    .map((quad) => `${quad.object.value}@${quad.object.termType === 'Literal' ? quad.object.language : ''}`)
    .sort();
}

const DCT_TITLE = 'http://purl.org/dc/terms/title';
const DCT_DESCRIPTION = 'http://purl.org/dc/terms/description';
const DCAT_KEYWORD = 'http://www.w3.org/ns/dcat#keyword';

t.test('an Italian source configured it: the record holds the Italian texts; every language is served', async (t) => {
  const record = await mapped({ timeZone: 'Europe/Rome', language: 'it' });
  t.equal(record.title, 'Bilancio comunale 2024', 'the configured language first');
  t.equal(record.description, 'Entrate e uscite del comune.');
  t.same(record.keyword, ['bilancio', 'finanze']);
  t.same(await served(record, DCT_TITLE), ['Bilancio comunale 2024@it', 'Gemeindehaushalt 2024@de', 'Municipal budget 2024@en']);
  t.same(await served(record, DCT_DESCRIPTION), ['Entrate e uscite del comune.@it', 'Revenue and spending of the municipality.@en']);
  t.same(await served(record, DCAT_KEYWORD), ['bilancio@it', 'budget@en', 'finanze@it']);
  t.same(await recordViolations(record), [], 'DCAT-AP SHACL');
});

t.test('with no language configured, the record holds one (English before other European ones) and still serves all', async (t) => {
  const record = await mapped({ timeZone: 'UTC' });
  t.equal(record.title, 'Municipal budget 2024');
  t.same(await served(record, DCT_TITLE), ['Bilancio comunale 2024@it', 'Gemeindehaushalt 2024@de', 'Municipal budget 2024@en']);
  t.same(await served(record, DCAT_KEYWORD), ['bilancio@it', 'budget@en', 'finanze@it']);
});
