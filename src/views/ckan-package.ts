/**
 * A dataset of the federated catalogue as a CKAN package dict (CKAN 2.9–2.11 `package_show`),
 * so CKAN clients and harvesters read the gateway as they read any CKAN site.
 *
 * Crosswalk (national record → CKAN):
 *   identifier        → id (UUID v5 of the identifier: never changes), name (slug of it),
 *                       and extras `identifier` (where CKAN readers, ours included, look for it)
 *   title, description → title, notes
 *   publisher (else organization) → organization {id, name, title}, owner_org (a record naming
 *                       neither: the organization `no-publisher`, as CKAN clients expect one)
 *   keyword           → tags;  categoryCode → groups (one per 服務分類) and extras
 *   license, licenseURL → license_id (the record's licence text, as the search filter matches it),
 *                       license_title (canonical name when recognised), license_url, isopen
 *   landingPage       → url
 *   distribution      → resources (url = downloadURL, else accessURL; the other kept as
 *                       download_url / access_url, as ckanext-dcat names them)
 *   the dataset's first harvest → metadata_created; its modified (else the gateway's last
 *                       change) → metadata_modified
 *   every other national field → extras, under its national name; where CKAN already uses the
 *                       name for something else (type, organization, notes) as `national_<name>`.
 *
 * The contact fields stay in extras: `author` / `maintainer` would invite CKAN sites that strip
 * personal data to drop the agency contact points the standard publishes.
 */
import { CC0_1_0, CC_BY_4_0, CC_BY_SA_4_0, OFL_1_1, OGDL_TAIWAN_V1, normaliseLicense } from '../model/license.js';
import { SERVICE_CATEGORIES } from '../model/codelists.js';
import type { NationalDistribution, NationalRecord } from '../model/record.js';
import { groupUuid, packageName, packageUuid, resourceUuid, tagUuid } from './ckan-ids.js';
import { toCkanOrganizationSummary, type CkanDict, type CkanOrganizationFacts } from './ckan-organization.js';
import { ckanTimestamp } from './ckan-time.js';
import { mediaTypeOfFormat } from './format-media-type.js';

export type CkanPackageState = 'active' | 'deleted';

export interface CkanPackageInput {
  identifier: string;
  record: NationalRecord;
  /** UTC instant the metadata last changed (the record's modified, else the gateway's change). */
  modifiedAt: string;
  /** UTC instant the dataset was first harvested. */
  createdAt: string;
  /** `deleted` for a dataset no source lists any more, or one absorbed into another. */
  state: CkanPackageState;
  /** Its publisher as an organization (the no-publisher organization when the record names none). */
  organization: CkanOrganizationFacts;
  /** For an absorbed dataset: the identifier of the dataset it is now part of. */
  mergedInto?: string | null | undefined;
}

/** Licences that meet the Open Definition (what CKAN's `isopen` reports). */
const OPEN_LICENCE_NAMES = new Set([OGDL_TAIWAN_V1.name, CC_BY_4_0.name, CC_BY_SA_4_0.name, CC0_1_0.name, OFL_1_1.name]);

/** National fields with no CKAN field, written as extras; `as` renames those whose name CKAN uses for something else. */
const EXTRA_FIELDS: ReadonlyArray<{ field: keyof NationalRecord; as?: string }> = [
  { field: 'identifier' },
  { field: 'categoryCode' },
  { field: 'type', as: 'national_type' },
  { field: 'fieldDescription' },
  { field: 'cost' },
  { field: 'costURL' },
  { field: 'costLaw' },
  { field: 'organization', as: 'national_organization' },
  { field: 'organizationContactName' },
  { field: 'organizationContactPhone' },
  { field: 'organizationContactEmail' },
  { field: 'publisherContactName' },
  { field: 'publisherContactPhone' },
  { field: 'publisherContactEmail' },
  { field: 'publisherOID' },
  { field: 'publisherOrgCode' },
  { field: 'accrualPeriodicity' },
  { field: 'temporalCoverageFrom' },
  { field: 'temporalCoverageTo' },
  { field: 'issued' },
  { field: 'modified' },
  { field: 'spatial' },
  { field: 'language' },
  { field: 'numberOfData' },
  { field: 'notes', as: 'national_notes' },
];

