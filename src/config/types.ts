import type { ConnectorType } from './schema.js';

export interface HttpLimits {
  /** Whole-request deadline: connect, headers and body together. */
  timeoutMs: number;
  connectTimeoutMs: number;
  maxResponseBytes: number;
  retries: number;
  retryBaseDelayMs: number;
  /** Loopback and private ranges are refused unless the operator allows them. */
  allowPrivateAddresses: boolean;
  /** Requests in flight to one host:port at once, counted across every client of the process. */
  maxConcurrentPerHost: number;
  /** Minimum time between two request starts to one host:port. */
  minIntervalMs: number;
  /** Longest 429/503 Retry-After honoured; a server asking for more fails the request. */
  maxRetryAfterMs: number;
}

export interface SourceConfig {
  id: string;
  name: string;
  type: ConnectorType;
  url: string;
  schedule: string;
  priority: number;
  enabled: boolean;
  /**
   * A dataset its source no longer lists is withdrawn after this many hours of absence, as seen
   * by runs that read the whole source (never after a partial, failed or cancelled run).
   */
  withdrawAfterHours: number;
  /**
   * A run that stops listing more than this share of the source's records at once marks none of
   * them missing: an empty or truncated list served as success must not empty the catalogue.
   */
  maxMissingShare: number;
  /** Connector-specific options, validated by the connector's own schema. */
  options: Record<string, unknown>;
  /**
   * IANA time zone of the source's date-times that carry no offset (e.g. `Europe/Rome`); absent:
   * the connector's default (UTC for foreign vocabularies, Asia/Taipei for Taiwanese platforms).
   */
  timeZone?: string;
  /**
   * BCP 47 tag of the source's text where the source gives none (e.g. `it`, `en`, `zh-Hant`);
   * absent: the connector's default (zh-Hant for Taiwanese platforms, none for the others).
   */
  language?: string;
}

/**
 * Which peer addresses may tell the client's address in X-Forwarded-For: false (none: the TCP
 * peer is the client), true (any: only behind a proxy that every request passes through), or the
 * proxies' addresses and CIDR ranges (and the names `loopback`, `linklocal`, `uniquelocal`).
 */
export type TrustProxy = boolean | string[];

export interface RateLimitSettings {
  /** Requests one client may make per window; 0 turns rate limiting off. */
  max: number;
  timeWindowMs: number;
  /** Client addresses or CIDR ranges never limited (e.g. the central portal's harvester). */
  allowList: string[];
}

/** How the API answers over HTTP: proxies, rate limits, caching. */
export interface ServerHttpSettings {
  trustProxy: TrustProxy;
  rateLimit: RateLimitSettings;
  /** Cache-Control max-age of read responses; 0: caches must revalidate every time (no-cache). */
  cacheMaxAgeSeconds: number;
  /** Memory (MiB) for the DCAT catalogue's rendered pages and per-dataset fragments; 0 turns them off. */
  catalogCacheMB: number;
}

export interface GatewayConfig {
  server: { port: number; host: string; publicUrl: string } & ServerHttpSettings;
  database: { path: string };
  log: { level: string };
  harvest: HttpLimits & {
    runOnStart: boolean;
    userAgent: string;
    maxConcurrentRuns: number;
    /** The harvest thread's JavaScript heap cap (MiB): `serve`'s harvests and their resolution run under it. */
    heapLimitMB: number;
  };
  sources: SourceConfig[];
  /** Where the configuration was read from, for messages. */
  origin: string;
}
