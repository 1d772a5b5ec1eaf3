import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../../store/contract/store.js';
import { findServedStoredDataset } from '../served-dataset.js';
import { RenderedRecordCache } from '../rendered-record-cache.js';
import type { NationalRecord } from '../../model/record.js';
import { parseTaiwanDate, toUtcInstant } from '../../model/dates.js';
import { toGen1Json } from '../../views/gen1.js';
import { servedRecordSchema } from '../record-schema.js';
import { ERROR_CODES } from '../errors.js';
import { specError, specErrorSchema } from '../../views/spec-error.js';
import { parseStoredJson } from '../../store/stored-json.js';

/**
 * 政府資料開放跨平臺介接規範 v1, read side, exactly as the spec has it:
 *   GET /api/v1/rest/dataset?modified=&limit=&offset=
 *   GET /api/v1/rest/dataset/{identifier}
 */
export const MAX_LIMIT = 100_000;

interface ListQuery {
  modified?: string;
  limit?: number;
  offset?: number;
  after?: string;
}

/** What Fastify sends JSON as: the record's answer keeps that type, and the tag hashes it. */
const JSON_UTF8 = 'application/json; charset=utf-8';

/** The gen-1 answer for a stored record (JSON text, as in the `datasets` view). */
function renderGen1Answer(recordJson: string): string {
  return JSON.stringify({ success: true, result: toGen1Json(parseStoredJson(recordJson) as NationalRecord) });
}

