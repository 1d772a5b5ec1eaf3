import t from 'tap';
import { readFixture } from '../helpers/gateway.js';
import { startHarvestedPlatform } from '../helpers/federation.js';
import { listChanges } from '../../src/store/changes.js';

type Raw = Record<string, unknown>;
const own = readFixture<Raw[]>('crossplatform', 'own-records.json').filter((r) => r.title !== undefined);

function records(count: number): Raw[] {
  return Array.from({ length: count }, (_, i) => ({
    ...own[i % own.length]!,
    identifier: `A41000000G-${String(200 + i).padStart(6, '0')}`,
    title: `資料集 ${i}`,
    modified: '2020-01-01 00:00:00',
  }));
}

const recordPath = /^\/api\/v1\/rest\/dataset\/[^?]+$/;

t.test('an incremental run with nothing changed lists identifiers and fetches no record', async (t) => {
  const s = await startHarvestedPlatform(t, records(7), {}, { pageSize: 3 });
  const first = await s.harvester.run('fixture');
  t.equal(first!.counts.created, 7);
  s.platform.requests.length = 0;
  const second = await s.harvester.run('fixture');
  t.equal(second!.status, 'succeeded');
  t.ok(second!.incrementalSince, 'the run was incremental');
  t.equal(s.platform.requests.filter((r) => recordPath.test(r)).length, 0, 'no record was fetched');
  t.equal(second!.counts.unchanged, 7, 'every listed record counts as seen, unchanged');
  t.equal(second!.counts.withdrawn, 0);
});

t.test('an incremental run fetches what changed and what it has never stored', async (t) => {
  const initial = records(5);
  const s = await startHarvestedPlatform(t, initial, {}, { pageSize: 2 });
  await s.harvester.run('fixture');
  const changed: Raw = { ...initial[2]!, title: '改了', modified: '2099-01-01 00:00:00' };
  const added = { ...initial[0]!, identifier: 'A41000000G-000999', title: '新的', modified: '2019-01-01 00:00:00' };
  s.platform.records.set(String(changed.identifier), changed);
  s.platform.records.set(String(added.identifier), added);
  s.platform.requests.length = 0;
  const run = await s.harvester.run('fixture');
  const fetched = s.platform.requests.filter((r) => recordPath.test(r)).sort();
  t.same(
    fetched,
    [`/api/v1/rest/dataset/${String(added.identifier)}`, `/api/v1/rest/dataset/${String(changed.identifier)}`].sort(),
    'only the changed and the new record',
  );
  t.match(run!.counts, { created: 1, updated: 1, unchanged: 4 });
  const kinds = listChanges(s.db).map((c) => `${c.kind}:${c.identifier}`);
  t.ok(kinds.includes(`updated:${String(changed.identifier)}`));
  t.ok(kinds.includes(`created:${String(added.identifier)}`));
});

t.test('conditional requests: a full run of an ETag platform gets 304s and rewrites nothing', async (t) => {
  const s = await startHarvestedPlatform(t, records(6), {}, { pageSize: 4 });
  s.platform.faults.etags = true;
  await s.harvester.run('fixture');
  const before = s.db.prepare('SELECT native_id, changed_at, etag FROM source_records ORDER BY native_id').all() as Array<{ etag: string | null }>;
  t.ok(
    before.every((r) => r.etag),
    'validators are stored',
  );
  const changesBefore = listChanges(s.db).length;
  const full = await s.harvester.run('fixture', { full: true });
  t.equal(s.platform.notModifiedResponses(), 6, 'every record answered 304');
  t.match(full!.counts, { seen: 6, unchanged: 6, created: 0, updated: 0 });
  t.equal(listChanges(s.db).length, changesBefore, 'no change recorded');
  t.same(s.db.prepare('SELECT native_id, changed_at, etag FROM source_records ORDER BY native_id').all(), before);
});
