import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/contract/store.js';

/** Liveness and readiness for load balancers and operators: 200 when the catalogue can be read. */
export function healthRoutes(app: FastifyInstance, store: Store): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        operationId: 'health',
        summary: 'Health: the gateway is up and its catalogue readable',
        response: {
          200: {
            type: 'object',
            properties: { status: { type: 'string', const: 'ok' }, datasets: { type: 'integer' } },
          },
          503: {
            type: 'object',
            properties: { status: { type: 'string', const: 'unavailable' }, reason: { type: 'string' } },
          },
        },
      },
    },
    async (_request, reply) => {
      try {
        return { status: 'ok', datasets: await store.catalogue.countDatasets() };
      } catch (err) {
        return reply.code(503).send({ status: 'unavailable', reason: (err as Error).message });
      }
    },
  );
}
