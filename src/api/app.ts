import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyError } from 'fastify';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import { crossPlatformRoutes } from './routes/crossplatform.js';
import { dcatRoutes } from './routes/dcat.js';
import { healthRoutes } from './routes/health.js';
import { identityRoutes } from './routes/identity.js';
import { catalogRoutes } from './routes/catalog.js';
import { searchRoutes } from './routes/search.js';
import { ckanRoutes } from './routes/ckan.js';
import { crossPlatformMoreRoutes } from './routes/crossplatform-more.js';
import { exportRoutes } from './routes/export.js';
import { discoveryRoutes } from './routes/discovery.js';
import { ERROR_CODES, specError } from './errors.js';
import { packageVersion } from '../config/version.js';

export interface ApiOptions {
  db: Db;
  publicUrl: string;
  logger: Logger;
}

/**
 * The HTTP API. It only reads the store. Every error a client can cause comes back in the
 * cross-platform spec's error shape with a 4xx status; a 500 means a bug of ours.
 */
export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // Identifiers are short, but agency platforms also use UUIDs and URIs: allow long path parameters.
    routerOptions: { maxParamLength: 1000 },
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false } },
  });

  // A public, read-only catalogue: any web page may read it.
  await app.register(cors, { origin: '*', methods: ['GET', 'HEAD'] });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ogd-gateway',
        version: packageVersion(),
        description:
          'Federated catalogue of Taiwan open-data platforms: the cross-platform interface spec (政府資料開放跨平臺介接規範 v1) read API, DCAT-AP JSON-LD per dataset, and operations endpoints. Described per 共通性應用程式介面規範.',
      },
      servers: [{ url: options.publicUrl }],
      tags: [
        { name: 'cross-platform', description: '政府資料開放跨平臺介接規範 v1 (read side)' },
        { name: 'dcat', description: 'DCAT-AP views' },
        { name: 'operations', description: 'Health and API description' },
      ],
    },
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      return reply.code(400).send(specError(ERROR_CODES.badParameter, `${error.validationContext ?? 'request'}${error.message.replace(/^(querystring|params|body)/, '')}`));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send(specError(ERROR_CODES.badParameter, error.message));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(specError(ERROR_CODES.systemError, 'internal error; the gateway log has the details'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(specError(ERROR_CODES.notFound, `no such path: ${request.method} ${request.url.split('?')[0]}`));
  });

  crossPlatformRoutes(app, options.db);
  dcatRoutes(app, options.db, options.publicUrl);
  healthRoutes(app, options.db);
  identityRoutes(app, options.db);
  catalogRoutes(app, options.db, options.publicUrl);
  searchRoutes(app, options.db, options.publicUrl);
  ckanRoutes(app, options.db, options.publicUrl);
  crossPlatformMoreRoutes(app, options.db, options.publicUrl);
  exportRoutes(app, options.db, options.publicUrl);
  discoveryRoutes(app, options.db, options.publicUrl);

  app.get('/openapi.json', { schema: { tags: ['operations'], operationId: 'openapi', summary: 'This API described in OpenAPI 3' } }, async () => app.swagger());

  await app.ready();
  return app;
}
