/**
 * CSW 2.0.2 Dublin Core record (csw:Record, csw:SummaryRecord, csw:BriefRecord as the CSW
 * connector stores it: an element tree of xml-elements.ts) → the national record.
 *
 * Every child element the mapping does not use lands in extensions.sourceExtras under its
 * canonical name (dc:creator, dc:relation, dct:spatial …), so nothing the catalogue sent is dropped.
 */
import { FOREIGN_MAPPING_CONTEXT, type MappingContext } from './context.js';
import { normaliseLicense } from '../model/license.js';
import type { MappingResult, NationalDistribution, NationalRecord } from '../model/record.js';
import { MappingNotes, acceptedRecord, derivePublisherOrgCode, describeValue, missingIdentity, readDate } from './record-fields.js';
import { isXmlElement, textAt, type XmlElement } from './xml-elements.js';
import { ElementFields, boundingBoxGeoJson, datasetType, isHttpUrl, languageCode, synthesisedResourceId } from './xml-record-fields.js';

const RECORD_ELEMENTS = new Set(['csw:Record', 'csw:SummaryRecord', 'csw:BriefRecord']);

export function mapCswDublinCore(payload: unknown, context: MappingContext = FOREIGN_MAPPING_CONTEXT): MappingResult {
  if (!isXmlElement(payload) || !RECORD_ELEMENTS.has(payload.name)) {
    const found = isXmlElement(payload) ? `the element ${payload.name}` : describeValue(payload);
    return {
      ok: false,
      issues: [{ field: '', rule: 'type', message: `a CSW Dublin Core record must be a csw:Record element, not ${found}`, severity: 'error' }],
    };
  }
  const identifier = textAt(payload, 'dc:identifier');
  const title = textAt(payload, 'dc:title');
  const rejection = missingIdentity(identifier, title);
  if (rejection !== null) return rejection;

  const notes = new MappingNotes(context);
  const record: NationalRecord = { identifier: identifier!, title: title! };
  const fields = new ElementFields(payload);
  fields.takeFirst('dc:identifier');
  fields.takeFirst('dc:title');

  const description = fields.takeFirst('dct:abstract') ?? fields.takeFirst('dc:description');
  if (description !== undefined) record.description = description;

  // Subjects with a scheme (a thesaurus) are keywords too; which scheme each came from goes to extras.
  const schemed = fields.elements('dc:subject').filter((subject) => subject.attributes['scheme'] !== undefined && subject.text !== '');
  fields.extra(
    'dc:subject',
    schemed.map((subject) => ({ subject: subject.text, scheme: subject.attributes['scheme'] })),
  );
  const keywords = fields.takeAll('dc:subject');
  if (keywords.length > 0) record.keyword = keywords;

  const type = fields.peek('dc:type');
  const nationalType = type === undefined ? undefined : datasetType(type);
  if (nationalType !== undefined) {
    record.type = nationalType;
    fields.takeFirst('dc:type');
  }

  const modified = fields.takeFirst('dct:modified');
  if (modified !== undefined) record.modified = readDate(notes, 'modified', modified);
  const issued = fields.takeFirst('dct:issued') ?? fields.takeFirst('dc:date');
  if (issued !== undefined) record.issued = readDate(notes, 'issued', issued);

  const publisher = fields.takeFirst('dc:publisher');
  if (publisher !== undefined) record.publisher = publisher;

  const language = fields.takeFirst('dc:language');
  if (language !== undefined) record.language = languageCode(language);

  readLicence(record, fields);
  readSpatial(record, fields);

  const distributions = readReferences(record.identifier, fields);
  if (distributions.length > 0) record.distribution = distributions;

  derivePublisherOrgCode(record, notes);
  record.extensions = { sourceVocabulary: 'csw-dc', sourceExtras: fields.leftovers() };
  return acceptedRecord(record, notes);
}

