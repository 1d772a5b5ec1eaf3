/**
 * How the push (write) routes are described in /openapi.json: the API-key security scheme, the
 * request bodies (gen-1 / gen-2 records), the success bodies of the spec and every refusal with
 * its code. Fastify validates only that a body is a JSON object (so ajv never coerces a value of
 * the publisher's record); the richer body description reaches the document through each route's
 * `swaggerTransform`, which also declares the security scheme once.
 */
import type { FastifySchema } from 'fastify';
import { servedRecordSchema } from '../record-schema.js';
import { pushErrorSchema } from '../../push/push-errors.js';

export const PUSH_SECURITY_SCHEME = 'pushApiKey';

const securityScheme = {
  type: 'apiKey',
  in: 'header',
  name: 'Authorization',
  description:
    'The API key the gateway operator issued to your agency (`ogd-gateway keys issue`), sent raw as the whole header value as the cross-platform spec has it (`Authorization: ogd.1a2b3c4d5e6f.…`); `Bearer <key>` is accepted too. A key writes only its own publisher’s datasets (identifiers starting with its org code), and, when the operator registered addresses for it, only from those.',
};

const pushTag = { name: 'push', description: '政府資料開放跨平臺介接規範: agency push (write API v1 and v2), with an API key' };

const v1Body = {
  ...servedRecordSchema(),
  description:
    'One dataset record in the keys of 資料集詮釋資料標準規範 (gen-1), as GET /api/v1/rest/dataset/{identifier} serves them. Date-times may be RFC 3339 or `YYYY-MM-DD hh:mm:ss` (Asia/Taipei). The record must meet the standard: a field that breaks a rule of severity error is refused with 400 naming it.',
  required: ['identifier', 'title'],
};

const v2Body = {
  type: 'object',
  additionalProperties: true,
  description:
    'One dataset record in data.gov.tw API v2’s keys (categoryService, categoryTheme, updateFrequency, coverageStartedDate, relatedUrl, publisherOID as `OID | 機關名稱`, license `"1"`, cost `"free"`, distribution[].resourceFormat / resourceDownloadUrl / resourceField …). `datasetId` is the gateway’s: ignored in a POST body, and must match the path in a PUT. gen-2 has no key for the parent organisation (`organization` and its contacts): they may be sent under their gen-1 names, and are not required.',
  required: ['identifier', 'title'],
  properties: {
    identifier: { type: 'string', description: '資料集編號, 機關代碼(10)-流水號(6): its prefix must be the key’s org code.' },
    title: { type: 'string' },
    categoryService: { type: 'string', description: '服務分類 code (ER0031 when wrong).' },
    categoryTheme: { type: 'string', description: '主題分類 code, three digits (ER0032 when malformed).' },
  },
};

const warnings = {
  type: 'array',
  description: 'Present when the record was accepted with warnings of the standard (e.g. a frequency not written in the standard’s form).',
  items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
};

function success(description: string, result: Record<string, unknown>): Record<string, unknown> {
  return {
    description,
    type: 'object',
    required: ['success', 'result'],
    properties: { success: { type: 'boolean', const: true }, result: { type: 'object', properties: { ...result, warnings } } },
  };
}

const identifierResult = { identifier: { type: 'string', description: 'The dataset identifier.' } };
const datasetIdResult = { datasetId: { type: 'string', description: 'The gateway’s datasetId (gen-2 platform id, digits) for the dataset.' } };

function refusal(description: string): Record<string, unknown> {
  return { description, ...pushErrorSchema };
}

const common = {
  401: refusal('No key, or not a valid key, or a revoked one (ER0001).'),
  403: refusal('The key is another publisher’s (ER000102), or is used from an address not registered for it (ER000101).'),
  413: refusal('The body is over the 5 MB record size cap (ER0413).'),
  415: refusal('The body is not sent as application/json (ER0210).'),
  503: refusal(
    'The gateway’s store cannot take the write now (disk full, read-only, locked by another process): nothing was stored; send it again after `Retry-After` seconds (ER0503).',
  ),
};

const readable =
  'Accepted writes are stored at once and reach the read API (records, /catalog, search, /api/changes) with the next identity resolution: right after the answer when none ran in the last second, else at most a few seconds later (bursts are coalesced; docs/push.md).';

export interface PushRouteSchema {
  /** What fastify validates (and, with the answers the HTTP layer adds, what /openapi.json shows). */
  schema: FastifySchema;
  /**
   * The request body as /openapi.json describes it. Fastify does not see the body parsed: the
   * push thread parses it and reads it as a record (refusing what is not an object, ER0210).
   */
  documentedBody?: Record<string, unknown>;
}

function route(schema: FastifySchema, documentedBody?: Record<string, unknown>): PushRouteSchema {
  return documentedBody ? { schema, documentedBody } : { schema };
}

const identifierParams = {
  type: 'object',
  required: ['identifier'],
  properties: { identifier: { type: 'string', description: '資料集編號, e.g. A41000000G-000001' } },
};
const datasetIdParams = {
  type: 'object',
  required: ['datasetId'],
  properties: { datasetId: { type: 'string', description: 'The datasetId the gateway answered the POST with.' } },
};