export function toCkanPackage(input: CkanPackageInput): CkanDict {
  const { identifier, record } = input;
  const id = packageUuid(identifier);
  const tags = tagsOf(record);
  const resources = (Array.isArray(record.distribution) ? record.distribution : []).map((distribution, index, all) =>
    toCkanResource(identifier, id, distribution, index, all),
  );
  const organization = toCkanOrganizationSummary(input.organization);
  return {
    creator_user_id: null,
    extras: extrasOf(input),
    groups: groupsOf(record),
    id,
    ...licenceOf(record),
    metadata_created: ckanTimestamp(input.createdAt),
    metadata_modified: ckanTimestamp(input.modifiedAt),
    name: packageName(identifier),
    notes: text(record.description) ?? null,
    num_resources: resources.length,
    num_tags: tags.length,
    organization,
    owner_org: organization['id'],
    private: false,
    relationships_as_object: [],
    relationships_as_subject: [],
    resources,
    state: input.state,
    tags,
    title: text(record.title) ?? identifier,
    type: 'dataset',
    url: text(record.landingPage) ?? null,
    version: null,
  };
}

function licenceOf(record: NationalRecord): CkanDict {
  const name = text(record.license);
  const url = text(record.licenseURL);
  const licenseId = name ?? url;
  if (licenseId === undefined) return { isopen: false };
  const known = (name === undefined ? null : normaliseLicense(name)) ?? (url === undefined ? null : normaliseLicense(url));
  return {
    isopen: known !== null && OPEN_LICENCE_NAMES.has(known.name),
    license_id: licenseId,
    license_title: known?.name ?? licenseId,
    license_url: url ?? known?.url ?? null,
  };
}

function tagsOf(record: NationalRecord): CkanDict[] {
  const keywords = new Set<string>();
  for (const keyword of Array.isArray(record.keyword) ? record.keyword : []) {
    const value = text(keyword);
    if (value !== undefined) keywords.add(value);
  }
  return [...keywords].map((keyword) => ({ display_name: keyword, id: tagUuid(keyword), name: keyword, state: 'active', vocabulary_id: null }));
}

function groupsOf(record: NationalRecord): CkanDict[] {
  const code = text(record.categoryCode);
  if (code === undefined) return [];
  const label = Object.hasOwn(SERVICE_CATEGORIES, code) ? SERVICE_CATEGORIES[code]! : code;
  return [{ description: '', display_name: label, id: groupUuid(code), image_display_url: '', name: code.toLowerCase(), title: label }];
}

function extrasOf(input: CkanPackageInput): Array<{ key: string; value: string }> {
  const extras: Array<{ key: string; value: string }> = [];
  for (const { field, as } of EXTRA_FIELDS) {
    const raw = input.record[field];
    const value = typeof raw === 'number' ? String(raw) : text(raw);
    if (value !== undefined) extras.push({ key: as ?? field, value });
  }
  const datasetId = text(input.record.extensions?.datasetId);
  if (datasetId !== undefined) extras.push({ key: 'datasetId', value: datasetId });
  if (input.mergedInto) extras.push({ key: 'mergedInto', value: input.mergedInto });
  // CKAN lists extras by key.
  return extras.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function toCkanResource(
  identifier: string,
  packageId: string,
  distribution: NationalDistribution,
  index: number,
  all: readonly NationalDistribution[],
): CkanDict {
  const resourceID = text(distribution.resourceID);
  // A resourceID the dataset repeats cannot tell its resources apart: use the position instead.
  const unique = resourceID !== undefined && all.findIndex((d) => text(d.resourceID) === resourceID) === index;
  const downloadURL = text(distribution.downloadURL);
  const accessURL = text(distribution.accessURL);
  const format = text(distribution.format);
  const notes = text(distribution.extensions?.resourceNotes);
  const resource: CkanDict = {
    cache_last_updated: null,
    cache_url: null,
    created: null,
    description: notes ?? text(distribution.resourceDescription) ?? '',
    format: format ?? '',
    id: resourceUuid(identifier, unique ? resourceID : `#${index}`),
    last_modified: ckanTimestamp(distribution.resourceModified),
    mimetype: mediaTypeOfFormat(format) ?? null,
    mimetype_inner: null,
    name: text(distribution.resourceDescription) ?? null,
    package_id: packageId,
    position: index,
    // A service endpoint (accessURL only) is what CKAN calls an API resource.
    resource_type: downloadURL === undefined && accessURL !== undefined ? 'api' : null,
    size: null,
    state: 'active',
    url: downloadURL ?? accessURL ?? '',
  };
  if (downloadURL !== undefined) resource['download_url'] = downloadURL;
  if (accessURL !== undefined) resource['access_url'] = accessURL;
  for (const key of ['resourceID', 'characterSetCode', 'metadataSourceOfData'] as const) {
    const value = text(distribution[key]);
    if (value !== undefined) resource[key] = value;
  }
  return resource;
}

/** A non-empty trimmed string, whatever the field holds (a harvested record may hold anything). */
function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}
