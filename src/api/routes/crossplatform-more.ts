import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/contract/store.js';
import type { DatasetEntry } from '../../store/catalogue.js';
import { MAX_FACET_VALUES } from '../../store/search.js';
import { SERVICE_CATEGORIES } from '../../model/codelists.js';
import { findServedDataset, type MovedDataset } from '../served-dataset.js';
import { toGen2Json } from '../../views/gen2.js';
import { ERROR_CODES } from '../errors.js';
import { specError, specErrorSchema, type SpecErrorBody } from '../../views/spec-error.js';
import { MAX_LIMIT } from './crossplatform.js';

/**
 * The cross-platform read side beyond the v1 record:
 *   GET /api/v2/rest/dataset/{datasetId}      one dataset in data.gov.tw API v2's vocabulary
 *   GET /api/v1/rest/group[?limit&offset]     服務分類 codes with datasets      (共通性資料存取 API 規範 2015)
 *   GET /api/v1/rest/group/{categoryCode}     one category and its datasets
 *   GET /api/v1/rest/tag[?limit&offset]       every keyword
 *   GET /api/v1/rest/tag/{tagName}            datasets with that keyword
 * Bodies as docs/tw-standards.md §3.2 and §4.2 have them.
 */

interface PageQuery {
  limit?: number;
  offset?: number;
}

/**
 * Paging, as the v1 dataset list has it. The offset is bounded too: past 2^53 a number is no
 * longer an integer SQLite can take, and no catalogue is that long.
 */
const pageQuerySchema = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 0, maximum: MAX_LIMIT, description: `At most this many (0–${MAX_LIMIT}; absent: all).` },
    offset: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Skip this many first.' },
  },
} as const;

const identifierListSchema = {
  type: 'object',
  required: ['success', 'result'],
  properties: { success: { type: 'boolean' }, result: { type: 'array', items: { type: 'string' } } },
} as const;

/** searchDatasets needs a limit; "all" is every dataset there can be. */
const ALL = 2_147_483_647;

const CATEGORY_CODE_BY_LABEL = new Map(Object.entries(SERVICE_CATEGORIES).map(([code, label]) => [label, code]));

