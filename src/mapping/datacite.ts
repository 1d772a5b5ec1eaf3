/**
 * DataCite metadata (kernel-3 / kernel-4 `resource`, as OAI-PMH serves it under oai_datacite or
 * datacite; the connector stores the whole oai:record) → the national record.
 *
 * identifier: the DOI (else another identifier, else the OAI identifier); landingPage: the DOI's
 * resolver URL. Titles, descriptions, dates and rights pick the one the standard wants (the main
 * title, the Abstract, Issued/Updated, the first rights statement) and keep the others, with
 * creators, contributors, related identifiers, formats, sizes and everything else unread, in
 * extensions.sourceExtras under DataCite's element names.
 */
import { FOREIGN_MAPPING_CONTEXT, type MappingContext } from './context.js';
import { normaliseLicense } from '../model/license.js';
import type { MappingResult, NationalRecord } from '../model/record.js';
import { MappingNotes, acceptedRecord, derivePublisherOrgCode, describeValue, missingIdentity, readDate } from './record-fields.js';
import { all, descendants, first, isXmlElement, textAt, textsAt, type XmlElement } from './xml-elements.js';
import { ElementFields, boundingBoxGeoJson, datasetType, isHttpUrl, languageCode } from './xml-record-fields.js';
import { doiOf } from './oai-dc.js';

export function mapDataCite(payload: unknown, context: MappingContext = FOREIGN_MAPPING_CONTEXT): MappingResult {
  const resource = !isXmlElement(payload) ? undefined : payload.name === 'datacite:resource' ? payload : descendants(payload, 'datacite:resource')[0];
  if (!isXmlElement(payload) || resource === undefined) {
    const found = isXmlElement(payload) ? `the element ${payload.name} without a DataCite resource` : describeValue(payload);
    return {
      ok: false,
      issues: [{ field: '', rule: 'type', message: `a DataCite record must hold a DataCite resource element, not ${found}`, severity: 'error' }],
    };
  }
  const header = payload.name === 'oai:record' ? first(payload, 'oai:header') : undefined;
  const oaiIdentifier = textAt(header, 'oai:identifier');
  const fields = new ElementFields(resource);

  const identifierElement = fields.elements('datacite:identifier')[0];
  const doi = identifierElement === undefined ? undefined : (doiOf(identifierElement.text) ?? (identifierElement.text || undefined));
  const identifier = doi ?? oaiIdentifier;
  if (identifierElement !== undefined) fields.consume(identifierElement);

  const titles = all(resource, 'datacite:titles/datacite:title').filter((title) => title.text !== '');
  const mainTitle = titles.find((title) => title.attributes['titleType'] === undefined) ?? titles[0];
  const rejection = missingIdentity(identifier, mainTitle?.text);
  if (rejection !== null) return rejection;

  const notes = new MappingNotes(context);
  const record: NationalRecord = { identifier: identifier!, title: mainTitle!.text };
  fields.consumeAll('datacite:titles');
  fields.extra(
    'datacite:titles',
    titles.filter((title) => title !== mainTitle).map((title) => ({ title: title.text, titleType: title.attributes['titleType'] })),
  );
  if (identifierElement !== undefined && identifierElement.attributes['identifierType'] !== 'DOI')
    fields.extra('datacite:identifier', { identifier: identifierElement.text, identifierType: identifierElement.attributes['identifierType'] });
  if (identifier !== oaiIdentifier) fields.extra('oai:identifier', oaiIdentifier);
  fields.extra('oai:setSpec', textsAt(header, 'oai:setSpec'));
  // The oai_datacite wrapper's own facts (which schema version, which data centre).
  for (const name of ['oai_datacite:schemaVersion', 'oai_datacite:datacentreSymbol'])
    fields.extra(name, textAt(payload, `oai:metadata/oai_datacite:oai_datacite/${name}`));
  if (doi !== undefined && doiOf(doi) !== undefined) record.landingPage = `https://doi.org/${doi}`;

  readDescriptions(record, resource, fields);
  readKeywords(record, resource, fields);
  readAgents(record, resource, fields);
  readDates(record, resource, fields, notes, textAt(header, 'oai:datestamp'));
  readRights(record, resource, fields);
  readGeoLocations(record, resource, fields);

  const language = fields.takeFirst('datacite:language');
  if (language !== undefined) record.language = languageCode(language);
  const resourceType = first(resource, 'datacite:resourceType');
  const type = datasetType(resourceType?.attributes['resourceTypeGeneral'] ?? '');
  if (type !== undefined) record.type = type;

  derivePublisherOrgCode(record, notes);
  record.extensions = { sourceVocabulary: 'datacite', sourceExtras: fields.leftovers() };
  return acceptedRecord(record, notes);
}

