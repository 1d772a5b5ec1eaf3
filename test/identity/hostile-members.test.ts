/**
 * Identity resolution over a store an older version left with a record it cannot read back (its
 * native id held a lone surrogate, which SQLite wrote as U+FFFD): a record of another source
 * joining it must not fail every resolution of the store.
 */
import t from 'tap';
import { resolveIdentity } from '../../src/identity/resolve.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { mapNationalRecord } from '../../src/mapping/detect.js';
import { contentHash, writeRecordPage } from '../../src/store/records.js';
import { queueRun } from '../../src/store/runs.js';
import { syncSources } from '../../src/store/sources.js';
import { record } from '../helpers/catalogue-store.js';
import { HOSTILE, hostileStore } from '../helpers/hostile-store.js';

t.test('a record joining one whose stored row cannot be read is resolved and served', async (t) => {
  const { db } = await hostileStore(t);
  syncSources(db, [
    {
      id: 'city',
      name: 'city',
      type: 'file',
      url: 'file:///test/city',
      schedule: '0 3 * * *',
      priority: 10,
      enabled: true,
      withdrawAfterHours: 72,
      maxMissingShare: 1,
      options: {},
    },
    {
      id: 'agency',
      name: 'agency',
      type: 'file',
      url: 'file:///test/agency',
      schedule: '0 3 * * *',
      priority: 20,
      enabled: true,
      withdrawAfterHours: 72,
      maxMissingShare: 1,
      options: {},
    },
  ]);
  // The same dataset from another source, under the identifier the hostile one was meant to have.
  const identifier = HOSTILE.loneSurrogateId.replace('\ud800', '');
  const mapped = mapNationalRecord(record(identifier));
  if (!mapped.ok) throw new Error('fixture did not map');
  const payloadJson = JSON.stringify(record(identifier));
  writeRecordPage(db, {
    sourceId: 'agency',
    priority: 20,
    runId: queueRun(db, 'agency'),
    changed: [{ nativeId: identifier, payloadJson, contentHash: contentHash(payloadJson), record: mapped.record, issues: mapped.issues }],
    presentNativeIds: [],
    refreshedValidators: [],
    errors: [],
  });
  const outcome = await resolveIdentity(sqliteStoreOn(db));
  t.ok(outcome.records >= 1, 'resolved');
  const served = db.prepare('SELECT COUNT(*) FROM datasets WHERE withdrawn_at IS NULL AND identifier = ?').pluck().get(identifier) as number;
  t.equal(served, 1, 'the joining record is served');
});
