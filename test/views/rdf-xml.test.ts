/**
 * The flat RDF/XML writer, proved by parsing its output back with rdfxml-streaming-parser (an
 * independent, spec-conformant parser) and comparing graphs, plus what RDF/XML cannot say.
 */
import t, { type Test } from 'tap';
import { DataFactory, type Quad } from 'n3';
import { RdfXmlError, writeRdfXml } from '../../src/views/rdf-xml.js';
import { canonical, parseRdf } from '../api/rdf-compare.js';

const { blankNode, literal, namedNode, quad } = DataFactory;

const DCT = 'http://purl.org/dc/terms/';
const XSD = 'http://www.w3.org/2001/XMLSchema#';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const PREFIXES = { dct: DCT, dcat: 'http://www.w3.org/ns/dcat#' };

async function roundTrip(t: Test, quads: Quad[], label: string): Promise<string> {
  const xml = writeRdfXml(quads, PREFIXES);
  t.equal(await canonical(await parseRdf(xml, 'rdfxml')), await canonical(quads), `${label}: parses back to the same graph`);
  return xml;
}

const subject = namedNode('https://gateway.test/dataset/A41000000G-000001');

t.test('literals: plain, language-tagged, typed', async (t) => {
  const xml = await roundTrip(
    t,
    [
      quad(subject, namedNode(`${DCT}identifier`), literal('A41000000G-000001')),
      quad(subject, namedNode(`${DCT}title`), literal('行政院公報', 'zh-hant')),
      quad(subject, namedNode(`${DCT}modified`), literal('2015-01-01T15:59:59Z', namedNode(`${XSD}dateTime`))),
      quad(subject, namedNode(`${DCT}extent`), literal('42', namedNode(`${XSD}nonNegativeInteger`))),
      quad(subject, namedNode(`${DCT}alternative`), literal('explicit string', namedNode(`${XSD}string`))),
    ],
    'literals',
  );
  t.match(xml, /<dct:identifier>A41000000G-000001<\/dct:identifier>/, 'a plain literal has no attribute');
  t.match(xml, /<dct:title xml:lang="zh-hant">行政院公報<\/dct:title>/);
  t.match(xml, /<dct:modified rdf:datatype="http:\/\/www\.w3\.org\/2001\/XMLSchema#dateTime">2015-01-01T15:59:59Z<\/dct:modified>/);
  t.match(xml, /<dct:alternative>explicit string<\/dct:alternative>/, 'xsd:string is the plain literal');
  t.match(xml, /^<\?xml version="1\.0" encoding="utf-8"\?>\n<rdf:RDF/);
});

