import type { ConnectorDefinition, Connector, HarvestContext, RecordPage, RecordValidators, SourceFailure, RawRecord } from './connector.js';
import { describeJson as describeBody } from './describe-json.js';
import { idInUrl } from './id-in-url.js';
import { SourceProtocolError } from './connector.js';
import type { SourceConfig } from '../src/config/types.js';
import { HttpError, MalformedBodyError } from '../src/http/http-client.js';
import { formatTaipeiDateTime } from '../src/model/dates.js';
import { mapConcurrent } from '../src/http/concurrency.js';
import { fetchBatchSize, inBatches } from './batches.js';

/**
 * 政府資料開放跨平臺介接規範 (cross-platform interface spec) v1, read side:
 *   GET {base}/api/v1/rest/dataset?modified=&limit=&offset=  → {"success":true,"result":[identifiers]}
 *   GET {base}/api/v1/rest/dataset/{identifier}              → {"success":true,"result":{gen-1 record}}
 * Incremental through `modified` (records whose metadata changed at or after it) and through
 * conditional requests (ETag / Last-Modified) on record URLs.
 */
interface CrossPlatformOptions {
  /** Identifiers asked per list request (the spec's `limit`). */
  pageSize: number;
  /** Record requests in flight at once. */
  concurrency: number;
  /** Send `modified` when a previous complete run exists. */
  incremental: boolean;
  /**
   * How `modified` is written: the spec says RFC 3339; data.gov.tw's crawlers were seen
   * sending local time `2018-10-18 11:30:00`, which some platforms expect.
   */
  modifiedFormat: 'rfc3339' | 'taipei-local';
  /** Stop listing after this many identifiers: a guard against endless paging. */
  maxIdentifiers: number;
}

const DEFAULTS: CrossPlatformOptions = {
  pageSize: 1000,
  concurrency: 4,
  incremental: true,
  modifiedFormat: 'rfc3339',
  maxIdentifiers: 2_000_000,
};

export const crossPlatformConnector: ConnectorDefinition = {
  type: 'crossplatform',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      pageSize: { type: 'integer', minimum: 1, maximum: 100_000 },
      concurrency: { type: 'integer', minimum: 1, maximum: 32 },
      incremental: { type: 'boolean' },
      modifiedFormat: { enum: ['rfc3339', 'taipei-local'] },
      maxIdentifiers: { type: 'integer', minimum: 1 },
    },
  },
  create(source: SourceConfig): Connector {
    const options = { ...DEFAULTS, ...(source.options as Partial<CrossPlatformOptions>) };
    return new CrossPlatformConnector(source.id, datasetEndpoint(source.url), options);
  },
};

/** The dataset endpoint under a platform's base URL; tolerate a base that already ends in /api/v1. */
export function datasetEndpoint(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  if (/\/api\/v1\/rest\/dataset$/.test(trimmed)) return trimmed;
  if (/\/api\/v1$/.test(trimmed)) return `${trimmed}/rest/dataset`;
  return `${trimmed}/api/v1/rest/dataset`;
}

class CrossPlatformConnector implements Connector {
  readonly recordFormat = 'tw-national' as const;
  readonly incremental: boolean;
  readonly listsEverything = true;

  constructor(
    private readonly sourceId: string,
    private readonly endpoint: string,
    private readonly options: CrossPlatformOptions,
  ) {
    this.incremental = options.incremental;
  }

  /**
   * Every run lists every identifier (ids are cheap; the list is how deletions are seen). An
   * incremental run first asks which identifiers changed since `since`, then fetches only those
   * and the ones it has never stored; a full run fetches all, conditionally where it holds
   * validators, so a 304 costs no parsing and no writing.
   */
  async *harvest(context: HarvestContext): AsyncIterable<RecordPage> {
    let changed: Set<string> | undefined;
    if (this.incremental && context.since) {
      changed = new Set();
      for await (const listing of this.listIdentifiers(context, this.formatModified(context.since))) {
        if (listing.failure) {
          yield { records: [], unchanged: [], failures: [listing.failure] };
          return;
        }
        for (const id of listing.ids) changed.add(id);
      }
    }

    const listed = new Set<string>();
    for await (const listing of this.listIdentifiers(context, undefined)) {
      if (listing.failure) {
        yield { records: [], unchanged: [], failures: [listing.failure] };
        return;
      }
      const fresh: string[] = [];
      for (const id of listing.ids) {
        if (listed.has(id)) continue;
        listed.add(id);
        fresh.push(id);
      }
      if (fresh.length < listing.ids.length) {
        context.log.warn({ source: this.sourceId, repeated: listing.ids.length - fresh.length }, 'listing repeated identifiers; each is harvested once');
      }
      if (listed.size > this.options.maxIdentifiers) {
        yield {
          records: [],
          unchanged: [],
          failures: [{ stage: 'list', rule: 'too-many-identifiers', message: `listing passed ${this.options.maxIdentifiers} identifiers; stopped` }],
        };
        return;
      }
      // A platform ignoring `limit` sends everything as one page: fetched and committed in bounded batches all the same.
      for (const batch of inBatches(fresh, fetchBatchSize(this.options.pageSize))) {
        if (context.signal.aborted) return;
        yield await this.fetchPage(context, batch, changed);
      }
    }

    // Listed as changed but not in the full list (it changed between the two listings): fetch it anyway.
    const stragglers = changed ? [...changed].filter((id) => !listed.has(id)) : [];
    for (const batch of inBatches(stragglers, fetchBatchSize(this.options.pageSize))) yield await this.fetchPage(context, batch, undefined);
  }

