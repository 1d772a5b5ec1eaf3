/**
 * The query parameters of GET /catalog: read into a searchDatasets query (src/store/search.ts,
 * the one place filters mean something) or refused with a message saying exactly what is wrong,
 * and written back into the absolute URLs of the Hydra paging links.
 */
import { SERVICE_CATEGORIES } from '../../model/codelists.js';
import { categoriesOfEuTheme, readEuDataTheme, SERVICE_CATEGORY_EU_THEMES } from '../../model/eu-data-themes.js';
import type { SearchPosition, SearchQuery } from '../../store/search.js';
import { decodeCursor } from '../search-cursor.js';
import { SERVICE_CATEGORY_SCHEME } from '../../views/dcat-jsonld.js';
import type { CatalogPageLinks } from '../../views/dcat-catalog.js';
import { parseModifiedParameter } from './crossplatform.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/** Far beyond any catalogue; it keeps (page - 1) × pageSize an exact integer. */
export const MAX_PAGE = 10_000_000;

/** The query string as the route schema types it. */
export interface CatalogQueryString {
  page?: number;
  pageSize?: number;
  q?: string;
  publisher?: string;
  category?: string;
  theme?: string;
  format?: string;
  license?: string;
  modified_since?: string;
  include_withdrawn?: boolean;
  cursor?: string;
}

/** The filter parameters, in the order the paging links write them. */
const FILTER_NAMES = ['q', 'publisher', 'category', 'theme', 'format', 'license', 'modified_since'] as const;

export interface CatalogRequest {
  /** The page number asked for (1 when the request gives a cursor instead). */
  page: number;
  /** Keyset paging: the page after this position (the `cursor` of a next link). */
  after?: SearchPosition | undefined;
  pageSize: number;
  /** The filters for searchDatasets (no paging). */
  filters: Omit<SearchQuery, 'limit' | 'offset'>;
  /**
   * True when the filters cannot match anything (category and a 服務分類 theme naming different
   * categories): the page is empty without asking the store.
   */
  matchesNothing: boolean;
  /**
   * List withdrawn (and merged-away) datasets too, each marked as such: what a DCAT harvester
   * syncing with modified_since needs to learn deletions. Only with modified_since as filter.
   */
  includeWithdrawn: boolean;
}

/** The cursor scope of a listing with withdrawn datasets: identifier order, bound apart from the usual one. */
export function withdrawnListingScope(filters: CatalogRequest['filters']): CatalogRequest['filters'] {
  return { ...filters, sort: 'identifier' };
}

/** Taiwan's 服務分類 by code (looked up upper-cased, so case-insensitive) and by its Chinese name. */
const CATEGORY_BY_KEY = new Map<string, string>();
for (const [code, label] of Object.entries(SERVICE_CATEGORIES)) {
  CATEGORY_BY_KEY.set(code.toUpperCase(), code);
  CATEGORY_BY_KEY.set(label, code);
}

