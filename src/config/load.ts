import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import cron from 'node-cron';
import ipaddr from 'ipaddr.js';
import { configSchema } from './schema.js';
import type { GatewayConfig, ServerHttpSettings, SourceConfig } from './types.js';
import { projectPath } from '../model/project-root.js';
import { isKnownTimeZone } from '../model/dates.js';

/** A configuration problem; `field` is the JSON path of the offending value. */
export class ConfigError extends Error {
  constructor(
    readonly origin: string,
    readonly field: string,
    message: string,
  ) {
    super(`${origin}: ${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Three days: a platform that drops its catalogue for a night of maintenance loses nothing. */
export const DEFAULT_WITHDRAW_AFTER_HOURS = 72;

/**
 * The harvest thread's heap cap. V8 lets a heap grow to about four times what is live between full
 * collections when its cap is 2 GiB or more (Node's default here is about 4 GiB), and 1.3–2 times
 * below: a full harvest of 100,000 CKAN packages keeps 25–50 MB live but let its heap reach 244 MB
 * (process peak RSS 358 MB); capped at 1 GiB, 125 MB (234 MB). Identity resolution of 100,000
 * records, the largest live set of a run, keeps at most 77 MB live, so the cap leaves room for
 * catalogues ten times that size (docs/benchmarks.md, issue 15).
 */
export const DEFAULT_HARVEST_HEAP_LIMIT_MB = 1024;

/**
 * How the API answers over HTTP when the configuration says nothing. 1200 requests a minute per
 * client is 20 a second sustained: far above what a person or a web page makes, and enough for a
 * harvester fetching records one by one to read 100,000 in under 1.5 hours (clients that honour
 * Retry-After, as ours does, just slow down). A minute of Cache-Control lets browsers and CDNs
 * absorb repeated reads while a harvest's changes still show within a minute.
 */
export function defaultServerHttpSettings(): ServerHttpSettings {
  // 64 MiB of catalogue cache holds about 110 pages of 100 datasets (docs/benchmarks.md).
  return { trustProxy: false, rateLimit: { max: 1200, timeWindowMs: 60_000, allowList: [] }, cacheMaxAgeSeconds: 60, catalogCacheMB: 64 };
}

/** proxy-addr's names for ranges, accepted in `server.trustProxy`. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Compiled on the first configuration checked, not at import: the compile takes about 0.1 s, and
 * every harvest thread and test process imports this module (for ConfigError) without one.
 */
let validateShape: ValidateFunction | undefined;
const shapeValidator = (): ValidateFunction => (validateShape ??= new Ajv({ allErrors: false, strict: true }).compile(configSchema));

export interface LoadConfigOptions {
  /** --config FILE; else OGD_CONFIG; else config/default.json of the installation. */
  file?: string;
  env?: NodeJS.ProcessEnv;
}

export function defaultConfigFile(): string {
  return projectPath('config', 'default.json');
}

export function loadConfig(options: LoadConfigOptions = {}): GatewayConfig {
  const env = options.env ?? process.env;
  const file = resolve(options.file ?? (env.OGD_CONFIG || defaultConfigFile()));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, '(file)', `cannot read: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, '(file)', `not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(raw, file, env);
}

/** Validate a configuration object, apply the environment and the defaults. */
export function parseConfig(raw: unknown, origin: string, env: NodeJS.ProcessEnv = {}): GatewayConfig {
  const validate = shapeValidator();
  if (!validate(raw)) {
    const first = validate.errors?.[0];
    throw new ConfigError(origin, fieldOf(first), describe(first));
  }
  const input = raw as Partial<{
    server: Partial<GatewayConfig['server']>;
    database: Partial<GatewayConfig['database']>;
    log: Partial<GatewayConfig['log']>;
    harvest: Partial<GatewayConfig['harvest']>;
    sources: Array<Partial<SourceConfig> & Pick<SourceConfig, 'id' | 'name' | 'type' | 'url' | 'schedule'>>;
  }>;

  const port = env.PORT !== undefined && env.PORT !== '' ? parsePort(env.PORT, origin) : (input.server?.port ?? 8080);
  const config: GatewayConfig = {
    origin,
    server: {
      port,
      host: input.server?.host ?? '0.0.0.0',
      publicUrl: (input.server?.publicUrl ?? `http://localhost:${port}`).replace(/\/+$/, ''),
      ...serverHttpSettings(input.server ?? {}, origin),
    },
    database: { path: env.DATABASE_PATH || input.database?.path || 'data/catalog.db' },
    log: { level: env.LOG_LEVEL || input.log?.level || 'info' },
    harvest: {
      timeoutMs: 30_000,
      connectTimeoutMs: 10_000,
      maxResponseBytes: 50 * 1024 * 1024,
      retries: 2,
      retryBaseDelayMs: 500,
      allowPrivateAddresses: false,
      maxConcurrentPerHost: 4,
      minIntervalMs: 0,
      maxRetryAfterMs: 120_000,
      runOnStart: true,
      maxConcurrentRuns: 2,
      heapLimitMB: DEFAULT_HARVEST_HEAP_LIMIT_MB,
      userAgent: 'ogd-gateway/0.1 (metadata harvester)',
      ...input.harvest,
    },
    sources: (input.sources ?? []).map((source) => ({
      priority: 0,
      enabled: true,
      withdrawAfterHours: DEFAULT_WITHDRAW_AFTER_HOURS,
      maxMissingShare: 0.5,
      options: {},
      ...source,
    })),
  };