  /** Fetch what must be fetched of one page of identifiers; the rest are unchanged. */
  private async fetchPage(context: HarvestContext, ids: string[], changed: Set<string> | undefined): Promise<RecordPage> {
    const known = await context.known(ids);
    const toFetch = changed ? ids.filter((id) => changed.has(id) || !known.has(id)) : ids;
    const unchanged = changed ? ids.filter((id) => !changed.has(id) && known.has(id)) : [];
    const results = await mapConcurrent(toFetch, this.options.concurrency, (id) => this.fetchRecord(context, id, known.get(id)));
    const page: RecordPage = { records: [], unchanged, failures: [] };
    for (const result of results) {
      if ('failure' in result) page.failures.push(result.failure);
      else if ('notModified' in result) page.unchanged.push(result.notModified);
      else page.records.push(result.record);
    }
    return page;
  }

  private formatModified(sinceUtc: string): string {
    const local = formatTaipeiDateTime(sinceUtc);
    return this.options.modifiedFormat === 'taipei-local' ? local : `${local.replace(' ', 'T')}+08:00`;
  }

  /**
   * Page through the identifier list with the paging guards: a page that repeats the previous
   * one (the platform ignores offset) ends the listing with a failure; a short page, or one longer
   * than asked (the platform ignores limit and sent everything), is the last.
   */
  private async *listIdentifiers(
    context: HarvestContext,
    modified: string | undefined,
  ): AsyncIterable<{ ids: string[]; failure?: undefined } | { ids?: undefined; failure: SourceFailure }> {
    let previous: string[] | undefined;
    for (let offset = 0; ; offset += this.options.pageSize) {
      if (context.signal.aborted) return;
      const ids = await this.listPage(context, modified, offset);
      if (previous && ids.length > 0 && sameIds(ids, previous)) {
        yield {
          failure: {
            stage: 'list',
            rule: 'paging-loop',
            message: `offset ${offset} returned the same identifiers as the previous page; the platform ignores offset, listing stopped`,
          },
        };
        return;
      }
      yield { ids };
      if (ids.length !== this.options.pageSize) return;
      previous = ids;
    }
  }

  private async listPage(context: HarvestContext, modified: string | undefined, offset: number): Promise<string[]> {
    const url = new URL(this.endpoint);
    if (modified) url.searchParams.set('modified', modified);
    url.searchParams.set('limit', String(this.options.pageSize));
    url.searchParams.set('offset', String(offset));
    const { json } = await context.http.getJson(url.toString(), { signal: context.signal });
    const body = json as { success?: unknown; result?: unknown; error?: unknown };
    if (!body || typeof body !== 'object' || body.success !== true || !Array.isArray(body.result)) {
      throw new SourceProtocolError(this.sourceId, `dataset list at ${url} is not {"success":true,"result":[...]}: ${describeBody(json)}`);
    }
    const ids = body.result.filter((id): id is string => typeof id === 'string' && id.trim() !== '').map((id) => id.trim());
    if (ids.length !== body.result.length) {
      context.log.warn(
        { source: this.sourceId, offset, dropped: body.result.length - ids.length },
        'listing contained non-string or empty identifiers; skipped',
      );
    }
    return ids;
  }

  private async fetchRecord(
    context: HarvestContext,
    id: string,
    validators: RecordValidators | undefined,
  ): Promise<{ record: RawRecord } | { notModified: string } | { failure: SourceFailure }> {
    const url = `${this.endpoint}/${idInUrl(id)}`;
    try {
      const { response, json } = await context.http.getJson(url, { signal: context.signal, acceptStatuses: [404, 410], validators });
      if (response.status === 304) return { notModified: id };
      if (response.status === 404 || response.status === 410) {
        return { failure: { nativeId: id, stage: 'fetch', rule: `http-${response.status}`, message: `listed but ${url} answered ${response.status}` } };
      }
      const body = json as { success?: unknown; result?: unknown; error?: unknown };
      if (!body || typeof body !== 'object' || body.success !== true || !body.result || typeof body.result !== 'object' || Array.isArray(body.result)) {
        return {
          failure: {
            nativeId: id,
            stage: 'parse',
            rule: 'not-a-record',
            message: `${url} did not answer {"success":true,"result":{...}}: ${describeBody(json)}`,
          },
        };
      }
      return { record: { nativeId: id, payload: body.result, validators: response.validators } };
    } catch (err) {
      if (err instanceof MalformedBodyError) {
        return { failure: { nativeId: id, stage: 'parse', rule: 'malformed-json', message: err.message } };
      }
      if (err instanceof HttpError && err.kind !== 'cancelled') {
        const rule = err.kind === 'status' ? `http-${err.status}` : err.kind;
        return { failure: { nativeId: id, stage: 'fetch', rule, message: err.message } };
      }
      throw err;
    }
  }
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