t.test('escaping: markup, quotes, line ends, whitespace in attributes, astral characters', async (t) => {
  const awkward = 'a < b && c > d ]]> "q" \'s\'\r\nline\ttab 𠀋 \u00A0';
  const iri = namedNode("https://example.gov.tw/a?b=1&c=%222%22&d='3'");
  const xml = await roundTrip(
    t,
    [
      quad(subject, namedNode(`${DCT}description`), literal(awkward, 'zh-hant')),
      quad(subject, namedNode(`${DCT}source`), iri),
      quad(iri, namedNode(`${DCT}title`), literal('\r only carriage return \r')),
      quad(subject, namedNode(`${DCT}abstract`), literal('  leading and trailing spaces  ')),
      quad(subject, namedNode(`${DCT}alternative`), literal('')),
    ],
    'escaping',
  );
  t.notMatch(xml, /&&|< b|&c=/, 'no raw & or < is left');
  t.match(xml, /&#13;/, 'a carriage return is a character reference');
});

t.test('characters XML 1.0 cannot carry become U+FFFD, and only those', async (t) => {
  const xml = writeRdfXml([quad(subject, namedNode(`${DCT}title`), literal('a\u0001b\u0008c\u001Fd\uFFFEe\tf'))], PREFIXES);
  const [parsed] = await parseRdf(xml, 'rdfxml');
  t.equal(parsed!.object.value, 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\tf');
});

t.test('blank nodes get their own XML-name labels', async (t) => {
  // Valid blank node labels in N-Triples, not XML names.
  const agent = blankNode('1-x');
  const contact = blankNode('b.0');
  const xml = await roundTrip(
    t,
    [
      quad(subject, namedNode(`${DCT}publisher`), agent),
      quad(agent, namedNode(`${RDF}type`), namedNode('http://xmlns.com/foaf/0.1/Agent')),
      quad(agent, namedNode('http://xmlns.com/foaf/0.1/name'), literal('國家發展委員會', 'zh-hant')),
      quad(agent, namedNode('http://www.w3.org/ns/dcat#contactPoint'), contact),
      quad(contact, namedNode('http://www.w3.org/2006/vcard/ns#fn'), literal('郭大明')),
    ],
    'blank nodes',
  );
  t.match(xml, /<rdf:Description rdf:nodeID="b0">/);
  t.match(xml, /<dcat:contactPoint rdf:nodeID="b1"\/>/);
  t.match(xml, /<rdf:type rdf:resource="http:\/\/xmlns\.com\/foaf\/0\.1\/Agent"\/>/);
});

t.test('namespaces: given prefixes, generated ones, and prefixes XML forbids', async (t) => {
  const xml = await roundTrip(
    t,
    [
      quad(subject, namedNode(`${DCT}title`), literal('x')),
      quad(subject, namedNode('https://vocab.example/terms#weight'), literal('1')),
      quad(subject, namedNode('https://other.example/v/2024/size-class'), literal('2')),
      quad(subject, namedNode('https://bad-prefix.example/p'), literal('3')),
      quad(subject, namedNode('urn:example:local.name'), literal('4')),
    ],
    'namespaces',
  );
  const xmlWithBadPrefixes = writeRdfXml([quad(subject, namedNode('https://bad-prefix.example/p'), literal('3'))], {
    xml: 'https://bad-prefix.example/',
    '1a': 'https://bad-prefix.example/',
  });
  t.match(xmlWithBadPrefixes, /xmlns:ns1="https:\/\/bad-prefix\.example\/"/, 'reserved and non-NCName prefixes are not used');
  t.match(xml, /xmlns:dct="http:\/\/purl\.org\/dc\/terms\/"/);
  t.notMatch(xml, /xmlns:dcat=/, 'only namespaces in use are declared');
  t.match(xml, /<ns\d:weight>1<\/ns\d:weight>/);
  t.match(xml, /<ns\d:size-class>2<\/ns\d:size-class>/, 'a local name may hold - and digits after its first letter');
  t.match(xml, /xmlns:ns\d="urn:example:"/, 'a URN splits at its last colon');
});

t.test('an empty graph is an empty rdf:RDF', async (t) => {
  const xml = writeRdfXml([]);
  t.same(await parseRdf(xml, 'rdfxml'), []);
  t.match(xml, /<rdf:RDF\n {4}xmlns:rdf="http:\/\/www\.w3\.org\/1999\/02\/22-rdf-syntax-ns#">\n<\/rdf:RDF>/);
});

t.test('what RDF/XML cannot say is refused, never written wrong', async (t) => {
  const refuse = (quads: Quad[], message: RegExp, label: string): void => {
    t.throws(() => writeRdfXml(quads), { constructor: RdfXmlError, message }, label);
  };
  refuse([quad(subject, namedNode('https://example.org/ends/with/'), literal('x'))], /no XML local name/, 'a predicate ending in /');
  refuse([quad(subject, namedNode('https://example.org/123'), literal('x'))], /no XML local name/, 'a local part that is all digits');
  refuse([quad(subject, namedNode(`${RDF}li`), literal('x'))], /rdf:li is RDF\/XML syntax/, 'rdf:li');
  refuse([quad(subject, namedNode(`${RDF}Description`), literal('x'))], /rdf:Description is RDF\/XML syntax/, 'rdf:Description');
  refuse([quad(literal('a literal') as never, namedNode(`${DCT}title`), literal('x'))], /cannot have a Literal as subject/, 'a literal subject');
});
