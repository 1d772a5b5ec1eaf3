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
}

export interface SourceConfig {
  id: string;
  name: string;
  type: ConnectorType;
  url: string;
  schedule: string;
  priority: number;
  enabled: boolean;
  /** Connector-specific options, validated by the connector's own schema. */
  options: Record<string, unknown>;
}

export interface GatewayConfig {
  server: { port: number; host: string; publicUrl: string };
  database: { path: string };
  log: { level: string };
  harvest: HttpLimits & { runOnStart: boolean; userAgent: string };
  sources: SourceConfig[];
  /** Where the configuration was read from, for messages. */
  origin: string;
}
