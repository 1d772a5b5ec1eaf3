import type { FastifyInstance } from 'fastify';
import type { Db } from '../../store/database.js';

/** API discovery: the HTML root page with link rel=api, and /apis.json. (Being built: issue 6.) */
export function discoveryRoutes(_app: FastifyInstance, _db: Db, _publicUrl: string): void {}
