/**
 * DCAT-AP JSON-LD view of a national record (crosswalk: docs/tw-standards.md §1.8).
 *
 * JSON-LD is built, not computed: the document is plain objects written against the fixed
 * context in mappings/dcat-ap-tw.context.jsonld, which is inlined so that no consumer ever
 * has to fetch a context. No jsonld library call happens here; the tests prove that what we
 * build expands to the intended triples and passes the DCAT-AP 3 SHACL shapes.
 *
 * Rules that hold for every property:
 * - A value that is absent or empty produces no property.
 * - A link the source gave is served as the source wrote it (see toHttpIri): only the
 *   characters RDF forbids in an IRI are percent-encoded; never a lower-cased host or an added
 *   slash.
 * - A value that cannot become a valid IRI (a URL with a `javascript:` scheme, an e-mail that
 *   is not one) never becomes an @id: the raw text is kept in a `twod:` literal instead, so
 *   nothing the publisher sent is lost and nothing invalid is asserted.
 * - A coded value (frequency, language, format, cost) gets the EU authority IRI only when the
 *   mapping knows it: src/model/frequency.ts for frequencies, mappings/eu-authorities.json for
 *   the others (and for the frequency table's base IRI).
 * - Odd input never throws: fields are read through type guards, whatever the record holds.
 */
import { readFileSync } from 'node:fs';
import { toWellFormedString as wellFormed } from '../model/well-formed-string.js';
import { SERVICE_CATEGORIES } from '../model/codelists.js';
import { euThemesOfCategory } from '../model/eu-data-themes.js';
import { normaliseFrequency } from '../model/frequency.js';
import { normaliseLicense } from '../model/license.js';
import { projectPath } from '../model/project-root.js';
import type { NationalDistribution, NationalRecord } from '../model/record.js';
import { servedLanguageOf } from '../model/text-language.js';
import { addDcatDistributionStatements, addDcatSourceStatements } from './dcat-source-statements.js';
import type { JsonLdNode } from './json-ld-node.js';

export interface DcatJsonLdOptions {
  /** Public base URL of the gateway, e.g. `https://gateway.example.org` (no trailing slash needed). */
  baseUrl: string;
}

/** The gateway's own labels (service categories, dataset types) are written in Traditional Chinese. */
const GATEWAY_LANGUAGE = 'zh-Hant';

// ---------------------------------------------------------------------------------------------
// Mappings, loaded once at module load
// ---------------------------------------------------------------------------------------------

const CONTEXT_PATH = projectPath('mappings', 'dcat-ap-tw.context.jsonld');
const AUTHORITIES_PATH = projectPath('mappings', 'eu-authorities.json');

interface FormatEntry {
  fileType: string;
  mediaType?: string;
}

interface AuthoritiesFile {
  frequency: { base: string };
  language: { base: string; byCode: Record<string, string> };
  fileType: {
    base: string;
    mediaTypeBase: string;
    byFormat: Record<string, FormatEntry>;
    aliases: Record<string, string>;
  };
  accessRight: { base: string; byCost: Record<string, string> };
  gatewaySchemes: {
    serviceCategory: { scheme: string; conceptBase: string };
    datasetType: { scheme: string; conceptBase: string; labels: Record<string, string> };
  };
}

interface FormatIris {
  format: string;
  mediaType?: string;
}

interface ConceptEntry {
  iri: string;
  scheme: string;
  notation: string;
  label: string;
}

function readJsonObject(path: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isPlainObject(parsed)) throw new Error(`${path}: expected a JSON object`);
  return parsed;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function loadContext(): Readonly<JsonLdNode> {
  const file = readJsonObject(CONTEXT_PATH);
  const context = file['@context'];
  if (!isPlainObject(context)) throw new Error(`${CONTEXT_PATH}: expected {"@context": {...}}`);
  // Shared by every document we build: frozen so that no caller can change it for the others.
  return deepFreeze(context);
}

/** The mapping file is edited by hand: a broken one should fail at startup, naming what is wrong. */
function loadAuthorities(): AuthoritiesFile {
  const file = readJsonObject(AUTHORITIES_PATH);
  const at = (path: string): unknown => path.split('.').reduce<unknown>((value, key) => (isPlainObject(value) ? value[key] : undefined), file);
  const isStringRecord = (value: unknown): boolean => isPlainObject(value) && Object.values(value).every((entry) => typeof entry === 'string');
  const isFormatTable = (value: unknown): boolean =>
    isPlainObject(value) &&
    Object.values(value).every(
      (entry) => isPlainObject(entry) && typeof entry.fileType === 'string' && (entry.mediaType === undefined || typeof entry.mediaType === 'string'),
    );
  const strings = [
    'frequency.base',
    'language.base',
    'fileType.base',
    'fileType.mediaTypeBase',
    'accessRight.base',
    'gatewaySchemes.serviceCategory.scheme',
    'gatewaySchemes.serviceCategory.conceptBase',
    'gatewaySchemes.datasetType.scheme',
    'gatewaySchemes.datasetType.conceptBase',
  ];
  const stringRecords = ['language.byCode', 'fileType.aliases', 'accessRight.byCost', 'gatewaySchemes.datasetType.labels'];
  const broken = [
    ...strings.filter((path) => typeof at(path) !== 'string'),
    ...stringRecords.filter((path) => !isStringRecord(at(path))),
    ...(isFormatTable(at('fileType.byFormat')) ? [] : ['fileType.byFormat']),
  ];
  if (broken.length > 0) throw new Error(`${AUTHORITIES_PATH}: missing or malformed ${broken.join(', ')}`);
  return file as unknown as AuthoritiesFile;
}

