/**
 * The synthetic catalogue of test/bench/synthetic-catalogue.ts as paged XML records
 * (bench:harvest's csw and oai-pmh shapes): record i, built from syntheticRecord(i), as a
 * csw:Record (Dublin Core, what connectors/csw.ts asks for by default: the shape of pycsw's
 * answers in test/fixtures/csw) and as an OAI-PMH record with oai_dc metadata (the shape of
 * test/fixtures/oai-pmh/ListRecords.xml). A pure function of i, like the other shapes. Links
 * point at example hosts only.
 */
import { syntheticRecord, type GenRecord } from './synthetic-catalogue.js';

function xmlText(value: unknown): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const element = (name: string, value: unknown, attributes = ''): string => `<${name}${attributes}>${xmlText(value)}</${name}>`;

/** A Taipei local `YYYY-MM-DD hh:mm:ss` → UTC `YYYY-MM-DDThh:mm:ssZ` (OAI datestamps are UTC). */
function utcInstant(local: string): string {
  const epoch = Date.parse(`${local.replace(' ', 'T')}+08:00`);
  return Number.isNaN(epoch) ? '2020-01-01T00:00:00Z' : `${new Date(epoch).toISOString().slice(0, 19)}Z`;
}

function distributionUrls(record: GenRecord): string[] {
  return (record.distribution as GenRecord[]).map((d) => String(d.downloadURL ?? d.accessURL).replace('opendata.ndc.gov.tw', 'files.example.gov.tw'));
}

/** Record i as a csw:Record (elementSetName=full), namespaces declared on the response. */
export function cswRecordXml(i: number): string {
  const record = syntheticRecord(i);
  const parts = [
    element('dc:identifier', record.identifier),
    element('dc:title', record.title),
    element('dc:type', 'http://purl.org/dc/dcmitype/Dataset'),
    ...[...new Set(record.keyword as string[])].map((keyword) => element('dc:subject', keyword)),
    ...(record.distribution as GenRecord[]).map((d) => element('dc:format', d.format)),
    element('dc:creator', record.organization),
    element('dc:publisher', record.publisher),
    element('dc:contributor', record.publisherContactName),
    element('dct:modified', String(record.modified).slice(0, 10)),
    element('dct:abstract', record.description),
    element('dc:rights', record.license),
    element('dc:language', 'zh-TW'),
    element('dct:spatial', record.spatial),
    ...distributionUrls(record).map((url) => element('dct:references', url, ' scheme="WWW:DOWNLOAD-1.0-http--download"')),
    '<ows:BoundingBox crs="urn:ogc:def:crs:EPSG::4326"><ows:LowerCorner>21.87 119.31</ows:LowerCorner><ows:UpperCorner>25.30 122.01</ows:UpperCorner></ows:BoundingBox>',
  ];
  return `<csw:Record>${parts.join('')}</csw:Record>`;
}

/** Record i as an OAI-PMH `<record>` with oai_dc metadata; its header identifier and datestamp. */
export function oaiRecordXml(i: number): { identifier: string; datestamp: string; xml: string } {
  const record = syntheticRecord(i);
  const identifier = `oai:data.example.gov.tw:${String(record.identifier)}`;
  const datestamp = utcInstant(String(record.modified));
  const metadata = [
    element('dc:title', record.title),
    element('dc:creator', record.organization),
    ...[...new Set(record.keyword as string[])].map((keyword) => element('dc:subject', keyword)),
    element('dc:description', record.description, ' xml:lang="zh-TW"'),
    element('dc:publisher', record.publisher),
    element('dc:contributor', record.publisherContactName),
    element('dc:date', String(record.modified).slice(0, 10)),
    element('dc:type', 'Dataset'),
    ...(record.distribution as GenRecord[]).map((d) => element('dc:format', d.format)),
    element('dc:identifier', `https://data.example.gov.tw/dataset/${String(record.identifier)}`),
    element('dc:identifier', record.identifier),
    element('dc:language', 'zh-TW'),
    element('dc:coverage', record.spatial),
    element('dc:rights', record.license),
    ...distributionUrls(record).map((url) => element('dc:relation', url)),
  ];
  const xml =
    `<record><header>${element('identifier', identifier)}${element('datestamp', datestamp)}<setSpec>opendata</setSpec></header>` +
    `<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">${metadata.join('')}</oai_dc:dc></metadata></record>`;
  return { identifier, datestamp, xml };
}
