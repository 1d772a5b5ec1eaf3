import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { buildApi } from '../../src/api/app.js';
import { Harvester } from '../../src/harvest/harvester.js';
import type { Db } from '../../src/store/database.js';
import { startFixturePlatform, type FixturePlatform } from './crossplatform-server.js';
import { openTestDb, silentLog, tempDir, testConfig } from './gateway.js';

export interface Federation {
  /** The fixture platform being harvested. */
  platform: FixturePlatform;
  db: Db;
  harvester: Harvester;
  /** Base URL of the gateway's API, listening on loopback. */
  base: string;
}

/**
 * A fixture platform serving `records`, a gateway with one `crossplatform` source ("fixture")
 * on it, and the gateway's API listening on loopback; all torn down with the test.
 */
export async function startFederation(t: Test, records: Array<Record<string, unknown>>, publicUrl: string): Promise<Federation> {
  const platform = await startFixturePlatform(records);
  const { dir, cleanup } = tempDir();
  const config = testConfig(join(dir, 'catalog.db'), platform.url);
  const db = openTestDb(config);
  const api = await buildApi({ db, publicUrl, logger: silentLog });
  await api.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await api.close();
    db.close();
    await platform.close();
    cleanup();
  });
  return {
    platform,
    db,
    harvester: new Harvester(db, config, silentLog),
    base: `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`,
  };
}
