import type { FastifyInstance } from 'fastify';
import type { Db } from '../../store/database.js';

/** Whole-catalogue export: /export/catalog.csv and /export/catalog.jsonld, streamed. (Being built: issue 6.) */
export function exportRoutes(_app: FastifyInstance, _db: Db, _publicUrl: string): void {}
