import type { FastifyInstance } from 'fastify';
import type { Db } from '../../store/database.js';
import { findServedDataset } from '../served-dataset.js';
import { toDcatJsonLd } from '../../views/dcat-jsonld.js';
import { ERROR_CODES, specError, specErrorSchema } from '../errors.js';

const JSONLD_SUFFIX = '.jsonld';

/** One dataset as DCAT-AP JSON-LD: GET /dataset/{identifier}.jsonld */
export function dcatRoutes(app: FastifyInstance, db: Db, publicUrl: string): void {
  app.get<{ Params: { file: string } }>(
    '/dataset/:file',
    {
      schema: {
        tags: ['dcat'],
        operationId: 'getDatasetJsonLd',
        summary: 'One dataset as DCAT-AP JSON-LD',
        description:
          'Path `/dataset/{identifier}.jsonld`. The document carries its @context inline, so no remote context is needed to read it.',
        params: {
          type: 'object',
          required: ['file'],
          properties: { file: { type: 'string', description: '`{identifier}.jsonld`, e.g. `A41000000G-000001.jsonld`' } },
        },
        response: {
          200: {
            description: 'DCAT-AP JSON-LD (application/ld+json).',
            content: { 'application/ld+json': { schema: { type: 'object', additionalProperties: true } } },
          },
          404: { description: 'No dataset with this identifier, or not a .jsonld path (ER0100).', ...specErrorSchema },
          301: { description: 'The identifier now belongs to another dataset (their records were found to be one dataset): Location names it.' },
          410: { description: 'The dataset was withdrawn: its source no longer lists it (ER010001).', ...specErrorSchema },
        },
      },
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request, reply) => {
      const { file } = request.params;
      if (!file.endsWith(JSONLD_SUFFIX) || file.length === JSONLD_SUFFIX.length) {
        return reply.code(404).send(specError(ERROR_CODES.notFound, `no such document: /dataset/${file} (use /dataset/{identifier}.jsonld)`));
      }
      const entry = findServedDataset(db, file.slice(0, -JSONLD_SUFFIX.length));
      if ('movedTo' in entry) return reply.redirect(`/dataset/${encodeURIComponent(entry.movedTo)}${JSONLD_SUFFIX}`, 301);
      if ('error' in entry) return reply.code(entry.status).send(entry.error);
      return reply.type('application/ld+json; charset=utf-8').send(toDcatJsonLd(entry.record, { baseUrl: publicUrl }));
    },
  );
}
