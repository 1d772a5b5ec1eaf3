import t from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, schemaVersion } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { insertApiKey, listApiKeys, revokeApiKey, touchApiKey } from '../../src/store/api-keys.js';
import { ensurePushSource, PUSH_SOURCE_PRIORITY } from '../../src/store/push-sources.js';
import { assignPushDatasetId, PUSH_DATASET_ID_BASE, pushedRecordOfDatasetId } from '../../src/store/push-records.js';
import { syncSources } from '../../src/store/sources.js';
import { isIdentityDirty, clearIdentityDirty } from '../../src/store/identity.js';
import { fileSource } from '../helpers/file-source.js';
import { tempDir } from '../helpers/gateway.js';

const PUSH_MIGRATION = MIGRATIONS.find((m) => /agency push/.test(m.description))!;

/** A database as the migrations before push's left it, with a configured source and a stored record. */
function databaseBeforePush(path: string): void {
  const db = new Database(path);
  for (const migration of MIGRATIONS.filter((m) => m.version < PUSH_MIGRATION.version)) {
    db.exec(migration.sql);
    db.pragma(`user_version = ${migration.version}`);
  }
  db.prepare(
    "INSERT INTO sources (id, name, type, url, updated_at) VALUES ('agency', 'Agency', 'crossplatform', 'https://example.gov.tw', '2026-01-01T00:00:00Z')",
  ).run();
  db.prepare(
    `INSERT INTO source_records (source_id, native_id, identifier, content_hash, first_seen_at, last_seen_at, changed_at)
     VALUES ('agency', 'A41000000G-000001', 'A41000000G-000001', 'h1', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z')`,
  ).run();
  db.close();
}

t.test('the push migration adds the key and datasetId tables and keeps what was stored', (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'catalog.db');
  databaseBeforePush(path);

  const db = openDatabase(path);
  t.teardown(() => db.close());
  t.equal(schemaVersion(db), MIGRATIONS[MIGRATIONS.length - 1]!.version, 'migrated to the latest version');
  t.same(db.prepare('SELECT id FROM sources').pluck().all(), ['agency']);
  t.same(db.prepare('SELECT native_id, content_hash FROM source_records').all(), [{ native_id: 'A41000000G-000001', content_hash: 'h1' }], 'records untouched');
  for (const table of ['api_keys', 'push_dataset_ids']) {
    t.equal(db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get(), 0, `${table} exists, empty`);
  }
  const columns = (db.prepare("SELECT name FROM pragma_table_info('api_keys')").pluck().all() as string[]).sort();
  t.same(columns, ['allow', 'created_at', 'id', 'key_sha256', 'last_used_at', 'org_code', 'publisher', 'revoked_at', 'source_id']);
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  t.end();
});

t.test('keys and push sources as stored: a key needs its source, which syncSources never removes', (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const db = openDatabase(join(dir, 'catalog.db'));
  t.teardown(() => db.close());

  t.throws(
    () =>
      db
        .prepare(
          "INSERT INTO api_keys (id, key_sha256, publisher, org_code, source_id, created_at) VALUES ('k', 'h', 'p', 'A41000000G', 'push:nowhere', 'now')",
        )
        .run(),
    /FOREIGN KEY/,
    'a key names an existing source',
  );
  const key = insertApiKey(db, { id: '0123456789ab', sha256: 'ff'.repeat(32), publisher: '國家發展委員會', orgCode: 'A41000000G', allow: ['10.0.0.0/8'] });
  t.match(key, { id: '0123456789ab', sourceId: 'push:A41000000G', allow: ['10.0.0.0/8'], revokedAt: null, lastUsedAt: null });
  t.notOk('sha256' in key, 'the hash does not leave the store module');
  t.same(db.prepare("SELECT id, name, type, priority FROM sources WHERE id = 'push:A41000000G'").get(), {
    id: 'push:A41000000G',
    name: '國家發展委員會',
    type: 'push',
    priority: PUSH_SOURCE_PRIORITY,
  });

  syncSources(db, [fileSource('agency', 0, { name: 'Agency', type: 'crossplatform', url: 'https://example.gov.tw', withdrawAfterHours: 168 })]);
  t.same(
    db.prepare('SELECT id FROM sources ORDER BY id').pluck().all(),
    ['agency', 'push:A41000000G'],
    'syncSources adds the configured source and leaves the push source',
  );

  clearIdentityDirty(db);
  ensurePushSource(db, 'A41000000G', '國家發展委員會');
  t.notOk(isIdentityDirty(db), 'ensuring an existing source changes nothing');
  db.prepare("UPDATE sources SET priority = 3 WHERE id = 'push:A41000000G'").run();
  ensurePushSource(db, 'A41000000G', '國家發展委員會（新名稱）');
  t.same(
    db.prepare("SELECT name, priority FROM sources WHERE id = 'push:A41000000G'").get(),
    { name: '國家發展委員會（新名稱）', priority: PUSH_SOURCE_PRIORITY },
    'renamed; its priority set right',
  );
  t.ok(isIdentityDirty(db), 'a changed priority re-merges');

  touchApiKey(db, key.id, '2026-05-01T00:00:00Z');
  t.equal(listApiKeys(db)[0]?.lastUsedAt, '2026-05-01T00:00:00Z');
  t.match(revokeApiKey(db, key.id), { already: false, revoked: { revokedAt: /^\d{4}-/ } });
  t.match(revokeApiKey(db, key.id), { already: true });
  t.equal(revokeApiKey(db, 'nope'), undefined);
  t.end();
});

t.test('gateway datasetIds: stable per identifier, increasing, above data.gov.tw’s, skipping claimed ones', (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const db = openDatabase(join(dir, 'catalog.db'));
  t.teardown(() => db.close());
  ensurePushSource(db, 'A41000000G', 'A');
  ensurePushSource(db, '313000000G', 'B');
  const first = assignPushDatasetId(db, 'push:A41000000G', 'A41000000G-000001', 'now');
  t.equal(first, PUSH_DATASET_ID_BASE + 1);
  t.equal(assignPushDatasetId(db, 'push:A41000000G', 'A41000000G-000001', 'later'), first, 'the same identifier keeps its id');
  db.prepare("INSERT INTO record_keys (kind, value, source_id, native_id) VALUES ('datasetId', ?, 'push:313000000G', 'x')").run(
    `data.gov.tw/${PUSH_DATASET_ID_BASE + 2}`,
  );
  t.equal(assignPushDatasetId(db, 'push:313000000G', '313000000G-000001', 'now'), PUSH_DATASET_ID_BASE + 3, 'an id a record claims is skipped');
  t.same(pushedRecordOfDatasetId(db, PUSH_DATASET_ID_BASE + 3), { sourceId: 'push:313000000G', identifier: '313000000G-000001' });
  t.equal(pushedRecordOfDatasetId(db, 6564), undefined);
  t.throws(
    () =>
      db.prepare("INSERT INTO push_dataset_ids (dataset_id, source_id, identifier, assigned_at) VALUES (1, 'push:A41000000G', 'A41000000G-000001', 'x')").run(),
    /UNIQUE/,
    'one id per identifier',
  );
  t.end();
});
