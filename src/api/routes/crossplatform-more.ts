import type { FastifyInstance } from 'fastify';
import type { Db } from '../../store/database.js';

/** Cross-platform spec read side beyond v1 records: v2 records, groups (服務分類) and tags. (Being built: issue 6.) */
export function crossPlatformMoreRoutes(_app: FastifyInstance, _db: Db, _publicUrl: string): void {}