/**
 * Lookup keys are compared after NFKC (publishers type full-width ＣＳＶ), trimming and case
 * folding.
 */
function lookupKey(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase();
}

function keyedMap(entries: Record<string, string>, base: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const [key, code] of Object.entries(entries)) {
    if (key.startsWith('$')) continue;
    map.set(lookupKey(key), base + code);
  }
  return map;
}

const CONTEXT = loadContext();
const AUTHORITIES = loadAuthorities();

const FREQUENCY_BASE = AUTHORITIES.frequency.base;
const LANGUAGE_BY_CODE = keyedMap(AUTHORITIES.language.byCode, AUTHORITIES.language.base);
const ACCESS_RIGHT_BY_COST = keyedMap(AUTHORITIES.accessRight.byCost, AUTHORITIES.accessRight.base);

const { formatByKey: FORMAT_BY_KEY, formatByMediaType: FORMAT_BY_MEDIA_TYPE } = buildFormatTables(AUTHORITIES.fileType);

function buildFormatTables(table: AuthoritiesFile['fileType']): {
  formatByKey: Map<string, FormatIris>;
  formatByMediaType: Map<string, FormatIris>;
} {
  const formatByKey = new Map<string, FormatIris>();
  const formatByMediaType = new Map<string, FormatIris>();
  for (const [key, entry] of Object.entries(table.byFormat)) {
    const iris: FormatIris = { format: table.base + entry.fileType };
    if (entry.mediaType !== undefined) {
      iris.mediaType = table.mediaTypeBase + entry.mediaType;
      // First entry wins: RDF and RDF_XML share application/rdf+xml; the generic one is listed first.
      if (!formatByMediaType.has(entry.mediaType)) formatByMediaType.set(entry.mediaType, iris);
    }
    formatByKey.set(lookupKey(key), iris);
  }
  for (const [alias, key] of Object.entries(table.aliases)) {
    const iris = formatByKey.get(lookupKey(key));
    if (iris === undefined) throw new Error(`${AUTHORITIES_PATH}: alias ${alias} names unknown format ${key}`);
    formatByKey.set(lookupKey(alias), iris);
  }
  return { formatByKey, formatByMediaType };
}

const SERVICE_CATEGORY_BY_KEY = buildServiceCategories();
const DATASET_TYPE_BY_KEY = buildDatasetTypes();

/** Accepts the code (I00, case-insensitive) and the Chinese label, which exports carry instead. */
function buildServiceCategories(): Map<string, ConceptEntry> {
  const { scheme, conceptBase } = AUTHORITIES.gatewaySchemes.serviceCategory;
  const map = new Map<string, ConceptEntry>();
  for (const [code, label] of Object.entries(SERVICE_CATEGORIES)) {
    const entry: ConceptEntry = { iri: conceptBase + code, scheme, notation: code, label };
    map.set(lookupKey(code), entry);
    map.set(lookupKey(label), entry);
  }
  return map;
}

function buildDatasetTypes(): Map<string, ConceptEntry> {
  const { scheme, conceptBase, labels } = AUTHORITIES.gatewaySchemes.datasetType;
  const map = new Map<string, ConceptEntry>();
  for (const [code, label] of Object.entries(labels)) {
    map.set(lookupKey(code), { iri: conceptBase + code, scheme, notation: code, label });
  }
  return map;
}

/** The fixed JSON-LD context, as inlined in every document (frozen). */
export const DCAT_AP_TW_CONTEXT: Readonly<JsonLdNode> = CONTEXT;

/** The gateway's SKOS scheme of 服務分類, whose concepts are the datasets' dcat:theme (IRI = conceptBase + code). */
export const SERVICE_CATEGORY_SCHEME: Readonly<{ scheme: string; conceptBase: string }> = Object.freeze({
  scheme: AUTHORITIES.gatewaySchemes.serviceCategory.scheme,
  conceptBase: AUTHORITIES.gatewaySchemes.serviceCategory.conceptBase,
});

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/** A self-contained DCAT-AP JSON-LD document (context inlined) for one national record. */
export function toDcatJsonLd(record: NationalRecord, options: DcatJsonLdOptions): JsonLdNode {
  return { '@context': CONTEXT, ...toDcatDatasetNode(record, options) };
}

