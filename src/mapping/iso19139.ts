/**
 * ISO 19139 metadata (gmd:MD_Metadata, or ISO 19115-2 gmi:MI_Metadata) → the national record.
 *
 * Elements are matched by namespace (canonical names from xml-elements.ts), never by the prefix a
 * server wrote. What has no national field goes to extensions.sourceExtras under ISO names:
 * every top-level element and identification element the mapping does not read, whole; and for
 * the ones it reads in part, what it could not place (all contacts, every online resource with
 * its protocol, keyword thesauri, constraints, citation dates, the bounding box).
 */
import { FOREIGN_MAPPING_CONTEXT, type MappingContext } from './context.js';
import { normaliseLicense } from '../model/license.js';
import type { MappingResult, NationalDistribution, NationalRecord } from '../model/record.js';
import { MappingNotes, acceptedRecord, derivePublisherOrgCode, describeValue, missingIdentity, readDate } from './record-fields.js';
import { all, descendants, first, isXmlElement, textAt, textsAt, toPlainValue, type XmlElement } from './xml-elements.js';
import { serviceFormat } from './csw-dc.js';
import { addExtra, boundingBoxGeoJson, datasetType, isHttpUrl, languageCode, maintenanceFrequency, synthesisedResourceId } from './xml-record-fields.js';

const ROOT_ELEMENTS = new Set(['gmd:MD_Metadata', 'gmi:MI_Metadata']);

/** The text of a CharacterString-like property: gco:CharacterString, gmx:Anchor, or any other child. */
const TEXT = '*';

/** Top-level MD_Metadata elements this mapping reads (the rest go to extras whole). */
const READ_AT_TOP = new Set([
  'gmd:fileIdentifier',
  'gmd:language',
  'gmd:hierarchyLevel',
  'gmd:contact',
  'gmd:dateStamp',
  'gmd:identificationInfo',
  'gmd:distributionInfo',
]);

/** Identification elements this mapping reads (data and service identification). */
const READ_IN_IDENTIFICATION = new Set([
  'gmd:citation',
  'gmd:abstract',
  'gmd:pointOfContact',
  'gmd:descriptiveKeywords',
  'gmd:resourceConstraints',
  'gmd:resourceMaintenance',
  'gmd:language',
  'gmd:extent',
  'srv:extent',
  'gmd:topicCategory',
]);

export function mapIso19139(payload: unknown, context: MappingContext = FOREIGN_MAPPING_CONTEXT): MappingResult {
  if (!isXmlElement(payload) || !ROOT_ELEMENTS.has(payload.name)) {
    const found = isXmlElement(payload) ? `the element ${payload.name}` : describeValue(payload);
    return {
      ok: false,
      issues: [{ field: '', rule: 'type', message: `an ISO 19139 record must be a gmd:MD_Metadata element, not ${found}`, severity: 'error' }],
    };
  }
  const identification = first(payload, 'gmd:identificationInfo/*');
  const citation = first(identification, 'gmd:citation/gmd:CI_Citation');
  const identifier = textAt(payload, `gmd:fileIdentifier/${TEXT}`) ?? textAt(citation, `gmd:identifier/*/gmd:code/${TEXT}`);
  const title = textAt(citation, `gmd:title/${TEXT}`);
  const rejection = missingIdentity(identifier, title);
  if (rejection !== null) return rejection;

  const notes = new MappingNotes(context);
  const extras: Record<string, unknown> = {};
  const record: NationalRecord = { identifier: identifier!, title: title! };

  const abstract = textAt(identification, `gmd:abstract/${TEXT}`);
  if (abstract !== undefined) record.description = abstract;

  readType(record, payload, extras);
  readLanguage(record, payload, identification);
  readDates(record, payload, citation, notes, extras);
  readKeywords(record, identification, extras);
  readContacts(record, payload, identification, extras);
  readConstraints(record, identification, extras);
  readFrequency(record, identification, extras);
  readExtent(record, identification, notes, extras);
  const distributions = readDistributions(record.identifier, payload, extras);
  if (distributions.length > 0) record.distribution = distributions;

  keepUnread(payload, READ_AT_TOP, '', extras);
  if (identification !== undefined) {
    keepUnread(identification, READ_IN_IDENTIFICATION, 'gmd:identificationInfo/', extras);
    const otherTitles = textsAt(citation, `gmd:alternateTitle/${TEXT}`);
    addExtra(extras, 'gmd:alternateTitle', otherTitles);
    const otherCitation = citation?.children.filter((child) => !['gmd:title', 'gmd:date', 'gmd:alternateTitle'].includes(child.name)) ?? [];
    for (const child of otherCitation) addExtra(extras, `gmd:citation/${child.name}`, toPlainValue(child));
  }
  if (identification !== undefined && identification.name !== 'gmd:MD_DataIdentification') extras['gmd:identificationInfo'] = identification.name;

  derivePublisherOrgCode(record, notes);
  record.extensions = { sourceVocabulary: 'iso19139', sourceExtras: extras };
  return acceptedRecord(record, notes);
}