export const PUSH_ROUTE_SCHEMAS = {
  createV1: route(
    {
      tags: ['push'],
      operationId: 'createDatasetV1',
      summary: '新增資料集 (push a new dataset, gen-1 keys)',
      description: `Creates the dataset under its identifier. ${readable} A dataset deleted before may be created again (it keeps its datasetId).`,
      security: [{ [PUSH_SECURITY_SCHEME]: [] }],
      response: {
        201: success('Created; `Location` names the dataset’s read URL.', { ...identifierResult, ...datasetIdResult }),
        400: refusal('The body is not a record (ER0210), or a field breaks the standard: ER0031 (categoryCode), ER0030 (any other; `field` names it).'),
        ...common,
        409: refusal('The dataset exists already (ER0040): a replayed POST; use PUT to change it.'),
      },
    },
    v1Body,
  ),
  replaceV1: route(
    {
      tags: ['push'],
      operationId: 'replaceDatasetV1',
      summary: '修改資料集 (replace a pushed dataset, gen-1 keys)',
      description: `Replaces the whole record. The body may omit the identifier; it may not name another. A body whose \`modified\` is older than the stored record’s is refused (409, ER005001): the request was overtaken by a later one. ${readable}`,
      security: [{ [PUSH_SECURITY_SCHEME]: [] }],
      params: identifierParams,
      response: {
        200: success('Replaced (or unchanged: the same content again).', { ...identifierResult, ...datasetIdResult }),
        400: refusal('The body is not a record (ER0210), or a field breaks the standard (ER0031, ER0030).'),
        ...common,
        404: refusal('No live pushed dataset with this identifier (ER0050).'),
        409: refusal('The body is older than the stored record (ER005001).'),
      },
    },
    v1Body,
  ),
  deleteV1: route({
    tags: ['push'],
    operationId: 'deleteDatasetV1',
    summary: '刪除資料集 (withdraw a pushed dataset)',
    description: `Withdraws the pushed record at once (no grace period). When no other source lists the dataset it answers 410 from then on and the change feed reports it withdrawn; when another source (e.g. data.gov.tw) still lists it, that source’s record is served. ${readable}`,
    security: [{ [PUSH_SECURITY_SCHEME]: [] }],
    params: identifierParams,
    response: {
      200: success('Withdrawn.', { ...identifierResult, ...datasetIdResult }),
      ...common,
      404: refusal('No live pushed dataset with this identifier, or deleted already (ER0060).'),
    },
  }),
  createV2: route(
    {
      tags: ['push'],
      operationId: 'createDatasetV2',
      summary: '新增資料集 (push a new dataset, gen-2 keys; the gateway assigns its datasetId)',
      description: `Creates the dataset; the answer carries the datasetId the gateway assigned (ten digits from 9000000001, never one of data.gov.tw’s), which PUT and DELETE then use. ${readable}`,
      security: [{ [PUSH_SECURITY_SCHEME]: [] }],
      response: {
        201: success('Created; `Location` names the dataset’s v2 read URL.', { ...identifierResult, ...datasetIdResult }),
        400: refusal(
          'The body is not a record (ER0210), or a field breaks the standard: ER0031 (categoryService), ER0032 (categoryTheme), ER0030 (any other).',
        ),
        ...common,
        409: refusal('The dataset exists already (ER0040).'),
      },
    },
    v2Body,
  ),
  replaceV2: route(
    {
      tags: ['push'],
      operationId: 'replaceDatasetV2',
      summary: '修改資料集 (replace a pushed dataset by datasetId, gen-2 keys)',
      description: `Replaces the whole record. A body whose \`modifiedDate\` is older than the stored record’s is refused (409, ER005101). ${readable}`,
      security: [{ [PUSH_SECURITY_SCHEME]: [] }],
      params: datasetIdParams,
      response: {
        200: success('Replaced (or unchanged).', datasetIdResult),
        400: refusal('The body is not a record (ER0210), or a field breaks the standard (ER0031, ER0032, ER0030).'),
        ...common,
        404: refusal('No live pushed dataset with this datasetId (ER0051).'),
        409: refusal('The body is older than the stored record (ER005101).'),
      },
    },
    v2Body,
  ),
  deleteV2: route({
    tags: ['push'],
    operationId: 'deleteDatasetV2',
    summary: '下架資料集 (take a pushed dataset down by datasetId)',
    description: `Withdraws the pushed record at once. The datasetId stays bound to the identifier: a POST of the identifier later brings the dataset back under it. ${readable}`,
    security: [{ [PUSH_SECURITY_SCHEME]: [] }],
    params: datasetIdParams,
    response: {
      200: success('Taken down.', datasetIdResult),
      ...common,
      404: refusal('No live pushed dataset with this datasetId, or taken down already (ER0052).'),
    },
  }),
} as const;

interface OpenApiDocument {
  tags?: Array<{ name: string }>;
  components: { securitySchemes?: Record<string, unknown> };
}

/** A route's swaggerTransform: its schema with the documented body, and the security scheme and tag declared in the document. */
export function pushSwaggerTransform(documentedBody: Record<string, unknown> | undefined) {
  return ({ schema, openapiObject }: { schema: FastifySchema; openapiObject: unknown }): { schema: FastifySchema } => {
    const document = openapiObject as OpenApiDocument;
    document.components.securitySchemes = { ...document.components.securitySchemes, [PUSH_SECURITY_SCHEME]: securityScheme };
    if (document.tags && !document.tags.some((tag) => tag.name === pushTag.name)) document.tags.push(pushTag);
    return { schema: documentedBody ? { ...schema, body: documentedBody } : schema };
  };
}
