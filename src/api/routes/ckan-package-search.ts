/**
 * package_search over the federated catalogue, through searchDatasets (the one query function):
 * `q` is its full text, `fq` clauses become its filters, `sort` one of its orders, `facet.field`
 * its facets under CKAN's names.
 *
 *   fq field            searchDatasets condition (any of the values; negated: none of them)
 *   organization:<name> publisher (the organization's publisher; owner_org:<id> likewise; `no-publisher`:
 *                       the datasets naming none, i.e. none of the other publishers)
 *   groups:<code>       category (服務分類 code, any case)
 *   tags:<keyword>      keyword (exact, as CKAN's tags)
 *   res_format:<fmt>    format (any case)
 *   license_id:<id>     license (the record's licence text, as license_id shows it)
 *   metadata_modified:[<from> TO <to>]   modifiedSince / modifiedAfter / modifiedUntil / modifiedBefore
 *   dataset_type:dataset, capacity:public  every dataset (the gateway has no other kind)
 *
 * A filter searchDatasets cannot express (OR across fields, the negation of a closed date
 * range, another field) is a 409 naming it, never a filter applied by hand or silently dropped.
 */
import type { CatalogueReads } from '../../store/contract/catalogue.js';
import {
  MAX_FACET_VALUES,
  type FacetValue,
  type FieldCondition,
  type SearchFacets,
  type SearchField,
  type SearchQuery,
  type SearchResult,
} from '../../store/search.js';
import { parseTaiwanDate } from '../../model/dates.js';
import { normaliseLicense } from '../../model/license.js';
import { SERVICE_CATEGORIES } from '../../model/codelists.js';
import type { CkanDict } from '../../views/ckan-organization.js';
import { ckanDirectory, organizationCondition, type CkanDirectory, type CkanSession } from './ckan-directory.js';
import { validationError } from './ckan-envelope.js';
import { FqSyntaxError, parseFq, type FqBound, type FqClause } from './ckan-fq.js';
import { packageDicts } from './ckan-packages.js';
import type { ParamReader } from './ckan-params.js';
import { DEFAULT_SORT, planSort, type SortPlan } from './ckan-sort.js';

/** CKAN's ckan.search.rows_max: more is capped, not refused. */
export const MAX_ROWS = 1000;
export const DEFAULT_ROWS = 10;

/** Filters people and harvesters write are a few hundred characters; a longer fq is refused before it is parsed. */
export const MAX_FQ_LENGTH = 10_000;

/** CKAN facet field → the searchDatasets facet it reads. */
const FACETS: Readonly<Record<string, keyof SearchFacets>> = {
  organization: 'publisher',
  groups: 'category',
  res_format: 'format',
  license_id: 'license',
};

export interface PackageSearchResult {
  count: number;
  facets: Record<string, Record<string, number>>;
  results: CkanDict[];
  sort: string;
  search_facets: Record<string, { title: string; items: Array<{ name: string; display_name: string; count: number }> }>;
}

type Filters = Pick<SearchQuery, 'conditions' | 'modifiedSince' | 'modifiedAfter' | 'modifiedUntil' | 'modifiedBefore'>;

export async function packageSearch(session: CkanSession, params: ParamReader): Promise<PackageSearchResult> {
  const q = params.text('q');
  const fq = params.text('fq');
  const fqList = params.jsonStringList('fq_list');
  const rows = params.naturalNumber('rows', { default: DEFAULT_ROWS, max: MAX_ROWS })!;
  const start = params.naturalNumber('start', { default: 0 })!;
  const sortText = params.text('sort')?.trim() || DEFAULT_SORT;
  const facetFields = params.jsonStringList('facet.field') ?? [];
  const facetLimit = params.integer('facet.limit');
  const fields = params.separatedList('fl');
  params.done();

  const query = q === undefined || q.trim() === '' || q.trim() === '*:*' ? undefined : q.trim();
  const plan = planSort(sortText, query !== undefined);
  if ('error' in plan) throw validationError({ sort: [plan.error] });
  const unknownFacet = facetFields.find((field) => !Object.hasOwn(FACETS, field));
  if (unknownFacet !== undefined) {
    throw validationError({ 'facet.field': [`cannot facet on ${unknownFacet}; supported: ${Object.keys(FACETS).join(', ')}`] });
  }

  const directory = await ckanDirectory(session);
  const filters = filtersOf([fq ?? '', ...(fqList ?? [])], directory);
  const wantFacets = facetFields.length > 0;
  const page =
    filters === 'nothing'
      ? { total: 0, identifiers: [], facets: wantFacets ? emptyFacets() : undefined }
      : await searchPage(session.reads, { ...filters, q: query, facets: wantFacets }, plan, rows, start);

  const facetCap = facetLimit === undefined || facetLimit < 0 ? MAX_FACET_VALUES : Math.min(facetLimit, MAX_FACET_VALUES);
  const facets: PackageSearchResult['facets'] = {};
  const searchFacets: PackageSearchResult['search_facets'] = {};
  for (const field of facetFields) {
    const items = (page.facets?.[FACETS[field]!] ?? []).slice(0, facetCap).map((value) => facetItem(field, value, directory));
    facets[field] = Object.fromEntries(items.map((item) => [item.name, item.count]));
    searchFacets[field] = { title: field, items };
  }

  const packages = await packageDicts(session.reads, page.identifiers, directory);
  return {
    count: page.total,
    facets,
    results: fields === undefined || fields.length === 0 ? packages : packages.map((pkg) => pick(pkg, fields)),
    sort: sortText,
    search_facets: searchFacets,
  };
}

