import t from 'tap';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFixturePlatform } from '../helpers/crossplatform-server.js';
import { openTestDb, readFixture, silentLog, tempDir, testConfig } from '../helpers/gateway.js';
import { Harvester } from '../../src/harvest/harvester.js';
import { lastRun } from '../../src/store/runs.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';

const records = readFixture<Array<Record<string, unknown>>>('crossplatform', 'own-records.json').filter((r) => r.title !== undefined);

t.test('runs beyond harvest.maxConcurrentRuns wait as queued, then run', async (t) => {
  const platform = await startFixturePlatform(records);
  platform.faults.delayMs = 150;
  const { dir, cleanup } = tempDir();
  const source = (id: string): Record<string, unknown> => ({
    id,
    name: id,
    type: 'crossplatform',
    url: platform.url,
    schedule: '0 3 * * *',
    options: { pageSize: 10 },
  });
  const config = testConfig(join(dir, 'catalog.db'), platform.url, {
    harvest: { allowPrivateAddresses: true, maxConcurrentRuns: 1 },
    sources: [source('first'), source('second')],
  });
  const db = openTestDb(config);
  t.teardown(async () => {
    db.close();
    await platform.close();
    cleanup();
  });
  const harvester = new Harvester(sqliteStoreOn(db), config, silentLog);
  const first = harvester.run('first');
  const second = harvester.run('second');
  await sleep(100);
  t.match(lastRun(db, 'first'), { status: 'running' });
  t.match(lastRun(db, 'second'), { status: 'queued', started_at: null });
  const [a, b] = await Promise.all([first, second]);
  t.equal(a!.status, 'succeeded');
  t.equal(b!.status, 'succeeded');
  t.ok(lastRun(db, 'second')!.started_at! >= lastRun(db, 'first')!.finished_at!, 'the second started when the first had finished');
});

t.test('a queued run cancelled by its caller never starts', async (t) => {
  const platform = await startFixturePlatform(records);
  platform.faults.delayMs = 150;
  const { dir, cleanup } = tempDir();
  const source = (id: string): Record<string, unknown> => ({ id, name: id, type: 'crossplatform', url: platform.url, schedule: '0 3 * * *' });
  const config = testConfig(join(dir, 'catalog.db'), platform.url, {
    harvest: { allowPrivateAddresses: true, maxConcurrentRuns: 1 },
    sources: [source('first'), source('second')],
  });
  const db = openTestDb(config);
  t.teardown(async () => {
    db.close();
    await platform.close();
    cleanup();
  });
  const harvester = new Harvester(sqliteStoreOn(db), config, silentLog);
  const controller = new AbortController();
  const first = harvester.run('first');
  const second = harvester.run('second', { signal: controller.signal });
  await sleep(50);
  controller.abort();
  const cancelled = await second;
  t.equal(cancelled!.status, 'cancelled');
  t.match(lastRun(db, 'second'), { status: 'cancelled', started_at: null, message: /while queued/ });
  t.equal((await first)!.status, 'succeeded');
});
