/**
 * The synthetic catalogue of test/bench/synthetic-catalogue.ts in CKAN's shape: package i is a
 * CKAN 2.9+ package (as `package_show` and `package_search` send it) built from the same
 * syntheticRecord(i), so both shapes of the benchmark harvest the same datasets.
 *
 * Like the gen-1 record, package i is a pure function of i: the platform child and the
 * orchestrator build the same packages without exchanging them. The shape follows the real
 * packages in test/fixtures/ckan, CKAN's bookkeeping fields included (state, private, num_*,
 * resource positions and caches …), so a package is 2.5–5.5 KB of JSON (about 4 KB, the real
 * ones are 4–9 KB), not just the fields the mapping reads. Timestamps are UTC without an
 * offset, with microseconds, as CKAN writes them. The national identifier travels as an
 * `identifier` extra (where a Taiwanese CKAN keeps it), so the gateway's records get the same
 * identifiers in both shapes. What the national standard requires and CKAN has no field for
 * (categoryCode, cost, type …) is absent, as on a real site: every package maps to a flagged
 * record, and the benchmark pays for writing those rule breaks as a real CKAN source does.
 */
import { AGENCY_CODE, modifiedEpoch, prng, syntheticRecord, type GenRecord } from './synthetic-catalogue.js';

export type CkanPackage = Record<string, unknown>;

const ORGANIZATION = {
  approval_status: 'approved',
  created: '2014-03-12T02:41:17.114530',
  description: '國家發展委員會開放資料',
  id: uuidLike(0x0dc0dc, 1),
  image_url: '',
  is_organization: true,
  name: 'ndc',
  state: 'active',
  title: '國家發展委員會',
  type: 'organization',
};
/** Every package's creator: one harvesting account, as on most agency sites. */
const CREATOR_USER_ID = uuidLike(0xc0ffee, 1);

/** CKAN's licence ids for the licence titles syntheticRecord uses. */
const LICENCE_IDS: Readonly<Record<string, string>> = {
  '政府資料開放授權條款-第1版': 'OGDL-Taiwan-1.0',
  '政府資料開放授權條款－第一版': 'OGDL-Taiwan-1.0',
  政府資料開放平臺資料使用規範: 'data-gov-tw-principle',
  'CC BY 4.0': 'cc-by-4.0',
};

/** Resource format and mimetype per gen-1 format; a service is an `API` resource, as CKAN sites write it. */
const RESOURCE_FORMATS: Readonly<Record<string, { format: string; mimetype: string | null }>> = {
  CSV: { format: 'CSV', mimetype: 'text/csv' },
  JSON: { format: 'JSON', mimetype: 'application/json' },
  XML: { format: 'XML', mimetype: 'application/xml' },
  XLSX: { format: 'XLSX', mimetype: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  ZIP: { format: 'ZIP', mimetype: 'application/zip' },
  SERVICES: { format: 'API', mimetype: null },
};

/**
 * A UUID-shaped id (version 4 layout): random-looking from `seed`, with `serial` in its last
 * group so that ids of different serials can never collide, whatever the PRNG does.
 */
export function uuidLike(seed: number, serial: number): string {
  const rand = prng(seed);
  const hex = (digits: number): string => Array.from({ length: digits }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(rand() * 4)]}${hex(3)}-${serial.toString(16).padStart(12, '0')}`;
}

/** Package i's id. */
export function syntheticPackageId(i: number): string {
  return uuidLike(0x5eed ^ Math.imul(i, 2246822519), i);
}

/** A small stable string hash (FNV-1a), to give each tag name one id across packages. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let n = 0; n < text.length; n += 1) h = Math.imul(h ^ text.charCodeAt(n), 16777619);
  return h >>> 0;
}

const TAIPEI_OFFSET_MS = 8 * 3600 * 1000;

/**
 * A gen-1 date as syntheticRecord writes `issued` (Taipei local date-time, Taipei date, or ROC
 * date `110/08/01`) → epoch ms.
 */
function taipeiEpoch(text: string): number {
  const roc = /^(\d{2,3})\/(\d{2})\/(\d{2})$/.exec(text);
  const iso = roc ? `${Number(roc[1]) + 1911}-${roc[2]}-${roc[3]}` : text;
  const [date, time = '00:00:00'] = iso.split(' ');
  return Date.parse(`${date}T${time}Z`) - TAIPEI_OFFSET_MS;
}

/**
 * CKAN's timestamp form: UTC, no offset, microseconds (`2023-05-01T08:00:00.123456`). The
 * microseconds come from `salt`, so that packages modified in the same second still differ.
 */
function ckanTimestamp(epochMs: number, salt: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}.${String(salt % 1_000_000).padStart(6, '0')}`;
}

