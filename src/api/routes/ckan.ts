import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../store/contract/store.js';
import { CkanActionError, badRequestError, ckanFailure, ckanSuccess, notFoundError } from './ckan-envelope.js';
import { packageSearch } from './ckan-package-search.js';
import { packageList, packageShow } from './ckan-packages.js';
import { organizationList, organizationShow } from './ckan-organizations.js';
import { ParamReader, type RawParams } from './ckan-params.js';
import type { CkanSession } from './ckan-directory.js';
import { ACTION_PARAMETERS, ACTION_RESULTS, ERROR_RESPONSES, envelopeSchema } from './ckan-schemas.js';
import { BodyTooDeepError, parseJsonBody } from '../json-body.js';

/**
 * A CKAN-compatible Action API subset (CKAN 2.9–2.11), so CKAN clients, portals and harvesters
 * (ckanapi, ckanext-harvest, this gateway's own CKAN connector) read the federated catalogue
 * as they read any CKAN site:
 *   /api/3/action/package_list | package_show | package_search | organization_list | organization_show | help_show
 * each by GET (query string) or POST (JSON or form body), answered in CKAN's envelope with
 * CKAN's error types and statuses (ckan-envelope.ts). Read-only: the catalogue is harvested.
 */
type Action = (session: CkanSession, params: ParamReader) => Promise<unknown>;

interface ActionDefinition {
  run: Action;
  operationId: string;
  summary: string;
  /** Served by help_show too, as CKAN serves each action's docstring. */
  help: string;
}

const ACTIONS: Readonly<Record<string, ActionDefinition>> = {
  package_list: {
    run: packageList,
    operationId: 'ckanPackageList',
    summary: 'CKAN package_list: names of the live datasets',
    help: 'Return the names of the live datasets, in identifier order. Parameters: limit (int ≥ 0, absent: all), offset (int ≥ 0).',
  },
  package_show: {
    run: packageShow,
    operationId: 'ckanPackageShow',
    summary: 'CKAN package_show: one dataset as a CKAN package',
    help: 'Return one dataset as a CKAN package dict. Parameters: id (the package id, its name, or the dataset identifier). A withdrawn dataset is returned with state "deleted"; an unknown one is a 404 Not Found Error.',
  },
  package_search: {
    run: packageSearch,
    operationId: 'ckanPackageSearch',
    summary: 'CKAN package_search: full text, filters, facets, sort and paging',
    help: 'Search the live datasets. Parameters: q (full text; *:* for all), fq (organization:, owner_org:, groups:, tags:, res_format:, license_id:, metadata_modified:[<from> TO <to>] ([ ] inclusive, { } exclusive, * open), dataset_type:, capacity:; clauses combined with AND; OR between values of one field, res_format:(CSV OR JSON); negation -field:value, NOT field:value), fq_list, rows (default 10, at most 1000), start, sort (score desc, metadata_modified desc | metadata_modified asc|desc | title_string asc|desc | name asc|desc | id asc|desc), facet.field (JSON list of organization, groups, res_format, license_id), facet.limit, fl. Returns {count, results, sort, facets, search_facets}.',
  },
  organization_list: {
    run: organizationList,
    operationId: 'ckanOrganizationList',
    summary: 'CKAN organization_list: the publishers of the catalogue',
    help: 'Return the organizations (the publishers of live datasets) as names, or dicts with all_fields=true. Parameters: all_fields, limit (at most 1000), offset, sort (name|title|package_count asc|desc; default title asc), q, organizations, include_dataset_count, include_extras.',
  },
  organization_show: {
    run: organizationShow,
    operationId: 'ckanOrganizationShow',
    summary: 'CKAN organization_show: one publisher, optionally with its datasets',
    help: 'Return one organization. Parameters: id (name, id, or publisher name), include_datasets (default false: up to 1000 packages, most recently changed first), include_dataset_count, include_extras.',
  },
};

const HELP_SHOW: ActionDefinition = {
  run: async (_session, params) => {
    const name = params.requiredText('name');
    params.done();
    const action = name === 'help_show' ? HELP_SHOW : Object.hasOwn(ACTIONS, name!) ? ACTIONS[name!] : undefined;
    if (action === undefined) throw notFoundError('Action function not found');
    return action.help;
  },
  operationId: 'ckanHelpShow',
  summary: 'CKAN help_show: what an action does and takes',
  help: 'Return the documentation of an action. Parameters: name (the action name).',
};

const ACTION_PATH = '/api/3/action/';

