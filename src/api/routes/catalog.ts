import type { FastifyInstance } from 'fastify';
import type { Db } from '../../store/database.js';

/** DCAT-AP 3 catalogue: GET /catalog (+ .jsonld/.ttl/.rdf/.nt), content negotiation, Hydra paging, filters. (Being built: issue 6.) */
export function catalogRoutes(_app: FastifyInstance, _db: Db, _publicUrl: string): void {}
