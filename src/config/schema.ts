/**
 * The configuration's JSON Schema. Unknown keys are errors everywhere: a typo in an
 * operator's file must stop start-up, not be silently ignored.
 */
export const CONNECTOR_TYPES = ['crossplatform', 'file', 'datagovtw', 'ckan', 'dcat', 'dcat-us', 'csw', 'oai-pmh', 'mapped-json'] as const;

export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

const httpLimits = {
  timeoutMs: { type: 'integer', minimum: 100, maximum: 600_000 },
  connectTimeoutMs: { type: 'integer', minimum: 100, maximum: 120_000 },
  maxResponseBytes: { type: 'integer', minimum: 1024, maximum: 1_073_741_824 },
  retries: { type: 'integer', minimum: 0, maximum: 10 },
  retryBaseDelayMs: { type: 'integer', minimum: 0, maximum: 60_000 },
  allowPrivateAddresses: { type: 'boolean' },
  maxConcurrentPerHost: { type: 'integer', minimum: 1, maximum: 64 },
  minIntervalMs: { type: 'integer', minimum: 0, maximum: 600_000 },
  maxRetryAfterMs: { type: 'integer', minimum: 0, maximum: 3_600_000 },
} as const;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    server: {
      type: 'object',
      additionalProperties: false,
      properties: {
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        host: { type: 'string', minLength: 1 },
        publicUrl: { type: 'string', pattern: '^https?://[^\\s/]+(/[^\\s]*)?$' },
        // false; true (trust every X-Forwarded-For hop); or the proxies' addresses / CIDR
        // ranges (also `loopback`, `linklocal`, `uniquelocal`). Fastify no longer honours a
        // bare hop count (it cannot tell a proxy from a client), so none is offered.
        trustProxy: {
          anyOf: [{ type: 'boolean' }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }],
        },
        rateLimit: {
          type: 'object',
          additionalProperties: false,
          properties: {
            max: { type: 'integer', minimum: 0, maximum: 10_000_000 },
            timeWindowMs: { type: 'integer', minimum: 1000, maximum: 86_400_000 },
            allowList: { type: 'array', items: { type: 'string', minLength: 1 } },
          },
        },
        cacheMaxAgeSeconds: { type: 'integer', minimum: 0, maximum: 31_536_000 },
        catalogCacheMB: { type: 'integer', minimum: 0, maximum: 4096 },
      },
    },
    database: {
      type: 'object',
      additionalProperties: false,
      properties: { path: { type: 'string', minLength: 1 } },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      properties: {
        level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
      },
    },
    harvest: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...httpLimits,
        runOnStart: { type: 'boolean' },
        maxConcurrentRuns: { type: 'integer', minimum: 1, maximum: 64 },
        heapLimitMB: { type: 'integer', minimum: 64, maximum: 1_048_576 },
        userAgent: { type: 'string', minLength: 1 },
      },
    },
    sources: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'type', 'url', 'schedule'],
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' },
          name: { type: 'string', minLength: 1 },
          type: { enum: CONNECTOR_TYPES },
          url: { type: 'string', minLength: 1 },
          schedule: { type: 'string', minLength: 1 },
          priority: { type: 'integer', minimum: -1000, maximum: 1000 },
          withdrawAfterHours: { type: 'number', minimum: 0, maximum: 87_600 },
          maxMissingShare: { type: 'number', minimum: 0, maximum: 1 },
          enabled: { type: 'boolean' },
          options: { type: 'object' },
          timeZone: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$', maxLength: 64 },
          language: { type: 'string', pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$', maxLength: 35 },
        },
      },
    },
  },
} as const;
