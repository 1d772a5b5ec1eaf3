import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/contract/store.js';
import { formatsOf, MAX_FACET_VALUES, publisherOf, type SearchQuery, type SearchSort } from '../../store/search.js';
import { decodeCursor, encodeCursor, MAX_CURSOR_LENGTH } from '../search-cursor.js';
import { MAX_QUERY_TERMS, parseQuery } from '../../store/search-text.js';
import { ERROR_CODES } from '../errors.js';
import { specError, specErrorSchema } from '../../views/spec-error.js';
import { parseModifiedParameter } from './crossplatform.js';

/**
 * GET /api/search: full text (Chinese included), filters, facets, sort and paging over the live
 * catalogue, answered by searchDatasets (src/store/search.ts) like every other filtering API,
 * with a short summary of each dataset and a link to its full record.
 */
export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_SEARCH_LIMIT = 1000;
/** A summary's description is cut to this many characters (code points). */
export const DESCRIPTION_LENGTH = 200;
/** Longer than any query a person types; a bound on what one request makes the index do. */
const MAX_TEXT_PARAMETER = 1000;

const SORTS: readonly SearchSort[] = ['relevance', 'modified', 'title', 'identifier'];
/** Keywords one query may require. */
export const MAX_KEYWORDS = 32;

interface SearchQueryString {
  q?: string;
  publisher?: string;
  category?: string;
  format?: string;
  license?: string;
  /** Repeatable: one string, or several. */
  keyword?: string | string[];
  modified_since?: string;
  sort?: SearchSort;
  limit?: number;
  offset?: number;
  cursor?: string;
  facets?: boolean;
}

const textParameter = (description: string, examples: string[]) => ({ type: 'string', maxLength: MAX_TEXT_PARAMETER, description, examples }) as const;

const facetValues = {
  type: 'array',
  maxItems: MAX_FACET_VALUES,
  items: { type: 'object', required: ['value', 'count'], properties: { value: { type: 'string' }, count: { type: 'integer' } } },
} as const;

const nullableString = { type: ['string', 'null'] } as const;