export function crossPlatformMoreRoutes(app: FastifyInstance, store: Store, _publicUrl: string): void {
  app.get<{ Params: { datasetId: string } }>(
    '/api/v2/rest/dataset/:datasetId',
    {
      schema: {
        tags: ['cross-platform'],
        operationId: 'getDatasetV2',
        summary: '取得資料集詮釋資料 (one dataset in data.gov.tw API v2 keys)',
        description:
          'The record in the gen-2 vocabulary of data.gov.tw API v2 (categoryService, updateFrequency, coverageStartedDate, relatedUrl, distribution[].resourceFormat/resourceDownloadUrl …; `license: "1"`, `cost: "free"`; date-times `YYYY-MM-DD hh:mm:ss` Asia/Taipei). `datasetId` is data.gov.tw’s numeric id (a JSON number in the answer); a dataset data.gov.tw does not list has none, and is addressed by its identifier instead (`/api/v2/rest/dataset/A41000000G-000001`). Fields gen-2 has no key for keep their gen-1 names.',
        params: {
          type: 'object',
          required: ['datasetId'],
          properties: { datasetId: { type: 'string', description: 'data.gov.tw dataset id (e.g. 6564), or the dataset identifier (e.g. A41000000G-000001)' } },
        },
        response: {
          200: {
            type: 'object',
            required: ['success', 'result'],
            properties: { success: { type: 'boolean' }, result: { type: 'object', additionalProperties: true, description: 'The record in gen-2 keys.' } },
          },
          301: { description: 'The dataset now belongs to another (their records were found to be one dataset): Location names it.' },
          404: { description: 'No dataset with this datasetId or identifier (ER0100).', ...specErrorSchema },
          410: { description: 'The dataset was withdrawn: no source publishes it any more (ER010001).', ...specErrorSchema },
        },
      },
      // As the v1 record: publishers' odd values are served verbatim, never coerced by a serializer.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request, reply) => {
      const found = await findDatasetV2(store, request.params.datasetId.trim());
      if ('movedTo' in found) return reply.redirect(`/api/v2/rest/dataset/${encodeURIComponent(await v2Address(store, found.movedTo))}`, 301);
      if ('error' in found) return reply.code(found.status).send(found.error);
      return { success: true, result: toGen2Json({ ...found.record, identifier: found.identifier }) };
    },
  );

  app.get<{ Querystring: PageQuery }>(
    '/api/v1/rest/group',
    {
      schema: {
        tags: ['cross-platform'],
        operationId: 'listGroup',
        summary: '取得服務分類清單 (list the service categories that have datasets)',
        description:
          'The 服務分類 codes (docs: 政府入口網服務分類, 18 codes) that at least one live dataset has, in code order. A code outside the 18 is not a group.',
        querystring: pageQuerySchema,
        response: {
          200: { description: 'Category codes.', ...identifierListSchema },
          400: { description: 'A parameter is malformed (ER0210).', ...specErrorSchema },
        },
      },
    },
    async (request) => {
      const { limit, offset = 0 } = request.query;
      const codes = await categoriesInUse(store);
      return { success: true, result: codes.slice(offset, limit === undefined ? undefined : offset + limit) };
    },
  );

  app.get<{ Params: { categoryCode: string }; Querystring: PageQuery }>(
    '/api/v1/rest/group/:categoryCode',
    {
      schema: {
        tags: ['cross-platform'],
        operationId: 'getGroup',
        summary: '取得服務分類資料集 (one service category and its datasets)',
        description:
          'The category, its Chinese name and the identifiers of its live datasets in identifier order. `package_count` counts them all; `limit`/`offset` (the gateway’s addition) page `packages`. The code is matched case-insensitively, and the Chinese name (公共資訊) is accepted too. A code among the 18 with no dataset answers with `package_count: 0`.',
        params: {
          type: 'object',
          required: ['categoryCode'],
          properties: { categoryCode: { type: 'string', description: '服務分類 code, e.g. E00 (or its name, 生活安全及品質)' } },
        },
        querystring: pageQuerySchema,
        response: {
          200: {
            type: 'object',
            required: ['success', 'result'],
            properties: {
              success: { type: 'boolean' },
              result: {
                type: 'object',
                required: ['categoryCode', 'display_name', 'description', 'package_count', 'packages'],
                properties: {
                  categoryCode: { type: 'string' },
                  display_name: { type: 'string', description: 'The category’s Chinese name.' },
                  description: { type: 'string' },
                  package_count: { type: 'integer', description: 'Live datasets in the category.' },
                  packages: { type: 'array', items: { type: 'string' }, description: 'Their identifiers.' },
                },
              },
            },
          },
          400: { description: 'A parameter is malformed (ER0210).', ...specErrorSchema },
          404: { description: 'Not one of the 18 service categories (ER0100).', ...specErrorSchema },
        },
      },
    },
    async (request, reply) => {
      const code = categoryCodeOf(request.params.categoryCode);
      if (code === undefined) {
        return reply
          .code(404)
          .send(
            specError(
              ERROR_CODES.notFound,
              `no service category ${JSON.stringify(request.params.categoryCode)}: use one of ${Object.keys(SERVICE_CATEGORIES).join(', ')}`,
            ),
          );
      }
      const { limit = ALL, offset = 0 } = request.query;
      const { total, identifiers } = await store.search.searchDatasets({ category: code, sort: 'identifier', limit, offset });
      return {
        success: true,
        result: { categoryCode: code, display_name: SERVICE_CATEGORIES[code], description: `${code} 類別`, package_count: total, packages: identifiers },
      };
    },
  );

  app.get<{ Querystring: PageQuery }>(
    '/api/v1/rest/tag',
    {
      schema: {
        tags: ['cross-platform'],
        operationId: 'listTag',
        summary: '取得標籤清單 (list every keyword)',
        description:
          'The distinct keywords of live datasets, in code-point order. Keywords are compared exactly once trimmed (`OpenData` and `opendata` are two).',
        querystring: pageQuerySchema,
        response: {
          200: { description: 'Keywords.', ...identifierListSchema },
          400: { description: 'A parameter is malformed (ER0210).', ...specErrorSchema },
        },
      },
    },
    async (request) => ({ success: true, result: await store.catalogue.listKeywords(request.query) }),
  );

  app.get<{ Params: { tagName: string }; Querystring: PageQuery }>(
    '/api/v1/rest/tag/:tagName',
    {
      schema: {
        tags: ['cross-platform'],
        operationId: 'getTag',
        summary: '取得標籤資料集 (datasets with a keyword)',
        description:
          'Identifiers of the live datasets having exactly this keyword, in identifier order. Percent-encode the keyword in the path (`/api/v1/rest/tag/%E5%85%AC%E8%BB%8A` is 公車). `limit`/`offset` (the gateway’s addition) page the list.',
        params: { type: 'object', required: ['tagName'], properties: { tagName: { type: 'string', description: 'The keyword, e.g. 公車' } } },
        querystring: pageQuerySchema,
        response: {
          200: { description: 'Identifiers.', ...identifierListSchema },
          400: { description: 'A parameter is malformed (ER0210).', ...specErrorSchema },
          404: { description: 'No live dataset has this keyword (ER0100).', ...specErrorSchema },
        },
      },
    },
    async (request, reply) => {
      const tag = request.params.tagName.trim();
      const { total, identifiers } = tag === '' ? { total: 0, identifiers: [] } : await store.catalogue.datasetsWithKeyword(tag, request.query);
      // An empty page past the end is not "no such tag": only a tag no dataset has is unknown.
      if (total === 0) return reply.code(404).send(specError(ERROR_CODES.notFound, `no live dataset has the keyword ${JSON.stringify(tag)}`));
      return { success: true, result: identifiers };
    },
  );
}