/**
 * One page in the planned order. searchDatasets sorts one way; the reverse order's page
 * [start, start + rows) is its page [total - start - rows, total - start) read backwards,
 * which needs the total first.
 */
async function searchPage(
  reads: CatalogueReads,
  query: Omit<SearchQuery, 'limit' | 'offset' | 'sort'>,
  plan: SortPlan,
  rows: number,
  start: number,
): Promise<SearchResult> {
  if (!plan.reversed) return reads.search.searchDatasets({ ...query, sort: plan.sort, limit: rows, offset: start });
  const { total } = await reads.search.searchDatasets({ ...query, facets: false, sort: plan.sort, limit: 0, offset: 0 });
  const end = Math.max(0, total - start);
  const offset = Math.max(0, end - rows);
  const result = await reads.search.searchDatasets({ ...query, sort: plan.sort, limit: end - offset, offset });
  return { ...result, identifiers: [...result.identifiers].reverse() };
}

/** The fq texts' clauses as searchDatasets filters; 'nothing' when they cannot match (capacity:private). */
function filtersOf(texts: readonly string[], directory: CkanDirectory): Filters | 'nothing' {
  const clauses: FqClause[] = [];
  if (texts.reduce((length, text) => length + text.length, 0) > MAX_FQ_LENGTH) throw validationError({ fq: [`longer than ${MAX_FQ_LENGTH} characters`] });
  for (const text of texts) {
    try {
      clauses.push(...parseFq(text));
    } catch (err) {
      if (err instanceof FqSyntaxError) throw validationError({ fq: [err.message] });
      throw err;
    }
  }
  const conditions: FieldCondition[] = [];
  const modified = new ModifiedBounds();
  let nothing = false;
  const fail = (message: string): never => {
    throw validationError({ fq: [message] });
  };
  for (const clause of clauses) {
    if (clause.kind === 'range') {
      if (clause.field !== 'metadata_modified') fail(`${clause.field} does not take a range`);
      if (!modified.add(clause)) nothing = true;
      continue;
    }
    const values = clause.values.map((value) => value.trim());
    const condition = (field: SearchField, anyOf: string[]): void => {
      conditions.push({ field, anyOf, negated: clause.negated });
    };
    switch (clause.field) {
      case 'organization':
        // An unknown organization is no publisher: it matches nothing (negated: excludes nothing).
        conditions.push(
          organizationCondition(
            directory,
            values.flatMap((value) => directory.find(value.toLowerCase()) ?? []),
            clause.negated,
          ),
        );
        break;
      case 'owner_org':
        conditions.push(
          organizationCondition(
            directory,
            values.flatMap((value) => directory.find(value) ?? []),
            clause.negated,
          ),
        );
        break;
      case 'groups':
        condition(
          'category',
          values.map((value) => value.toUpperCase()),
        );
        break;
      case 'license_id':
        condition('license', values);
        break;
      case 'res_format':
        condition('format', values);
        break;
      case 'tags':
        condition('keyword', values);
        break;
      case 'metadata_modified':
        return fail('metadata_modified takes a range: metadata_modified:[<date-time> TO *]');
      // Every dataset is a public dataset: these select all of them or none.
      case 'dataset_type':
        if (values.includes('dataset') === clause.negated) nothing = true;
        break;
      case 'capacity':
        if (values.includes('public') === clause.negated) nothing = true;
        break;
      default:
        return fail(`unsupported fq field ${clause.field}; supported: ${FQ_FIELDS.join(', ')}`);
    }
  }
  if (nothing) return 'nothing';
  return { ...modified.filters(fail), conditions };
}

const FQ_FIELDS = ['organization', 'owner_org', 'groups', 'tags', 'res_format', 'license_id', 'metadata_modified', 'dataset_type', 'capacity'];

/**
 * The metadata_modified ranges of an fq, narrowed to one lower and one upper bound. Solr's
 * `[` / `]` include an end, `{` / `}` exclude it; a negated open-ended range is the other side
 * (`-metadata_modified:[X TO *]` is "before X"). The store keeps whole seconds, so a bound with
 * a fraction of a second is the whole second on the right side of it (`[…T10:00:00.5Z TO *]` is
 * "after 10:00:00").
 */
class ModifiedBounds {
  private lower: { instant: string; inclusive: boolean } | undefined;
  private upper: { instant: string; inclusive: boolean } | undefined;
  private readonly pending: Array<{ side: 'lower' | 'upper'; bound: FqBound }> = [];

