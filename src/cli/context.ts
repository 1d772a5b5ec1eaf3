import type { Logger } from 'pino';
import { validateSources } from '../../connectors/index.js';
import { loadConfig } from '../config/load.js';
import type { GatewayConfig } from '../config/types.js';
import { createLogger } from '../log.js';
import type { Store } from '../store/contract/store.js';
import { openStore } from '../store/sqlite-store.js';
import { cliOutput } from './output.js';

export interface CommonOptions {
  configFile?: string | undefined;
  /** Where DATABASE_PATH, OGD_CONFIG, LOG_LEVEL and PORT are read: the process's environment unless given. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Told the database file once it is known, so that a failing store can be named (main.ts). */
  onStorePath?: ((path: string) => void) | undefined;
}

export interface Gateway {
  config: GatewayConfig;
  store: Store;
  log: Logger;
}

/**
 * What every verb starts with: the validated configuration (a bad one stops here, naming the
 * field), the migrated database, runs left open by a crashed process closed as failed, and
 * the configured sources recorded.
 */
export async function openGateway(options: CommonOptions, logTo: 'stdout' | 'stderr'): Promise<Gateway> {
  const env = options.env ?? process.env;
  const config = loadConfig({ ...(options.configFile ? { file: options.configFile } : {}), env });
  validateSources(config);
  const log = createLogger(config.log.level, logDestination(logTo));
  options.onStorePath?.(config.database.path);
  const store = await openStore(config.database.path, { env });
  const closed = await store.runs.closeCrashedRuns();
  if (closed > 0) log.warn({ closed }, 'closed runs left open by a process that ended mid-run as failed');
  await store.sources.syncSources(config.sources);
  return { config, store, log };
}

/**
 * The process's own stream (by file descriptor, as createLogger writes it) when the verb writes
 * to the process's; else the invocation's (a caller in this process capturing the output), so
 * the log goes where the verb's other output goes.
 */
function logDestination(logTo: 'stdout' | 'stderr'): 'stdout' | 'stderr' | { write(line: string): void } {
  const stream = cliOutput()[logTo];
  if (stream === process[logTo]) return logTo;
  return { write: (line: string) => void stream.write(line) };
}
