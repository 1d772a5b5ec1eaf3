import { readdirSync } from 'node:fs';
import { TAIWAN_MAPPING_CONTEXT, type MappingContext } from '../src/mapping/context.js';
import { describeJson } from './describe-json.js';
import { idInUrl } from './id-in-url.js';
import type { Connector, ConnectorDefinition, HarvestContext, RawRecord, RecordPage, RecordValidators, SourceFailure } from './connector.js';
import type { SourceConfig } from '../src/config/types.js';
import { HttpError, MalformedBodyError } from '../src/http/http-client.js';
import { mapConcurrent } from '../src/http/concurrency.js';
import { inBatches, MAX_FETCH_BATCH } from './batches.js';
import { toUtcInstant } from '../src/model/dates.js';
import type { MappingResult } from '../src/model/record.js';
import { applyMapping } from '../src/mapping/declarative/apply.js';
import { MAPPING_DIRECTORY, MAPPING_NAME_PATTERN, loadNamedMapping, type CompiledMapping } from '../src/mapping/declarative/mapping-file.js';
import { evaluateOne } from '../src/mapping/declarative/path.js';
import { reach, scalarText } from '../src/mapping/declarative/values.js';
import { listItems, resolveUrl } from './mapped-json/listing.js';

/**
 * Any JSON catalogue API, read and mapped as a mapping file (mappings/city/<name>.json) says:
 * the list request and its paging, where the records are, an optional per-record detail
 * request, and how the record's fields map onto the national standard. City platforms with
 * their own APIs (data.taipei, the NTPC/Taoyuan vendor platform, Taichung) need no code, only
 * a file; see docs/connectors/mapped-json.md.
 */
interface MappedJsonOptions {
  /** The mapping file: its name in mappings/city, without `.json`. */
  mapping: string;
  /** Detail requests in flight at once. */
  concurrency: number;
  /** Skip the detail request of list items not modified since the last complete run (needs list.modifiedPath). */
  incremental: boolean;
  /** Override the mapping file's page size (page and offset paging). */
  pageSize?: number;
  /** Override the mapping file's cap on list requests. */
  maxPages?: number;
}

const DEFAULTS: Omit<MappedJsonOptions, 'mapping'> = { concurrency: 4, incremental: true };

/** The mapping files shipped, so a misspelt `options.mapping` stops start-up naming the field. */
function availableMappings(): string[] {
  try {
    return readdirSync(MAPPING_DIRECTORY)
      .filter((name) => name.endsWith('.json'))
      .map((name) => name.slice(0, -'.json'.length))
      .filter((name) => new RegExp(MAPPING_NAME_PATTERN).test(name))
      .sort();
  } catch {
    return [];
  }
}

export const mappedJsonConnector: ConnectorDefinition = {
  type: 'mapped-json',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['mapping'],
    properties: {
      mapping: { enum: availableMappings() },
      concurrency: { type: 'integer', minimum: 1, maximum: 32 },
      incremental: { type: 'boolean' },
      pageSize: { type: 'integer', minimum: 1, maximum: 100_000 },
      maxPages: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    },
  },
  create(source: SourceConfig): Connector {
    const options = { ...DEFAULTS, ...(source.options as Partial<MappedJsonOptions>) } as MappedJsonOptions;
    // A bad mapping file is reported when the run starts (creating a connector must not throw:
    // the run is already queued), as the ConfigError naming the file and field.
    let mapping: CompiledMapping | Error;
    try {
      mapping = withOverrides(loadNamedMapping(options.mapping), options);
    } catch (err) {
      mapping = err as Error;
    }
    return new MappedJsonConnector(source.id, source.url.replace(/\/+$/, ''), options, mapping);
  },
};

class MappedJsonConnector implements Connector {
  readonly recordFormat = 'tw-national' as const;
  readonly incremental: boolean;
  /** The list is the whole catalogue; any listing failure makes the run partial, which withdraws nothing. */
  readonly listsEverything = true;

  constructor(
    private readonly sourceId: string,
    private readonly base: string,
    private readonly options: MappedJsonOptions,
    private readonly mapping: CompiledMapping | Error,
  ) {
    this.incremental = !(mapping instanceof Error) && options.incremental && mapping.detail !== undefined && mapping.list.modifiedPath !== undefined;
  }

  map(payload: unknown, context: MappingContext = TAIWAN_MAPPING_CONTEXT): MappingResult {
    if (this.mapping instanceof Error) throw this.mapping;
    return applyMapping(this.mapping, payload, context);
  }