/** hierarchyLevel (MD_ScopeCode) → type; kept in extras when it has no national counterpart. */
function readType(record: NationalRecord, root: XmlElement, extras: Record<string, unknown>): void {
  const scope = codeValue(first(root, 'gmd:hierarchyLevel/gmd:MD_ScopeCode'));
  if (scope === undefined) return;
  const type = datasetType(scope);
  if (type !== undefined) record.type = type;
  else extras['gmd:hierarchyLevel'] = scope;
}

/** The resource's language (identification), else the metadata's. */
function readLanguage(record: NationalRecord, root: XmlElement, identification: XmlElement | undefined): void {
  const language = [first(identification, 'gmd:language'), first(root, 'gmd:language')]
    .map((element) => codeValue(first(element, '*')) ?? element?.text)
    .find((value) => value !== undefined && value !== '');
  if (language !== undefined) record.language = languageCode(language);
}

/**
 * dateStamp (the metadata's own date) → modified; the citation's publication date → issued.
 * Creation and revision dates have no national field: extras.
 */
function readDates(record: NationalRecord, root: XmlElement, citation: XmlElement | undefined, notes: MappingNotes, extras: Record<string, unknown>): void {
  const stamp = textAt(root, 'gmd:dateStamp/*');
  if (stamp !== undefined) record.modified = readDate(notes, 'modified', stamp);
  const dates = all(citation, 'gmd:date/gmd:CI_Date').map((date) => ({
    date: textAt(date, 'gmd:date/*') ?? '',
    type: codeValue(first(date, 'gmd:dateType/gmd:CI_DateTypeCode')) ?? '',
  }));
  const published = dates.find((date) => date.type === 'publication' && date.date !== '');
  if (published !== undefined) record.issued = readDate(notes, 'issued', published.date);
  addExtra(
    extras,
    'gmd:citation/gmd:date',
    dates.filter((date) => date !== published),
  );
}

/** Every keyword of every MD_Keywords; thesaurus and keyword type kept in extras. */
function readKeywords(record: NationalRecord, identification: XmlElement | undefined, extras: Record<string, unknown>): void {
  const groups = all(identification, 'gmd:descriptiveKeywords/gmd:MD_Keywords');
  const keywords = [...new Set(groups.flatMap((group) => textsAt(group, `gmd:keyword/${TEXT}`)))];
  if (keywords.length > 0) record.keyword = keywords;
  const described = groups
    .map((group) => ({
      keywords: textsAt(group, `gmd:keyword/${TEXT}`),
      type: codeValue(first(group, 'gmd:type/gmd:MD_KeywordTypeCode')),
      thesaurus: textAt(group, `gmd:thesaurusName/gmd:CI_Citation/gmd:title/${TEXT}`),
    }))
    .filter((group) => group.type !== undefined || group.thesaurus !== undefined);
  addExtra(extras, 'gmd:descriptiveKeywords', described);
  const topics = textsAt(identification, 'gmd:topicCategory/gmd:MD_TopicCategoryCode');
  addExtra(extras, 'gmd:topicCategory', topics);
}

interface Party {
  role: string | undefined;
  organisationName: string | undefined;
  individualName: string | undefined;
  positionName: string | undefined;
  email: string[];
  phone: string[];
}

function readParty(party: XmlElement): Party {
  return {
    role: codeValue(first(party, 'gmd:role/gmd:CI_RoleCode')),
    organisationName: textAt(party, `gmd:organisationName/${TEXT}`),
    individualName: textAt(party, `gmd:individualName/${TEXT}`),
    positionName: textAt(party, `gmd:positionName/${TEXT}`),
    email: textsAt(party, `gmd:contactInfo/gmd:CI_Contact/gmd:address/gmd:CI_Address/gmd:electronicMailAddress/${TEXT}`),
    phone: textsAt(party, `gmd:contactInfo/gmd:CI_Contact/gmd:phone/gmd:CI_Telephone/gmd:voice/${TEXT}`),
  };
}

/**
 * The publisher: the party with role `publisher` (resource contacts first, then the metadata's),
 * else the resource's first point of contact, else the metadata contact. The standard's
 * 上級機關 (organization) has no ISO counterpart. Every party is kept in extras.
 */
