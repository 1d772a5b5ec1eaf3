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
}

export interface GatewayConfig {
  server: { port: number; host: string; publicUrl: string };
  database: { path: string };
  log: { level: string };
  harvest: HttpLimits & { runOnStart: boolean; userAgent: string; maxConcurrentRuns: number };
  sources: SourceConfig[];
  /** Where the configuration was read from, for messages. */
  origin: string;
}