/**
 * The dcat:Dataset node without @context, for documents that hold many datasets under one
 * context (a catalogue page's @graph). Blank nodes are never labelled, so nodes built for
 * different records can share a graph without merging by accident.
 */
export function toDcatDatasetNode(record: NationalRecord, options: DcatJsonLdOptions): JsonLdNode {
  // The record type is a promise the harvest layer makes; a view must survive it being broken.
  const source: Partial<Record<keyof NationalRecord, unknown>> = isPlainObject(record) ? record : {};
  const identifier = text(source.identifier);
  const datasetIri = identifier === undefined ? undefined : datasetIriFor(options.baseUrl, identifier);

  const node: JsonLdNode = {};
  put(node, '@id', datasetIri);
  node['@type'] = 'dcat:Dataset';
  put(node, 'dct:identifier', identifier);
  // Each text in the language its source gave or implied (src/model/text-language.ts).
  const languages = isPlainObject(source.extensions) && isPlainObject(source.extensions.textLanguages) ? source.extensions.textLanguages : {};
  put(node, 'dct:title', textLiteral(source.title, languages.title));
  put(node, 'dct:description', textLiteral(source.description, languages.description));
  put(node, 'dcat:keyword', keywords(source.keyword, languages.keyword));

  addTheme(node, source.categoryCode);
  addDatasetType(node, source.type);
  const licence = licenceNode(node, source.license, source.licenseURL);
  put(node, 'dct:license', licence);
  addCost(node, source.cost, source.costURL, source.costLaw);

  put(node, 'dct:publisher', publisherNode(source));
  put(
    node,
    'dcat:contactPoint',
    compactList([
      contactPointNode(source.publisher, source.publisherContactName, source.publisherContactPhone, source.publisherContactEmail),
      contactPointNode(source.organization, source.organizationContactName, source.organizationContactPhone, source.organizationContactEmail),
    ]),
  );

  addFrequency(node, source.accrualPeriodicity);
  addTemporalCoverage(node, source.temporalCoverageFrom, source.temporalCoverageTo);
  addDate(node, 'dct:issued', 'twod:issuedText', source.issued);
  addDate(node, 'dct:modified', 'twod:modifiedText', source.modified);
  // A DCAT source's own places (IRIs, geometries) say more than the record's place-name text.
  if (!addDcatSourceStatements(node, source.extensions)) addSpatial(node, source.spatial);
  addLanguages(node, source.language);
  const landingPage = addIri(node, 'dcat:landingPage', 'twod:landingPageText', source.landingPage);

  put(node, 'skos:note', textLiteral(source.notes, languages.notes));
  put(node, 'twod:numberOfRecords', recordCount(source.numberOfData));
  put(node, 'twod:fieldDescription', text(source.fieldDescription));
  addRecordExtensions(node, source.extensions);

  put(node, 'dcat:distribution', distributions(source.distribution, { datasetIri, licence, landingPage, datasetExtensions: source.extensions }));
  return node;
}

// ---------------------------------------------------------------------------------------------
// Dataset properties
// ---------------------------------------------------------------------------------------------

export function datasetIriFor(baseUrl: unknown, identifier: string): string | undefined {
  const base = typeof baseUrl === 'string' ? baseUrl.trim().replace(/\/+$/, '') : '';
  // Through toHttpIri: a broken baseUrl yields a blank node, never a relative or invalid @id.
  return toHttpIri(`${base}/dataset/${encodeURIComponent(wellFormed(identifier))}`);
}

function keywords(value: unknown, recordedLanguages: unknown): JsonLdNode[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  const languages: unknown[] = Array.isArray(recordedLanguages) && Array.isArray(value) ? recordedLanguages : [];
  const seen = new Set<string>();
  const literals: JsonLdNode[] = [];
  list.forEach((item, index) => {
    const keyword = text(item);
    if (keyword === undefined) return;
    const literal = literalIn(keyword, servedLanguageOf(keyword, wellFormedTag(languages[index])));
    const key = `${keyword}\u0000${String(literal['@language'] ?? '')}`;
    if (seen.has(key)) return;
    seen.add(key);
    literals.push(literal);
  });
  return literals.length > 0 ? literals : undefined;
}

/**
 * 服務分類 → a skos:Concept of the gateway's service-category scheme (the category itself,
 * with its code and name), then the EU data themes DCAT-AP recommends, as the curated table
 * mappings/service-category-eu-data-theme.json gives them (src/model/eu-data-themes.ts). The EU
 * themes are bare IRIs: their labels are the Publications Office's to publish, and a catalogue
 * page repeating them for every dataset would only grow.
 */
