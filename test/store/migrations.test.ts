import t from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, schemaVersion } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { tempDir } from '../helpers/gateway.js';
import { needsKeyBackfill } from '../../src/store/identity.js';
import { resolveIdentity } from '../../src/identity/resolve.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { searchDatasets } from '../../src/store/search.js';
import { listKeywords } from '../../src/store/keywords.js';
import { findServedDataset } from '../../src/api/served-dataset.js';

/** A database as version 1 of the schema left it, with one stored record. */
function versionOneDatabase(path: string): void {
  const db = new Database(path);
  db.exec(MIGRATIONS.find((m) => m.version === 1)!.sql);
  db.pragma('user_version = 1');
  db.prepare(
    "INSERT INTO sources (id, name, type, url, updated_at) VALUES ('agency', 'Agency', 'crossplatform', 'https://example.gov.tw', '2026-01-01T00:00:00Z')",
  ).run();
  db.prepare(
    `INSERT INTO source_records (source_id, native_id, identifier, content_hash, payload, record, issues, first_seen_at, last_seen_at, changed_at, etag)
     VALUES ('agency', 'A41000000G-000001', 'A41000000G-000001', 'h1', '{"title":"原始"}', '{"identifier":"A41000000G-000001"}', '[]',
             '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z', '"v1"')`,
  ).run();
  db.prepare(
    `INSERT INTO datasets (identifier, source_id, native_id, priority, title, modified_at, record, issues, created_at, updated_at)
     VALUES ('A41000000G-000001', 'agency', 'A41000000G-000001', 0, '原始', '2026-01-01T00:00:00Z', '{"identifier":"A41000000G-000001","title":"原始"}', '[]',
             '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
  ).run();
  db.close();
}

t.test('migration 3 keeps the served catalogue, and the first resolution gives old records their keys', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'catalog.db');
  versionOneDatabase(path);
  // The payload must be a real record for the keys to be computed from it.
  const raw = new Database(path);
  raw.prepare(`UPDATE source_records SET record = '{"identifier":"A41000000G-000001","title":"原始","landingPage":"https://data.example.gov.tw/d/1"}'`).run();
  raw.close();

  const db = openDatabase(path);
  t.teardown(() => db.close());
  t.same(
    db.prepare('SELECT identifier, title, record FROM datasets').all(),
    [{ identifier: 'A41000000G-000001', title: '原始', record: '{"identifier":"A41000000G-000001","title":"原始"}' }],
    'served as before, through the datasets view',
  );
  t.equal(db.prepare('SELECT dataset_id FROM source_records').pluck().get(), 'A41000000G-000001', 'the record knows its dataset');
  t.ok(needsKeyBackfill(db));

  const outcome = await resolveIdentity(sqliteStoreOn(db));
  t.notOk(needsKeyBackfill(db));
  t.same(db.prepare('SELECT kind, value FROM record_keys ORDER BY kind').all(), [
    { kind: 'agency', value: 'A41000000G-000001' },
    { kind: 'landing', value: 'https://data.example.gov.tw/d/1' },
  ]);
  t.equal(outcome.created, 0, 'no dataset created anew');
  t.same(db.prepare('SELECT identifier, title FROM datasets WHERE withdrawn_at IS NULL').all(), [{ identifier: 'A41000000G-000001', title: '原始' }]);
  t.end();
});

t.test('migration 2 moves payloads out of source_records without losing any', (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'catalog.db');
  versionOneDatabase(path);

  const db = openDatabase(path);
  t.teardown(() => db.close());
  t.equal(schemaVersion(db), MIGRATIONS[MIGRATIONS.length - 1]!.version);
  t.same(db.prepare('SELECT source_id, native_id, payload, record, issues FROM source_payloads').all(), [
    { source_id: 'agency', native_id: 'A41000000G-000001', payload: '{"title":"原始"}', record: '{"identifier":"A41000000G-000001"}', issues: '[]' },
  ]);
  const columns = (db.prepare("SELECT name FROM pragma_table_info('source_records')").pluck().all() as string[]).sort();
  t.notOk(columns.includes('payload') || columns.includes('record') || columns.includes('issues'), 'the wide columns are gone from source_records');
  t.same(
    db.prepare('SELECT content_hash, etag, last_seen_at FROM source_records').get(),
    { content_hash: 'h1', etag: '"v1"', last_seen_at: '2026-01-02T00:00:00Z' },
    'the narrow state is kept',
  );
  t.equal((db.pragma('foreign_key_check') as unknown[]).length, 0, 'every payload belongs to a source record');
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  t.end();
});

t.test('a payload cannot exist without its source record', (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const db = openDatabase(join(dir, 'catalog.db'));
  t.teardown(() => db.close());
  t.throws(
    () => db.prepare("INSERT INTO source_payloads (source_id, native_id, payload, record, issues) VALUES ('nobody', 'x', '{}', '{}', '[]')").run(),
    /FOREIGN KEY/,
  );
  t.end();
});

t.test('migration 6 gives the search index its keyword column: a version-5 store is re-indexed at the first search', (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'catalog.db');
  const raw = new Database(path);
  for (const migration of MIGRATIONS.filter((m) => m.version <= 5)) raw.exec(migration.sql);
  raw.pragma('user_version = 5');
  raw.prepare("INSERT INTO sources (id, name, type, url, updated_at) VALUES ('city', 'city', 'file', 'file:///x', '2026-01-01T00:00:00Z')").run();
  const insert = raw.prepare(
    `INSERT INTO dataset_entries (identifier, source_id, native_id, priority, title, modified_at, record, issues, created_at, updated_at, withdrawn_at)
     VALUES (?, 'city', ?, 0, ?, '2026-01-01T00:00:00Z', ?, '[]', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?)`,
  );
  const record = (identifier: string, title: string, keyword: string[]): string => JSON.stringify({ identifier, title, keyword });
  insert.run('A41000000G-000001', 'A41000000G-000001', '公車路線', record('A41000000G-000001', '公車路線', ['公車', '路線']), null);
  insert.run('A41000000G-000002', 'A41000000G-000002', '停車場', record('A41000000G-000002', '停車場', ['停車']), null);
  insert.run('A41000000G-000003', 'A41000000G-000003', '舊資料', record('A41000000G-000003', '舊資料', ['公車']), '2026-01-02T00:00:00Z');
  // As version 5 indexed them: search_docs rows without keywords, the queue drained.
  const doc = raw.prepare("INSERT INTO search_docs (identifier, version, live, title, modified_at, formats) VALUES (?, 1, ?, ?, '2026-01-01T00:00:00Z', '[]')");
  doc.run('A41000000G-000001', 1, '公車路線');
  doc.run('A41000000G-000002', 1, '停車場');
  doc.run('A41000000G-000003', 0, '');
  raw.prepare('DELETE FROM search_pending').run();
  raw.close();

  const db = openDatabase(path);
  t.teardown(() => db.close());
  t.equal(schemaVersion(db), MIGRATIONS.at(-1)!.version);
  t.same(
    db.prepare('SELECT identifier, keywords FROM search_docs ORDER BY identifier').all(),
    [
      { identifier: 'A41000000G-000001', keywords: '[]' },
      { identifier: 'A41000000G-000002', keywords: '[]' },
      { identifier: 'A41000000G-000003', keywords: '[]' },
    ],
    'the column exists, empty',
  );
  t.same(
    db.prepare('SELECT identifier FROM search_pending ORDER BY identifier').pluck().all(),
    ['A41000000G-000001', 'A41000000G-000002'],
    'every live dataset queued, not the withdrawn one',
  );
  t.same(searchDatasets(db, { keywords: ['公車'], limit: 10, offset: 0 }).identifiers, ['A41000000G-000001'], 'the first search indexes them');
  t.same(listKeywords(db), ['停車', '公車', '路線']);
  t.equal(db.prepare('SELECT count(*) FROM search_pending').pluck().get(), 0);
  t.end();
});

t.test('migration 8 looks identifiers up ignoring case: a version-7 store, records and keys untouched, reads and new datasets follow', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'catalog.db');
  const raw = new Database(path);
  for (const migration of MIGRATIONS.filter((m) => m.version <= 7)) raw.exec(migration.sql);
  raw.pragma('user_version = 7');
  raw.prepare("INSERT INTO sources (id, name, type, url, updated_at) VALUES ('city', 'city', 'file', 'file:///x', '2026-01-01T00:00:00Z')").run();
  const insert = raw.prepare(
    `INSERT INTO dataset_entries (identifier, source_id, native_id, priority, title, modified_at, record, issues, created_at, updated_at, withdrawn_at)
     VALUES (?, 'city', ?, 0, ?, '2026-01-01T00:00:00Z', ?, '[]', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?)`,
  );
  const record = (identifier: string): string => JSON.stringify({ identifier, title: identifier });
  // A lower-case dataset, and a pair an older version let exist: two datasets differing only in case, one withdrawn.
  insert.run('a41000000g-000001', 'a41000000g-000001', 'a', record('a41000000g-000001'), null);
  insert.run('A41000000G-000002', 'A41000000G-000002', 'b', record('A41000000G-000002'), null);
  insert.run('a41000000g-000002', 'a41000000g-000002', 'c', record('a41000000g-000002'), '2026-01-02T00:00:00Z');
  const before = raw.prepare('SELECT * FROM dataset_entries ORDER BY identifier').all();
  raw.close();

  const db = openDatabase(path);
  t.teardown(() => db.close());
  t.equal(schemaVersion(db), MIGRATIONS.at(-1)!.version);
  t.same(db.prepare('SELECT * FROM dataset_entries ORDER BY identifier').all(), before, 'the datasets as they were');
  t.match(
    db.prepare("EXPLAIN QUERY PLAN SELECT identifier FROM dataset_entries WHERE identifier = 'X' COLLATE NOCASE").all(),
    [{ detail: /USING COVERING INDEX dataset_entries_by_identifier_nocase/ }],
    'looked up by the new index',
  );
  const served = sqliteStoreOn(db).catalogue;
  t.same(await findServedDataset(served, 'A41000000G-000001'), { status: 301, movedTo: 'a41000000g-000001' }, 'another case is redirected');
  t.match(await findServedDataset(served, 'a41000000g-000002'), { status: 410 }, 'each of a stored pair answers as itself');
  t.match(await findServedDataset(served, 'A41000000G-000002'), { identifier: 'A41000000G-000002' });
  t.same(await findServedDataset(served, 'A41000000g-000002'), { status: 301, movedTo: 'A41000000G-000002' }, 'a third case goes to the live one of the pair');
  t.end();
});

t.test('migration 10 gives titles a full-text index of their own: a version-9 store is re-indexed at the first search, and ranks as before', (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'catalog.db');
  const before = openDatabase(path);
  before.prepare("INSERT INTO sources (id, name, type, url, updated_at) VALUES ('city', 'city', 'file', 'file:///x', '2026-01-01T00:00:00Z')").run();
  const insert = before.prepare(
    `INSERT INTO dataset_entries (identifier, source_id, native_id, priority, title, modified_at, record, issues, created_at, updated_at, withdrawn_at)
     VALUES (?, 'city', ?, 0, ?, '2026-01-01T00:00:00Z', ?, '[]', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?)`,
  );
  const add = (identifier: string, title: string, description: string, withdrawn: string | null): void => {
    insert.run(identifier, identifier, title, JSON.stringify({ identifier, title, description }), withdrawn);
  };
  add('A41000000G-000001', '河川水位', '每小時更新的空氣品質與水位', null);
  add('A41000000G-000002', '空氣品質監測', '測站資料', null);
  add('A41000000G-000003', '空氣品質舊版', '已停止', '2026-01-02T00:00:00Z');
  const ranked = searchDatasets(before, { q: '空氣品質', limit: 10, offset: 0 }).identifiers;
  t.same(ranked, ['A41000000G-000002', 'A41000000G-000001'], 'the title match first');
  // As version 9 left it: no index of titles, nothing queued.
  before.exec('DROP TABLE dataset_search_title; DELETE FROM search_pending;');
  before.pragma('user_version = 9');
  before.close();

  const db = openDatabase(path);
  t.teardown(() => db.close());
  t.equal(schemaVersion(db), MIGRATIONS.at(-1)!.version);
  t.same(
    db.prepare('SELECT identifier FROM search_pending ORDER BY identifier').pluck().all(),
    ['A41000000G-000001', 'A41000000G-000002'],
    'every live dataset queued, not the withdrawn one',
  );
  t.same(searchDatasets(db, { q: '空氣品質', limit: 10, offset: 0 }).identifiers, ranked, 'the first search indexes them and ranks as before');
  t.equal(
    db.prepare('SELECT count(*) FROM dataset_search_title WHERE dataset_search_title MATCH \'"空氣 氣品 品質"\'').pluck().get(),
    1,
    'the live title indexed',
  );
  t.equal(db.prepare('SELECT count(*) FROM search_pending').pluck().get(), 0);
  t.end();
});
