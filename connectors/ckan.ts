import type { Connector, ConnectorDefinition, HarvestContext, RawRecord, RecordPage, SourceFailure } from './connector.js';
import { FOREIGN_MAPPING_CONTEXT, type MappingContext } from '../src/mapping/context.js';
import { describeJson as describe } from './describe-json.js';
import { idInUrl } from './id-in-url.js';
import { SourceProtocolError } from './connector.js';
import type { SourceConfig } from '../src/config/types.js';
import { HttpError, MalformedBodyError } from '../src/http/http-client.js';
import { mapConcurrent } from '../src/http/concurrency.js';
import { fetchBatchSize, inBatches } from './batches.js';
import { mapCkanPackage } from '../src/mapping/ckan.js';

/**
 * CKAN Action API (2.8–2.11), read side:
 *   GET {site}/api/3/action/package_search?q=*:*&fq=…&sort=metadata_modified asc,id asc&rows=&start=
 *     → {"success":true,"result":{"count":N,"results":[package, …]}}
 *   GET {site}/api/3/action/package_show?id=…  (only for packages an id listing names and we lack)
 *
 * A full run pages package_search over everything, so it lists every public dataset. An
 * incremental run asks package_search only for `metadata_modified:[since TO *]`, then lists all
 * ids (package_search with `fl=id`, cheap on 2.9+; 2.8 ignores `fl` and sends whole packages,
 * which is still correct) and reports the rest as unchanged — so it lists everything too, and
 * datasets removed from the site are withdrawn after the grace period either way. package_list
 * is not used for that listing: it names packages by `name`, which changes on a rename, while
 * records are keyed by the immutable `id`.
 *
 * Paging is rows/start over a stable sort, with guards: a page repeating the previous page's ids
 * (a site ignoring `start`) ends the listing with a failure, a hard cap stops endless listings,
 * and fewer distinct ids than the `count` of the first page (a dataset shifted past the cursor
 * while paging) is a failure, so such a run withdraws nothing. Results without an id count
 * toward `count`: each is its own failure (not-a-package), not a sign the catalogue changed.
 */
interface CkanOptions {
  /** Packages asked per package_search page (CKAN caps rows at ckan.search.rows_max, 1000 by default). */
  pageSize: number;
  /** Ids asked per page of the id listing of incremental runs. */
  idPageSize: number;
  /** Ask only for packages modified since the last complete run. */
  incremental: boolean;
  /** In incremental runs, also list every id so that the run lists everything (and can withdraw). */
  listAllOnIncremental: boolean;
  /** A Solr filter added to every query, e.g. `organization:moda`: the source is that part of the site. */
  filter?: string;
  /** Stop listing after this many packages: a guard against endless paging. */
  maxDatasets: number;
  /** package_show requests in flight at once. */
  concurrency: number;
}

const DEFAULTS: CkanOptions = {
  pageSize: 100,
  idPageSize: 1000,
  incremental: true,
  listAllOnIncremental: true,
  maxDatasets: 1_000_000,
  concurrency: 4,
};

export const ckanConnector: ConnectorDefinition = {
  type: 'ckan',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      pageSize: { type: 'integer', minimum: 1, maximum: 1000 },
      idPageSize: { type: 'integer', minimum: 1, maximum: 1000 },
      incremental: { type: 'boolean' },
      listAllOnIncremental: { type: 'boolean' },
      filter: { type: 'string', minLength: 1 },
      maxDatasets: { type: 'integer', minimum: 1 },
      concurrency: { type: 'integer', minimum: 1, maximum: 32 },
    },
  },
  create(source: SourceConfig): Connector {
    const options = { ...DEFAULTS, ...(source.options as Partial<CkanOptions>) };
    return new CkanConnector(source.id, actionEndpoint(source.url), options);
  },
};