function readContacts(record: NationalRecord, root: XmlElement, identification: XmlElement | undefined, extras: Record<string, unknown>): void {
  const resourceParties = all(identification, 'gmd:pointOfContact/gmd:CI_ResponsibleParty').map(readParty);
  const metadataParties = all(root, 'gmd:contact/gmd:CI_ResponsibleParty').map(readParty);
  const candidates = [...resourceParties, ...metadataParties];
  const chosen = candidates.find((party) => party.role === 'publisher') ?? resourceParties[0] ?? metadataParties[0];
  if (chosen !== undefined) {
    if (chosen.organisationName !== undefined) record.publisher = chosen.organisationName;
    const name = chosen.individualName ?? chosen.positionName;
    if (name !== undefined) record.publisherContactName = name;
    if (chosen.email.length > 0) record.publisherContactEmail = chosen.email.join(',');
    if (chosen.phone.length > 0) record.publisherContactPhone = chosen.phone.join(',');
  }
  addExtra(extras, 'gmd:pointOfContact', resourceParties.map(compactParty));
  addExtra(extras, 'gmd:contact', metadataParties.map(compactParty));
}

function compactParty(party: Party): Record<string, unknown> {
  return Object.fromEntries(Object.entries(party).filter(([, value]) => value !== undefined && !(Array.isArray(value) && value.length === 0)));
}

/**
 * resourceConstraints → license. An Anchor's link or a text that names a licence we know wins;
 * failing that, the first use limitation or other constraint is the licence text as written.
 * Every constraint text is kept in extras.
 */
function readConstraints(record: NationalRecord, identification: XmlElement | undefined, extras: Record<string, unknown>): void {
  const constraints = all(identification, 'gmd:resourceConstraints/*');
  const texts: string[] = [];
  const links: string[] = [];
  for (const constraint of constraints) {
    for (const holder of [...all(constraint, 'gmd:useLimitation/*'), ...all(constraint, 'gmd:otherConstraints/*')]) {
      if (holder.text !== '' && !texts.includes(holder.text)) texts.push(holder.text);
      const href = holder.attributes['xlink:href'];
      if (href !== undefined && isHttpUrl(href)) links.push(href);
    }
  }
  const knownLink = links.find((link) => normaliseLicense(link) !== null);
  const knownText = texts.find((text) => normaliseLicense(text) !== null);
  if (knownText !== undefined) record.license = knownText;
  else if (knownLink !== undefined) record.license = normaliseLicense(knownLink)!.name;
  else if (texts[0] !== undefined) record.license = texts[0];
  const link = knownLink ?? links[0];
  if (link !== undefined) record.licenseURL = link;
  const codes = constraints.flatMap((constraint) => [
    ...all(constraint, 'gmd:accessConstraints/gmd:MD_RestrictionCode'),
    ...all(constraint, 'gmd:useConstraints/gmd:MD_RestrictionCode'),
  ]);
  addExtra(extras, 'gmd:resourceConstraints', texts);
  addExtra(extras, 'gmd:MD_RestrictionCode', [...new Set(codes.map((code) => codeValue(code)).filter((value): value is string => value !== undefined))]);
}

/** MD_MaintenanceFrequencyCode → the standard's frequency text; an unknown code stays in extras. */
function readFrequency(record: NationalRecord, identification: XmlElement | undefined, extras: Record<string, unknown>): void {
  const code = codeValue(
    first(identification, 'gmd:resourceMaintenance/gmd:MD_MaintenanceInformation/gmd:maintenanceAndUpdateFrequency/gmd:MD_MaintenanceFrequencyCode'),
  );
  if (code === undefined) return;
  const text = maintenanceFrequency(code);
  if (text !== undefined) record.accrualPeriodicity = text;
  else extras['gmd:MD_MaintenanceFrequencyCode'] = code;
}

