/**
 * Keywords (標籤 / 關鍵字) of the live catalogue, for the 2015 data-access spec's `/rest/tag`
 * endpoints. searchDatasets filters by full text, publisher, category, format and licence, not
 * by exact keyword, and lists no keywords, so these two reads go to the `datasets` view
 * directly.
 *
 * SQLite walks each record's `keyword` array (json_each) in C: nothing is parsed in JavaScript,
 * and memory is the answer (plus SQLite's own temporary B-tree for DISTINCT, which spills to disk),
 * never the catalogue, whatever its size.
 *
 * Keywords are compared exactly as stored (the mappers trim them): `公車` and `公車 ` are one
 * keyword, `OpenData` and `opendata` two, as CKAN tags are.
 */
import type { Db } from './database.js';

export interface KeywordPage {
  limit?: number | undefined;
  offset?: number | undefined;
}

/** Distinct keywords of live datasets in code-point order (SQLite's BINARY collation on UTF-8). */
export function listKeywords(db: Db, page: KeywordPage = {}): string[] {
  // LIMIT -1 is SQLite's "no limit".
  return db
    .prepare(
      `SELECT DISTINCT k.value FROM datasets d, json_each(d.record, '$.keyword') k
       WHERE d.withdrawn_at IS NULL AND k.type = 'text' AND k.value <> ''
       ORDER BY k.value LIMIT ? OFFSET ?`,
    )
    .pluck()
    .all(page.limit ?? -1, page.offset ?? 0) as string[];
}

/** Identifiers of live datasets having exactly this keyword, in identifier order. */
export function identifiersWithKeyword(db: Db, keyword: string, page: KeywordPage = {}): string[] {
  return db
    .prepare(
      `SELECT d.identifier FROM datasets d
       WHERE d.withdrawn_at IS NULL
         AND EXISTS (SELECT 1 FROM json_each(d.record, '$.keyword') k WHERE k.type = 'text' AND k.value = ?)
       ORDER BY d.identifier LIMIT ? OFFSET ?`,
    )
    .pluck()
    .all(keyword, page.limit ?? -1, page.offset ?? 0) as string[];
}