function addTheme(node: JsonLdNode, categoryCode: unknown): void {
  const raw = text(categoryCode);
  if (raw === undefined) return;
  const concept = SERVICE_CATEGORY_BY_KEY.get(lookupKey(raw));
  if (concept === undefined) {
    node['twod:categoryCodeText'] = raw;
    return;
  }
  const euThemes = euThemesOfCategory(concept.notation).map((theme) => ({ '@id': theme.iri }));
  node['dcat:theme'] = euThemes.length > 0 ? [conceptNode(concept), ...euThemes] : conceptNode(concept);
}

/** DCAT-AP wants dct:type to be a concept IRI, so rawData/TOOLS/SERVICES get one in the gateway scheme. */
function addDatasetType(node: JsonLdNode, type: unknown): void {
  const raw = text(type);
  if (raw === undefined) return;
  const concept = DATASET_TYPE_BY_KEY.get(lookupKey(raw));
  if (concept === undefined) {
    node['twod:datasetTypeText'] = raw;
    return;
  }
  node['dct:type'] = conceptNode(concept);
}

function conceptNode(concept: ConceptEntry): JsonLdNode {
  return {
    '@id': concept.iri,
    '@type': 'skos:Concept',
    'skos:notation': concept.notation,
    // DCAT-AP's Category shape requires a prefLabel on every skos:Concept in the graph.
    'skos:prefLabel': literalIn(concept.label, GATEWAY_LANGUAGE),
    'skos:inScheme': concept.scheme,
  };
}

/**
 * The licence document: the licenseURL as its IRI when it is a valid URL; else, when the name
 * is a licence we know in any of its spellings (政府資料開放授權條款－第一版 …), that licence's
 * own URL; else a blank node that still carries the name. An invalid URL is kept as
 * twod:licenseURLText.
 */
function licenceNode(dataset: JsonLdNode, licenseName: unknown, licenseUrl: unknown): JsonLdNode | undefined {
  const name = textLiteral(licenseName, undefined);
  const rawUrl = text(licenseUrl);
  const given = rawUrl === undefined ? undefined : toHttpIri(rawUrl);
  if (rawUrl !== undefined && given === undefined) dataset['twod:licenseURLText'] = rawUrl;
  const rawName = text(licenseName);
  const iri = given ?? (rawName === undefined ? undefined : normaliseLicense(rawName)?.url);
  if (name === undefined && iri === undefined) return undefined;
  const licence: JsonLdNode = {};
  put(licence, '@id', iri);
  licence['@type'] = 'dct:LicenseDocument';
  put(licence, 'rdfs:label', name);
  return licence;
}

/**
 * DCAT has no price property. The fee becomes the EU access-right (a fee is an access
 * condition: RESTRICTED) plus schema.org's isAccessibleForFree; the original text, the fee
 * page and the legal basis stay as twod: extension properties.
 */
function addCost(node: JsonLdNode, cost: unknown, costUrl: unknown, costLaw: unknown): void {
  const raw = text(cost);
  if (raw !== undefined) {
    node['twod:cost'] = raw;
    const accessRight = ACCESS_RIGHT_BY_COST.get(lookupKey(raw));
    if (accessRight !== undefined) {
      node['dct:accessRights'] = accessRight;
      node['schema:isAccessibleForFree'] = accessRight.endsWith('/PUBLIC');
    }
  }
  addIri(node, 'twod:costURL', 'twod:costURLText', costUrl);
  put(node, 'twod:costLaw', text(costLaw));
}

const OID_PATTERN = /^[0-2](?:\.(?:0|[1-9]\d*))+$/;

/**
 * The providing agency, with its gOID as `urn:oid:` identifier, its 機關代號 as skos:notation
 * and its parent agency (上級機關) as org:subOrganizationOf. Typed foaf:Agent as well as
 * foaf:Organization so that DCAT-AP's Agent shape applies without RDFS inference.
 */
function publisherNode(source: Partial<Record<keyof NationalRecord, unknown>>): JsonLdNode | undefined {
  const name = text(source.publisher);
  const oid = text(source.publisherOID);
  const orgCode = text(source.publisherOrgCode);
  const parentName = text(source.organization);
  if (name === undefined && oid === undefined && orgCode === undefined && parentName === undefined) return undefined;

  const publisher: JsonLdNode = { '@type': ['foaf:Agent', 'foaf:Organization'] };
  put(publisher, 'foaf:name', textLiteral(name, undefined));
  if (oid !== undefined) {
    if (OID_PATTERN.test(oid)) {
      const urn = `urn:oid:${oid}`;
      publisher['dct:identifier'] = urn;
      publisher['adms:identifier'] = { '@type': 'adms:Identifier', 'skos:notation': urn };
    } else {
      publisher['twod:publisherOIDText'] = oid;
    }
  }
  put(publisher, 'skos:notation', orgCode);
  // A top-level agency is its own 上級機關 in the data; it is not a sub-organisation of itself.
  if (parentName !== undefined && parentName !== name) {
    publisher['org:subOrganizationOf'] = { '@type': ['foaf:Agent', 'foaf:Organization'], 'foaf:name': textLiteral(parentName, undefined) };
  }
  return publisher;
}