/** The dataset's own keywords, once each: CKAN keeps a tag once per package. */
function tags(record: GenRecord): CkanPackage[] {
  const names = [...new Set(record.keyword as string[])];
  return names.map((name) => ({ display_name: name, id: uuidLike(hashString(name), hashString(name)), name, state: 'active', vocabulary_id: null }));
}

function resources(record: GenRecord, packageId: string, i: number, created: string, modified: string): CkanPackage[] {
  const rand = prng(0xbeef ^ Math.imul(i, 3266489917));
  return (record.distribution as GenRecord[]).map((distribution, position) => {
    const kind = RESOURCE_FORMATS[String(distribution.format)] ?? { format: String(distribution.format), mimetype: null };
    return {
      cache_last_updated: null,
      cache_url: null,
      created,
      datastore_active: false,
      description: `欄位說明：${String(record.fieldDescription)}`,
      encoding: distribution.characterSetCode,
      format: kind.format,
      hash: '',
      id: uuidLike(Math.imul(i, 31) ^ position, i * 16 + position),
      last_modified: modified,
      metadata_modified: modified,
      mimetype: kind.mimetype,
      mimetype_inner: null,
      name: distribution.resourceDescription,
      package_id: packageId,
      position,
      resource_type: kind.format === 'API' ? 'api' : null,
      size: kind.format === 'API' ? null : 1024 + Math.floor(rand() * 5_000_000),
      state: 'active',
      url: distribution.downloadURL ?? distribution.accessURL,
      url_type: null,
    };
  });
}

/** Fields CKAN has no core field for, as `extras`: where a site without a custom schema keeps them. */
function extras(record: GenRecord): Array<{ key: string; value: string }> {
  const list: Array<[string, unknown]> = [
    ['identifier', record.identifier],
    ['category', record.categoryCode],
    ['update_frequency', record.accrualPeriodicity],
    ['spatial_text', record.spatial],
    ['language', 'zh-TW'],
    ['contact_phone', record.publisherContactPhone],
    ['temporal_start', record.temporalCoverageFrom],
    ['temporal_end', record.temporalCoverageTo],
  ];
  return list.filter(([, value]) => value !== undefined).map(([key, value]) => ({ key, value: String(value) }));
}

/** Package i (1-based) of the synthetic CKAN site. */
export function syntheticPackage(i: number): CkanPackage {
  const record = syntheticRecord(i);
  const id = syntheticPackageId(i);
  const created = ckanTimestamp(taipeiEpoch(String(record.issued)), i * 7919);
  const modified = ckanTimestamp(modifiedEpoch(record), i * 104729);
  const packageTags = tags(record);
  const packageResources = resources(record, id, i, created, modified);
  const licence = String(record.license);
  return {
    author: record.organizationContactName,
    author_email: record.organizationContactEmail,
    creator_user_id: CREATOR_USER_ID,
    extras: extras(record),
    groups: [],
    id,
    isopen: true,
    license_id: LICENCE_IDS[licence] ?? licence,
    license_title: licence,
    license_url: record.licenseURL,
    maintainer: record.publisherContactName,
    maintainer_email: record.publisherContactEmail,
    metadata_created: created,
    metadata_modified: modified,
    name: `${AGENCY_CODE.toLowerCase()}-${String(i).padStart(6, '0')}`,
    notes: record.description,
    num_resources: packageResources.length,
    num_tags: packageTags.length,
    organization: ORGANIZATION,
    owner_org: ORGANIZATION.id,
    private: false,
    relationships_as_object: [],
    relationships_as_subject: [],
    resources: packageResources,
    state: 'active',
    tags: packageTags,
    title: record.title,
    type: 'dataset',
    url: record.landingPage,
    version: null,
  };
}
