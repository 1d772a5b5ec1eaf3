import type { Logger } from 'pino';
import { validateSources } from '../../connectors/index.js';
import { loadConfig } from '../config/load.js';
import type { GatewayConfig } from '../config/types.js';
import { createLogger } from '../log.js';
import type { Store } from '../store/contract/store.js';
import { openStore } from '../store/sqlite-store.js';

export interface CommonOptions {
  configFile?: string | undefined;
}

export interface Gateway {
  config: GatewayConfig;
  store: Store;
  log: Logger;
}

/** The database file this process opened: the CLI names it when the store fails (cli.ts). */
let storePath: string | undefined;

export function storePathInUse(): string | undefined {
  return storePath;
}

/**
 * What every verb starts with: the validated configuration (a bad one stops here, naming the
 * field), the migrated database, runs left open by a crashed process closed as failed, and
 * the configured sources recorded.
 */
export async function openGateway(options: CommonOptions, logTo: 'stdout' | 'stderr'): Promise<Gateway> {
  const config = loadConfig(options.configFile ? { file: options.configFile } : {});
  validateSources(config);
  const log = createLogger(config.log.level, logTo);
  storePath = config.database.path;
  const store = await openStore(config.database.path);
  const closed = await store.runs.closeCrashedRuns();
  if (closed > 0) log.warn({ closed }, 'closed runs left open by a process that ended mid-run as failed');
  await store.sources.syncSources(config.sources);
  return { config, store, log };
}
