/**
 * package_search over the federated catalogue, through searchDatasets (the one query function):
 * `q` is its full text, `fq` clauses become its filters, `sort` one of its orders, `facet.field`
 * its facets under CKAN's names.
 *
 *   fq field            searchDatasets filter
 *   organization:<name> publisher (the organization's publisher; owner_org:<id> likewise)
 *   groups:<code>       category (服務分類 code, any case)
 *   res_format:<fmt>    format (any case)
 *   license_id:<id>     license (the record's licence text, as license_id shows it)
 *   metadata_modified:[<date-time> TO *]   modifiedSince
 *   dataset_type:dataset, capacity:public  every dataset (the gateway has no other kind)
 *
 * A filter searchDatasets cannot express (tags, a second res_format, a closed date range) is a
 * 409 naming it, never a filter applied by hand or silently dropped.
 */
import type { Db } from '../../store/database.js';
import { MAX_FACET_VALUES, searchDatasets, type FacetValue, type SearchFacets, type SearchQuery } from '../../store/search.js';
import { parseTaiwanDate } from '../../model/dates.js';
import { normaliseLicense } from '../../model/license.js';
import { SERVICE_CATEGORIES } from '../../model/codelists.js';
import type { CkanDict } from '../../views/ckan-organization.js';
import { ckanDirectory, type CkanDirectory } from './ckan-directory.js';
import { validationError } from './ckan-envelope.js';
import { FqSyntaxError, parseFq, type FqClause } from './ckan-fq.js';
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

type Filters = Pick<SearchQuery, 'publisher' | 'category' | 'format' | 'license' | 'modifiedSince'>;

export function packageSearch(db: Db, params: ParamReader): PackageSearchResult {
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

  const directory = ckanDirectory(db);
  const filters = filtersOf([fq ?? '', ...(fqList ?? [])], directory);
  const wantFacets = facetFields.length > 0;
  const page =
    filters === 'nothing'
      ? { total: 0, identifiers: [], facets: wantFacets ? emptyFacets() : undefined }
      : searchPage(db, { ...filters, q: query, facets: wantFacets }, plan, rows, start);

  const facetCap = facetLimit === undefined || facetLimit < 0 ? MAX_FACET_VALUES : Math.min(facetLimit, MAX_FACET_VALUES);
  const facets: PackageSearchResult['facets'] = {};
  const searchFacets: PackageSearchResult['search_facets'] = {};
  for (const field of facetFields) {
    const items = (page.facets?.[FACETS[field]!] ?? []).slice(0, facetCap).map((value) => facetItem(field, value, directory));
    facets[field] = Object.fromEntries(items.map((item) => [item.name, item.count]));
    searchFacets[field] = { title: field, items };
  }

  const packages = packageDicts(db, page.identifiers, directory);
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
function searchPage(db: Db, query: Omit<SearchQuery, 'limit' | 'offset' | 'sort'>, plan: SortPlan, rows: number, start: number) {
  if (!plan.reversed) return searchDatasets(db, { ...query, sort: plan.sort, limit: rows, offset: start });
  const { total } = searchDatasets(db, { ...query, facets: false, sort: plan.sort, limit: 0, offset: 0 });
  const end = Math.max(0, total - start);
  const offset = Math.max(0, end - rows);
  const result = searchDatasets(db, { ...query, sort: plan.sort, limit: end - offset, offset });
  return { ...result, identifiers: [...result.identifiers].reverse() };
}

/** The fq texts' clauses as searchDatasets filters; 'nothing' when they contradict (two organizations). */
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
  const filters: Filters = {};
  let nothing = false;
  /** One value per dataset (a dataset has one publisher, category, licence): two different values match nothing. */
  const setSingle = (key: 'publisher' | 'category' | 'license', value: string): void => {
    if (filters[key] !== undefined && filters[key] !== value) nothing = true;
    filters[key] = value;
  };
  for (const clause of clauses) {
    const fail = (message: string): never => {
      throw validationError({ fq: [message] });
    };
    if (clause.kind === 'range' && clause.field !== 'metadata_modified') fail(`${clause.field} does not take a range`);
    const value = clause.kind === 'term' ? clause.value.trim() : '';
    switch (clause.field) {
      case 'organization':
      case 'owner_org': {
        const organization = directory.find(clause.field === 'organization' ? value.toLowerCase() : value);
        if (organization === undefined) nothing = true;
        else setSingle('publisher', organization.publisher);
        break;
      }
      case 'groups':
        setSingle('category', value.toUpperCase());
        break;
      case 'license_id':
        setSingle('license', value);
        break;
      case 'res_format':
        if (filters.format !== undefined && filters.format.toUpperCase() !== value.toUpperCase()) {
          fail('res_format can be given once: the search cannot require two formats at once');
        }
        filters.format = value;
        break;
      case 'metadata_modified': {
        if (clause.kind !== 'range') return fail('metadata_modified takes a range: metadata_modified:[<date-time> TO *]');
        if (clause.to !== null && clause.to !== 'NOW') fail('metadata_modified: only open-ended ranges [<date-time> TO *] are supported');
        if (clause.from === null) break;
        const since = utcInstant(clause.from) ?? fail(`metadata_modified: "${clause.from}" is not an ISO 8601 date-time (e.g. 2024-01-01T00:00:00Z)`);
        if (filters.modifiedSince === undefined || since > filters.modifiedSince) filters.modifiedSince = since;
        break;
      }
      case 'dataset_type':
        if (value !== 'dataset') nothing = true;
        break;
      case 'capacity':
        if (value !== 'public') nothing = true;
        break;
      case 'tags':
        return fail('tags cannot be filtered: the catalogue search has no keyword filter (search the keyword with q instead)');
      default:
        return fail(`unsupported fq field ${clause.field}; supported: organization, owner_org, groups, res_format, license_id, metadata_modified, dataset_type, capacity`);
    }
  }
  return nothing ? 'nothing' : filters;
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
      return { name: facet.value.toLowerCase(), display_name: Object.hasOwn(SERVICE_CATEGORIES, facet.value) ? SERVICE_CATEGORIES[facet.value]! : facet.value, count: facet.count };
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
