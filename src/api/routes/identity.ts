import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/contract/store.js';
import { ERROR_CODES } from '../errors.js';
import { specError, specErrorSchema } from '../../views/spec-error.js';

/**
 * Cross-source identity, read side (the gateway's own API, not the cross-platform spec's):
 *   GET /api/v1/identity/dataset/{identifier}   members, joining keys, field provenance, overrides
 *   GET /api/v1/identity/candidates             fuzzy matches kept apart, for review
 * Operators split and join records with `ogd-gateway identity` (see docs/api.md).
 */
const recordRef = {
  type: 'object',
  required: ['sourceId', 'nativeId'],
  properties: { sourceId: { type: 'string' }, nativeId: { type: 'string' } },
} as const;

const MAX_CANDIDATES = 1000;

export function identityRoutes(app: FastifyInstance, store: Store): void {
  app.get<{ Params: { identifier: string } }>(
    '/api/v1/identity/dataset/:identifier',
    {
      schema: {
        tags: ['identity'],
        operationId: 'explainDataset',
        summary: 'Why a dataset is what it is: its member records, the keys that join them, where each field came from',
        params: { type: 'object', required: ['identifier'], properties: { identifier: { type: 'string' } } },
        response: {
          200: {
            type: 'object',
            required: ['identifier', 'state', 'members', 'fields', 'overrides'],
            properties: {
              identifier: { type: 'string' },
              state: { type: 'string', enum: ['live', 'withdrawn', 'merged'] },
              mergedInto: { type: ['string', 'null'] },
              members: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    sourceId: { type: 'string' },
                    nativeId: { type: 'string' },
                    identifier: { type: 'string' },
                    priority: { type: 'integer' },
                    state: { type: 'string', enum: ['listed', 'missing', 'withdrawn'] },
                    firstSeenAt: { type: 'string' },
                    lastSeenAt: { type: 'string' },
                    keys: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: { kind: { type: 'string' }, value: { type: 'string' }, sharedWith: { type: 'array', items: recordRef } },
                      },
                    },
                  },
                },
              },
              fields: { type: 'object', additionalProperties: recordRef },
              overrides: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'integer' },
                    kind: { type: 'string', enum: ['split', 'join'] },
                    a: recordRef,
                    b: recordRef,
                    note: { type: ['string', 'null'] },
                    createdAt: { type: 'string' },
                  },
                },
              },
            },
          },
          404: { description: 'No dataset with this identifier (ER0100).', ...specErrorSchema },
        },
      },
    },
    async (request, reply) => {
      const explanation = await store.identity.explainDataset(request.params.identifier);
      if (!explanation) {
        return reply.code(404).send(specError(ERROR_CODES.notFound, `no dataset with identifier "${request.params.identifier}"`, request.params.identifier));
      }
      return explanation;
    },
  );

  app.get<{ Querystring: { limit?: number; offset?: number } }>(
    '/api/v1/identity/candidates',
    {
      schema: {
        tags: ['identity'],
        operationId: 'listIdentityCandidates',
        summary: 'Records of different sources with the same title and publisher that nothing else confirms: kept apart, for review',
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: MAX_CANDIDATES, default: 100 },
            // Bounded: past 2^53 the number reaches SQLite as a float, an OFFSET it refuses (a 500).
            offset: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['result'],
            properties: {
              result: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    a: recordRef,
                    b: recordRef,
                    key: { type: 'string' },
                    aDataset: { type: ['string', 'null'] },
                    bDataset: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (request) => ({ result: await store.identity.listCandidates(request.query.limit ?? 100, request.query.offset ?? 0) }),
  );
}