/** The Action API base under a site URL; tolerate a URL that already ends in /api/3 or /api/3/action. */
export function actionEndpoint(siteUrl: string): string {
  const trimmed = siteUrl.replace(/\/+$/, '');
  if (/\/api\/3\/action$/.test(trimmed)) return trimmed;
  if (/\/api\/3$/.test(trimmed)) return `${trimmed}/action`;
  return `${trimmed}/api/3/action`;
}

/** Oldest change first, id to break ties: the order stays put while new changes arrive at the end. */
const STABLE_SORT = 'metadata_modified asc,id asc';

interface SearchPage {
  count: number;
  results: unknown[];
}

type Listing = { packages: unknown[]; failure?: undefined } | { packages?: undefined; failure: SourceFailure };

class CkanConnector implements Connector {
  readonly recordFormat = 'tw-national' as const;
  readonly mappingDefaults = FOREIGN_MAPPING_CONTEXT;
  readonly incremental: boolean;
  private listedEverything: boolean;

  constructor(
    private readonly sourceId: string,
    private readonly endpoint: string,
    private readonly options: CkanOptions,
  ) {
    this.incremental = options.incremental;
    this.listedEverything = !options.incremental || options.listAllOnIncremental;
  }

  /**
   * Honest for the run this connector serves (one connector per run): a full run lists every
   * package; an incremental one only when it also pages the id listing.
   */
  get listsEverything(): boolean {
    return this.listedEverything;
  }

  map(payload: unknown, context: MappingContext = FOREIGN_MAPPING_CONTEXT) {
    return mapCkanPackage(payload, context);
  }

  async *harvest(context: HarvestContext): AsyncIterable<RecordPage> {
    const since = this.incremental ? context.since : null;
    this.listedEverything = since === null || this.options.listAllOnIncremental;

    const changed = new Set<string>();
    const fq = since === null ? undefined : `metadata_modified:[${since} TO *]`;
    for await (const listing of this.search(context, { fq, rows: this.options.pageSize })) {
      if (listing.failure) {
        yield { records: [], unchanged: [], failures: [listing.failure] };
        return;
      }
      yield this.packagesPage(context, listing.packages, changed);
    }
    if (since === null || !this.options.listAllOnIncremental) return;

    // Incremental: list every id; those not changed are unchanged, those we never stored are fetched.
    for await (const listing of this.search(context, { rows: this.options.idPageSize, fl: 'id' })) {
      if (listing.failure) {
        yield { records: [], unchanged: [], failures: [listing.failure] };
        return;
      }
      // A site ignoring `rows` sends every id at once: the packages to fetch are fetched and committed in bounded batches.
      for (const batch of inBatches(listing.packages, fetchBatchSize(this.options.idPageSize))) yield await this.idListingPage(context, batch, changed);
    }
  }

  /** Packages of one search page → records, deletions (not active, or private) and failures. */
  private packagesPage(context: HarvestContext, packages: unknown[], seen: Set<string>): RecordPage {
    const page: RecordPage = { records: [], unchanged: [], deleted: [], failures: [] };
    for (const pkg of packages) {
      const id = packageId(pkg);
      if (id === null) {
        page.failures.push({ stage: 'parse', rule: 'not-a-package', message: `a package_search result has no id: ${describe(pkg)}` });
        continue;
      }
      if (seen.has(id)) continue;
      seen.add(id);
      const p = pkg as Record<string, unknown>;
      if (isWithdrawnPackage(p)) page.deleted!.push(id);
      else page.records.push({ nativeId: id, payload: pkg });
    }
    if (page.deleted!.length > 0)
      context.log.info({ source: this.sourceId, deleted: page.deleted!.length }, 'packages no longer public (deleted, draft or private)');
    return page;
  }

