import type { ConnectorDefinition, Connector, HarvestContext, RecordPage, SourceFailure, RawRecord } from './connector.js';
import { SourceProtocolError } from './connector.js';
import type { SourceConfig } from '../src/config/types.js';
import { HttpError, MalformedBodyError } from '../src/harvest/http-client.js';
import { formatTaipeiDateTime } from '../src/model/dates.js';
import { mapConcurrent } from '../src/harvest/concurrency.js';

/**
 * 政府資料開放跨平臺介接規範 (cross-platform interface spec) v1, read side:
 *   GET {base}/api/v1/rest/dataset?modified=&limit=&offset=  → {"success":true,"result":[identifiers]}
 *   GET {base}/api/v1/rest/dataset/{identifier}              → {"success":true,"result":{gen-1 record}}
 * Incremental through `modified` (records whose metadata changed at or after it).
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

  constructor(
    private readonly sourceId: string,
    private readonly endpoint: string,
    private readonly options: CrossPlatformOptions,
  ) {
    this.incremental = options.incremental;
  }

  async *harvest(context: HarvestContext): AsyncIterable<RecordPage> {
    const seen = new Set<string>();
    const modified = this.incremental && context.since ? this.formatModified(context.since) : undefined;
    let previousPage: string[] | undefined;
    for (let offset = 0; ; offset += this.options.pageSize) {
      if (context.signal.aborted) return;
      const ids = await this.listPage(context, modified, offset);
      const failures: SourceFailure[] = [];

      if (previousPage && ids.length > 0 && sameIds(ids, previousPage)) {
        // The platform ignores `offset`: paging on would repeat this page forever.
        failures.push({
          stage: 'list',
          rule: 'paging-loop',
          message: `offset ${offset} returned the same identifiers as the previous page; the platform ignores offset, listing stopped`,
        });
        yield { records: [], failures };
        return;
      }
      const fresh = ids.filter((id) => {
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      if (fresh.length < ids.length) {
        context.log.warn({ source: this.sourceId, offset, repeated: ids.length - fresh.length }, 'listing repeated identifiers; each is harvested once');
      }
      if (seen.size > this.options.maxIdentifiers) {
        failures.push({ stage: 'list', rule: 'too-many-identifiers', message: `listing passed ${this.options.maxIdentifiers} identifiers; stopped` });
        yield { records: [], failures };
        return;
      }

      const results = await mapConcurrent(fresh, this.options.concurrency, (id) => this.fetchRecord(context, id));
      const records: RawRecord[] = [];
      for (const result of results) {
        if ('failure' in result) failures.push(result.failure);
        else records.push(result.record);
      }
      yield { records, failures };

      // A short page is the last; so is one longer than asked (the platform ignores limit and sent everything).
      if (ids.length < this.options.pageSize || ids.length > this.options.pageSize) return;
      previousPage = ids;
    }
  }

  private formatModified(sinceUtc: string): string {
    const local = formatTaipeiDateTime(sinceUtc);
    return this.options.modifiedFormat === 'taipei-local' ? local : `${local.replace(' ', 'T')}+08:00`;
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
      context.log.warn({ source: this.sourceId, offset, dropped: body.result.length - ids.length }, 'listing contained non-string or empty identifiers; skipped');
    }
    return ids;
  }

  private async fetchRecord(context: HarvestContext, id: string): Promise<{ record: RawRecord } | { failure: SourceFailure }> {
    const url = `${this.endpoint}/${encodeURIComponent(id)}`;
    try {
      const { response, json } = await context.http.getJson(url, { signal: context.signal, acceptStatuses: [404, 410] });
      if (response.status === 404 || response.status === 410) {
        return { failure: { nativeId: id, stage: 'fetch', rule: `http-${response.status}`, message: `listed but ${url} answered ${response.status}` } };
      }
      const body = json as { success?: unknown; result?: unknown; error?: unknown };
      if (!body || typeof body !== 'object' || body.success !== true || !body.result || typeof body.result !== 'object' || Array.isArray(body.result)) {
        return { failure: { nativeId: id, stage: 'parse', rule: 'not-a-record', message: `${url} did not answer {"success":true,"result":{...}}: ${describeBody(json)}` } };
      }
      return { record: { nativeId: id, payload: body.result } };
    } catch (err) {
      if (err instanceof MalformedBodyError) {
        return { failure: { nativeId: id, stage: 'parse', rule: 'malformed-json', message: `${url}: ${err.message}` } };
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

function describeBody(json: unknown): string {
  const text = JSON.stringify(json) ?? String(json);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
