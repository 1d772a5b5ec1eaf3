/**
 * The synthetic catalogue of test/bench/synthetic-catalogue.ts as ONE DCAT-AP document, in Turtle
 * or RDF/XML (bench:harvest's dcat-turtle and dcat-rdfxml shapes): dataset i is built from
 * syntheticRecord(i), so it is a pure function of i and the platform child and the parse child
 * build the same bytes without exchanging them.
 *
 * Each dataset is described as a national catalogue exports it (about 35 triples): an IRI with
 * dct:identifier, titles and descriptions in zh-Hant and en, keywords, its agency as publisher
 * (a foaf:Agent described once in the document and shared by many datasets), a vCard contact
 * point and a period of time (blank nodes), an EU data theme, frequency and language, a place,
 * issued/modified, a landing page, and 1–3 distributions (IRIs) with format, media type,
 * accessURL/downloadURL and licence. The catalogue node lists every dataset (dcat:dataset).
 * Every link points at example hosts (data.example.gov.tw) or EU authority IRIs; nothing is
 * ever fetched.
 */
import { AGENCY_CODE, prng, syntheticRecord, type GenRecord } from './synthetic-catalogue.js';

export type DcatSyntax = 'turtle' | 'rdfxml';

const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
} as const;
type Prefix = keyof typeof NS;

const BASE = 'https://data.example.gov.tw';
const CATALOGUE_IRI = `${BASE}/catalog`;
const EU = 'http://publications.europa.eu/resource/authority';

/** An object: an IRI, a literal (language or datatype), or a blank node described in place. */
type Obj = { iri: string } | { text: string; lang?: string; datatype?: string } | { node: Node };
interface Node {
  /** Absent: a blank node, written inside its one referrer. */
  iri?: string;
  type: `${Prefix}:${string}`;
  props: Array<[`${Prefix}:${string}`, Obj]>;
}

const THEMES = ['ECON', 'TRAN', 'ENVI', 'SOCI', 'HEAL', 'GOVE', 'EDUC', 'AGRI', 'REGI', 'TECH'];
const FREQUENCIES: Readonly<Record<string, string>> = {
  每日: 'DAILY',
  每月: 'MONTHLY',
  每年: 'ANNUAL',
  每季: 'QUARTERLY',
  每週: 'WEEKLY',
  不定期: 'IRREG',
  每5分鐘: 'CONT',
  每1小時: 'HOURLY',
  即時: 'CONT',
  每半年: 'ANNUAL_2',
};
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  CSV: 'text/csv',
  JSON: 'application/json',
  XML: 'application/xml',
  XLSX: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ZIP: 'application/zip',
  SERVICES: 'application/json',
};
const ENGLISH_SUBJECTS = ['statistics', 'open data', 'public service', 'annual report', 'registry', 'real-time information', 'location data'];
/** The agencies publishing in the catalogue: each a foaf:Agent described once. */
const AGENCIES = 40;

const xsd = (local: string): string => `${NS.xsd}${local}`;

/** A Taipei local `YYYY-MM-DD hh:mm:ss` (or a date, or an ROC date) as xsd:dateTime / xsd:date. */
function isoDateTime(local: string): { text: string; datatype: string } {
  const roc = /^(\d{2,3})\/(\d{2})\/(\d{2})$/.exec(local);
  if (roc) return { text: `${Number(roc[1]) + 1911}-${roc[2]}-${roc[3]}`, datatype: xsd('date') };
  if (/^\d{4}-\d{2}-\d{2}$/.test(local)) return { text: local, datatype: xsd('date') };
  return { text: `${local.replace(' ', 'T')}+08:00`, datatype: xsd('dateTime') };
}

function agencyIri(n: number): string {
  return `${BASE}/agency/${AGENCY_CODE.slice(0, 4)}${String(n).padStart(4, '0')}`;
}

function agencyOf(i: number): number {
  return (Math.imul(i, 2654435761) >>> 0) % AGENCIES;
}

/** The agencies' descriptions (written once, before the datasets). */
function agencyNodes(): Node[] {
  return Array.from({ length: AGENCIES }, (_, n) => ({
    iri: agencyIri(n),
    type: 'foaf:Agent' as const,
    props: [
      ['foaf:name', { text: `行政院所屬機關第${n + 1}處`, lang: 'zh-Hant' }],
      ['foaf:name', { text: `Executive Yuan agency ${n + 1}`, lang: 'en' }],
    ],
  }));
}