/** dct:license, else dc:rights: a URL goes to licenseURL (with the licence's name when we know it). */
function readLicence(record: NationalRecord, fields: ElementFields): void {
  const licence = fields.takeFirst('dct:license') ?? fields.takeFirst('dc:rights');
  if (licence === undefined) return;
  if (isHttpUrl(licence)) {
    record.licenseURL = licence;
    const known = normaliseLicense(licence);
    if (known !== null) record.license = known.name;
  } else {
    record.license = licence;
  }
}

/**
 * The first bounding box in WGS 84 → spatial as GeoJSON. `urn:…:EPSG::4326` (and no CRS, the CSW
 * default) has latitude first; CRS84 has longitude first. A box in another CRS stays in extras.
 * Without a usable box, dct:spatial (a place name or code) is the spatial value.
 */
function readSpatial(record: NationalRecord, fields: ElementFields): void {
  for (const box of fields.elements('ows:BoundingBox', 'ows:WGS84BoundingBox')) {
    const geoJson = boxGeoJson(box);
    if (geoJson !== undefined) {
      record.spatial = geoJson;
      fields.consume(box);
      break;
    }
  }
  if (record.spatial === undefined) {
    const place = fields.takeFirst('dct:spatial');
    if (place !== undefined) record.spatial = place;
  }
}

function boxGeoJson(box: XmlElement): string | undefined {
  const lower = (textAt(box, 'ows:LowerCorner') ?? '').split(/\s+/).map(Number);
  const upper = (textAt(box, 'ows:UpperCorner') ?? '').split(/\s+/).map(Number);
  if (lower.length !== 2 || upper.length !== 2) return undefined;
  const crs = box.attributes['crs'] ?? '';
  const lonFirst = box.name === 'ows:WGS84BoundingBox' || /CRS84$/i.test(crs);
  const latFirst = !lonFirst && (crs === '' || /EPSG(:[\d.]*)?:+4326$/i.test(crs) || /epsg\/0\/4326$/i.test(crs));
  if (lonFirst) return boundingBoxGeoJson(lower[0]!, lower[1]!, upper[0]!, upper[1]!);
  if (latFirst) return boundingBoxGeoJson(lower[1]!, lower[0]!, upper[1]!, upper[0]!);
  return undefined;
}

/**
 * dct:references (links, with an optional scheme such as OGC:WMS) → distributions, one per
 * distinct link. The scheme names the protocol; an OGC service scheme gives the format (WMS).
 * A record's single dc:format applies to links without one.
 */
function readReferences(identifier: string, fields: ElementFields): NationalDistribution[] {
  const references = fields.elements('dct:references');
  if (references.length === 0) return [];
  const formats = fields
    .elements('dc:format')
    .map((format) => format.text)
    .filter((text) => text !== '');
  const recordFormat = formats.length === 1 ? formats[0] : undefined;
  if (recordFormat !== undefined) fields.takeFirst('dc:format');
  const seen = new Set<string>();
  const distributions: NationalDistribution[] = [];
  const schemes: Array<{ url: string; scheme?: string }> = [];
  for (const reference of references) {
    fields.consume(reference);
    const url = reference.text;
    const scheme = reference.attributes['scheme'];
    const key = `${url}\u0000${scheme ?? ''}`;
    if (url === '' || seen.has(key)) continue;
    seen.add(key);
    schemes.push(scheme === undefined ? { url } : { url, scheme });
    const distribution: NationalDistribution = {
      resourceID: synthesisedResourceId(identifier, distributions.length),
      extensions: { resourceIDSynthesised: true },
    };
    const format = serviceFormat(scheme) ?? recordFormat;
    if (format !== undefined) distribution.format = format;
    if (/download/i.test(scheme ?? '')) distribution.downloadURL = url;
    else distribution.accessURL = url;
    distributions.push(distribution);
  }
  // The scheme of each link has no national field: kept with its URL.
  fields.extra('dct:references', schemes);
  return distributions;
}

/** `OGC:WMS`, `OGC:WMS-1.1.1-http-get-capabilities` → `WMS`; undefined for other schemes. */
export function serviceFormat(scheme: string | undefined): string | undefined {
  const match = /^OGC:([A-Za-z]+)/.exec(scheme ?? '');
  return match?.[1]?.toUpperCase();
}
