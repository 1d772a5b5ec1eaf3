/**
 * Agency push, the write side of 政府資料開放跨平臺介接規範 (docs/tw-standards.md §2.2, §2.3;
 * operator and agency guide: docs/push.md):
 *
 *   POST   /api/v1/rest/dataset                 create   (gen-1 body)   → {"identifier", "datasetId"}
 *   PUT    /api/v1/rest/dataset/{identifier}    replace  (gen-1 body)   → {"identifier", "datasetId"}
 *   DELETE /api/v1/rest/dataset/{identifier}    withdraw                → {"identifier", "datasetId"}
 *   POST   /api/v2/rest/dataset                 create   (gen-2 body)   → {"identifier", "datasetId"}
 *   PUT    /api/v2/rest/dataset/{datasetId}     replace  (gen-2 body)   → {"datasetId"}
 *   DELETE /api/v2/rest/dataset/{datasetId}     take down               → {"datasetId"}
 *
 * Answers are {"success":true,"result":{…}} (201 for a create, with Location) or the spec's error
 * shape; the operations and their refusals are src/push/push-service.ts, the HTTP rules (no CORS,
 * no caching, body cap, key first) push-http.ts. Each call is carried out in the push thread
 * (src/push/push-thread.ts): the body's text goes there unparsed. Accepted writes reach the read side with the
 * next identity resolution, scheduled by a ResolutionScheduler per API instance and run in its
 * worker thread. Each write first awaits `writable()`: while that thread holds the store's write
 * lock, a write on this connection would wait in SQLite's busy handler and block every reader.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../store/contract/store.js';
import type { PushOutcome, PushTarget } from '../../push/push-service.js';
import { pushWriterFor, type PushWritesIn } from '../../push/push-writer.js';
import { PUSH_ERROR_CODES, PushError } from '../../push/push-errors.js';
import type { PushVocabulary } from '../../push/pushed-record.js';
import { DEFAULT_RESOLUTION_SCHEDULE, ResolutionScheduler, type ResolutionSchedule } from '../../push/resolution-scheduler.js';
import { keyOf, registerWritePathPreflight, writeRouteOptions } from './push-http.js';
import { PUSH_ROUTE_SCHEMAS } from './push-schemas.js';

export interface PushRouteOptions {
  /** When accepted pushes are resolved into the served catalogue. */
  resolution?: ResolutionSchedule;
  /** Where calls are carried out (push-writer.ts): the push thread unless 'here'. */
  writesIn?: PushWritesIn | undefined;
}

const schedulers = new WeakMap<FastifyInstance, ResolutionScheduler>();

/** The API's resolution scheduler: tests await `settled()` to read what they pushed. */
export function pushResolutionScheduler(app: FastifyInstance): ResolutionScheduler | undefined {
  return schedulers.get(app);
}