/** Dataset i and its distributions, from syntheticRecord(i). */
export function datasetNodes(i: number): Node[] {
  const record: GenRecord = syntheticRecord(i);
  const rand = prng(0xdca7 ^ Math.imul(i, 3266489917));
  const identifier = String(record.identifier);
  const iri = `${BASE}/dataset/${identifier}`;
  const english = `${ENGLISH_SUBJECTS[i % ENGLISH_SUBJECTS.length]} ${i}`;
  const props: Node['props'] = [
    ['dct:identifier', { text: identifier }],
    ['dct:title', { text: String(record.title), lang: 'zh-Hant' }],
    ['dct:title', { text: `Dataset ${identifier}: ${english}`, lang: 'en' }],
    ['dct:description', { text: String(record.description), lang: 'zh-Hant' }],
  ];
  if (i % 2 === 0) props.push(['dct:description', { text: `The ${english} published by the agency.`, lang: 'en' }]);
  for (const keyword of new Set((record.keyword as string[]).slice(0, 2))) props.push(['dcat:keyword', { text: keyword, lang: 'zh-Hant' }]);
  props.push(['dct:publisher', { iri: agencyIri(agencyOf(i)) }]);
  props.push([
    'dcat:contactPoint',
    {
      node: {
        type: 'vcard:Organization',
        props: [
          ['vcard:fn', { text: String(record.publisherContactName) }],
          ['vcard:hasEmail', { iri: `mailto:${String(record.publisherContactEmail).replace('ndc.gov.tw', 'example.gov.tw')}` }],
          ...(i % 2 === 1
            ? ([['vcard:hasTelephone', { iri: `tel:+886-${String(record.publisherContactPhone).replace(/^0/, '').replace('#', ';ext=')}` }]] as Node['props'])
            : []),
        ],
      },
    },
  ]);
  props.push(['dcat:theme', { iri: `${EU}/data-theme/${THEMES[Math.floor(rand() * THEMES.length)]}` }]);
  props.push(['dct:accrualPeriodicity', { iri: `${EU}/frequency/${FREQUENCIES[String(record.accrualPeriodicity)] ?? 'IRREG'}` }]);
  props.push(['dct:issued', isoDateTime(String(record.issued))]);
  props.push(['dct:modified', isoDateTime(String(record.modified))]);
  if (record.temporalCoverageFrom !== undefined) {
    props.push([
      'dct:temporal',
      {
        node: {
          type: 'dct:PeriodOfTime',
          props: [
            ['dcat:startDate', { text: String(record.temporalCoverageFrom), datatype: xsd('date') }],
            ['dcat:endDate', { text: String(record.temporalCoverageTo), datatype: xsd('date') }],
          ],
        },
      },
    ]);
  }
  props.push(['dct:spatial', { iri: `${EU}/country/TWN` }]);
  props.push(['dcat:landingPage', { iri: `${BASE}/dataset/${i}` }]);
  const distributions: Node[] = (record.distribution as GenRecord[]).map((distribution) => {
    const format = String(distribution.format);
    const url = String(distribution.downloadURL ?? distribution.accessURL).replace('opendata.ndc.gov.tw', 'files.example.gov.tw');
    const node: Node = {
      iri: `${BASE}/distribution/${String(distribution.resourceID)}`,
      type: 'dcat:Distribution',
      props: [
        ['dct:format', { iri: `${EU}/file-type/${format === 'SERVICES' ? 'JSON' : format}` }],
        ['dcat:mediaType', { iri: `https://www.iana.org/assignments/media-types/${MEDIA_TYPES[format] ?? 'application/octet-stream'}` }],
        ['dcat:accessURL', { iri: url }],
        ['dct:license', { iri: String(record.licenseURL).replace('data.gov.tw', 'data.example.gov.tw') }],
      ],
    };
    if (distribution.downloadURL !== undefined) node.props.push(['dcat:downloadURL', { iri: url }]);
    return node;
  });
  // At least two distributions, as the brief of the shape asks (a dataset of one file is rarer in DCAT-AP exports).
  if (distributions.length === 1) {
    const first = distributions[0]!;
    distributions.push({ ...first, iri: `${first.iri}-api`, props: first.props.filter(([p]) => p !== 'dcat:downloadURL') });
  }
  for (const distribution of distributions) props.push(['dcat:distribution', { iri: distribution.iri! }]);
  return [{ iri, type: 'dcat:Dataset', props }, ...distributions];
}

// ---------------------------------------------------------------------------------------------
// Turtle
// ---------------------------------------------------------------------------------------------

function turtleString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

