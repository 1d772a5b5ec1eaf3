/**
 * The national record in gen-2 form: data.gov.tw API v2's vocabulary, as
 * `GET /api/v2/rest/dataset/{datasetId}` answers (docs/tw-standards.md §1.3, §1.7, §3.2). The
 * inverse of src/mapping/gen2.ts: a record this view writes, read back by mapGen2, is the record
 * again (the tests hold the two to that).
 *
 * - Keys are renamed (categoryService, updateFrequency, coverageStartedDate, relatedUrl,
 *   resourceFormat …) and gen-2's own fields (categoryTheme, dataProvider, dataQuality …) come
 *   back from the record's extensions.
 * - Coded values are coded again where gen-2 has a code: the Open Government Data License v1 is
 *   `license: "1"`, 免費 is `cost: "free"` (付費 is written `"paid"`: gen-2's paid code is not
 *   documented, and mapGen2 reads `paid`).
 * - `datasetId` is a JSON number, as data.gov.tw's read responses have it; absent when the
 *   dataset has no data.gov.tw id.
 * - Date-times are Taipei wall-clock `YYYY-MM-DD hh:mm:ss`, as `modifiedDate` is on data.gov.tw.
 * - `publisherOID` is the bare OID (read responses); the agency's name is in `publisher`.
 * - What gen-2 has no key for but the record holds is kept under its gen-1 name, which gen-2
 *   readers ignore and mapGen2 reads: publisher and organization with their contacts,
 *   publisherOrgCode, costURL, costLaw, licenseURL (when it is not the licence code's own URL),
 *   a resource's resourceID (unless the gateway numbered it) and metadataSourceOfData, and
 *   fieldDescription / numberOfData when no resource carries them (gen-2 has them per resource,
 *   as resourceField / resourceAmount).
 */
import { normaliseLicense, OGDL_TAIWAN_V1 } from '../model/license.js';
import type { NationalDistribution, NationalRecord } from '../model/record.js';
import { toTaipeiText } from './taipei-dates.js';

export type Gen2Json = Record<string, unknown>;

/** gen-2's licence code for the Open Government Data License v1; the only one documented. */
const OGDL_V1_CODE = '1';

const COST_CODES: Readonly<Record<string, string>> = { 免費: 'free', 付費: 'paid' };

export function toGen2Json(record: NationalRecord): Gen2Json {
  const extensions = record.extensions ?? {};
  const distributions = Array.isArray(record.distribution) ? record.distribution : undefined;
  const json: Gen2Json = {};
  const put = (key: string, value: unknown): void => {
    if (value !== undefined) json[key] = value;
  };

  put('datasetId', datasetIdValue(extensions.datasetId));
  put('identifier', record.identifier);
  put('categoryTheme', extensions.categoryTheme);
  put('categoryService', record.categoryCode);
  put('categoryDataset', extensions.categoryDataset);
  put('title', record.title);
  put('description', record.description);
  put('type', record.type);
  const license = licenseValue(record.license, record.licenseURL);
  put('license', license.license);
  put('licenseURL', license.licenseURL);
  put('cost', record.cost === undefined ? undefined : (COST_CODES[record.cost] ?? record.cost));
  put('costURL', record.costURL);
  put('costLaw', record.costLaw);
  put('dataProvider', extensions.dataProvider);
  put('organization', record.organization);
  put('organizationContactName', record.organizationContactName);
  put('organizationContactPhone', record.organizationContactPhone);
  put('organizationContactEmail', record.organizationContactEmail);
  put('publisher', record.publisher);
  put('publisherOID', record.publisherOID);
  put('publisherOrgCode', record.publisherOrgCode);
  put('publisherContactName', record.publisherContactName);
  put('publisherContactPhone', record.publisherContactPhone);
  put('publisherContactEmail', record.publisherContactEmail);
  put('updateFrequency', record.accrualPeriodicity);
  put('detectFrequency', extensions.detectFrequency);
  put('dataQuality', extensions.dataQuality);
  put('coverageStartedDate', dateText(record.temporalCoverageFrom));
  put('coverageEndedDate', dateText(record.temporalCoverageTo));
  put('publishedDate', dateText(record.issued));
  put('modifiedDate', dateText(record.modified));
  put('spatialCoverage', record.spatial);
  put('language', record.language);
  put('relatedUrl', record.landingPage);
  put('keyword', Array.isArray(record.keyword) ? [...record.keyword] : undefined);
  // gen-2 carries these per resource; a record whose resources do not is not made to lose them.
  const resources = distributions ?? [];
  if (!resources.some((d) => d.extensions?.resourceField !== undefined && d.extensions.resourceField !== '')) put('fieldDescription', record.fieldDescription);
  if (!resources.some((d) => d.extensions?.resourceAmount !== undefined)) put('numberOfData', record.numberOfData);
  put('notes', record.notes);
  put('distribution', distributions?.map(distributionToGen2));
  return json;
}

function distributionToGen2(distribution: NationalDistribution): Gen2Json {
  const extensions = distribution.extensions ?? {};
  const json: Gen2Json = {};
  const put = (key: string, value: unknown): void => {
    if (value !== undefined) json[key] = value;
  };
  // gen-2 resources have no ids; one the publisher gave (a gen-1 source) is kept, one we made up is not.
  if (extensions.resourceIDSynthesised !== true) put('resourceID', distribution.resourceID);
  put('resourceDescription', distribution.resourceDescription);
  put('resourceField', extensions.resourceField);
  put('resourceFormat', distribution.format);
  put('resourceCharacterEncoding', distribution.characterSetCode);
  put('resourceAccessUrl', distribution.accessURL);
  put('resourceDownloadUrl', distribution.downloadURL);
  put('resourceAmount', extensions.resourceAmount);
  put('resourceNotes', extensions.resourceNotes);
  put('qcLevel', extensions.qcLevel);
  put('resourceModifiedDate', dateText(distribution.resourceModified));
  put('metadataSourceOfData', distribution.metadataSourceOfData);
  return json;
}

/** data.gov.tw answers `"datasetId": 18420`; an id that is not a safe integer stays text. */
function datasetIdValue(datasetId: string | undefined): number | string | undefined {
  if (datasetId === undefined) return undefined;
  if (/^\d{1,15}$/.test(datasetId)) return Number(datasetId);
  return datasetId;
}

/**
 * The OGDL v1 in any of its spellings becomes code `"1"`; its URL is then implied, and a
 * licenseURL is written only when it says something else (a translation, a local copy). Any
 * other licence keeps its name and URL.
 */
function licenseValue(license: string | undefined, licenseURL: string | undefined): { license?: string; licenseURL?: string } {
  if (license === undefined) return licenseURL === undefined ? {} : { licenseURL };
  if (normaliseLicense(license)?.url !== OGDL_TAIWAN_V1.url) return licenseURL === undefined ? { license } : { license, licenseURL };
  const impliedUrl = licenseURL === undefined || licenseURL === '' || licenseURL === OGDL_TAIWAN_V1.url;
  return impliedUrl ? { license: OGDL_V1_CODE } : { license: OGDL_V1_CODE, licenseURL };
}

function dateText(value: string | undefined): string | undefined {
  return typeof value === 'string' ? toTaipeiText(value) : value;
}