  private async idListingPage(context: HarvestContext, packages: unknown[], changed: Set<string>): Promise<RecordPage> {
    const page: RecordPage = { records: [], unchanged: [], deleted: [], failures: [] };
    const ids: string[] = [];
    const fullPackages = new Map<string, Record<string, unknown>>();
    for (const pkg of packages) {
      const id = packageId(pkg);
      if (id === null) {
        page.failures.push({ stage: 'parse', rule: 'not-a-package', message: `an id listing result has no id: ${describe(pkg)}` });
        continue;
      }
      if (changed.has(id)) continue;
      changed.add(id);
      const p = pkg as Record<string, unknown>;
      // CKAN 2.8 ignores `fl` and sends whole packages: use them instead of asking again.
      if (typeof p['title'] === 'string' || Array.isArray(p['resources'])) fullPackages.set(id, p);
      ids.push(id);
    }
    const known = await context.known(ids);
    const missing: string[] = [];
    for (const id of ids) {
      const full = fullPackages.get(id);
      if (full && isWithdrawnPackage(full)) page.deleted!.push(id);
      else if (known.has(id)) page.unchanged.push(id);
      else if (full) page.records.push({ nativeId: id, payload: full });
      else missing.push(id);
    }
    const fetched = await mapConcurrent(missing, this.options.concurrency, (id) => this.showPackage(context, id));
    for (const result of fetched) {
      if ('failure' in result) page.failures.push(result.failure);
      else if ('deleted' in result) page.deleted!.push(result.deleted);
      else page.records.push(result.record);
    }
    return page;
  }

  /** One package by id, for an id the listing names and the store lacks. */
  private async showPackage(context: HarvestContext, id: string): Promise<{ record: RawRecord } | { deleted: string } | { failure: SourceFailure }> {
    const url = `${this.endpoint}/package_show?id=${idInUrl(id)}`;
    try {
      const { response, json } = await this.getJson(context, url, [403, 404]);
      if (response.status === 403 || response.status === 404) {
        return { failure: { nativeId: id, stage: 'fetch', rule: `http-${response.status}`, message: `listed but ${url} answered ${response.status}` } };
      }
      const body = json as { success?: unknown; result?: unknown };
      if (!isObject(body) || body.success !== true || !isObject(body.result) || packageId(body.result) !== id) {
        return {
          failure: {
            nativeId: id,
            stage: 'parse',
            rule: 'not-a-package',
            message: `${url} did not answer {"success":true,"result":{package}}: ${describe(json)}`,
          },
        };
      }
      if (isWithdrawnPackage(body.result)) return { deleted: id };
      return { record: { nativeId: id, payload: body.result } };
    } catch (err) {
      if (err instanceof MalformedBodyError || err instanceof SourceProtocolError) {
        return { failure: { nativeId: id, stage: 'parse', rule: 'malformed-json', message: err.message } };
      }
      if (err instanceof HttpError && err.kind !== 'cancelled') {
        return { failure: { nativeId: id, stage: 'fetch', rule: err.kind === 'status' ? `http-${err.status}` : err.kind, message: err.message } };
      }
      throw err;
    }
  }

  /**
   * Page through package_search with the paging guards. `start` advances by what each page
   * returned, so a site capping rows below pageSize is still read whole.
   */
  private async *search(context: HarvestContext, query: { fq?: string | undefined; rows: number; fl?: string }): AsyncIterable<Listing> {
    const ids = new Set<string>();
    let previous: string[] | undefined;
    let expected: number | undefined;
    // Results without an id are failures of their page (not-a-package): they are part of the count.
    let withoutId = 0;
    for (let start = 0; ;) {
      if (context.signal.aborted) return;
      const page = await this.searchPage(context, query, start);
      expected ??= page.count;
      const pageIds = page.results.map(packageId).filter((id): id is string => id !== null);
      withoutId += page.results.length - pageIds.length;
      if (previous && pageIds.length > 0 && sameIds(pageIds, previous)) {
        yield {
          failure: {
            stage: 'list',
            rule: 'paging-loop',
            message: `start=${start} returned the same packages as the previous page; the site ignores start, listing stopped`,
          },
        };
        return;
      }
      for (const id of pageIds) ids.add(id);
      if (ids.size > this.options.maxDatasets) {
        yield { failure: { stage: 'list', rule: 'too-many-datasets', message: `listing passed ${this.options.maxDatasets} packages (maxDatasets); stopped` } };
        return;
      }
      if (page.results.length > 0) yield { packages: page.results };
      start += page.results.length;
      if (page.results.length === 0 || start >= page.count) break;
      previous = pageIds;
    }
    // The difference the id-less results explain is already reported, each as not-a-package;
    // only what they do not explain is the catalogue changing while it was read.
    const unaccounted = expected - ids.size - withoutId;
    if (unaccounted > 0) {
      const idless = withoutId > 0 ? `; ${withoutId} result${withoutId === 1 ? '' : 's'} without an id (reported as not-a-package)` : '';
      yield {
        failure: {
          stage: 'list',
          rule: 'count-mismatch',
          message: `package_search at ${this.endpoint} counted ${expected} packages but paging returned ${ids.size} distinct ids${idless}; ${unaccounted} package${unaccounted === 1 ? '' : 's'} unaccounted for (the catalogue changed while it was read, or the site's sort is not stable); this run withdraws nothing`,
        },
      };
    }
  }