/**
 * One contact point per agency role (publisher, parent organisation). The standard lists
 * several people as comma-separated names, phones and e-mails without saying which belongs to
 * whom, so they stay together on one vcard:Kind rather than being paired by guesswork.
 */
function contactPointNode(agency: unknown, names: unknown, phones: unknown, emails: unknown): JsonLdNode | undefined {
  const agencyName = text(agency);
  const contactName = text(names);
  const phoneList = splitList(phones, /[,，;；、]/);
  const emailText = text(emails);
  if (contactName === undefined && phoneList.length === 0 && emailText === undefined) return undefined;

  const contact: JsonLdNode = { '@type': ['vcard:Kind', 'vcard:Organization'] };
  const formattedName = contactName ?? agencyName;
  put(contact, 'vcard:fn', textLiteral(formattedName, undefined));
  put(contact, 'vcard:organization-name', textLiteral(agencyName, undefined));
  if (emailText !== undefined) {
    const mailtos: string[] = [];
    for (const address of splitList(emailText, /[,，;；、\s]+/)) {
      const mailto = toMailtoIri(address);
      if (mailto === undefined) {
        // One bad address must not cost the good ones: the raw text keeps everything.
        contact['twod:emailText'] = emailText;
      } else if (!mailtos.includes(mailto)) {
        mailtos.push(mailto);
      }
    }
    put(contact, 'vcard:hasEmail', mailtos.length > 0 ? mailtos : undefined);
  }
  // Phone numbers as published (02-23165300#123): a tel: IRI would need a guessed country code.
  put(contact, 'vcard:hasTelephone', phoneList.length > 0 ? phoneList : undefined);
  return contact;
}

