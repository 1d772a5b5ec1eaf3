import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { buildApi } from '../../src/api/app.js';
import type { Store } from '../../src/store/contract/store.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { Harvester } from '../../src/harvest/harvester.js';
import type { Db } from '../../src/store/database.js';
import { startFixturePlatform, type FixturePlatform } from './crossplatform-server.js';
import { openTestDb, silentLog, tempDir, testConfig } from './gateway.js';

export interface HarvestedPlatform {
  /** The fixture platform being harvested. */
  platform: FixturePlatform;
  db: Db;
  /** Harvests the one source, "fixture", a `crossplatform` source on the platform. */
  harvester: Harvester;
}

export interface Federation extends HarvestedPlatform {
  /** Base URL of the gateway's API, listening on loopback. */
  base: string;
  /** The store the API serves (over `db`). */
  store: Store;
}

/**
 * A fixture platform serving `records` and a gateway store with one source on it; all torn down
 * with the test. `overrides` replace top-level config keys (e.g. `harvest`); `sourceOptions` are
 * the source's connector options.
 */
export async function startHarvestedPlatform(
  t: Test,
  records: Array<Record<string, unknown>>,
  overrides: Record<string, unknown> = {},
  sourceOptions: Record<string, unknown> = { pageSize: 2 },
  sourceSettings: Record<string, unknown> = {},
): Promise<HarvestedPlatform> {
  const platform = await startFixturePlatform(records);
  const { dir, cleanup } = tempDir();
  const config = testConfig(join(dir, 'catalog.db'), platform.url, {
    sources: [
      { id: 'fixture', name: 'Fixture platform', type: 'crossplatform', url: platform.url, schedule: '0 3 * * *', options: sourceOptions, ...sourceSettings },
    ],
    ...overrides,
  });
  const db = openTestDb(config);
  t.teardown(async () => {
    db.close();
    await platform.close();
    cleanup();
  });
  return { platform, db, harvester: new Harvester(sqliteStoreOn(db), config, silentLog) };
}

/** A harvested platform plus the gateway's API listening on loopback; `sourceSettings` e.g. withdrawAfterHours. */
export async function startFederation(
  t: Test,
  records: Array<Record<string, unknown>>,
  publicUrl: string,
  sourceSettings: Record<string, unknown> = {},
): Promise<Federation> {
  const harvested = await startHarvestedPlatform(t, records, {}, { pageSize: 2 }, sourceSettings);
  const store = sqliteStoreOn(harvested.db);
  const api = await buildApi({ store, publicUrl, logger: silentLog });
  await api.listen({ port: 0, host: '127.0.0.1' });
  // Registered after the platform's teardown, so it runs first: the API closes before the store.
  t.teardown(() => api.close());
  return { ...harvested, store, base: `http://127.0.0.1:${(api.server.address() as AddressInfo).port}` };
}
