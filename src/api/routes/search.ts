import type { FastifyInstance } from 'fastify';
import type { Db } from '../../store/database.js';

/** GET /api/search: full text (Chinese), facets, sort, paging. (Being built: issue 6.) */
export function searchRoutes(_app: FastifyInstance, _db: Db, _publicUrl: string): void {}