const EMAIL_PATTERN = /^[A-Za-z0-9._+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

function toMailtoIri(address: string): string | undefined {
  const candidate = address
    .normalize('NFKC')
    .trim()
    .replace(/^mailto:/i, '');
  return EMAIL_PATTERN.test(candidate) ? `mailto:${candidate}` : undefined;
}

/**
 * The EU frequency IRI when the text names one period that has an EU code (src/model/frequency.ts
 * decides); the text itself always stays.
 */
function addFrequency(node: JsonLdNode, accrualPeriodicity: unknown): void {
  const raw = text(accrualPeriodicity);
  if (raw === undefined) return;
  const euCode = normaliseFrequency(raw)?.euCode;
  put(node, 'dct:accrualPeriodicity', euCode === undefined ? undefined : FREQUENCY_BASE + euCode);
  node['twod:accrualPeriodicityText'] = raw;
}

/** dct:PeriodOfTime from the ISO values; values that are not ISO stay as text, never as dates. */
function addTemporalCoverage(node: JsonLdNode, from: unknown, to: unknown): void {
  const rawFrom = text(from);
  const rawTo = text(to);
  const start = rawFrom === undefined ? undefined : temporalLiteral(rawFrom);
  const end = rawTo === undefined ? undefined : temporalLiteral(rawTo);
  if (start !== undefined || end !== undefined) {
    const period: JsonLdNode = { '@type': 'dct:PeriodOfTime' };
    put(period, 'dcat:startDate', start);
    put(period, 'dcat:endDate', end);
    node['dct:temporal'] = period;
  }
  if (rawFrom !== undefined && start === undefined) node['twod:temporalCoverageFromText'] = rawFrom;
  if (rawTo !== undefined && end === undefined) node['twod:temporalCoverageToText'] = rawTo;
}

function addDate(node: JsonLdNode, property: string, textProperty: string, value: unknown): void {
  const raw = text(value);
  if (raw === undefined) return;
  const literal = temporalLiteral(raw);
  if (literal === undefined) node[textProperty] = raw;
  else node[property] = literal;
}

/** 最小統計區 and similar codes: letters/digits in dash-separated groups, at least one digit. */
const AREA_CODE_PATTERN = /^(?=[^-]*\d)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+$/;

/**
 * dct:spatial is free text in the standard: a place name becomes a dct:Location label, a
 * statistical-area code its notation, a GeoJSON geometry its locn:geometry. Anything else
 * that looks like data rather than a name (JSON-ish coordinates) stays as twod:spatialText.
 */
function addSpatial(node: JsonLdNode, spatial: unknown): void {
  const raw = text(spatial);
  if (raw === undefined) return;
  const location: JsonLdNode = { '@type': 'dct:Location' };
  if (isGeoJsonGeometry(raw)) {
    location['locn:geometry'] = { '@value': raw, '@type': 'gsp:geoJSONLiteral' };
  } else if (AREA_CODE_PATTERN.test(raw)) {
    location['skos:notation'] = raw;
  } else if (/^[[{]/.test(raw)) {
    node['twod:spatialText'] = raw;
    return;
  } else {
    location['skos:prefLabel'] = literalIn(raw, servedLanguageOf(raw, undefined));
  }
  node['dct:spatial'] = location;
}

const GEOJSON_GEOMETRY_TYPES = new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection']);

function isGeoJsonGeometry(raw: string): boolean {
  if (!raw.startsWith('{')) return false;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!isPlainObject(parsed) || typeof parsed.type !== 'string' || !GEOJSON_GEOMETRY_TYPES.has(parsed.type)) return false;
    return parsed.type === 'GeometryCollection' ? Array.isArray(parsed.geometries) : Array.isArray(parsed.coordinates);
  } catch {
    return false;
  }
}

/** `zh`, `zh-TW`, `zh,en`, `中文` → EU language IRIs; the text is kept when any part is unknown. */
function addLanguages(node: JsonLdNode, language: unknown): void {
  const raw = text(language);
  if (raw === undefined) return;
  const iris: string[] = [];
  let allKnown = true;
  for (const part of splitList(raw, /[\s,，;；、/]+/)) {
    const key = lookupKey(part);
    const iri = LANGUAGE_BY_CODE.get(key) ?? LANGUAGE_BY_CODE.get(key.split(/[-_]/)[0] ?? '');
    if (iri === undefined) allKnown = false;
    else if (!iris.includes(iri)) iris.push(iri);
  }
  put(node, 'dct:language', iris.length > 0 ? iris : undefined);
  if (!allKnown) node['twod:languageText'] = raw;
}

function recordCount(value: unknown): number | undefined {
  const count = typeof value === 'string' ? Number(value.trim()) : value;
  return typeof count === 'number' && Number.isSafeInteger(count) && count >= 0 ? count : undefined;
}

/**
 * gen-2 and other platform fields. The platform's datasetId is the identifier data.gov.tw
 * assigns, hence adms:identifier. dataProvider is deliberately not published: it is the
 * uploader's login account, which in real payloads can be a national ID number.
 */
function addRecordExtensions(node: JsonLdNode, extensions: unknown): void {
  if (!isPlainObject(extensions)) return;
  const datasetId = text(extensions.datasetId);
  if (datasetId !== undefined) {
    node['adms:identifier'] = { '@type': 'adms:Identifier', 'skos:notation': datasetId, 'adms:schemaAgency': 'data.gov.tw' };
  }
  put(node, 'twod:categoryTheme', text(extensions.categoryTheme));
  put(node, 'twod:categoryDataset', text(extensions.categoryDataset));
  put(node, 'twod:detectFrequency', text(extensions.detectFrequency));
  put(node, 'twod:dataQuality', text(extensions.dataQuality));
}

// ---------------------------------------------------------------------------------------------
// Distributions
// ---------------------------------------------------------------------------------------------

interface DistributionContext {
  datasetIri: string | undefined;
  licence: JsonLdNode | undefined;
  landingPage: string | undefined;
  /** The dataset's extensions: a DCAT source's statements about each distribution are kept there. */
  datasetExtensions: unknown;
}

/** Formats that mean "this resource is an API", which DCAT models as a dcat:DataService. */
const SERVICE_FORMATS = new Set(['services', 'service', 'api', 'webservice', 'web service']);

const DISTRIBUTION_FIELDS: ReadonlyArray<keyof NationalDistribution> = [
  'resourceID',
  'resourceDescription',
  'format',
  'characterSetCode',
  'resourceModified',
  'accessURL',
  'downloadURL',
  'metadataSourceOfData',
];

function distributions(value: unknown, context: DistributionContext): JsonLdNode[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const usedIris = new Set<string>();
  const nodes: JsonLdNode[] = [];
  for (const item of value) {
    // An entry with none of the standard's fields describes nothing; emitting it would leave
    // a distribution made only of what we filled in (licence, landing page).
    if (isPlainObject(item) && DISTRIBUTION_FIELDS.some((field) => text(item[field]) !== undefined)) {
      nodes.push(distributionNode(item, context, usedIris));
    }
  }
  return nodes.length > 0 ? nodes : undefined;
}

function distributionNode(source: Partial<Record<keyof NationalDistribution, unknown>>, context: DistributionContext, usedIris: Set<string>): JsonLdNode {
  const node: JsonLdNode = {};
  const resourceId = text(source.resourceID);
  const extensions = isPlainObject(source.extensions) ? source.extensions : {};
  if (context.datasetIri !== undefined && resourceId !== undefined) {
    const iri = toHttpIri(`${context.datasetIri}/distribution/${encodeURIComponent(wellFormed(resourceId))}`);
    // Two resources sharing an id would otherwise merge into one node with two of everything.
    if (iri !== undefined && !usedIris.has(iri)) {
      usedIris.add(iri);
      node['@id'] = iri;
    }
  }
  node['@type'] = 'dcat:Distribution';
  // A synthesised id (gen-2 has none) is ours, good for the IRI but not the publisher's identifier.
  if (extensions.resourceIDSynthesised !== true) put(node, 'dct:identifier', resourceId);
  const languages = isPlainObject(extensions.textLanguages) ? extensions.textLanguages : {};
  const description = textLiteral(source.resourceDescription, languages.resourceDescription);
  put(node, 'dct:title', description);
  put(node, 'dct:description', description);

  const formatText = text(source.format);
  if (formatText !== undefined) {
    const iris = formatIris(formatText);
    put(node, 'dct:format', iris?.format);
    put(node, 'dcat:mediaType', iris?.mediaType);
    node['twod:formatText'] = formatText;
  }
  put(node, 'cnt:characterEncoding', text(source.characterSetCode));
  addDate(node, 'dct:modified', 'twod:modifiedText', source.resourceModified);

  const downloadUrl = addIri(node, 'dcat:downloadURL', 'twod:downloadURLText', source.downloadURL);
  const accessUrl = addIri(node, 'dcat:accessURL', 'twod:accessURLText', source.accessURL);
  // DCAT-AP requires an accessURL. A download link gives access too; failing both, DCAT's own
  // definition allows the dataset's landing page ("a landing page, feed, SPARQL endpoint").
  if (accessUrl === undefined) put(node, 'dcat:accessURL', downloadUrl ?? context.landingPage);
  if (accessUrl !== undefined && formatText !== undefined && SERVICE_FORMATS.has(lookupKey(formatText))) {
    node['dcat:accessService'] = dataServiceNode(accessUrl, description, context.datasetIri);
  }
  addIri(node, 'foaf:page', 'twod:metadataSourceText', source.metadataSourceOfData);
  // DCAT-AP puts the licence on the distribution; the standard has one per dataset.
  if (context.licence !== undefined) node['dct:license'] = { ...context.licence };

  put(node, 'twod:fieldDescription', text(extensions.resourceField));
  put(node, 'twod:numberOfRecords', recordCount(extensions.resourceAmount));
  put(node, 'skos:note', textLiteral(extensions.resourceNotes, languages.resourceNotes));
  put(node, 'twod:qcLevel', text(extensions.qcLevel));
  if (resourceId !== undefined) addDcatDistributionStatements(node, context.datasetExtensions, resourceId);
  return node;
}

function dataServiceNode(endpoint: string, title: JsonLdNode | undefined, datasetIri: string | undefined): JsonLdNode {
  const service: JsonLdNode = { '@type': 'dcat:DataService' };
  // DCAT-AP requires a title; the resource description is the only one the standard offers.
  put(service, 'dct:title', title ?? { '@value': endpoint });
  service['dcat:endpointURL'] = endpoint;
  put(service, 'dcat:servesDataset', datasetIri);
  return service;
}

function formatIris(raw: string): FormatIris | undefined {
  const key = lookupKey(raw).replace(/^\./, '').replace(/檔$/, '').trim();
  const byName = FORMAT_BY_KEY.get(key);
  if (byName !== undefined) return byName;
  // Some publishers write the media type instead of the format name.
  return key.includes('/') ? FORMAT_BY_MEDIA_TYPE.get(key.split(';')[0]?.trim() ?? '') : undefined;
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/** Trimmed, well-formed text, or undefined when absent, empty or not text at all. */
function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : wellFormed(trimmed);
}

/** A literal in `language`, or a plain (untagged) one when the language is not known. */
function literalIn(value: string, language: string | undefined): JsonLdNode {
  return language === undefined ? { '@value': value } : { '@value': value, '@language': language };
}

/**
 * A text in the language recorded for it (`recorded`: extensions.textLanguages' entry, '' for
 * untagged), else the language its script implies: zh-Hant for CJK text, none for the rest.
 */
function textLiteral(value: unknown, recorded: unknown): JsonLdNode | undefined {
  const content = text(value);
  return content === undefined ? undefined : literalIn(content, servedLanguageOf(content, wellFormedTag(recorded)));
}

/** A recorded tag as a view may write it: a well-formed BCP 47 tag or '' (untagged); anything else counts as not recorded. */
function wellFormedTag(recorded: unknown): string | undefined {
  if (recorded === '') return '';
  return typeof recorded === 'string' && LANGUAGE_TAG.test(recorded) ? recorded : undefined;
}

const LANGUAGE_TAG = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;

function splitList(value: unknown, separator: RegExp): string[] {
  const content = text(value);
  if (content === undefined) return [];
  return content
    .split(separator)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

type XsdTemporalType = 'xsd:date' | 'xsd:dateTime' | 'xsd:gYear' | 'xsd:gYearMonth';

const DATE_TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))?$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const YEAR_MONTH_PATTERN = /^(\d{4})-(\d{2})$/;
const YEAR_PATTERN = /^\d{4}$/;

