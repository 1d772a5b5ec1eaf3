import type { Connector, ConnectorDefinition, HarvestContext, RawRecord, RecordPage, RecordValidators, SourceFailure } from './connector.js';
import { TAIWAN_MAPPING_CONTEXT, type MappingContext } from '../src/mapping/context.js';
import { describeJson } from './describe-json.js';
import { idInUrl } from './id-in-url.js';
import type { SourceConfig } from '../src/config/types.js';
import { HttpError, MalformedBodyError } from '../src/http/http-client.js';
import { mapConcurrent } from '../src/http/concurrency.js';
import type { MappingResult } from '../src/model/record.js';
import { EXPORT_ID_COLUMN } from '../src/mapping/datagovtw-export.js';
import { decodeBody, parseRows, type ExportEncoding, type ExportFormat } from './datagovtw/export-body.js';
import { readChangeRow, reportDates, taipeiToday, type ChangeKind } from './datagovtw/change-list.js';
import { mapDataGovTwPayload } from './datagovtw/map-payload.js';

/**
 * data.gov.tw (政府資料開放平臺), read through its public bulk APIs (docs/tw-standards.md §3):
 *
 * - full run: the whole-catalogue export `GET {url}/api/front/dataset/export?format=json|csv`,
 *   one row per published dataset (Chinese columns, parallel `;`-separated resource columns);
 * - incremental run: the daily change lists `GET {url}/api/front/dataset/changed/export?
 *   format=…&report_date=YYYY-MM-DD` for each day since `since`, then the gen-2 record of each
 *   changed dataset from `GET {url}/api/v2/rest/dataset/{datasetId}`; removals are `deleted`.
 *
 * The native id is data.gov.tw's dataset id (nid, 資料集識別碼 / datasetId).
 */
interface DataGovTwOptions {
  /** Format of the export and change lists. */
  exportFormat: ExportFormat;
  /** Text encoding of the export; `auto` reads UTF-8 and falls back to Big5. */
  encoding: ExportEncoding;
  /** Rows per page (one store transaction each). */
  pageSize: number;
  /** Use the change lists when a previous complete run exists. */
  incremental: boolean;
  /** More days since the last complete run than this: read the whole export instead. */
  maxChangeDays: number;
  /** Detail requests in flight at once. */
  concurrency: number;
  /** Stop after this many export rows: a guard against a runaway body. */
  maxRecords: number;
}

const DEFAULTS: DataGovTwOptions = {
  exportFormat: 'json',
  encoding: 'auto',
  pageSize: 500,
  incremental: true,
  maxChangeDays: 31,
  concurrency: 4,
  maxRecords: 500_000,
};

export const dataGovTwConnector: ConnectorDefinition = {
  type: 'datagovtw',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      exportFormat: { enum: ['json', 'csv'] },
      encoding: { enum: ['auto', 'utf-8', 'big5'] },
      pageSize: { type: 'integer', minimum: 1, maximum: 100_000 },
      incremental: { type: 'boolean' },
      maxChangeDays: { type: 'integer', minimum: 1, maximum: 366 },
      concurrency: { type: 'integer', minimum: 1, maximum: 32 },
      maxRecords: { type: 'integer', minimum: 1 },
    },
  },
  create(source: SourceConfig): Connector {
    const options = { ...DEFAULTS, ...(source.options as Partial<DataGovTwOptions>) };
    return new DataGovTwConnector(source.id, source.url.replace(/\/+$/, ''), options);
  },
};

class DataGovTwConnector implements Connector {
  readonly recordFormat = 'tw-national' as const;
  readonly incremental: boolean;
  /** Set once this run reads the whole export: only then does it list every dataset (see listsEverything). */
  private readsWholeCatalogue = false;

  constructor(
    private readonly sourceId: string,
    private readonly base: string,
    private readonly options: DataGovTwOptions,
  ) {
    this.incremental = options.incremental;
  }

  /**
   * A full run lists every published dataset (the export is the catalogue), so a dataset it does
   * not list is gone; an incremental run lists only the day's changes, so it must not withdraw
   * anything. The connector is created per run, and the run asks after harvesting.
   */
  get listsEverything(): boolean {
    return this.readsWholeCatalogue;
  }