export function searchRoutes(app: FastifyInstance, store: Store, publicUrl: string): void {
  const recordBase = `${publicUrl.replace(/\/+$/, '')}/api/v1/rest/dataset/`;

  app.get<{ Querystring: SearchQueryString }>(
    '/api/search',
    {
      schema: {
        tags: ['search'],
        operationId: 'searchDatasets',
        summary: 'Search the federated catalogue: full text (Chinese included), filters, facets, sort, paging',
        description: [
          'Live datasets only (withdrawn and merged ones never appear); a dataset several platforms publish appears once.',
          '`q`: every space-separated term must match the title, description, keywords or publisher. Chinese is matched as written, whatever the spelling of 臺/台 or the width of letters (ＣＳＶ = csv); one character (`車`) works; Latin words match by prefix (`youb` finds YouBike); punctuation is a word break.',
          'Filters are exact and combine with AND; an empty parameter filters nothing. `keyword` may be repeated: every keyword given is required.',
          `\`limit\` 0–${MAX_SEARCH_LIMIT} (default ${DEFAULT_SEARCH_LIMIT}); \`offset\` past the end gives an empty page. To walk all matches while the catalogue may change (a harvest running), follow \`nextCursor\` (pass it as \`cursor\` with the same filters and sort) rather than raising \`offset\`: each dataset listed throughout the walk is then seen exactly once. Facets count the values over all matches (not just the page), at most ${MAX_FACET_VALUES} per facet, most frequent first.`,
        ].join(' '),
        querystring: {
          type: 'object',
          properties: {
            q: textParameter(`Full-text query; at most ${MAX_QUERY_TERMS} terms.`, ['空氣品質', '臺北市 公車', 'YouBike站']),
            publisher: textParameter('Publisher name (the record’s publisher, else its organization), exact.', ['臺北市政府交通局']),
            category: textParameter('服務分類 code (categoryCode), exact.', ['E00']),
            format: textParameter('A distribution format, case-insensitive.', ['CSV']),
            license: textParameter('Licence name or licence URL, exact.', ['政府資料開放授權條款-第1版']),
            keyword: {
              description: `A keyword (標籤) the dataset must have, exact once trimmed (\`OpenData\` and \`opendata\` are two). Repeat it to require several (\`keyword=公車&keyword=路線\`: both), at most ${MAX_KEYWORDS}.`,
              anyOf: [
                { type: 'string', maxLength: MAX_TEXT_PARAMETER },
                { type: 'array', maxItems: MAX_KEYWORDS, items: { type: 'string', maxLength: MAX_TEXT_PARAMETER } },
              ],
              examples: ['公車'],
            },
            modified_since: {
              type: 'string',
              maxLength: 100,
              description: 'Datasets whose metadata changed at or after this time: RFC 3339, or `YYYY-MM-DD hh:mm:ss` / `YYYY-MM-DD` read as Asia/Taipei.',
              examples: ['2025-01-01T00:00:00+08:00'],
            },
            sort: {
              type: 'string',
              enum: [...SORTS],
              description:
                'relevance (the default with `q`), modified (newest first), title (zh-Hant collation), identifier (the default without `q`). Ties are ordered by identifier, so paging is stable.',
            },
            limit: { type: 'integer', minimum: 0, maximum: MAX_SEARCH_LIMIT, default: DEFAULT_SEARCH_LIMIT },
            offset: {
              type: 'integer',
              minimum: 0,
              maximum: Number.MAX_SAFE_INTEGER,
              default: 0,
              description: 'Skip this many matches first; not with `cursor`.',
            },
            cursor: {
              type: 'string',
              maxLength: MAX_CURSOR_LENGTH,
              description:
                'The `nextCursor` of the previous page: the page after it, with the same filters and sort (a cursor of another query is a 400). Opaque.',
            },
            facets: { type: 'boolean', default: true, description: 'Count publisher, category, format and licence values over all matches.' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['success', 'result'],
            properties: {
              success: { type: 'boolean' },
              result: {
                type: 'object',
                required: ['total', 'offset', 'limit', 'results'],
                properties: {
                  total: { type: 'integer', description: 'Live datasets matching, before paging.' },
                  offset: { type: 'integer' },
                  limit: { type: 'integer' },
                  nextCursor: { type: 'string', description: 'Present when more matches follow this page: pass it as `cursor` for the next page.' },
                  results: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['identifier', 'title', 'description', 'publisher', 'modified', 'categoryCode', 'formats', 'url'],
                      properties: {
                        identifier: { type: 'string' },
                        title: { type: 'string' },
                        description: { ...nullableString, description: `The first ${DESCRIPTION_LENGTH} characters.` },
                        publisher: nullableString,
                        modified: { type: 'string', description: 'UTC instant the metadata last changed (RFC 3339).' },
                        categoryCode: nullableString,
                        formats: { type: 'array', items: { type: 'string' }, description: 'Distribution formats, upper-case.' },
                        url: { type: 'string', description: 'The full record: GET /api/v1/rest/dataset/{identifier}.' },
                      },
                    },
                  },
                  facets: {
                    type: 'object',
                    description: 'Absent with `facets=false`.',
                    required: ['publisher', 'category', 'format', 'license'],
                    properties: { publisher: facetValues, category: facetValues, format: facetValues, license: facetValues },
                  },
                },
              },
            },
          },
          400: { description: 'A parameter is malformed (ER0210).', ...specErrorSchema },
        },
      },
    },
    async (request, reply) => {
      const parameters = request.query;
      // Forms submit empty fields: an empty parameter filters nothing.
      const given = (value: string | undefined): string | undefined => {
        const trimmed = value?.trim();
        return trimmed === undefined || trimmed === '' ? undefined : trimmed;
      };
      const q = given(parameters.q);
      if (q !== undefined && parseQuery(q).truncated) {
        return reply.code(400).send(specError(ERROR_CODES.badParameter, `q has more than ${MAX_QUERY_TERMS} terms`));
      }
      let modifiedSince: string | undefined;
      const modified = given(parameters.modified_since);
      if (modified !== undefined) {
        modifiedSince = parseModifiedParameter(modified);
        if (!modifiedSince) {
          return reply
            .code(400)
            .send(
              specError(
                ERROR_CODES.badParameter,
                `modified_since must be an RFC 3339 date-time (e.g. 2025-01-01T00:00:00+08:00) or a Taipei date, got "${modified}"`,
              ),
            );
        }
      }
      const limit = parameters.limit ?? DEFAULT_SEARCH_LIMIT;
      const offset = parameters.offset ?? 0;
      const scope = {
        q,
        publisher: given(parameters.publisher),
        category: given(parameters.category),
        format: given(parameters.format),
        license: given(parameters.license),
        keywords: keywordsOf(parameters.keyword),
        modifiedSince,
        sort: parameters.sort,
      };
      let after: SearchQuery['after'];
      if (parameters.cursor !== undefined) {
        if (offset !== 0)
          return reply.code(400).send(specError(ERROR_CODES.badParameter, 'cursor and offset cannot be combined: a cursor already says where the page starts'));
        const position = decodeCursor(parameters.cursor, scope);
        if (typeof position === 'string') return reply.code(400).send(specError(ERROR_CODES.badParameter, position));
        after = position;
      }
      const query: SearchQuery = { ...scope, limit, offset, after, facets: parameters.facets ?? true };
      const found = await store.search.searchDatasets(query);
      const records = await store.search.pageRecords(found.identifiers);
      const results = found.identifiers.flatMap((identifier) => {
        const entry = records.get(identifier);
        if (!entry) return [];
        const { record } = entry;
        return [
          {
            identifier,
            title: typeof record.title === 'string' ? record.title : '',
            description: typeof record.description === 'string' ? firstCharacters(record.description, DESCRIPTION_LENGTH) : null,
            publisher: publisherOf(record) ?? null,
            modified: entry.modifiedAt,
            categoryCode: typeof record.categoryCode === 'string' ? record.categoryCode : null,
            formats: formatsOf(record),
            url: `${recordBase}${encodeURIComponent(identifier)}`,
          },
        ];
      });
      return {
        success: true,
        result: {
          total: found.total,
          offset,
          limit,
          ...(found.last ? { nextCursor: encodeCursor(found.last, scope) } : {}),
          results,
          ...(found.facets ? { facets: found.facets } : {}),
        },
      };
    },
  );
}

/** The keywords asked for, trimmed, empty ones dropped (a form's empty field filters nothing), sorted; undefined for none. */
function keywordsOf(parameter: string | string[] | undefined): string[] | undefined {
  const keywords = (Array.isArray(parameter) ? parameter : parameter === undefined ? [] : [parameter])
    .map((keyword) => keyword.trim())
    .filter((keyword) => keyword !== '');
  // In one order, each once: the same keywords in another order are the same query (and cursor).
  return keywords.length > 0 ? [...new Set(keywords)].sort() : undefined;
}

/** The first `count` characters (code points: a surrogate pair is never cut in two). */
function firstCharacters(text: string, count: number): string {
  let taken = 0;
  let end = 0;
  for (const character of text) {
    if (taken === count) break;
    taken += 1;
    end += character.length;
  }
  return text.slice(0, end);
}