/**
 * A v2 path names data.gov.tw's id when it is all digits and some dataset's record carries it;
 * otherwise (or when none does) the gateway identifier. A live dataset wins over a gone one; of
 * two live ones (one source listing the same id twice), the first in identifier order.
 */
async function findDatasetV2(store: Store, address: string): Promise<DatasetEntry | MovedDataset | { status: 404 | 410; error: SpecErrorBody }> {
  const byDataGovTwId = /^\d+$/.test(address) ? await store.catalogue.datasetsWithDataGovTwId(address) : [];
  if (byDataGovTwId.length === 0) return findServedDataset(store.catalogue, address);
  const answers = [];
  for (const identifier of byDataGovTwId) answers.push(await findServedDataset(store.catalogue, identifier));
  const live = answers.find((answer): answer is DatasetEntry => 'record' in answer);
  if (live !== undefined) return live;
  const moved = answers.find((answer): answer is MovedDataset => 'movedTo' in answer);
  if (moved !== undefined) return moved;
  const gone = answers[0]!;
  // Name the address the client used, not the dataset identifier behind it.
  return 'error' in gone ? { ...gone, error: { ...gone.error, error: { ...gone.error.error, identifier: address } } } : gone;
}

/** Where a v2 client is sent: the dataset's data.gov.tw id when it has one, else its identifier. */
async function v2Address(store: Store, identifier: string): Promise<string> {
  return (await store.catalogue.getDataset(identifier))?.record.extensions?.datasetId ?? identifier;
}

/** The code for a path segment: the code in any case (e00), or the category's Chinese name. */
function categoryCodeOf(segment: string): string | undefined {
  const text = segment.trim();
  const upper = text.toUpperCase();
  if (Object.hasOwn(SERVICE_CATEGORIES, upper)) return upper;
  return CATEGORY_CODE_BY_LABEL.get(text);
}

/**
 * The categories (of the 18) that live datasets have, in code order, from searchDatasets' facet
 * counts. The facet keeps the most frequent values only: when it is full, a code missing from it
 * may still be in use (crowded out by codes outside the list), and is asked for on its own.
 */
async function categoriesInUse(store: Store): Promise<string[]> {
  const facet = (await store.search.searchDatasets({ limit: 0, offset: 0, facets: true })).facets?.category ?? [];
  const seen = new Set(facet.map((value) => value.value));
  const codes: string[] = [];
  for (const code of Object.keys(SERVICE_CATEGORIES)) {
    if (seen.has(code) || (facet.length >= MAX_FACET_VALUES && (await store.search.searchDatasets({ category: code, limit: 0, offset: 0 })).total > 0))
      codes.push(code);
  }
  return codes.sort();
}