  async *harvest(context: HarvestContext): AsyncIterable<RecordPage> {
    if (this.mapping instanceof Error) throw this.mapping;
    const mapping = this.mapping;
    const listed = new Set<string>();
    let repeated = 0;
    for await (const step of listItems(context, this.sourceId, this.base, mapping)) {
      if (step.failure) {
        yield { records: [], unchanged: [], failures: [step.failure] };
        return;
      }
      // A list ignoring its page size comes whole: its items are read, fetched and committed in bounded batches.
      for (const items of inBatches(step.items, MAX_FETCH_BATCH)) {
        const page: RecordPage = { records: [], unchanged: [], failures: [] };
        const toFetch: Array<{ id: string; item: unknown }> = [];
        items.forEach((item, index) => {
          const id = this.nativeIdOf(mapping, item);
          if (id === undefined) {
            page.failures.push({
              nativeId: `#${listed.size + index}`,
              stage: 'parse',
              rule: 'no-identifier',
              message: `a list item has no id at ${mapping.list.idPath ? 'list.idPath' : 'fields.identifier'} of ${mapping.file}: ${describeJson(item, 120)}`,
            });
            return;
          }
          if (listed.has(id)) {
            repeated += 1;
            return;
          }
          listed.add(id);
          if (mapping.detail === undefined) page.records.push({ nativeId: id, payload: item });
          else toFetch.push({ id, item });
        });
        if (toFetch.length > 0) await this.fetchDetails(context, mapping, toFetch, page);
        yield page;
      }
    }
    if (repeated > 0) context.log.warn({ source: this.sourceId, repeated }, 'the list repeats record ids; each is harvested once');
  }

  private nativeIdOf(mapping: CompiledMapping, item: unknown): string | undefined {
    const value = mapping.list.idPath ? evaluateOne(item, mapping.list.idPath) : reach(item, mapping.fields.get('identifier')!)[0];
    const text = scalarText(value);
    return text === undefined || text === '' ? undefined : text;
  }

  private async fetchDetails(context: HarvestContext, mapping: CompiledMapping, items: Array<{ id: string; item: unknown }>, page: RecordPage): Promise<void> {
    const known = await context.known(items.map(({ id }) => id));
    const since = this.incremental && context.since ? Date.parse(context.since) : undefined;
    const fetch: string[] = [];
    for (const { id, item } of items) {
      if (since !== undefined && known.has(id) && notModifiedSince(mapping, item, since)) page.unchanged.push(id);
      else fetch.push(id);
    }
    const results = await mapConcurrent(fetch, this.options.concurrency, (id) => this.fetchDetail(context, mapping, id, known.get(id)));
    for (const result of results) {
      if ('failure' in result) page.failures.push(result.failure);
      else if ('notModified' in result) page.unchanged.push(result.notModified);
      else page.records.push(result.record);
    }
  }

  private async fetchDetail(
    context: HarvestContext,
    mapping: CompiledMapping,
    id: string,
    validators: RecordValidators | undefined,
  ): Promise<{ record: RawRecord } | { notModified: string } | { failure: SourceFailure }> {
    const detail = mapping.detail!;
    const url = resolveUrl(this.base, detail.url.replace('{id}', idInUrl(id)), detail.query);
    try {
      const { response, json } = await context.http.getJson(url, { signal: context.signal, acceptStatuses: [404, 410], validators });
      if (response.status === 304) return { notModified: id };
      if (response.status === 404 || response.status === 410) {
        return { failure: { nativeId: id, stage: 'fetch', rule: `http-${response.status}`, message: `listed but ${url} answered ${response.status}` } };
      }
      const record = evaluateOne(json, detail.recordPath);
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        return {
          failure: {
            nativeId: id,
            stage: 'parse',
            rule: 'not-a-record',
            message: `${url} has no record at detail.recordPath of ${mapping.file}: ${describeJson(json)}`,
          },
        };
      }
      return { record: { nativeId: id, payload: record, validators: response.validators } };
    } catch (err) {
      if (err instanceof MalformedBodyError) return { failure: { nativeId: id, stage: 'parse', rule: 'malformed-json', message: err.message } };
      if (err instanceof HttpError && err.kind !== 'cancelled') {
        return { failure: { nativeId: id, stage: 'fetch', rule: err.kind === 'status' ? `http-${err.status}` : err.kind, message: err.message } };
      }
      throw err;
    }
  }
}

/** The operator's paging overrides on top of the mapping file's. */
function withOverrides(mapping: CompiledMapping, options: MappedJsonOptions): CompiledMapping {
  const paging = mapping.list.paging;
  const pageSize = options.pageSize;
  return {
    ...mapping,
    list: {
      ...mapping.list,
      paging: pageSize !== undefined && (paging.style === 'page' || paging.style === 'offset') ? { ...paging, pageSize } : paging,
      maxPages: options.maxPages ?? mapping.list.maxPages,
    },
  };
}

/** A list item whose modification time is before `since`; an unreadable time counts as modified. */
function notModifiedSince(mapping: CompiledMapping, item: unknown, since: number): boolean {
  const value = scalarText(mapping.list.modifiedPath ? evaluateOne(item, mapping.list.modifiedPath) : undefined);
  const instant = value === undefined ? null : toUtcInstant(value);
  return instant !== null && Date.parse(instant) < since;
}