/** The first geographic bounding box → spatial (GeoJSON); the temporal extent → temporal coverage. */
function readExtent(record: NationalRecord, identification: XmlElement | undefined, notes: MappingNotes, extras: Record<string, unknown>): void {
  const extents = all(identification, '*:extent/gmd:EX_Extent');
  const boxes = extents
    .flatMap((extent) => all(extent, 'gmd:geographicElement/gmd:EX_GeographicBoundingBox'))
    .map((box) => ({
      west: Number(textAt(box, 'gmd:westBoundLongitude/*')),
      east: Number(textAt(box, 'gmd:eastBoundLongitude/*')),
      south: Number(textAt(box, 'gmd:southBoundLatitude/*')),
      north: Number(textAt(box, 'gmd:northBoundLatitude/*')),
    }));
  for (const box of boxes) {
    const geoJson = boundingBoxGeoJson(box.west, box.south, box.east, box.north);
    if (geoJson !== undefined) {
      record.spatial = geoJson;
      break;
    }
  }
  addExtra(extras, 'gmd:EX_GeographicBoundingBox', boxes);
  const descriptions = extents.flatMap((extent) => textsAt(extent, `gmd:description/${TEXT}`));
  addExtra(extras, 'gmd:EX_Extent/gmd:description', descriptions);
  const period = extents.flatMap((extent) => all(extent, 'gmd:temporalElement/*/gmd:extent/*'))[0];
  if (period === undefined) return;
  const begin = textAt(period, 'gml:beginPosition') ?? textAt(period, 'gml:begin/gml:TimeInstant/gml:timePosition') ?? textAt(period, 'gml:timePosition');
  const end = textAt(period, 'gml:endPosition') ?? textAt(period, 'gml:end/gml:TimeInstant/gml:timePosition');
  if (begin !== undefined) record.temporalCoverageFrom = readDate(notes, 'temporalCoverageFrom', begin);
  if (end !== undefined) record.temporalCoverageTo = readDate(notes, 'temporalCoverageTo', end);
}

/**
 * Every CI_OnlineResource under distributionInfo → one distribution per distinct URL. A `download`
 * function (or a download protocol) makes it a downloadURL, anything else an accessURL. The
 * format: an OGC service protocol's name (WMS), else the record's single distribution format.
 */
function readDistributions(identifier: string, root: XmlElement, extras: Record<string, unknown>): NationalDistribution[] {
  const info = all(root, 'gmd:distributionInfo/gmd:MD_Distribution');
  const formats = [
    ...new Set(
      info
        .flatMap((distribution) => [
          ...all(distribution, 'gmd:distributionFormat/gmd:MD_Format'),
          ...all(distribution, 'gmd:distributor/gmd:MD_Distributor/gmd:distributorFormat/gmd:MD_Format'),
        ])
        .map((format) => textAt(format, `gmd:name/${TEXT}`))
        .filter((name): name is string => name !== undefined),
    ),
  ];
  addExtra(extras, 'gmd:distributionFormat', formats);
  const onlineResources = info.flatMap((distribution) => descendants(distribution, 'gmd:CI_OnlineResource'));
  const seen = new Set<string>();
  const distributions: NationalDistribution[] = [];
  const described: Array<Record<string, string>> = [];
  for (const online of onlineResources) {
    const url = textAt(online, 'gmd:linkage/gmd:URL') ?? textAt(online, `gmd:linkage/${TEXT}`);
    const resource = {
      linkage: url ?? '',
      protocol: textAt(online, `gmd:protocol/${TEXT}`) ?? '',
      name: textAt(online, `gmd:name/${TEXT}`) ?? '',
      description: textAt(online, `gmd:description/${TEXT}`) ?? '',
      function: codeValue(first(online, 'gmd:function/gmd:CI_OnLineFunctionCode')) ?? '',
    };
    described.push(Object.fromEntries(Object.entries(resource).filter(([, value]) => value !== '')));
    if (url === undefined || seen.has(url)) continue;
    seen.add(url);
    const distribution: NationalDistribution = {
      resourceID: synthesisedResourceId(identifier, distributions.length),
      extensions: { resourceIDSynthesised: true },
    };
    const description = resource.description || resource.name;
    if (description !== '') distribution.resourceDescription = description;
    const format = serviceFormat(resource.protocol) ?? (formats.length === 1 ? formats[0] : undefined);
    if (format !== undefined) distribution.format = format;
    if (resource.function === 'download' || /download/i.test(resource.protocol)) distribution.downloadURL = url;
    else distribution.accessURL = url;
    distributions.push(distribution);
  }
  addExtra(extras, 'gmd:onLine', described);
  return distributions;
}

/** A code list value: the codeListValue attribute, else the element's text. */
function codeValue(element: XmlElement | undefined): string | undefined {
  if (element === undefined) return undefined;
  const value = element.attributes['codeListValue'] ?? element.text;
  return value.trim() === '' ? undefined : value.trim();
}

/** Children of `element` not in `read` → extras, whole, under `prefix` + their name. */
function keepUnread(element: XmlElement, read: ReadonlySet<string>, prefix: string, extras: Record<string, unknown>): void {
  const groups = new Map<string, unknown[]>();
  for (const child of element.children) {
    if (read.has(child.name)) continue;
    const value = toPlainValue(child);
    if (value === '') continue;
    groups.set(child.name, [...(groups.get(child.name) ?? []), value]);
  }
  for (const [name, values] of groups) extras[`${prefix}${name}`] = values.length === 1 ? values[0] : values;
}