export function crossPlatformRoutes(app: FastifyInstance, store: Store, publicUrl: string): void {
  // Per API instance: rendered records are reused while the store, or at least their text, is unchanged.
  const renderedRecords = new RenderedRecordCache(JSON_UTF8);
  const recordUpdatedAt = new WeakMap<FastifyRequest, string>();
  const listUrl = `${publicUrl.trim().replace(/\/+$/, '')}/api/v1/rest/dataset`;
  app.get<{ Querystring: ListQuery }>(
    '/api/v1/rest/dataset',
    {
      schema: {
        tags: ['cross-platform'],
        operationId: 'listDatasetId',
        summary: '取得資料集編號清單 (list dataset identifiers)',
        description:
          'Identifiers of the federated catalogue, ordered by identifier. `modified` keeps those whose metadata last changed at or after the given time (RFC 3339; `YYYY-MM-DD hh:mm:ss` and `YYYY-MM-DD` are read as Asia/Taipei). A dataset whose record has no `modified` counts as changed when the gateway last changed it. With `limit`, a full page carries a `Link: <…>; rel="next"` header naming the next page by `after` (the last identifier): unlike raising `offset`, following it sees every dataset listed throughout the walk exactly once while a harvest changes the catalogue. (`after` is a gateway extension; the spec pages by offset.)',
        querystring: {
          type: 'object',
          properties: {
            modified: {
              type: 'string',
              description: 'RFC 3339 date-time (or Taipei local time); records modified at or after it.',
              examples: ['2021-08-01T00:00:00+08:00'],
            },
            limit: { type: 'integer', minimum: 0, maximum: MAX_LIMIT, description: 'At most this many identifiers (absent: all).' },
            offset: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Skip this many identifiers first.' },
            after: {
              type: 'string',
              minLength: 1,
              maxLength: 1000,
              description: 'Only identifiers after this one (keyset paging; the `Link` rel="next" header gives it).',
            },
          },
        },
        response: {
          200: {
            description: 'Identifiers; an empty array when none match.',
            type: 'object',
            required: ['success', 'result'],
            properties: { success: { type: 'boolean' }, result: { type: 'array', items: { type: 'string' } } },
          },
          400: { description: 'A parameter is malformed (ER0210).', ...specErrorSchema },
        },
      },
    },
    async (request, reply) => {
      const { modified, limit, offset, after } = request.query;
      let modifiedSince: string | undefined;
      if (modified !== undefined) {
        modifiedSince = parseModifiedParameter(modified);
        if (!modifiedSince) {
          return reply
            .code(400)
            .send(specError(ERROR_CODES.badParameter, `modified must be an RFC 3339 date-time (e.g. 2021-08-01T00:00:00+08:00), got "${modified}"`));
        }
      }
      const result = await store.catalogue.listIdentifiers({ modifiedSince, limit, offset, after });
      const last = result.at(-1);
      if (limit !== undefined && limit > 0 && result.length === limit && last !== undefined) {
        reply.header('link', `<${nextListUrl(listUrl, request.query, limit, last)}>; rel="next"`);
      }
      return { success: true, result };
    },
  );

  app.get<{ Params: { identifier: string } }>(
    '/api/v1/rest/dataset/:identifier',
    {
      schema: {
        tags: ['cross-platform'],
        operationId: 'getDatasetById',
        summary: '取得資料集詮釋資料 (one dataset, national metadata standard, gen-1 keys)',
        description:
          'The record in the keys of 資料集詮釋資料標準規範 with publisherOID and publisherOrgCode. Date-times are written `YYYY-MM-DD hh:mm:ss` in Asia/Taipei as the standard has them.',
        params: { type: 'object', required: ['identifier'], properties: { identifier: { type: 'string', description: '資料集編號, e.g. A41000000G-000001' } } },
        response: {
          200: {
            type: 'object',
            required: ['success', 'result'],
            properties: { success: { type: 'boolean' }, result: servedRecordSchema() },
          },
          404: { description: 'No dataset with this identifier (ER0100).', ...specErrorSchema },
          301: { description: 'The identifier now belongs to another dataset (their records were found to be one dataset): Location names it.' },
          410: { description: 'The dataset was withdrawn: no source publishes it any more (ER010001).', ...specErrorSchema },
        },
      },
      // The record schema documents the shape; plain JSON.stringify serialises it (renderGen1Answer),
      // so a publisher's odd value (kept verbatim, flagged) is never coerced or dropped.
      serializerCompiler: () => (data) => JSON.stringify(data),
      // The handler knows the dataset's last change (read with its record): no second query for it.
      config: { lastModified: (request) => recordUpdatedAt.get(request) },
    },
    async (request, reply) => {
      const { identifier } = request.params;
      // Read before the row: a write landing in between only costs the next request a re-read.
      const version = await store.catalogue.storeVersion();
      let answer = renderedRecords.unchanged(identifier, version);
      if (answer === undefined) {
        const entry = await findServedStoredDataset(store.catalogue, identifier);
        if ('movedTo' in entry) return reply.redirect(`/api/v1/rest/dataset/${encodeURIComponent(entry.movedTo)}`, 301);
        if ('error' in entry) return reply.code(entry.status).send(entry.error);
        answer = renderedRecords.answer(identifier, entry, version, renderGen1Answer);
      }
      recordUpdatedAt.set(request, answer.updatedAt);
      // The tag is the one http-caching.ts would compute from these bytes, computed once per rendering.
      return reply.type(JSON_UTF8).header('etag', answer.etag).send(answer.body);
    },
  );
}

/** The next page of the identifier list: the same filter and limit, after the page's last identifier. */
function nextListUrl(listUrl: string, query: ListQuery, limit: number, last: string): string {
  const params = new URLSearchParams();
  if (query.modified !== undefined) params.set('modified', query.modified);
  params.set('limit', String(limit));
  params.set('after', last);
  return `${listUrl}?${params.toString()}`;
}

/**
 * Read the `modified` parameter into a UTC instant. Clients often forget to percent-encode
 * the `+` of an offset, which arrives as a space: `…T10:00:00 08:00` is taken as `+08:00`.
 */
export function parseModifiedParameter(value: string): string | undefined {
  const repaired = value.trim().replace(/(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$/, '$1+$2');
  const parsed = parseTaiwanDate(repaired);
  if (!parsed) return undefined;
  return toUtcInstant(parsed.value) ?? undefined;
}
