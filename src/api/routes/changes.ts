import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/contract/store.js';
import type { FeedEvent } from '../../store/change-feed.js';
import { toGen1Json } from '../../views/gen1.js';
import { ERROR_CODES } from '../errors.js';
import { specError, specErrorSchema } from '../../views/spec-error.js';
import { servedRecordSchema } from '../record-schema.js';
import { storedRecordSchema } from '../stored-record-schema.js';
import { decodeFeedCursor, encodeFeedCursor, MAX_FEED_CURSOR_LENGTH } from '../feed-cursor.js';

/**
 * GET /api/changes: the exact change feed (the gateway's own API). The cross-platform spec's
 * `modified` filter cannot tell a mirror what was withdrawn, nor promise it missed nothing; this
 * feed does both (src/store/change-feed.ts says how).
 */
export const DEFAULT_FEED_LIMIT = 100;
export const MAX_FEED_LIMIT = 1000;

interface FeedQuery {
  since?: string;
  limit?: number;
}

export function changeFeedRoutes(app: FastifyInstance, store: Store): void {
  app.get<{ Querystring: FeedQuery }>(
    '/api/changes',
    {
      schema: {
        tags: ['changes'],
        operationId: 'listChanges',
        summary: 'The change feed: what was created, updated or withdrawn since a cursor, compacted, exact',
        description: [
          'Each dataset appears at most once in a walk, at its latest change, in its current state (the feed is compacted).',
          "`created` and `updated` carry the record exactly as `GET /api/v1/rest/dataset/{identifier}` gives it (`record`, gen-1), and the same dataset as this gateway stores it (`national`: its national record with `extensions`, such as data.gov.tw's datasetId and gen-2's categoryTheme and dataQuality, which gen-1 has no place for; for gateway-to-gateway mirroring); `withdrawn` has neither, and `movedTo` when the dataset was merged into another (which then appears as created or updated).",
          '`created`: the dataset was not live at `since` (a client cannot have it); `updated`: it was, and changed since; `withdrawn`: it is no longer served.',
          'Start without `since` (an empty mirror), then pass each `nextCursor` as `since`; `more` says whether more changes follow right now. When `more` is false, poll again later with the same `nextCursor`.',
          'A client that applies every event of its walk, from any cursor it was given (upsert created/updated, delete withdrawn), ends with exactly the live catalogue, deletions included — also while a harvest runs: a change made meanwhile comes later in the walk.',
        ].join(' '),
        querystring: {
          type: 'object',
          properties: {
            since: { type: 'string', maxLength: MAX_FEED_CURSOR_LENGTH, description: 'A `nextCursor` of an earlier answer; absent: from the beginning.' },
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_FEED_LIMIT,
              default: DEFAULT_FEED_LIMIT,
              description: `Events per answer (1–${MAX_FEED_LIMIT}).`,
            },
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
                required: ['changes', 'nextCursor', 'more'],
                properties: {
                  changes: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['identifier', 'kind', 'at'],
                      properties: {
                        identifier: { type: 'string' },
                        kind: { type: 'string', enum: ['created', 'updated', 'withdrawn'] },
                        at: { type: 'string', description: 'When the latest change was made (UTC, RFC 3339).' },
                        movedTo: { type: 'string', description: 'Withdrawn because merged into this dataset.' },
                        record: { ...servedRecordSchema(), description: 'created and updated: the record, as GET /api/v1/rest/dataset/{identifier} gives it.' },
                        national: {
                          ...storedRecordSchema(),
                          description:
                            'created and updated: the dataset as this gateway stores it (its national record, extensions included), for gateway-to-gateway mirroring: a mirror that stores it serves what this gateway serves, in every view. Clients that want the standard record use `record`.',
                        },
                      },
                    },
                  },
                  nextCursor: { type: 'string', description: 'Pass as `since` for what follows. Opaque.' },
                  more: { type: 'boolean', description: 'More changes follow right now.' },
                },
              },
            },
          },
          400: { description: 'A malformed `limit`, or `since` is not a cursor of this catalogue (ER0210).', ...specErrorSchema },
        },
      },
      // As the record route: the records are written verbatim, never coerced by the schema.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request, reply) => {
      const state = await store.changes.feedState();
      let since = 0;
      if (request.query.since !== undefined) {
        const position = decodeFeedCursor(request.query.since, state);
        if (typeof position === 'string') return reply.code(400).send(specError(ERROR_CODES.badParameter, position));
        since = position;
      }
      const page = await store.changes.readFeed(since, request.query.limit ?? DEFAULT_FEED_LIMIT, (identifier, error) =>
        request.log.error({ err: error, identifier }, 'change feed: a stored record could not be read; its event left out'),
      );
      return {
        success: true,
        result: { changes: page.events.map(toWire), nextCursor: encodeFeedCursor(state.epoch, page.nextSeq), more: page.more },
      };
    },
  );
}

function toWire(event: FeedEvent): Record<string, unknown> {
  return {
    identifier: event.identifier,
    kind: event.kind,
    at: event.at,
    ...(event.movedTo !== undefined ? { movedTo: event.movedTo } : {}),
    ...(event.record !== undefined ? { record: toGen1Json(event.record), national: event.record } : {}),
  };
}