  /** False when the range can match nothing (a negated `[* TO *]`). */
  add(range: FqClause & { kind: 'range' }): boolean {
    const { from, to } = range;
    if (!range.negated) {
      if (from !== null) this.pending.push({ side: 'lower', bound: from });
      if (to !== null && to.value !== 'NOW') this.pending.push({ side: 'upper', bound: to });
      return true;
    }
    const open = (bound: FqBound | null): boolean => bound === null || bound.value === 'NOW';
    if (from === null && open(to)) return false;
    if (from !== null && !open(to)) {
      throw validationError({
        fq: [
          'metadata_modified: the negation of a closed range (before one instant or after another) is not supported; negate an open-ended range: -metadata_modified:[X TO *]',
        ],
      });
    }
    // Outside [X TO *] is before X; outside [* TO Y] is after Y. An end included in the range is excluded outside it.
    if (from !== null) this.pending.push({ side: 'upper', bound: { value: from.value, inclusive: !from.inclusive } });
    else this.pending.push({ side: 'lower', bound: { value: to!.value, inclusive: !to!.inclusive } });
    return true;
  }

  filters(fail: (message: string) => never): Pick<SearchQuery, 'modifiedSince' | 'modifiedAfter' | 'modifiedUntil' | 'modifiedBefore'> {
    for (const { side, bound } of this.pending) {
      const instant = utcInstant(bound.value) ?? fail(`metadata_modified: "${bound.value}" is not an ISO 8601 date-time (e.g. 2024-01-01T00:00:00Z)`);
      // Whole seconds stored: t ≥ S.5 is t > S; t < S.5 is t ≤ S.
      const fraction = hasFraction(bound.value);
      const inclusive = fraction ? side === 'upper' : bound.inclusive;
      const candidate = { instant, inclusive };
      if (side === 'lower') this.lower = tighter(this.lower, candidate, 1);
      else this.upper = tighter(this.upper, candidate, -1);
    }
    const filters: Pick<SearchQuery, 'modifiedSince' | 'modifiedAfter' | 'modifiedUntil' | 'modifiedBefore'> = {};
    if (this.lower) filters[this.lower.inclusive ? 'modifiedSince' : 'modifiedAfter'] = this.lower.instant;
    if (this.upper) filters[this.upper.inclusive ? 'modifiedUntil' : 'modifiedBefore'] = this.upper.instant;
    return filters;
  }
}

/** The narrower of two bounds on one side: direction 1 for lower bounds (the later wins), -1 for upper ones. */
function tighter(
  current: { instant: string; inclusive: boolean } | undefined,
  candidate: { instant: string; inclusive: boolean },
  direction: 1 | -1,
): { instant: string; inclusive: boolean } {
  if (current === undefined) return candidate;
  if (current.instant === candidate.instant) return current.inclusive ? candidate : current;
  return candidate.instant > current.instant === (direction === 1) ? candidate : current;
}

/** Whether a date-time has a non-zero fraction of a second (`…T10:00:00.5Z`). */
function hasFraction(value: string): boolean {
  return /T\d{2}:\d{2}:\d{2}\.\d*[1-9]/.test(value);
}

/**
 * A Solr date as harvesters send it (`2024-01-01T00:00:00Z`, CKAN's own offset-less
 * `2024-01-01T00:00:00.123456`, which is UTC, or a bare date: its UTC midnight) → the store's
 * UTC instant form, which compares as text.
 */
function utcInstant(value: string): string | undefined {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : /^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(value) ? `${value}Z` : value;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined;
  const parsed = parseTaiwanDate(text);
  return parsed?.kind === 'datetime' ? parsed.value : undefined;
}

function facetItem(field: string, facet: FacetValue, directory: CkanDirectory): { name: string; display_name: string; count: number } {
  switch (field) {
    case 'organization': {
      const organization = directory.ofPublisher(facet.value);
      return { name: organization?.name ?? facet.value, display_name: facet.value, count: facet.count };
    }
    case 'groups':
      return {
        name: facet.value.toLowerCase(),
        display_name: Object.hasOwn(SERVICE_CATEGORIES, facet.value) ? SERVICE_CATEGORIES[facet.value]! : facet.value,
        count: facet.count,
      };
    case 'license_id':
      return { name: facet.value, display_name: normaliseLicense(facet.value)?.name ?? facet.value, count: facet.count };
    default:
      return { name: facet.value, display_name: facet.value, count: facet.count };
  }
}

function emptyFacets(): SearchFacets {
  return { publisher: [], category: [], format: [], license: [] };
}

/** `fl`: only the named fields of each package, as CKAN returns them. */
function pick(pkg: CkanDict, fields: readonly string[]): CkanDict {
  const picked: CkanDict = {};
  for (const field of fields) if (Object.hasOwn(pkg, field)) picked[field] = pkg[field];
  return picked;
}