/** Reads the query string; a string is a message saying what is wrong (400). */
export function readCatalogQuery(query: CatalogQueryString): CatalogRequest | string {
  // Forms submit empty fields: an empty filter filters nothing.
  const given = (name: (typeof FILTER_NAMES)[number]): string | undefined => {
    const value = query[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const filters: CatalogRequest['filters'] = {};
  const q = given('q');
  if (q !== undefined) filters.q = q;
  const publisher = given('publisher');
  if (publisher !== undefined) filters.publisher = publisher;
  const format = given('format');
  if (format !== undefined) filters.format = format;
  const license = given('license');
  if (license !== undefined) filters.license = license;

  const categoryText = given('category');
  let category: string | undefined;
  if (categoryText !== undefined) {
    category = CATEGORY_BY_KEY.get(categoryText.normalize('NFKC').toUpperCase());
    if (category === undefined) {
      return `category must be a 服務分類 code (${Object.keys(SERVICE_CATEGORIES).join(', ')}) or its name, got "${categoryText}"`;
    }
  }

  const themeText = given('theme');
  let themeCategory: string | undefined;
  if (themeText !== undefined) {
    const theme = readTheme(themeText);
    if (typeof theme !== 'object') return theme;
    if ('categories' in theme) filters.categories = theme.categories;
    else themeCategory = theme.category;
  }

  const matchesNothing = category !== undefined && themeCategory !== undefined && category !== themeCategory;
  const categoryFilter = category ?? themeCategory;
  if (categoryFilter !== undefined) filters.category = categoryFilter;

  const modifiedText = given('modified_since');
  if (modifiedText !== undefined) {
    const instant = parseModifiedParameter(modifiedText);
    if (instant === undefined) {
      return `modified_since must be an RFC 3339 date-time (e.g. 2021-08-01T00:00:00+08:00) or Taipei local time (2021-08-01 or 2021-08-01 10:00:00), got "${query.modified_since}"`;
    }
    filters.modifiedSince = instant;
  }

  // The route schema checks these too, but ajv's coercion lets `1e400` through as Infinity.
  const page = query.page ?? 1;
  if (!isWholeNumberIn(page, 1, MAX_PAGE)) return `page must be an integer from 1 to ${MAX_PAGE}, got ${String(page)}`;
  const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!isWholeNumberIn(pageSize, 1, MAX_PAGE_SIZE)) return `pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${String(pageSize)}`;

  const includeWithdrawn = query.include_withdrawn === true;
  if (includeWithdrawn) {
    const others = FILTER_NAMES.filter((name) => name !== 'modified_since' && given(name) !== undefined);
    if (others.length > 0)
      return `include_withdrawn combines with modified_since only, not with ${others.join(', ')}: a deletion has no text, publisher or format to filter by`;
  }

  if (query.cursor !== undefined) {
    if (query.page !== undefined) return 'page and cursor cannot be combined: a cursor already says where the page starts';
    const after = decodeCursor(query.cursor, includeWithdrawn ? withdrawnListingScope(filters) : filters);
    if (typeof after === 'string') return after;
    return { page: 1, after, pageSize, filters, matchesNothing, includeWithdrawn };
  }
  return { page, pageSize, filters, matchesNothing, includeWithdrawn };
}

function isWholeNumberIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

/**
 * A theme is one of the dcat:theme values the DCAT views publish: a concept of the gateway's
 * 服務分類 scheme (filters like `category`), or an EU data theme (the IRI over http or https, or
 * the bare code, any case), which selects the datasets whose 服務分類 the curated table
 * (mappings/service-category-eu-data-theme.json) maps to it: any of those categories. A theme
 * no category maps to (OP_DATPRO) matches nothing; a code the EU table does not have is a 400.
 */
function readTheme(theme: string): { category: string } | { categories: readonly string[] } | string {
  if (theme.startsWith(SERVICE_CATEGORY_SCHEME.conceptBase)) {
    const code = theme.slice(SERVICE_CATEGORY_SCHEME.conceptBase.length);
    if (Object.hasOwn(SERVICE_CATEGORIES, code)) return { category: code };
    return `theme ${theme} is not a concept of the 服務分類 scheme ${SERVICE_CATEGORY_SCHEME.scheme}`;
  }
  const eu = readEuDataTheme(theme);
  const codes = [...SERVICE_CATEGORY_EU_THEMES.themes.keys()].join(', ');
  if (eu !== undefined && 'unknown' in eu) return `theme ${theme} is not an EU data theme: the table ${SERVICE_CATEGORY_EU_THEMES.scheme} has ${codes}`;
  if (eu !== undefined) return { categories: categoriesOfEuTheme(eu) };
  return `theme must be an EU data theme (${SERVICE_CATEGORY_EU_THEMES.base}{code} or the code: ${codes}) or a 服務分類 concept ${SERVICE_CATEGORY_SCHEME.conceptBase}{code}, got "${theme}"`;
}

/**
 * Absolute URLs of this page and its neighbours on the public base URL: the same path (and so
 * the same syntax suffix), the filters as the client wrote them, the page size. A page
 * past the end links back to the last one.
 *
 * `nextCursor` (present when datasets follow this page) makes the next link: following next
 * links then walks the catalogue consistently while a harvest changes it (./search-cursor.ts).
 * First, last and previous are page numbers; a page reached by cursor has no previous link.
 */
export function pageLinks(
  baseUrl: string,
  path: string,
  query: CatalogQueryString,
  request: CatalogRequest,
  totalItems: number,
  nextCursor: string | undefined,
): CatalogPageLinks {
  const lastPage = Math.max(1, Math.ceil(totalItems / request.pageSize));
  const url = (at: { page: number } | { cursor: string }): string => {
    const params = new URLSearchParams();
    for (const name of FILTER_NAMES) {
      const value = query[name];
      if (value !== undefined) params.set(name, value);
    }
    if (request.includeWithdrawn) params.set('include_withdrawn', 'true');
    params.set('pageSize', String(request.pageSize));
    if ('page' in at) params.set('page', String(at.page));
    else params.set('cursor', at.cursor);
    return `${baseUrl.trim().replace(/\/+$/, '')}${path}?${params.toString()}`;
  };
  const byCursor = request.after !== undefined;
  return {
    self: byCursor && query.cursor !== undefined ? url({ cursor: query.cursor }) : url({ page: request.page }),
    first: url({ page: 1 }),
    last: url({ page: lastPage }),
    next: nextCursor !== undefined ? url({ cursor: nextCursor }) : undefined,
    previous: !byCursor && request.page > 1 ? url({ page: Math.min(request.page - 1, lastPage) }) : undefined,
  };
}