  map(payload: unknown, context: MappingContext = TAIWAN_MAPPING_CONTEXT): MappingResult {
    return mapDataGovTwPayload(payload, context);
  }

  async *harvest(context: HarvestContext): AsyncIterable<RecordPage> {
    if (this.incremental && context.since) {
      const days = reportDates(context.since, Date.now(), this.options.maxChangeDays);
      if (!days.capped) {
        yield* this.harvestChanges(context, days.dates);
        return;
      }
      context.log.info(
        { source: this.sourceId, since: context.since, maxChangeDays: this.options.maxChangeDays },
        'last complete run is older than maxChangeDays: reading the whole export',
      );
    }
    yield* this.harvestExport(context);
  }

  // ── full run: the export ────────────────────────────────────────────────────────────────

  private async *harvestExport(context: HarvestContext): AsyncIterable<RecordPage> {
    this.readsWholeCatalogue = true;
    const url = `${this.base}/api/front/dataset/export?format=${this.options.exportFormat}`;
    const { rows, notRows } = await this.fetchRows(context, url);
    const failures: SourceFailure[] = notRows.map(({ index, value }) => ({
      nativeId: `#${index}`,
      stage: 'parse',
      rule: 'not-a-record',
      message: `entry ${index} of the export is not an object: ${describeJson(value, 100)}`,
    }));
    if (rows.length > this.options.maxRecords) {
      failures.push({
        stage: 'list',
        rule: 'too-many-records',
        message: `the export has ${rows.length} rows, over maxRecords (${this.options.maxRecords}); only the first ${this.options.maxRecords} were read`,
      });
    }

    const seen = new Set<string>();
    let repeated = 0;
    const usable = rows.slice(0, this.options.maxRecords);
    for (let start = 0; start < usable.length; start += this.options.pageSize) {
      if (context.signal.aborted) return;
      const page: RecordPage = { records: [], unchanged: [], failures: start === 0 ? failures : [] };
      usable.slice(start, start + this.options.pageSize).forEach((row, offset) => {
        const nativeId = datasetIdOf(row);
        if (nativeId === undefined) {
          page.failures.push({
            nativeId: `#${start + offset}`,
            stage: 'parse',
            rule: 'no-identifier',
            field: EXPORT_ID_COLUMN,
            message: `row ${start + offset + 1} of the export has no ${EXPORT_ID_COLUMN}`,
          });
        } else if (seen.has(nativeId)) {
          repeated += 1;
        } else {
          seen.add(nativeId);
          page.records.push({ nativeId, payload: row });
        }
      });
      yield page;
    }
    if (usable.length === 0 && failures.length > 0) yield { records: [], unchanged: [], failures };
    if (repeated > 0) context.log.warn({ source: this.sourceId, repeated }, 'the export repeats dataset ids; each is harvested once');
  }

  private async fetchRows(context: HarvestContext, url: string): Promise<ReturnType<typeof parseRows>> {
    const response = await context.http.get(url, {
      signal: context.signal,
      headers: { accept: this.options.exportFormat === 'json' ? 'application/json' : 'text/csv' },
    });
    const text = decodeBody(this.sourceId, url, response.bytes, this.options.encoding);
    return parseRows(this.sourceId, url, text, this.options.exportFormat, EXPORT_ID_COLUMN);
  }

  // ── incremental run: change lists + detail ───────────────────────────────────────────────

