/**
 * The live datasets of one catalogue page, for a renderer that keeps what it rendered per
 * dataset (src/api/dataset-fragment-cache.ts). One snapshot (a read transaction) gives, for each
 * identifier still served, a stamp naming what is served for it, and the served record of those
 * the caller has no rendering of for that stamp. A record is only read and parsed when needed.
 *
 * The stamp changes whenever the served record may have: it joins the dataset's content hash
 * and update time (identity resolution moves both when what it serves changes) with the content
 * hash of the member record the `datasets` view reads a one-record dataset from, which a
 * harvest rewrites with the payload, before resolution runs. A stamp that moves without the
 * record changing (a merged dataset's best member re-harvested) only costs a render.
 */
import type { Db } from './database.js';
import type { NationalRecord } from '../model/record.js';
import { parseStoredJson } from './stored-json.js';

/** A dataset of the page: with the caller's rendering when it had one for the stamp, else with its record. */
export type CataloguePageEntry<T> =
  { identifier: string; stamp: string; rendered: T; record?: undefined } | { identifier: string; stamp: string; rendered?: undefined; record: NationalRecord };

export class CataloguePageReader {
  private readonly stamps;
  private readonly records;
  private readonly snapshot;

  constructor(db: Db) {
    // Withdrawn and absorbed datasets are left out: one withdrawn since the search (another
    // process harvesting) is simply not on the page.
    this.stamps = db
      .prepare<[string], [string, string]>(
        `SELECT d.identifier, COALESCE(d.content_hash, '') || '/' || COALESCE(r.content_hash, '') || '/' || d.updated_at
         FROM dataset_entries d LEFT JOIN source_records r ON r.source_id = d.source_id AND r.native_id = d.native_id
         WHERE d.identifier IN (SELECT value FROM json_each(?)) AND d.withdrawn_at IS NULL AND d.merged_into IS NULL`,
      )
      .raw();
    this.records = db
      .prepare<[string], [string, string]>(
        'SELECT identifier, record FROM datasets WHERE identifier IN (SELECT value FROM json_each(?)) AND record IS NOT NULL',
      )
      .raw();
    this.snapshot = db.transaction(<T>(identifiers: readonly string[], renderedFor: (identifier: string, stamp: string) => T | undefined) =>
      this.readNow(identifiers, renderedFor),
    );
  }

  /**
   * The page's live datasets in the order of `identifiers`. `renderedFor` answers the caller's
   * rendering of a dataset for a stamp, if it has one; the others come with their records. A
   * dataset with no record to serve is left out, like one withdrawn.
   */
  read<T>(identifiers: readonly string[], renderedFor: (identifier: string, stamp: string) => T | undefined): Array<CataloguePageEntry<T>> {
    if (identifiers.length === 0) return [];
    return this.snapshot(identifiers, renderedFor) as Array<CataloguePageEntry<T>>;
  }

  private readNow<T>(identifiers: readonly string[], renderedFor: (identifier: string, stamp: string) => T | undefined): Array<CataloguePageEntry<T>> {
    const stampOf = new Map(this.stamps.all(JSON.stringify(identifiers)));
    const rendered = new Map<string, T>();
    const missing: string[] = [];
    for (const identifier of identifiers) {
      const stamp = stampOf.get(identifier);
      if (stamp === undefined) continue;
      const known = renderedFor(identifier, stamp);
      if (known === undefined) missing.push(identifier);
      else rendered.set(identifier, known);
    }
    const recordOf = new Map<string, NationalRecord>();
    if (missing.length > 0) {
      for (const [identifier, json] of this.records.all(JSON.stringify(missing))) recordOf.set(identifier, parseStoredJson(json) as NationalRecord);
    }
    const entries: Array<CataloguePageEntry<T>> = [];
    for (const identifier of identifiers) {
      const stamp = stampOf.get(identifier);
      if (stamp === undefined) continue;
      const known = rendered.get(identifier);
      if (known !== undefined) {
        entries.push({ identifier, stamp, rendered: known });
        continue;
      }
      const record = recordOf.get(identifier);
      if (record !== undefined) entries.push({ identifier, stamp, record });
    }
    return entries;
  }
}