export function pushRoutes(app: FastifyInstance, store: Store, publicUrl: string, options: PushRouteOptions = {}): void {
  const base = publicUrl.trim().replace(/\/+$/, '');
  const resolution = new ResolutionScheduler(store, app.log, options.resolution ?? DEFAULT_RESOLUTION_SCHEDULE);
  schedulers.set(app, resolution);
  // Parsing, reading and writing a pushed record happen in the push thread, not on this loop.
  const writer = pushWriterFor(store, options.writesIn);
  app.addHook('onClose', async () => {
    await writer.close();
    await resolution.close();
  });
  /** The JSON body's text. Another type fastify parses (text/plain) is not a record, as before the push thread. */
  const text = (request: FastifyRequest): string => {
    const mediaType = String(request.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (mediaType !== 'application/json' || typeof request.body !== 'string') {
      throw new PushError(400, PUSH_ERROR_CODES.badRequest, 'the body must be one dataset record, a JSON object (Content-Type: application/json)');
    }
    return request.body;
  };

  const answer = (request: FastifyRequest, action: string, outcome: PushOutcome, result: Record<string, string>) => {
    if (outcome.changed) resolution.request();
    request.log.info(
      { key: keyOf(request).id, action, identifier: outcome.identifier, datasetId: outcome.datasetId, changed: outcome.changed },
      'push accepted',
    );
    return { success: true, result: outcome.warnings.length > 0 ? { ...result, warnings: outcome.warnings } : result };
  };

  const create = (vocabulary: PushVocabulary) => async (request: FastifyRequest, reply: FastifyReply) => {
    await resolution.writable();
    const outcome = await writer.perform({ op: 'create', key: keyOf(request), vocabulary, body: text(request) });
    const datasetId = String(outcome.datasetId);
    const location =
      vocabulary === 'gen1' ? `${base}/api/v1/rest/dataset/${encodeURIComponent(outcome.identifier)}` : `${base}/api/v2/rest/dataset/${datasetId}`;
    reply.code(201).header('location', location);
    return answer(request, `create ${vocabulary}`, outcome, { identifier: outcome.identifier, datasetId });
  };

  app.post('/api/v1/rest/dataset', writeRouteOptions(app, store, PUSH_ROUTE_SCHEMAS.createV1), create('gen1'));
  app.post('/api/v2/rest/dataset', writeRouteOptions(app, store, PUSH_ROUTE_SCHEMAS.createV2), create('gen2'));

  app.put<{ Params: { identifier: string } }>(
    '/api/v1/rest/dataset/:identifier',
    writeRouteOptions(app, store, PUSH_ROUTE_SCHEMAS.replaceV1),
    async (request) => {
      await resolution.writable();
      const outcome = await writer.perform({
        op: 'replace',
        key: keyOf(request),
        vocabulary: 'gen1',
        target: v1Target(request.params.identifier),
        body: text(request),
      });
      return answer(request, 'replace gen1', outcome, { identifier: outcome.identifier, datasetId: String(outcome.datasetId) });
    },
  );
  app.put<{ Params: { datasetId: string } }>(
    '/api/v2/rest/dataset/:datasetId',
    writeRouteOptions(app, store, PUSH_ROUTE_SCHEMAS.replaceV2),
    async (request) => {
      await resolution.writable();
      const outcome = await writer.perform({
        op: 'replace',
        key: keyOf(request),
        vocabulary: 'gen2',
        target: v2Target(request.params.datasetId),
        body: text(request),
      });
      return answer(request, 'replace gen2', outcome, { datasetId: String(outcome.datasetId) });
    },
  );

  app.delete<{ Params: { identifier: string } }>(
    '/api/v1/rest/dataset/:identifier',
    writeRouteOptions(app, store, PUSH_ROUTE_SCHEMAS.deleteV1),
    async (request) => {
      await resolution.writable();
      const outcome = await writer.perform({ op: 'delete', key: keyOf(request), target: v1Target(request.params.identifier) });
      return answer(request, 'delete gen1', outcome, { identifier: outcome.identifier, datasetId: String(outcome.datasetId) });
    },
  );
  app.delete<{ Params: { datasetId: string } }>(
    '/api/v2/rest/dataset/:datasetId',
    writeRouteOptions(app, store, PUSH_ROUTE_SCHEMAS.deleteV2),
    async (request) => {
      await resolution.writable();
      const outcome = await writer.perform({ op: 'delete', key: keyOf(request), target: v2Target(request.params.datasetId) });
      return answer(request, 'delete gen2', outcome, { datasetId: String(outcome.datasetId) });
    },
  );

  registerWritePathPreflight(app, '/api/v1/rest/dataset', ['GET', 'HEAD', 'POST']);
  registerWritePathPreflight(app, '/api/v1/rest/dataset/:identifier', ['GET', 'HEAD', 'PUT', 'DELETE']);
  registerWritePathPreflight(app, '/api/v2/rest/dataset', ['POST']);
  registerWritePathPreflight(app, '/api/v2/rest/dataset/:datasetId', ['GET', 'HEAD', 'PUT', 'DELETE']);
}

function v1Target(identifier: string): PushTarget {
  return { identifier: identifier.trim() };
}

function v2Target(datasetId: string): PushTarget {
  return { datasetId: datasetId.trim() };
}