/**
 * An ISO value typed by its shape: xsd:dateTime, xsd:date, and the year-month and year forms
 * DCAT-AP also accepts. Anything else, including impossible dates like 2015-02-30, is not a date.
 */
function temporalLiteral(raw: string): { '@value': string; '@type': XsdTemporalType } | undefined {
  let match = DATE_TIME_PATTERN.exec(raw);
  if (match !== null) {
    const [, year, month, day, hour, minute, second, offsetHour, offsetMinute] = match.map(Number);
    const timeValid = (hour ?? 99) <= 23 && (minute ?? 99) <= 59 && (second ?? 99) <= 59;
    const offsetValid = match[7] === undefined || ((offsetHour ?? 99) <= 14 && (offsetMinute ?? 99) <= 59);
    return isCalendarDate(year, month, day) && timeValid && offsetValid ? { '@value': raw, '@type': 'xsd:dateTime' } : undefined;
  }
  match = DATE_PATTERN.exec(raw);
  if (match !== null) {
    const [, year, month, day] = match.map(Number);
    return isCalendarDate(year, month, day) ? { '@value': raw, '@type': 'xsd:date' } : undefined;
  }
  match = YEAR_MONTH_PATTERN.exec(raw);
  if (match !== null) {
    const month = Number(match[2]);
    return month >= 1 && month <= 12 ? { '@value': raw, '@type': 'xsd:gYearMonth' } : undefined;
  }
  return YEAR_PATTERN.test(raw) ? { '@value': raw, '@type': 'xsd:gYear' } : undefined;
}

