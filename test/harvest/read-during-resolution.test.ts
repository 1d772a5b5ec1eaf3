/**
 * Issue 15: a record read completes while a harvest's identity resolution runs in `serve`'s
 * harvest thread. Proved by order, not timing: the resolution is held inside its transaction (the
 * store's write lock taken) by the test hook of src/harvest/resolution-hold.ts until the test has
 * read, so the read can only have been answered during the resolution. Were the resolution on the
 * API's event loop, that loop would be blocked at the gate and could answer nothing before the hold
 * gave up; were reads waiting for the write lock, the read would not come back until release.
 */
import t from 'tap';
import { join } from 'node:path';
import { buildApi } from '../../src/api/app.js';
import { HarvestThread } from '../../src/harvest/harvest-thread.js';
import { Harvester } from '../../src/harvest/harvester.js';
import { isResolutionHeld, releaseResolution, resolutionGateForTests } from '../../src/harvest/resolution-hold.js';
import { countDatasets } from '../../src/store/catalogue.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { validRecord } from '../api/push-harness.js';
import { startFixturePlatform } from '../helpers/crossplatform-server.js';
import { openTestDb, silentLog, tempDir, testConfig } from '../helpers/gateway.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const identifier = (serial: number): string => `A41000000G-${String(serial).padStart(6, '0')}`;
/** Harvested and resolved first: the records read. */
const before = [101, 102, 103].map(identifier);
/** Listed by the platform for the second run, whose resolution is held. */
const added = [201, 202, 203].map(identifier);

t.test('a record read is answered while the harvest thread holds a run’s resolution in its transaction', async (t) => {
  const platform = await startFixturePlatform(before.map((id) => validRecord(id)));
  const { dir, cleanup } = tempDir();
  const config = testConfig(join(dir, 'catalog.db'), platform.url, {
    log: { level: 'silent' },
    sources: [{ id: 'fixture', name: 'Fixture platform', type: 'crossplatform', url: platform.url, schedule: '0 3 * * *' }],
  });
  const db = openTestDb(config);
  const store = sqliteStoreOn(db);
  const app = await buildApi({ store, publicUrl: 'http://gateway.test', logger: silentLog });
  const gate = resolutionGateForTests();
  const thread = new HarvestThread(config, store, silentLog, { resolutionGate: gate });
  t.teardown(async () => {
    releaseResolution(gate);
    await thread.shutdown();
    await app.close();
    db.close();
    await platform.close();
    cleanup();
  });

  // The records to read, harvested and resolved on this thread, where no hold is set.
  const first = await new Harvester(store, config, silentLog).run('fixture');
  t.equal(first?.status, 'succeeded');
  t.equal(countDatasets(db), before.length, 'the first run’s records are served');

  for (const id of added) platform.records.set(id, validRecord(id));
  const running = thread.run('fixture');
  let ended = false;
  void running.finally(() => (ended = true)).catch(() => undefined);
  // This loop is free while the thread works: it sees the resolution arrive at the gate.
  while (!isResolutionHeld(gate) && !ended) await sleep(10);
  t.ok(isResolutionHeld(gate), 'the run stored its records and its resolution is held in its transaction');

  const read = await app.inject({ url: `/api/v1/rest/dataset/${before[0]}` });
  const heldWhenAnswered = isResolutionHeld(gate);
  const notYetResolved = await app.inject({ url: `/api/v1/rest/dataset/${added[0]}` });
  const heldAfterSecondRead = isResolutionHeld(gate);
  releaseResolution(gate);

  t.ok(heldWhenAnswered, 'the read was answered while the resolution was still held');
  t.equal(read.statusCode, 200, 'the read answered 200');
  t.equal((read.json() as { result: { identifier: string } }).result.identifier, before[0], 'with the record asked for');
  t.ok(heldAfterSecondRead, 'still held after a second read');
  t.equal(notYetResolved.statusCode, 404, 'a record stored by the held run is not served yet: the reads saw the catalogue before the resolution');

  const summary = await running;
  t.equal(summary?.status, 'succeeded', 'released, the run finishes');
  t.equal(summary?.counts.created, added.length);
  t.equal(countDatasets(db), before.length + added.length, 'and its records are served');
  const after = await app.inject({ url: `/api/v1/rest/dataset/${added[0]}` });
  t.equal(after.statusCode, 200, 'a record of the run is read once the resolution committed');
  t.equal((after.json() as { result: { identifier: string } }).result.identifier, added[0]);
});
