import t from 'tap';
import { readFixture } from '../helpers/gateway.js';
import { startFederation } from '../helpers/federation.js';
import { listChanges } from '../../src/store/changes.js';

type Raw = Record<string, unknown>;
const own = readFixture<Raw[]>('crossplatform', 'own-records.json').filter((r) => r.title !== undefined);

function records(count: number): Raw[] {
  return Array.from({ length: count }, (_, i) => ({
    ...own[i % own.length]!,
    identifier: `A41000000G-${String(300 + i).padStart(6, '0')}`,
    title: `資料集 ${i}`,
  }));
}

async function listed(base: string): Promise<string[]> {
  return ((await (await fetch(`${base}/api/v1/rest/dataset`)).json()) as { result: string[] }).result;
}

t.test('a dataset the source stops listing is withdrawn after the grace period, by complete runs only', async (t) => {
  const initial = records(4);
  const gone = String(initial[1]!.identifier);
  // Grace 0: withdrawn at the first complete run that misses it.
  const f = await startFederation(t, initial, 'http://gateway.test', { withdrawAfterHours: 0 });
  await f.harvester.run('fixture');
  t.equal((await listed(f.base)).length, 4);

  f.platform.records.delete(gone);
  f.platform.faults.failRecords = new Set([String(initial[2]!.identifier)]);
  const partial = await f.harvester.run('fixture', { full: true });
  t.equal(partial!.status, 'partial');
  t.equal(partial!.counts.withdrawn, 0, 'a partial run withdraws nothing');
  t.ok((await listed(f.base)).includes(gone), 'still listed after the partial run');

  f.platform.faults.listStatus = 500;
  const failed = await f.harvester.run('fixture', { full: true });
  t.equal(failed!.status, 'failed');
  t.ok((await listed(f.base)).includes(gone), 'still listed after a failed run');
  f.platform.faults.listStatus = undefined;

  f.platform.faults.failRecords = undefined;
  const complete = await f.harvester.run('fixture', { full: true });
  t.equal(complete!.status, 'succeeded');
  t.equal(complete!.counts.withdrawn, 1);
  t.notOk((await listed(f.base)).includes(gone), 'gone from the list');

  const res = await fetch(`${f.base}/api/v1/rest/dataset/${gone}`);
  t.equal(res.status, 410, 'its identifier answers 410 Gone');
  t.match(await res.json(), { success: false, error: { identifier: gone, error_type: /^ER010001:/, message: /withdrawn/ } });
  t.equal((await fetch(`${f.base}/dataset/${gone}.jsonld`)).status, 410);
  t.match(
    listChanges(f.db).filter((c) => c.kind === 'withdrawn'),
    [{ identifier: gone, sourceId: 'fixture', runId: complete!.runId }],
  );

  f.platform.records.set(gone, initial[1]!);
  const back = await f.harvester.run('fixture');
  t.equal(back!.status, 'succeeded');
  t.ok((await listed(f.base)).includes(gone), 'listed again: reinstated');
  t.equal((await fetch(`${f.base}/api/v1/rest/dataset/${gone}`)).status, 200);
  t.match(listChanges(f.db).at(-1), { identifier: gone, kind: 'reinstated' });
});

t.test('within the grace period a missing dataset stays; an incremental run sees deletions too', async (t) => {
  const initial = records(3);
  const gone = String(initial[0]!.identifier);
  const f = await startFederation(t, initial, 'http://gateway.test', { withdrawAfterHours: 24 });
  await f.harvester.run('fixture');
  f.platform.records.delete(gone);
  const run = await f.harvester.run('fixture');
  t.ok(run!.incrementalSince, 'an incremental run');
  t.equal(run!.counts.withdrawn, 0, 'missing for less than 24 h: kept');
  t.ok((await listed(f.base)).includes(gone));
  const missing = f.db.prepare('SELECT missing_since FROM source_records WHERE native_id = ?').get(gone) as { missing_since: string | null };
  t.ok(missing.missing_since, 'but it is marked missing');

  // Pretend it went missing two days ago.
  f.db.prepare(`UPDATE source_records SET missing_since = '2000-01-01T00:00:00Z' WHERE native_id = ?`).run(gone);
  const later = await f.harvester.run('fixture');
  t.equal(later!.counts.withdrawn, 1, 'past the grace period: withdrawn');
  t.notOk((await listed(f.base)).includes(gone));
});

t.test('a list that suddenly lacks most records marks none missing (a glitch must not empty the catalogue)', async (t) => {
  const initial = records(4);
  const f = await startFederation(t, initial, 'http://gateway.test', { withdrawAfterHours: 0 });
  await f.harvester.run('fixture');
  for (const record of initial.slice(1)) f.platform.records.delete(String(record.identifier));
  const run = await f.harvester.run('fixture', { full: true });
  t.equal(run!.status, 'succeeded');
  t.equal(run!.counts.withdrawn, 0);
  t.match(run!.message, /stopped listing 3 records \(75%/);
  t.equal((await listed(f.base)).length, 4, 'all still listed');
  t.equal(f.db.prepare('SELECT COUNT(*) FROM source_records WHERE missing_since IS NOT NULL').pluck().get(), 0, 'none marked missing');
});

t.test('an operator who confirms the shrink (maxMissingShare 1) gets the withdrawals', async (t) => {
  const initial = records(4);
  const f = await startFederation(t, initial, 'http://gateway.test', { withdrawAfterHours: 0, maxMissingShare: 1 });
  await f.harvester.run('fixture');
  for (const record of initial.slice(1)) f.platform.records.delete(String(record.identifier));
  const run = await f.harvester.run('fixture', { full: true });
  t.equal(run!.counts.withdrawn, 3);
  t.same(await listed(f.base), [String(initial[0]!.identifier)]);
});