export function ckanRoutes(app: FastifyInstance, store: Store, publicUrl: string): void {
  // Its own scope, so the CKAN error shape, form bodies and parameter handling apply here only.
  void app.register(async (scope) => {
    // CKAN's validators check the parameters and answer 409 with their messages (ckan-params.ts),
    // for GET and POST alike; the schemas below document them for /openapi.json.
    scope.setValidatorCompiler(() => () => true);
    // Responses are written as built: a publisher's odd value is never coerced or dropped.
    scope.setSerializerCompiler(() => (data) => JSON.stringify(data));
    // CKAN reads form posts as well as JSON (requests.post(url, data=…) sends a form).
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, formParams(body as string));
    });
    scope.setErrorHandler((error: FastifyError, request, reply) => sendError(error, request, reply, publicUrl));

    for (const [name, action] of [...Object.entries(ACTIONS), ['help_show', HELP_SHOW] as const]) {
      registerAction(scope, store, publicUrl, name, action);
    }

    // Any other action: CKAN answers 400 "Action name not known".
    scope.route({
      method: ['GET', 'POST'],
      url: `${ACTION_PATH}:action`,
      schema: { hide: true },
      handler: async (request) => {
        throw badRequestError(`Action name not known: ${(request.params as { action: string }).action}`);
      },
    });
  });
}

function registerAction(scope: FastifyInstance, store: Store, publicUrl: string, name: string, action: ActionDefinition): void {
  const parameters = { type: 'object', properties: ACTION_PARAMETERS[name] ?? {} };
  const response = { 200: envelopeSchema(ACTION_RESULTS[name] ?? {}), ...ERROR_RESPONSES };
  const handler = async (request: FastifyRequest): Promise<unknown> => {
    const params = new ParamReader(request.method === 'POST' ? postParams(request) : (request.query as RawParams));
    // One read snapshot: totals, pages and names all come from the same state of the catalogue,
    // even while a harvest in another process commits. (Several store calls, each awaited: only a
    // snapshot keeps them on one state; one store method per action would move the CKAN views
    // into the store.)
    const result = await store.catalogue.readSnapshot((reads) => action.run({ reads, cacheKey: store }, params));
    return ckanSuccess(publicUrl, name, result);
  };
  const common = { tags: ['ckan'], summary: action.summary, description: action.help, response };
  scope.get(`${ACTION_PATH}${name}`, { schema: { ...common, operationId: action.operationId, querystring: parameters } }, handler);
  scope.post(
    `${ACTION_PATH}${name}`,
    {
      schema: {
        ...common,
        operationId: `${action.operationId}Post`,
        body: { ...parameters, description: 'The same parameters as a JSON object (lists and numbers as themselves) or a form.' },
      },
    },
    handler,
  );
}

/**
 * A POST's parameters: its body (a JSON object or a form), over any in the query string. A body
 * that is not JSON, or JSON but not an object, is refused as CKAN refuses it.
 */
function postParams(request: FastifyRequest): RawParams {
  const query = request.query as RawParams;
  let body = request.body;
  // CKAN reads any body as JSON whatever its type; browsers send JSON as text/plain to avoid a
  // CORS preflight.
  if (typeof body === 'string') {
    try {
      body = parseJsonBody(body);
    } catch (err) {
      throw badRequestError(err instanceof BodyTooDeepError ? err.message : `JSON Error: ${(err as Error).message}`);
    }
  }
  if (body === undefined || body === null) return query;
  if (typeof body !== 'object' || Array.isArray(body)) {
    const shown = JSON.stringify(body) ?? String(body);
    throw badRequestError(
      `Bad request data: Request data JSON decoded to ${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown} but it needs to be a dictionary.`,
    );
  }
  return { ...query, ...(body as RawParams) };
}

/** A form body; a repeated key is a list, as in a query string. */
function formParams(body: string): RawParams {
  const params: RawParams = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const previous = params[key];
    params[key] = previous === undefined ? value : Array.isArray(previous) ? [...(previous as unknown[]), value] : [previous, value];
  }
  return params;
}

function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply, publicUrl: string): FastifyReply {
  const action = actionOf(request);
  if (error instanceof CkanActionError) return reply.code(error.status).send(ckanFailure(publicUrl, action, error.body));
  const status = error.statusCode ?? 500;
  if (status === 429) {
    // The shared rate limit (its Retry-After and RateLimit-* headers are already on the reply).
    return reply.code(429).send(ckanFailure(publicUrl, action, { __type: 'Too Many Requests', message: error.message }));
  }
  if (status >= 400 && status < 500) {
    // The body could not be read (not JSON, empty, too large, a content type we do not read).
    const detail = error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? `JSON Error: ${error.message}` : error.message;
    return reply.code(status).send(ckanFailure(publicUrl, action, badRequestError(detail, status).body));
  }
  request.log.error({ err: error }, 'CKAN action failed');
  return reply.code(500).send(ckanFailure(publicUrl, action, { __type: 'Internal Server Error', message: 'internal error; the gateway log has the details' }));
}

function actionOf(request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? '';
  return path.startsWith(ACTION_PATH) ? decodeURIComponentSafe(path.slice(ACTION_PATH.length)) : 'help_show';
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
