import type { FastifyInstance } from 'fastify';
import type { Db } from '../../store/database.js';

/** CKAN-compatible Action API subset: package_list, package_show, package_search, organization_list, organization_show. (Being built: issue 6.) */
export function ckanRoutes(_app: FastifyInstance, _db: Db, _publicUrl: string): void {}