  private async *harvestChanges(context: HarvestContext, dates: string[]): AsyncIterable<RecordPage> {
    const latest = new Map<string, ChangeKind>();
    const failures: SourceFailure[] = [];
    const today = taipeiToday(Date.now());
    for (const date of dates) {
      if (context.signal.aborted) return;
      const url = `${this.base}/api/front/dataset/changed/export?format=${this.options.exportFormat}&report_date=${date}`;
      try {
        const response = await context.http.get(url, { signal: context.signal, acceptStatuses: [404] });
        if (response.status === 404) {
          // Today's list is published after the day ends; the next run, whose since is today, reads it.
          if (date !== today) failures.push({ stage: 'list', rule: 'http-404', message: `the change list for ${date} is missing (${url} answered 404)` });
          continue;
        }
        const text = decodeBody(this.sourceId, url, response.bytes, this.options.encoding);
        const { rows } = parseRows(this.sourceId, url, text, this.options.exportFormat, EXPORT_ID_COLUMN);
        for (const row of rows) {
          const change = readChangeRow(row);
          // Later lists win: a dataset removed and then published again is a change.
          if (change !== null) {
            latest.delete(change.datasetId);
            latest.set(change.datasetId, change.kind);
          }
        }
      } catch (err) {
        if (err instanceof HttpError && err.kind === 'cancelled') throw err;
        if (err instanceof HttpError || err instanceof MalformedBodyError) {
          // One day's list lost makes the run partial: the next run asks again from the last complete one.
          failures.push({
            stage: 'list',
            rule: err instanceof HttpError ? (err.kind === 'status' ? `http-${err.status}` : err.kind) : 'malformed-json',
            message: `change list for ${date}: ${err.message}`,
          });
          continue;
        }
        throw err;
      }
    }

    const deleted = [...latest].filter(([, kind]) => kind === 'deleted').map(([id]) => id);
    const changed = [...latest].filter(([, kind]) => kind === 'changed').map(([id]) => id);
    yield { records: [], unchanged: [], deleted, failures };
    for (let start = 0; start < changed.length; start += this.options.pageSize) {
      if (context.signal.aborted) return;
      yield await this.fetchDetails(context, changed.slice(start, start + this.options.pageSize));
    }
  }

  private async fetchDetails(context: HarvestContext, ids: string[]): Promise<RecordPage> {
    const known = await context.known(ids);
    const results = await mapConcurrent(ids, this.options.concurrency, (id) => this.fetchDetail(context, id, known.get(id)));
    const page: RecordPage = { records: [], unchanged: [], failures: [] };
    for (const result of results) {
      if ('failure' in result) page.failures.push(result.failure);
      else if ('notModified' in result) page.unchanged.push(result.notModified);
      else page.records.push(result.record);
    }
    return page;
  }

  private async fetchDetail(
    context: HarvestContext,
    id: string,
    validators: RecordValidators | undefined,
  ): Promise<{ record: RawRecord } | { notModified: string } | { failure: SourceFailure }> {
    const url = `${this.base}/api/v2/rest/dataset/${idInUrl(id)}`;
    try {
      const { response, json } = await context.http.getJson(url, { signal: context.signal, acceptStatuses: [404, 410], validators });
      if (response.status === 304) return { notModified: id };
      if (response.status === 404 || response.status === 410) {
        return {
          failure: {
            nativeId: id,
            stage: 'fetch',
            rule: `http-${response.status}`,
            message: `the change list names ${id} but ${url} answered ${response.status}`,
          },
        };
      }
      const body = json as { success?: unknown; result?: unknown } | null;
      if (!body || typeof body !== 'object' || body.success !== true || !body.result || typeof body.result !== 'object' || Array.isArray(body.result)) {
        return {
          failure: {
            nativeId: id,
            stage: 'parse',
            rule: 'not-a-record',
            message: `${url} did not answer {"success":true,"result":{...}}: ${describeJson(json)}`,
          },
        };
      }
      const result = body.result as Record<string, unknown>;
      // The id asked for stands in when the record does not repeat it: it is what identifies the record.
      const payload = result['datasetId'] === undefined && result['datasetid'] === undefined ? { ...result, datasetId: id } : result;
      return { record: { nativeId: id, payload, validators: response.validators } };
    } catch (err) {
      if (err instanceof MalformedBodyError) return { failure: { nativeId: id, stage: 'parse', rule: 'malformed-json', message: err.message } };
      if (err instanceof HttpError && err.kind !== 'cancelled') {
        return { failure: { nativeId: id, stage: 'fetch', rule: err.kind === 'status' ? `http-${err.status}` : err.kind, message: err.message } };
      }
      throw err;
    }
  }
}

/** 資料集識別碼 of an export row, as text (JSON exports may send it as a number). */
function datasetIdOf(row: Record<string, unknown>): string | undefined {
  const key = Object.keys(row).find((name) => name.trim() === EXPORT_ID_COLUMN);
  const value = key === undefined ? undefined : row[key];
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}