function turtleIri(iri: string): string {
  for (const [prefix, ns] of Object.entries(NS))
    if (iri.startsWith(ns) && /^[A-Za-z][\w-]*$/.test(iri.slice(ns.length))) return `${prefix}:${iri.slice(ns.length)}`;
  return `<${iri}>`;
}

function turtleObject(object: Obj, indent: string): string {
  if ('iri' in object) return turtleIri(object.iri);
  if ('node' in object) return `[\n${turtleBody(object.node, `${indent}  `)}\n${indent}]`;
  if (object.lang !== undefined) return `${turtleString(object.text)}@${object.lang}`;
  if (object.datatype !== undefined) return `${turtleString(object.text)}^^${turtleIri(object.datatype)}`;
  return turtleString(object.text);
}

function turtleBody(node: Node, indent: string): string {
  const lines = [`${indent}a ${node.type}`, ...node.props.map(([predicate, object]) => `${indent}${predicate} ${turtleObject(object, indent)}`)];
  return lines.join(' ;\n');
}

function turtleNode(node: Node): string {
  return `<${node.iri!}>\n${turtleBody(node, '  ')} .\n`;
}

// ---------------------------------------------------------------------------------------------
// RDF/XML
// ---------------------------------------------------------------------------------------------

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function xmlAttribute(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;');
}

function xmlProperty(predicate: string, object: Obj, indent: string): string {
  if ('iri' in object) return `${indent}<${predicate} rdf:resource="${xmlAttribute(object.iri)}"/>`;
  if ('node' in object) return `${indent}<${predicate}>\n${xmlNode(object.node, `${indent}  `)}\n${indent}</${predicate}>`;
  const attribute =
    object.lang !== undefined ? ` xml:lang="${object.lang}"` : object.datatype !== undefined ? ` rdf:datatype="${xmlAttribute(object.datatype)}"` : '';
  return `${indent}<${predicate}${attribute}>${xmlText(object.text)}</${predicate}>`;
}

function xmlNode(node: Node, indent: string): string {
  const about = node.iri === undefined ? '' : ` rdf:about="${xmlAttribute(node.iri)}"`;
  const body = node.props.map(([predicate, object]) => xmlProperty(predicate, object, `${indent}  `)).join('\n');
  return `${indent}<${node.type}${about}>\n${body}\n${indent}</${node.type}>`;
}

// ---------------------------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------------------------

function catalogueNode(datasets: number): Node {
  const props: Node['props'] = [
    ['dct:title', { text: '政府資料開放平臺資料目錄', lang: 'zh-Hant' }],
    ['dct:title', { text: 'Government open data catalogue', lang: 'en' }],
    ['dct:publisher', { iri: agencyIri(0) }],
  ];
  for (let i = 1; i <= datasets; i += 1) props.push(['dcat:dataset', { iri: `${BASE}/dataset/${String(syntheticRecord(i).identifier)}` }]);
  return { iri: CATALOGUE_IRI, type: 'dcat:Catalog', props };
}

/**
 * The catalogue of `datasets` datasets in `syntax`, as the chunks of one document (written in
 * order they are the document): the caller concatenates them or sends them as they come.
 */
export function* dcatDocument(datasets: number, syntax: DcatSyntax): Generator<string> {
  const nodes = function* (): Generator<Node> {
    yield catalogueNode(datasets);
    yield* agencyNodes();
    for (let i = 1; i <= datasets; i += 1) yield* datasetNodes(i);
  };
  if (syntax === 'turtle') {
    yield `${Object.entries(NS)
      .map(([prefix, ns]) => `@prefix ${prefix}: <${ns}> .`)
      .join('\n')}\n\n`;
    for (const node of nodes()) yield `${turtleNode(node)}\n`;
    return;
  }
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF ${Object.entries(NS)
    .filter(([prefix]) => prefix !== 'xsd')
    .map(([prefix, ns]) => `xmlns:${prefix}="${ns}"`)
    .join(' ')}>\n`;
  for (const node of nodes()) yield `${xmlNode(node, '  ')}\n`;
  yield '</rdf:RDF>\n';
}

/** The whole document as bytes. */
export function dcatDocumentBytes(datasets: number, syntax: DcatSyntax): Buffer {
  return Buffer.from([...dcatDocument(datasets, syntax)].join(''));
}

export const DCAT_MEDIA_TYPES: Readonly<Record<DcatSyntax, string>> = { turtle: 'text/turtle; charset=utf-8', rdfxml: 'application/rdf+xml; charset=utf-8' };
export const DCAT_PATHS: Readonly<Record<DcatSyntax, string>> = { turtle: '/catalog.ttl', rdfxml: '/catalog.rdf' };
