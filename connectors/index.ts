import { Ajv, type ValidateFunction } from 'ajv';
import type { Connector, ConnectorDefinition } from './connector.js';
import { crossPlatformConnector } from './crossplatform.js';
import { fileConnector } from './file.js';
import { dataGovTwConnector } from './datagovtw.js';
import { ckanConnector } from './ckan.js';
import { dcatConnector } from './dcat.js';
import { dcatUsConnector } from './dcat-us.js';
import { cswConnector } from './csw.js';
import { oaiPmhConnector } from './oai-pmh.js';
import { mappedJsonConnector } from './mapped-json.js';
import type { GatewayConfig, HttpLimits, SourceConfig } from '../src/config/types.js';
import { ConfigError } from '../src/config/load.js';

/** Every connector the gateway ships, by source `type`. */
export const CONNECTORS: ReadonlyMap<string, ConnectorDefinition> = new Map(
  [
    crossPlatformConnector,
    fileConnector,
    dataGovTwConnector,
    ckanConnector,
    dcatConnector,
    dcatUsConnector,
    cswConnector,
    oaiPmhConnector,
    mappedJsonConnector,
  ].map((definition) => [definition.type, definition]),
);

/** Per-source overrides of the harvest-wide HTTP limits: `options.http`. */
const httpOverridesSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    timeoutMs: { type: 'integer', minimum: 100 },
    connectTimeoutMs: { type: 'integer', minimum: 100 },
    maxResponseBytes: { type: 'integer', minimum: 1024 },
    retries: { type: 'integer', minimum: 0, maximum: 10 },
    retryBaseDelayMs: { type: 'integer', minimum: 0 },
    allowPrivateAddresses: { type: 'boolean' },
    maxConcurrentPerHost: { type: 'integer', minimum: 1, maximum: 64 },
    minIntervalMs: { type: 'integer', minimum: 0, maximum: 600_000 },
    maxRetryAfterMs: { type: 'integer', minimum: 0, maximum: 3_600_000 },
  },
};

const ajv = new Ajv({ allErrors: false, strict: false });
/**
 * Each connector's options validator, compiled when a source of its type is first checked: a
 * compile costs milliseconds, and every process and thread that harvests imports this registry
 * while its configuration names only a few of the types.
 */
const validators = new Map<string, ValidateFunction>();

function optionsValidator(type: string): ValidateFunction | undefined {
  const definition = CONNECTORS.get(type);
  if (definition === undefined) return undefined;
  let validate = validators.get(type);
  if (validate === undefined) {
    const schema = definition.optionsSchema as { properties?: Record<string, unknown> };
    validate = ajv.compile({ ...schema, properties: { ...schema.properties, http: httpOverridesSchema } });
    validators.set(type, validate);
  }
  return validate;
}

/**
 * Check every source's type and options against its connector, so a bad config stops
 * start-up naming the field rather than failing at the first scheduled run.
 */
export function validateSources(config: GatewayConfig): void {
  config.sources.forEach((source, index) => {
    const validate = CONNECTORS.get(source.type)?.available === false ? undefined : optionsValidator(source.type);
    if (!validate) {
      const available = [...CONNECTORS.values()].filter((d) => d.available !== false).map((d) => d.type);
      throw new ConfigError(config.origin, `sources[${index}].type`, `connector "${source.type}" is not available yet (available: ${available.join(', ')})`);
    }
    if (!validate(source.options)) {
      const error = validate.errors?.[0];
      const extra = error?.keyword === 'additionalProperties' ? `.${(error.params as { additionalProperty: string }).additionalProperty}` : '';
      const path = (error?.instancePath ?? '').split('/').filter(Boolean).join('.');
      const field = `sources[${index}].options${path ? `.${path}` : ''}${extra}`;
      throw new ConfigError(config.origin, field, error?.keyword === 'additionalProperties' ? 'unknown key' : (error?.message ?? 'invalid'));
    }
  });
}

export function createConnector(source: SourceConfig): Connector {
  const definition = CONNECTORS.get(source.type);
  if (!definition) throw new Error(`no connector for source type "${source.type}" (source ${source.id})`);
  const { http: _http, ...options } = source.options;
  return definition.create({ ...source, options });
}

/** The HTTP limits of one source: the harvest-wide ones with the source's `options.http` on top. */
export function httpLimitsFor(source: SourceConfig, defaults: HttpLimits): HttpLimits {
  return { ...defaults, ...((source.options.http as Partial<HttpLimits> | undefined) ?? {}) };
}
