/**
 * OAI-PMH record in oai_dc (the oai:record element tree the OAI-PMH connector stores: header +
 * metadata/oai_dc:dc) → the national record. A bare oai_dc:dc element is read too.
 *
 * The identifier is the best of the dc:identifier values (a DOI, then a handle, then a URL, then
 * any), else the OAI identifier of the header. The header datestamp is the metadata's own
 * modification time: modified. Unused elements, the header identifier and the setSpecs go to
 * extensions.sourceExtras.
 */
import { FOREIGN_MAPPING_CONTEXT, type MappingContext } from './context.js';
import { normaliseLicense } from '../model/license.js';
import type { MappingResult, NationalRecord } from '../model/record.js';
import { MappingNotes, acceptedRecord, derivePublisherOrgCode, describeValue, missingIdentity, readDate } from './record-fields.js';
import { first, isXmlElement, textAt, textsAt } from './xml-elements.js';
import { ElementFields, datasetType, isHttpUrl, languageCode } from './xml-record-fields.js';

export function mapOaiDublinCore(payload: unknown, context: MappingContext = FOREIGN_MAPPING_CONTEXT): MappingResult {
  const dc = isXmlElement(payload) ? (payload.name === 'oai_dc:dc' ? payload : first(payload, 'oai:metadata/oai_dc:dc')) : undefined;
  if (!isXmlElement(payload) || dc === undefined) {
    const found = isXmlElement(payload) ? `the element ${payload.name} without oai_dc:dc metadata` : describeValue(payload);
    return {
      ok: false,
      issues: [{ field: '', rule: 'type', message: `an oai_dc record must be an OAI-PMH record with oai_dc:dc metadata, not ${found}`, severity: 'error' }],
    };
  }
  const header = payload.name === 'oai:record' ? first(payload, 'oai:header') : undefined;
  const oaiIdentifier = textAt(header, 'oai:identifier');
  const fields = new ElementFields(dc);
  const identifiers = fields.takeAll('dc:identifier');
  const identifier = preferredIdentifier(identifiers) ?? oaiIdentifier;
  const title = fields.takeFirst('dc:title');
  const rejection = missingIdentity(identifier, title);
  if (rejection !== null) return rejection;

  const notes = new MappingNotes(context);
  const record: NationalRecord = { identifier: identifier!, title: title! };
  fields.extra(
    'dc:identifier',
    identifiers.filter((value) => value !== identifier),
  );
  if (identifier !== oaiIdentifier) fields.extra('oai:identifier', oaiIdentifier);
  fields.extra('oai:setSpec', textsAt(header, 'oai:setSpec'));
  const landingPage = [identifier!, ...identifiers].map(resolvableUrl).find((url) => url !== undefined);
  if (landingPage !== undefined) record.landingPage = landingPage;

  const description = fields.takeFirst('dc:description');
  if (description !== undefined) record.description = description;
  const keywords = fields.takeAll('dc:subject');
  if (keywords.length > 0) record.keyword = keywords;
  const publisher = fields.takeFirst('dc:publisher');
  if (publisher !== undefined) record.publisher = publisher;
  const language = fields.takeFirst('dc:language');
  if (language !== undefined) record.language = languageCode(language);

  const types = fields.elements('dc:type');
  const typed = types.find((type) => datasetType(type.text) !== undefined);
  if (typed !== undefined) {
    record.type = datasetType(typed.text)!;
    fields.consume(typed);
  }

  readIssued(record, fields, notes);
  const datestamp = textAt(header, 'oai:datestamp');
  if (datestamp !== undefined) record.modified = readDate(notes, 'modified', datestamp);

  const rights = fields.takeFirst('dc:rights');
  if (rights !== undefined) {
    if (isHttpUrl(rights)) {
      record.licenseURL = rights;
      const known = normaliseLicense(rights);
      if (known !== null) record.license = known.name;
    } else {
      record.license = rights;
    }
  }

  derivePublisherOrgCode(record, notes);
  record.extensions = { sourceVocabulary: 'oai-dc', sourceExtras: fields.leftovers() };
  return acceptedRecord(record, notes);
}

/**
 * The first dc:date that is a full date → issued. A year or year-month (W3CDTF allows them;
 * "2010" is common) is no date of the standard: it stays in extras, with a warning.
 */
function readIssued(record: NationalRecord, fields: ElementFields, notes: MappingNotes): void {
  const dates = fields.elements('dc:date').filter((date) => date.text !== '');
  const full = dates.find((date) => !/^\d{4}(-\d{2})?$/.test(date.text));
  if (full !== undefined) {
    record.issued = readDate(notes, 'issued', full.text);
    fields.consume(full);
  } else if (dates[0] !== undefined) {
    notes.report('issued', 'date', `dc:date ${JSON.stringify(dates[0].text)} is only a year or month, not a date; kept in extensions.sourceExtras`, 'warning');
  }
}

/** A DOI, then a handle, then an http(s) URL, then any other identifier. */
export function preferredIdentifier(identifiers: readonly string[]): string | undefined {
  return (
    identifiers.find((value) => doiOf(value) !== undefined) ??
    identifiers.find((value) => /^(hdl:|https?:\/\/hdl\.handle\.net\/)/i.test(value)) ??
    identifiers.find((value) => isHttpUrl(value)) ??
    identifiers[0]
  );
}

/** `10.1234/x`, `doi:10.1234/x`, `https://doi.org/10.1234/x` → `10.1234/x`. */
export function doiOf(value: string): string | undefined {
  const match = /^(?:doi:|https?:\/\/(?:dx\.)?doi\.org\/)?(10\.\d{4,9}\/\S+)$/i.exec(value.trim());
  return match?.[1];
}

/** A URL a browser can open for an identifier: the URL itself, or the DOI / handle resolver's. */
function resolvableUrl(value: string): string | undefined {
  const doi = doiOf(value);
  if (doi !== undefined) return `https://doi.org/${doi}`;
  const handle = /^hdl:(\S+)$/i.exec(value);
  if (handle) return `https://hdl.handle.net/${handle[1]}`;
  return isHttpUrl(value) ? value : undefined;
}
