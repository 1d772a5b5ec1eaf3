import type { FastifyRequest } from 'fastify';
import type { CatalogueStore } from '../store/contract/catalogue.js';
import type { LastModifiedSource } from './http-caching.js';

/**
 * Where each read route's Last-Modified comes from. Conservative by design: a Last-Modified
 * that is too late only costs a client a full answer, one that is too early would make it keep
 * stale data, so a route gets one only when everything in its body is accounted for.
 *
 * - One dataset (gen-1 record, DCAT document): the dataset's own last change.
 * - Anything else computed from the live catalogue alone (lists, the DCAT catalogue, search,
 *   CKAN actions, exports, groups and tags, the gen-2 record, whose numeric id does not name a
 *   dataset row): the catalogue's last change, which bounds them all.
 * - Identity explanations: none. They show when each member record was last seen, which moves at
 *   every harvest without the catalogue changing; their ETag still answers conditionals.
 */

/** For a route whose content only changes with the gateway's code or configuration (e.g. /openapi.json). */
export const unchangedWhileServing: LastModifiedSource = () => new Date(0).toISOString();

export function catalogueLastModified(catalogue: CatalogueStore): LastModifiedSource {
  // No change ever recorded (empty store): the catalogue is as old as this process's view of it.
  return async () => (await catalogue.catalogueChangedAt()) ?? new Date(0).toISOString();
}

export function datasetLastModified(catalogue: CatalogueStore, identifierOf: (request: FastifyRequest) => string | undefined): LastModifiedSource {
  return (request) => {
    const identifier = identifierOf(request);
    return identifier === undefined ? undefined : catalogue.datasetUpdatedAt(identifier);
  };
}

/** Suffixes that pick a serialisation of a dataset document (`/dataset/{identifier}.ttl`). */
const DOCUMENT_SUFFIX = /\.(?:jsonld|ttl|rdf|nt|json)$/;

function param(request: FastifyRequest, name: string): string | undefined {
  const value = (request.params as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Routes of other modules that serve one dataset, by their registered URL. Routes may also
 * declare `config.lastModified` themselves, which takes precedence over this table.
 */
function datasetRoutes(catalogue: CatalogueStore): Record<string, LastModifiedSource> {
  return {
    '/api/v1/rest/dataset/:identifier': datasetLastModified(catalogue, (request) => param(request, 'identifier')),
    '/dataset/:file': documentLastModified(catalogue, 'file'),
    '/dataset/:identifier': documentLastModified(catalogue, 'identifier'),
  };
}

/**
 * `/dataset/{identifier}[.jsonld|.ttl|.rdf|.nt]`: the dataset the stem names, else (an identifier
 * that itself ends in such a suffix) the one the whole names, as the DCAT route resolves it.
 */
function documentLastModified(catalogue: CatalogueStore, name: string): LastModifiedSource {
  return async (request) => {
    const file = param(request, name);
    if (file === undefined) return undefined;
    const stem = file.replace(DOCUMENT_SUFFIX, '');
    return (stem !== file && stem !== '' ? await catalogue.datasetUpdatedAt(stem) : undefined) ?? (await catalogue.datasetUpdatedAt(file));
  };
}

/** URL prefixes of routes whose content derives from the live catalogue alone. */
const CATALOGUE_ROUTE_PREFIXES = [
  '/api/v1/rest/dataset',
  '/api/v1/rest/group',
  '/api/v1/rest/tag',
  '/api/v2/rest/dataset',
  '/catalog',
  '/api/search',
  '/api/3/action',
  '/export/',
];

/** The Last-Modified source for a route registered at `url`, if it has one. */
export function lastModifiedForRoute(catalogue: CatalogueStore, url: string): LastModifiedSource | undefined {
  const perDataset = datasetRoutes(catalogue)[url];
  if (perDataset) return perDataset;
  return CATALOGUE_ROUTE_PREFIXES.some((prefix) => url.startsWith(prefix)) ? catalogueLastModified(catalogue) : undefined;
}