/** The Abstract (else the first description) → description; the others stay in extras. */
function readDescriptions(record: NationalRecord, resource: XmlElement, fields: ElementFields): void {
  const descriptions = all(resource, 'datacite:descriptions/datacite:description').filter((description) => description.text !== '');
  const chosen = descriptions.find((description) => description.attributes['descriptionType'] === 'Abstract') ?? descriptions[0];
  if (chosen !== undefined) record.description = chosen.text;
  fields.consumeAll('datacite:descriptions');
  fields.extra(
    'datacite:descriptions',
    descriptions
      .filter((description) => description !== chosen)
      .map((description) => ({ description: description.text, descriptionType: description.attributes['descriptionType'] })),
  );
}

function readKeywords(record: NationalRecord, resource: XmlElement, fields: ElementFields): void {
  const subjects = all(resource, 'datacite:subjects/datacite:subject').filter((subject) => subject.text !== '');
  const keywords = [...new Set(subjects.map((subject) => subject.text))];
  if (keywords.length > 0) record.keyword = keywords;
  fields.consumeAll('datacite:subjects');
  fields.extra(
    'datacite:subjects',
    subjects
      .filter((subject) => subject.attributes['subjectScheme'] !== undefined)
      .map((subject) => ({ subject: subject.text, subjectScheme: subject.attributes['subjectScheme'] })),
  );
}

/**
 * publisher → publisher; a ContactPerson contributor → publisherContactName. Creators and all
 * contributors are kept in extras (the standard has no author field).
 */
function readAgents(record: NationalRecord, resource: XmlElement, fields: ElementFields): void {
  const publisher = fields.takeFirst('datacite:publisher');
  if (publisher !== undefined) record.publisher = publisher;
  const creators = all(resource, 'datacite:creators/datacite:creator').map((creator) => agent(creator, 'datacite:creatorName'));
  fields.consumeAll('datacite:creators');
  fields.extra('datacite:creators', creators);
  const contributors = all(resource, 'datacite:contributors/datacite:contributor').map((contributor) => ({
    ...agent(contributor, 'datacite:contributorName'),
    contributorType: contributor.attributes['contributorType'],
  }));
  fields.consumeAll('datacite:contributors');
  fields.extra('datacite:contributors', contributors);
  const contact = contributors.find((contributor) => contributor.contributorType === 'ContactPerson');
  if (contact?.name !== undefined) record.publisherContactName = contact.name;
}

function agent(element: XmlElement, nameElement: string): { name?: string; nameIdentifiers?: string[]; affiliations?: string[] } {
  const result: { name?: string; nameIdentifiers?: string[]; affiliations?: string[] } = {};
  const name = textAt(element, nameElement);
  if (name !== undefined) result.name = name;
  const identifiers = all(element, 'datacite:nameIdentifier')
    .map((id) => id.text)
    .filter((text) => text !== '');
  if (identifiers.length > 0) result.nameIdentifiers = identifiers;
  const affiliations = all(element, 'datacite:affiliation')
    .map((affiliation) => affiliation.text)
    .filter((text) => text !== '');
  if (affiliations.length > 0) result.affiliations = affiliations;
  return result;
}

/**
 * Issued → issued (else publicationYear, which is only a year: extras); Updated → modified (else
 * the OAI datestamp); a Collected range `from/to` → temporal coverage. Every date is kept in extras.
 */
function readDates(record: NationalRecord, resource: XmlElement, fields: ElementFields, notes: MappingNotes, datestamp: string | undefined): void {
  const dates = all(resource, 'datacite:dates/datacite:date')
    .filter((date) => date.text !== '')
    .map((date) => ({ date: date.text, dateType: date.attributes['dateType'] ?? '' }));
  fields.consumeAll('datacite:dates');
  const byType = (type: string): string | undefined => dates.find((date) => date.dateType === type)?.date;
  const issued = byType('Issued');
  if (issued !== undefined) record.issued = readDate(notes, 'issued', issued);
  const updated = byType('Updated') ?? datestamp;
  if (updated !== undefined) record.modified = readDate(notes, 'modified', updated);
  const collected = byType('Collected');
  if (collected !== undefined && collected.includes('/')) {
    const [from, to] = collected.split('/');
    if (from) record.temporalCoverageFrom = readDate(notes, 'temporalCoverageFrom', from);
    if (to) record.temporalCoverageTo = readDate(notes, 'temporalCoverageTo', to);
  }
  fields.extra(
    'datacite:dates',
    dates.filter((date) => !(date.dateType === 'Issued' && date.date === issued) && !(date.dateType === 'Updated' && date.date === updated)),
  );
}