  private async searchPage(context: HarvestContext, query: { fq?: string | undefined; rows: number; fl?: string }, start: number): Promise<SearchPage> {
    const url = new URL(`${this.endpoint}/package_search`);
    url.searchParams.set('q', '*:*');
    const filters = [this.options.filter, query.fq].filter((f): f is string => f !== undefined);
    if (filters.length > 0) url.searchParams.set('fq', filters.map((f) => `(${f})`).join(' AND '));
    url.searchParams.set('sort', STABLE_SORT);
    url.searchParams.set('rows', String(query.rows));
    url.searchParams.set('start', String(start));
    if (query.fl) url.searchParams.set('fl', query.fl);
    const { json } = await this.getJson(context, url.toString());
    const body = json as { success?: unknown; result?: unknown; error?: unknown };
    if (isObject(body) && body.success === false) {
      throw new SourceProtocolError(this.sourceId, `package_search at ${url} answered success:false: ${describe(body.error)}`);
    }
    const result = isObject(body) && body.success === true ? body.result : undefined;
    if (
      !isObject(result) ||
      typeof result['count'] !== 'number' ||
      !Number.isInteger(result['count']) ||
      result['count'] < 0 ||
      !Array.isArray(result['results'])
    ) {
      throw new SourceProtocolError(this.sourceId, `package_search at ${url} is not {"success":true,"result":{"count":N,"results":[...]}}: ${describe(json)}`);
    }
    return { count: result['count'], results: result['results'] };
  }

  /**
   * JSON from the Action API. An HTML page (a portal's error or login page sent with 200) is
   * named as such rather than as malformed JSON: it means the URL is not a CKAN API.
   */
  private async getJson(
    context: HarvestContext,
    url: string,
    acceptStatuses: readonly number[] = [],
  ): Promise<{ response: { status: number }; json: unknown }> {
    const response = await context.http.get(url, { signal: context.signal, acceptStatuses, headers: { accept: 'application/json' } });
    if (acceptStatuses.includes(response.status)) return { response, json: undefined };
    const contentType = String(response.headers['content-type'] ?? '');
    if (/html/i.test(contentType) && /^\s*</.test(response.body)) {
      throw new SourceProtocolError(this.sourceId, `${url} answered an HTML page (${contentType}), not the CKAN Action API's JSON`);
    }
    try {
      return { response, json: JSON.parse(response.body) as unknown };
    } catch (err) {
      throw new MalformedBodyError(url, `response is not valid JSON: ${(err as Error).message}`);
    }
  }
}

function packageId(pkg: unknown): string | null {
  if (!isObject(pkg)) return null;
  const id = pkg['id'];
  return typeof id === 'string' && id.trim() !== '' ? id.trim() : null;
}

/** Deleted or draft (state other than active), or private: not (any more) a public dataset. */
function isWithdrawnPackage(pkg: Record<string, unknown>): boolean {
  return (pkg['state'] !== undefined && pkg['state'] !== 'active') || pkg['private'] === true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
