import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseConfig } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/types.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { syncSources } from '../../src/store/sources.js';
import { projectPath } from '../../src/model/project-root.js';

export const silentLog = pino({ level: 'silent' });

/** A fresh directory under the OS temp dir, removed by the returned cleanup. */
export function tempDir(prefix = 'ogd-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function readFixture<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(projectPath('test', 'fixtures', ...parts), 'utf8')) as T;
}

/** A configuration with one cross-platform source at `url`, fast retries, loopback allowed. */
export function testConfig(dbPath: string, url: string, overrides: Record<string, unknown> = {}): GatewayConfig {
  return parseConfig(
    {
      database: { path: dbPath },
      harvest: { allowPrivateAddresses: true, retries: 1, retryBaseDelayMs: 10, timeoutMs: 5000 },
      sources: [{ id: 'fixture', name: 'Fixture platform', type: 'crossplatform', url, schedule: '0 3 * * *', options: { pageSize: 2 } }],
      ...overrides,
    },
    'test config',
  );
}

export function openTestDb(config: GatewayConfig): Db {
  const db = openDatabase(config.database.path);
  syncSources(db, config.sources);
  return db;
}

/** The records of a fixture file whose strings are trimmed, as the gateway normalises them. */
export function trimmedDeep<T>(value: T): T {
  if (typeof value === 'string') return value.trim() as T;
  if (Array.isArray(value)) return value.map((v) => trimmedDeep(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trimmedDeep(v)])) as T;
  }
  return value;
}