  const seen = new Set<string>();
  config.sources.forEach((source, index) => {
    if (seen.has(source.id)) {
      throw new ConfigError(origin, `sources[${index}].id`, `duplicate source id "${source.id}"`);
    }
    seen.add(source.id);
    if (!cron.validate(source.schedule)) {
      throw new ConfigError(origin, `sources[${index}].schedule`, `not a valid cron expression: "${source.schedule}"`);
    }
    if (source.timeZone !== undefined && !isKnownTimeZone(source.timeZone)) {
      throw new ConfigError(
        origin,
        `sources[${index}].timeZone`,
        `source "${source.id}": not an IANA time zone name: "${source.timeZone}"; write one such as UTC, Europe/Rome or Asia/Taipei`,
      );
    }
    if (source.language !== undefined && !isLanguageTag(source.language)) {
      throw new ConfigError(
        origin,
        `sources[${index}].language`,
        `source "${source.id}": not a BCP 47 language tag: "${source.language}"; write one such as en, it, de, es or zh-Hant`,
      );
    }
  });
  return config;
}

function serverHttpSettings(server: Partial<ServerHttpSettings>, origin: string): ServerHttpSettings {
  const defaults = defaultServerHttpSettings();
  const settings: ServerHttpSettings = {
    trustProxy: server.trustProxy ?? defaults.trustProxy,
    rateLimit: { ...defaults.rateLimit, ...server.rateLimit },
    cacheMaxAgeSeconds: server.cacheMaxAgeSeconds ?? defaults.cacheMaxAgeSeconds,
    catalogCacheMB: server.catalogCacheMB ?? defaults.catalogCacheMB,
  };
  // A bad address here would otherwise surface as a crash when the server starts, or worse,
  // as a rule that silently matches nothing.
  if (Array.isArray(settings.trustProxy)) {
    settings.trustProxy.forEach((entry, index) => {
      if (!PROXY_RANGE_NAMES.has(entry) && !isAddressOrRange(entry)) {
        throw new ConfigError(origin, `server.trustProxy[${index}]`, `not an IP address, CIDR range or one of loopback, linklocal, uniquelocal: "${entry}"`);
      }
    });
  }
  settings.rateLimit.allowList.forEach((entry, index) => {
    if (!isAddressOrRange(entry)) {
      throw new ConfigError(origin, `server.rateLimit.allowList[${index}]`, `not an IP address or CIDR range: "${entry}"`);
    }
  });
  return settings;
}

/** `203.0.113.7`, `2001:db8::1`, `10.0.0.0/8`, `2001:db8::/32`; not the legacy forms ipaddr.js also reads (`127.1`). */
export function isAddressOrRange(value: string): boolean {
  const [address = '', bits, ...rest] = value.split('/');
  if (rest.length > 0) return false;
  const isAddress = ipaddr.IPv4.isValidFourPartDecimal(address) || (address.includes(':') && ipaddr.IPv6.isValid(address));
  if (!isAddress) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && ipaddr.isValidCIDR(value));
}

/** A well-formed BCP 47 tag (Intl canonicalises it, and refuses what is not one). */
function isLanguageTag(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

function parsePort(value: string, origin: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(origin, 'PORT (environment)', `must be an integer 0-65535, got "${value}"`);
  }
  return port;
}

function fieldOf(error: ErrorObject | undefined): string {
  if (!error) return '(root)';
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
  if (error.keyword === 'additionalProperties') {
    const key = (error.params as { additionalProperty: string }).additionalProperty;
    return path ? `${path}.${key}` : key;
  }
  if (error.keyword === 'required') {
    const key = (error.params as { missingProperty: string }).missingProperty;
    return path ? `${path}.${key}` : key;
  }
  return path || '(root)';
}

function describe(error: ErrorObject | undefined): string {
  if (!error) return 'invalid';
  switch (error.keyword) {
    case 'additionalProperties':
      return 'unknown key';
    case 'required':
      return 'is required';
    case 'enum':
      return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return error.message ?? 'invalid';
  }
}