function isCalendarDate(year: number | undefined, month: number | undefined, day: number | undefined): boolean {
  if (year === undefined || month === undefined || day === undefined) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

/** Schemes a harvested link may have; `javascript:`, `data:`, `file:` ... never become IRIs. */
const LINK_SCHEMES = new Set(['http:', 'https:', 'ftp:']);

/** A link is written with its scheme and `//` authority; `http:example.org` is not guessed at. */
const LINK_FORM = /^(?:https?|ftp):\/\//i;

/**
 * What an IRI in RDF may not hold: the characters N-Triples and Turtle forbid in an IRIREF
 * (controls, space, `<>"{}|^\``), DEL, and any other white space (U+3000, U+00A0 …), which
 * JSON-LD processors refuse in an absolute IRI.
 */
const NOT_ALLOWED_IN_IRI = /[\u0000-\u0020<>"{}|\\^`\u007F]|\s/gu;

/**
 * The IRI of a link, exactly as the publisher wrote it, or undefined when it is not a link.
 * Never rewritten through WHATWG URL serialisation, which lower-cases the scheme and host, drops
 * a default port, adds a trailing slash to a bare host and percent-encodes non-ASCII paths: the
 * source's text is the IRI (normalised forms are for identity keys only, src/model/comparison-forms.ts).
 * The one repair: each character RDF forbids ({@link NOT_ALLOWED_IN_IRI}: publishers paste URLs
 * with spaces) is percent-encoded as UTF-8, which is what a browser requests for it; tabs and
 * line breaks (a URL wrapped across lines) are dropped, as browsers do. The result must still
 * parse as an http(s) or ftp URL with a host; when it does not (a space in the host, no host, no
 * scheme) the caller keeps the text as a literal instead.
 */
function toHttpIri(raw: string): string | undefined {
  const candidate = wellFormed(raw)
    .trim()
    .replace(/[\t\r\n]/g, '');
  if (!LINK_FORM.test(candidate)) return undefined;
  const iri = candidate.replace(NOT_ALLOWED_IN_IRI, (char) => percentEncoded(char));
  let url: URL;
  try {
    url = new URL(iri);
  } catch {
    return undefined;
  }
  if (!LINK_SCHEMES.has(url.protocol) || url.hostname === '') return undefined;
  return iri;
}

function percentEncoded(char: string): string {
  return [...new TextEncoder().encode(char)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/** Sets `property` to the IRI of `value` when it is a valid link, else keeps the text; returns the IRI. */
function addIri(node: JsonLdNode, property: string, textProperty: string, value: unknown): string | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  const iri = toHttpIri(raw);
  if (iri === undefined) node[textProperty] = raw;
  else node[property] = iri;
  return iri;
}

function put(node: JsonLdNode, property: string, value: unknown): void {
  if (value !== undefined) node[property] = value;
}

function compactList<T>(values: Array<T | undefined>): T[] | undefined {
  const present = values.filter((value): value is T => value !== undefined);
  return present.length > 0 ? present : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
