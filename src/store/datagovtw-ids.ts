/**
 * Finding datasets by data.gov.tw's numeric dataset id (gen-2 `datasetId`, the site's nid), for
 * `GET /api/v2/rest/dataset/{datasetId}`.
 *
 * Identity resolution already keeps every record's datasetId as an identity key (`record_keys`,
 * kind `datasetId`, in (kind, value) order), and each record names its dataset: the lookup is
 * two index searches, never a scan of the records.
 */
import type { Db } from './database.js';
import { identityKeys } from '../model/identity-keys.js';

/**
 * The identifiers of the datasets (in any state: live, withdrawn, absorbed) with a member record
 * carrying this data.gov.tw id, in identifier order. Empty when the text is not such an id.
 */
export function datasetsWithDataGovTwId(db: Db, datasetId: string): string[] {
  const key = dataGovTwIdKey(datasetId);
  if (key === undefined) return [];
  return db
    .prepare(
      `SELECT DISTINCT r.dataset_id FROM record_keys k
       JOIN source_records r ON r.source_id = k.source_id AND r.native_id = k.native_id
       WHERE k.kind = 'datasetId' AND k.value = ? AND r.dataset_id IS NOT NULL
       ORDER BY r.dataset_id`,
    )
    .pluck()
    .all(key) as string[];
}

/**
 * The key identity stores for this id (`0042` and `42` are one id). Asked of the identity module
 * itself, so the two can never disagree on the key's form.
 */
function dataGovTwIdKey(datasetId: string): string | undefined {
  return identityKeys({ identifier: '', title: '', extensions: { datasetId } }).find((key) => key.kind === 'datasetId')?.value;
}
