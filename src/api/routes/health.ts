import type { FastifyInstance } from 'fastify';
import type { Db } from '../../store/database.js';
import { countDatasets } from '../../store/catalogue.js';

/** Liveness and readiness for load balancers and operators: 200 when the catalogue can be read. */
export function healthRoutes(app: FastifyInstance, db: Db): void {
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
        return { status: 'ok', datasets: countDatasets(db) };
      } catch (err) {
        return reply.code(503).send({ status: 'unavailable', reason: (err as Error).message });
      }
    },
  );
}