/** The first rights statement: its text → license, its rightsURI → licenseURL. All are kept in extras. */
function readRights(record: NationalRecord, resource: XmlElement, fields: ElementFields): void {
  const rights = all(resource, 'datacite:rightsList/datacite:rights').map((right) => ({ rights: right.text, rightsURI: right.attributes['rightsURI'] }));
  fields.consumeAll('datacite:rightsList');
  const chosen = rights.find((right) => right.rights !== '' || right.rightsURI !== undefined);
  if (chosen === undefined) return;
  if (chosen.rightsURI !== undefined && isHttpUrl(chosen.rightsURI)) record.licenseURL = chosen.rightsURI;
  if (chosen.rights !== '') record.license = chosen.rights;
  else if (chosen.rightsURI !== undefined) {
    const known = normaliseLicense(chosen.rightsURI);
    if (known !== null) record.license = known.name;
  }
  fields.extra(
    'datacite:rightsList',
    rights.filter((right) => right !== chosen),
  );
}

/**
 * The first geoLocationBox (kernel-4 elements, or kernel-3 text "south west north east") or point
 * → spatial (GeoJSON); else the first place name. All locations are kept in extras.
 */
function readGeoLocations(record: NationalRecord, resource: XmlElement, fields: ElementFields): void {
  const locations = all(resource, 'datacite:geoLocations/datacite:geoLocation');
  fields.consumeAll('datacite:geoLocations');
  const described = locations.map((location) => ({
    place: textAt(location, 'datacite:geoLocationPlace'),
    box: boxOf(first(location, 'datacite:geoLocationBox')),
    point: pointOf(first(location, 'datacite:geoLocationPoint')),
  }));
  for (const location of described) {
    const geometry =
      location.box !== undefined
        ? boundingBoxGeoJson(location.box.west, location.box.south, location.box.east, location.box.north)
        : location.point !== undefined
          ? JSON.stringify({ type: 'Point', coordinates: [location.point.longitude, location.point.latitude] })
          : undefined;
    if (geometry !== undefined) {
      record.spatial = geometry;
      break;
    }
  }
  if (record.spatial === undefined) {
    const place = described.find((location) => location.place !== undefined)?.place;
    if (place !== undefined) record.spatial = place;
  }
  fields.extra(
    'datacite:geoLocations',
    described.map((location) => Object.fromEntries(Object.entries(location).filter(([, value]) => value !== undefined))),
  );
}

function boxOf(box: XmlElement | undefined): { west: number; east: number; south: number; north: number } | undefined {
  if (box === undefined) return undefined;
  if (box.children.length === 0) {
    const [south, west, north, east] = box.text.split(/\s+/).map(Number);
    return [south, west, north, east].every((value) => Number.isFinite(value)) ? { west: west!, east: east!, south: south!, north: north! } : undefined;
  }
  const value = (name: string): number => Number(textAt(box, `datacite:${name}`));
  const result = {
    west: value('westBoundLongitude'),
    east: value('eastBoundLongitude'),
    south: value('southBoundLatitude'),
    north: value('northBoundLatitude'),
  };
  return Object.values(result).every((number) => Number.isFinite(number)) ? result : undefined;
}

function pointOf(point: XmlElement | undefined): { longitude: number; latitude: number } | undefined {
  if (point === undefined) return undefined;
  if (point.children.length === 0) {
    const [latitude, longitude] = point.text.split(/\s+/).map(Number);
    return Number.isFinite(latitude) && Number.isFinite(longitude) ? { longitude: longitude!, latitude: latitude! } : undefined;
  }
  const longitude = Number(textAt(point, 'datacite:pointLongitude'));
  const latitude = Number(textAt(point, 'datacite:pointLatitude'));
  return Number.isFinite(longitude) && Number.isFinite(latitude) ? { longitude, latitude } : undefined;
}
