import t from 'tap';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFixturePlatform } from '../helpers/crossplatform-server.js';
import { openTestDb, readFixture, silentLog, tempDir, testConfig } from '../helpers/gateway.js';
import { Harvester } from '../../src/harvest/harvester.js';
import { Scheduler } from '../../src/harvest/scheduler.js';
import { listRuns } from '../../src/store/runs.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';

const records = readFixture<Array<Record<string, unknown>>>('crossplatform', 'own-records.json').filter((r) => r.title !== undefined);

t.test('a source on a schedule is harvested on its ticks, and its runs never overlap', async (t) => {
  const platform = await startFixturePlatform(records);
  // Each request takes longer than the one-second schedule, so ticks arrive while a run is going on.
  platform.faults.delayMs = 700;
  const { dir, cleanup } = tempDir();
  const config = testConfig(join(dir, 'catalog.db'), platform.url, {
    sources: [
      {
        id: 'every-second',
        name: 'Every second',
        type: 'crossplatform',
        url: platform.url,
        schedule: '* * * * * *',
        options: { pageSize: 10, incremental: false },
      },
      { id: 'disabled', name: 'Disabled', type: 'crossplatform', url: platform.url, schedule: '* * * * * *', enabled: false },
    ],
  });
  const db = openTestDb(config);
  const scheduler = new Scheduler(new Harvester(sqliteStoreOn(db), config, silentLog), silentLog);
  t.teardown(async () => {
    db.close();
    await platform.close();
    cleanup();
  });

  scheduler.start(config.sources);
  await sleep(4500);
  await scheduler.stop();
  // Let the run in flight finish.
  for (let i = 0; i < 50 && listRuns(db, 'every-second').some((r) => r.status === 'running'); i += 1) await sleep(100);

  const runs = listRuns(db, 'every-second').reverse();
  t.ok(runs.length >= 1 && runs.length <= 3, `ran on its ticks, skipping ticks while busy (${runs.length} runs in 4.5 s of one-second ticks)`);
  for (let i = 1; i < runs.length; i += 1) {
    t.ok(runs[i]!.started_at! >= runs[i - 1]!.finished_at!, `run ${runs[i]!.id} started after run ${runs[i - 1]!.id} finished`);
  }
  t.ok(
    runs.every((r) => r.status === 'succeeded'),
    'every run succeeded',
  );
  t.equal(listRuns(db, 'disabled').length, 0, 'a disabled source is not scheduled');
});
