import t from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startFederation, type Federation } from '../helpers/federation.js';
import { openDatabase } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { readFeed } from '../../src/store/change-feed.js';
import { tempDir } from '../helpers/gateway.js';
import { Ajv } from 'ajv';
import { toGen1Json } from '../../src/views/gen1.js';
import type { NationalRecord } from '../../src/model/record.js';

/**
 * GET /api/changes (issue 7): a client replaying the feed from the beginning, or from any cursor
 * it was given, ends with exactly the gateway's live catalogue (records and deletions), also
 * while a harvest runs. The catalogue is harvested from a loopback fixture platform into a real
 * SQLite store.
 */

type Raw = Record<string, unknown>;
const PUBLIC_URL = 'https://gateway.example.tw';
const id = (serial: number): string => `A41000000G-${String(serial).padStart(6, '0')}`;

/** Now, as a platform stamps a revised record (incremental harvests ask for what changed since the last run). */
const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** A revised record (a new title) carries a later `modified`, as a platform writes it. */
function record(serial: number, title = `資料集${serial}`, modified = '2025-01-01 10:00:00'): Raw {
  return {
    identifier: id(serial),
    title,
    description: '統計資料。',
    type: 'rawData',
    categoryCode: 'I00',
    license: '政府資料開放授權條款-第1版',
    cost: '免費',
    organization: '國家發展委員會',
    publisher: '國家發展委員會資訊管理處',
    accrualPeriodicity: '每月',
    modified,
    distribution: [{ resourceID: `${id(serial)}-001`, format: 'CSV', downloadURL: `https://data.example.gov.tw/${serial}.csv` }],
  };
}

interface FeedEvent {
  identifier: string;
  kind: 'created' | 'updated' | 'withdrawn';
  at: string;
  movedTo?: string;
  record?: Raw;
  national?: Raw;
}

interface FeedAnswer {
  changes: FeedEvent[];
  nextCursor: string;
  more: boolean;
}

async function feed(base: string, query = ''): Promise<FeedAnswer> {
  const res = await fetch(`${base}/api/changes${query}`);
  if (res.status !== 200) throw new Error(`GET /api/changes${query}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { result: FeedAnswer }).result;
}

/** A mirror as simple as a client can be: a map of identifier → record, fed event by event. */
class Replica {
  readonly records = new Map<string, Raw>();
  cursor: string | undefined;
  readonly kinds: Array<[string, string]> = [];

  constructor(from?: Replica) {
    if (from) {
      for (const [k, v] of from.records) this.records.set(k, v);
      this.cursor = from.cursor;
    }
  }

  /** Follows the feed until nothing more follows right now; returns the cursors passed. */
  async sync(base: string, limit = 3): Promise<string[]> {
    const cursors: string[] = [];
    for (;;) {
      const page = await feed(base, `?limit=${limit}${this.cursor === undefined ? '' : `&since=${this.cursor}`}`);
      for (const event of page.changes) {
        this.kinds.push([event.identifier, event.kind]);
        if (event.kind === 'withdrawn') this.records.delete(event.identifier);
        else this.records.set(event.identifier, event.record!);
      }
      this.cursor = page.nextCursor;
      cursors.push(page.nextCursor);
      if (!page.more) return cursors;
    }
  }
}

/** The gateway's live catalogue, as GET /api/v1/rest/dataset and its records give it. */
async function catalogue(base: string): Promise<Map<string, Raw>> {
  const ids = ((await (await fetch(`${base}/api/v1/rest/dataset`)).json()) as { result: string[] }).result;
  const records = new Map<string, Raw>();
  for (const identifier of ids) {
    records.set(identifier, ((await (await fetch(`${base}/api/v1/rest/dataset/${identifier}`)).json()) as { result: Raw }).result);
  }
  return records;
}

async function harvest(f: Federation): Promise<void> {
  const run = await f.harvester.run('fixture');
  if (run?.status !== 'succeeded') throw new Error(`harvest: ${run?.status}`);
}

const sorted = (map: Map<string, Raw>): Array<[string, Raw]> => [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

t.test('the change feed over a harvested catalogue', async (t) => {
  const f = await startFederation(
    t,
    [1, 2, 3, 4, 5].map((n) => record(n)),
    PUBLIC_URL,
    { withdrawAfterHours: 0 },
  );

  await t.test('an empty catalogue: no changes, a cursor to poll with', async (t) => {
    const empty = await feed(f.base);
    t.same(empty.changes, []);
    t.equal(empty.more, false);
    t.match(empty.nextCursor, /^[A-Za-z0-9_-]+$/);
    const again = await feed(f.base, `?since=${empty.nextCursor}`);
    t.same(again.changes, []);
    t.equal(again.nextCursor, empty.nextCursor, 'nothing happened: the same position');
  });

  const history: Replica[] = [];
  const first = new Replica();

  await t.test('from the beginning: every dataset, created, with the record the read API gives', async (t) => {
    await harvest(f);
    const page = await feed(f.base);
    t.same(
      page.changes.map((c) => [c.identifier, c.kind]),
      [1, 2, 3, 4, 5].map((n) => [id(n), 'created']),
    );
    t.equal(page.more, false);
    const live = await catalogue(f.base);
    for (const change of page.changes) t.same(change.record, live.get(change.identifier), `${change.identifier}: the v1 record`);
    t.match(page.changes[0]!.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    const storedText = f.db.prepare('SELECT record FROM datasets WHERE identifier = ?').pluck();
    for (const change of page.changes) {
      t.equal(JSON.stringify(change.national), storedText.get(change.identifier), `${change.identifier}: national is the stored record, text for text`);
      t.same(change.record, toGen1Json(change.national as unknown as NationalRecord), `${change.identifier}: record is its gen-1 view`);
    }
    t.match(
      page.changes[0]!.national,
      { modified: '2025-01-01T02:00:00Z', extensions: { sourceVocabulary: 'gen1' } },
      "national: the store's ISO UTC dates and the extensions",
    );
    t.equal(page.changes[0]!.record!['modified'], '2025-01-01 10:00:00', "record: the standard's Taipei form");

    const paged = await feed(f.base, '?limit=2');
    t.equal(paged.changes.length, 2);
    t.equal(paged.more, true, 'more follow a short page');
    const rest = await feed(f.base, `?since=${paged.nextCursor}&limit=10`);
    t.same(
      rest.changes.map((c) => c.identifier),
      [3, 4, 5].map(id),
      'the next page starts after the last event',
    );

    await first.sync(f.base);
    t.same(sorted(first.records), sorted(live));
    history.push(new Replica(first));
  });

  await t.test('updates, withdrawals and new datasets reach a client that polls', async (t) => {
    f.platform.records.set(id(2), record(2, '資料集2（修訂）', now()));
    f.platform.records.delete(id(3));
    f.platform.records.set(id(6), record(6));
    await harvest(f);
    const before = first.kinds.length;
    await first.sync(f.base);
    t.same(
      first.kinds.slice(before).sort(),
      [
        [id(2), 'updated'],
        [id(3), 'withdrawn'],
        [id(6), 'created'],
      ].sort(),
      'only what changed, each once, of the right kind',
    );
    t.same(sorted(first.records), sorted(await catalogue(f.base)));
    t.equal((await fetch(`${f.base}/api/v1/rest/dataset/${id(3)}`)).status, 410, 'the withdrawn one is gone from the read API too');
    const { changes } = await feed(f.base);
    const gone = changes.find((c) => c.identifier === id(3))!;
    t.same(Object.keys(gone).sort(), ['at', 'identifier', 'kind'], 'a withdrawal carries neither record nor national');
    t.match(changes.find((c) => c.identifier === id(2))!.national, { title: '資料集2（修訂）' }, 'an update carries the new national form');
    history.push(new Replica(first));
  });

  await t.test('a dataset withdrawn and listed again comes back as created to a client that deleted it', async (t) => {
    f.platform.records.set(id(3), record(3));
    f.platform.records.delete(id(4));
    await harvest(f);
    f.platform.records.set(id(4), record(4, '資料集4（重新上架）', now()));
    await harvest(f);
    const before = first.kinds.length;
    await first.sync(f.base);
    t.same(
      first.kinds.slice(before).sort(),
      [
        [id(3), 'created'],
        [id(4), 'updated'],
      ].sort(),
      'compacted: 4 was withdrawn and back in between, once',
    );
    t.same(sorted(first.records), sorted(await catalogue(f.base)));
    history.push(new Replica(first));
  });

  await t.test('replaying from any cursor a client was given ends with the catalogue', async (t) => {
    const live = await catalogue(f.base);
    for (const [n, replica] of [new Replica(), ...history].entries()) {
      const copy = new Replica(replica);
      await copy.sync(f.base, 1);
      t.same(sorted(copy.records), sorted(live), `from position ${n}`);
    }
    // Replaying the same events again changes nothing (idempotent).
    const again = new Replica(history[0]);
    await again.sync(f.base);
    await again.sync(f.base);
    t.same(sorted(again.records), sorted(live));
  });

  await t.test('exact while a harvest runs: a client following the feed during it ends with the catalogue', async (t) => {
    const follower = new Replica(first);
    for (let n = 7; n <= 40; n += 1) f.platform.records.set(id(n), record(n));
    f.platform.records.set(id(1), record(1, '資料集1（修訂）', now()));
    f.platform.records.delete(id(5));
    f.platform.faults.delayMs = 2;
    let done = false;
    const harvesting = harvest(f).finally(() => {
      done = true;
    });
    let polls = 0;
    while (!done) {
      await follower.sync(f.base, 4);
      polls += 1;
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await harvesting;
    f.platform.faults.delayMs = 0;
    await follower.sync(f.base, 4);
    t.ok(polls > 1, `the client polled ${polls} times during the harvest`);
    t.same(sorted(follower.records), sorted(await catalogue(f.base)));
  });

  await t.test('bad parameters answer 400 in the spec shape, never 500', async (t) => {
    const { nextCursor } = await feed(f.base);
    const decoded = JSON.parse(Buffer.from(nextCursor, 'base64url').toString('utf8')) as [number, string, number];
    const forge = (payload: unknown): string => Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    const bad = [
      '?since=',
      '?since=abc',
      '?since=%E7%A9%BA',
      `?since=${'A'.repeat(300)}`,
      `?since=${forge([1, 'another-store', decoded[2]])}`,
      `?since=${forge([1, decoded[1], decoded[2] + 1000])}`,
      `?since=${forge([1, decoded[1], -1])}`,
      `?since=${forge([1, decoded[1], 1.5])}`,
      `?since=${forge([2, decoded[1], 1])}`,
      `?since=${forge({ seq: 1 })}`,
      '?limit=0',
      '?limit=1001',
      '?limit=abc',
      '?limit=1e400',
      `?since=${nextCursor}&since=${nextCursor}`,
    ];
    for (const query of bad) {
      const res = await fetch(`${f.base}/api/changes${query}`);
      t.equal(res.status, 400, query.slice(0, 60));
      const body = (await res.json()) as { success: boolean; error: { error_type: string; message: string } };
      t.equal(body.success, false);
      t.equal(body.error.error_type, 'ER0210:輸入的參數內容格式錯誤。', query.slice(0, 60));
    }
    const other = (await (await fetch(`${f.base}/api/changes?since=${forge([1, 'another-store', 1])}`)).json()) as { error: { message: string } };
    t.match(other.error.message, /another catalogue.*start again from the beginning/);
  });

  await t.test('/openapi.json documents the feed', async (t) => {
    const doc = (await (await fetch(`${f.base}/openapi.json`)).json()) as {
      paths: Record<string, { get?: { operationId: string; parameters: Array<{ name: string }> } }>;
    };
    const operation = doc.paths['/api/changes']?.get;
    t.equal(operation?.operationId, 'listChanges');
    t.same(operation?.parameters.map((p) => p.name).sort(), ['limit', 'since']);
  });

  await t.test('the documented response schema holds for every answer, national form included', async (t) => {
    type Doc = { paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: Record<string, unknown> }> }> } }> };
    const doc = (await (await fetch(`${f.base}/openapi.json`)).json()) as Doc;
    const schema = doc.paths['/api/changes']!.get.responses['200']!.content['application/json']!.schema;
    const national = (((schema['properties'] as Raw)['result'] as Raw)['properties'] as Raw)['changes'] as { items: { properties: { national: Raw } } };
    t.match(national.items.properties.national, {
      type: 'object',
      required: ['identifier', 'title'],
      additionalProperties: false,
      properties: {
        extensions: { properties: { datasetId: { type: 'string' }, sourceVocabulary: { enum: Array } } },
        distribution: { items: { properties: { extensions: { properties: { resourceAmount: { type: 'number' } } } } } },
      },
    });
    const check = new Ajv({ strict: false, allErrors: true }).compile(schema);
    for (const query of ['', '?limit=3', '?limit=1000']) {
      const body = (await (await fetch(`${f.base}/api/changes${query}`)).json()) as { result: FeedAnswer };
      t.ok(body.result.changes.length > 0);
      t.ok(check(body), `GET /api/changes${query} is what the schema says: ${JSON.stringify(check.errors?.slice(0, 3))}`);
    }
    // The schema is a contract, not a formality: a national form with a field the store does not have breaks it.
    const forged = {
      success: true,
      result: {
        changes: [
          {
            identifier: 'x',
            kind: 'created',
            at: '2026-01-01T00:00:00Z',
            record: { identifier: 'x', title: 'x' },
            national: { identifier: 'x', title: 'x', viewCount: 3 },
          },
        ],
        nextCursor: 'c',
        more: false,
      },
    };
    t.notOk(check(forged), 'an unknown field in national breaks it');
  });
});

t.test("national: a gen-2 record's extensions, which its gen-1 record has no place for", async (t) => {
  const gen2 = {
    datasetId: 1001,
    identifier: '379000000A-000001',
    title: '台北市公共自行車租賃站',
    description: '臺北市公共自行車租賃站位置。',
    categoryTheme: '交通',
    dataQuality: '銀標章',
    publisherOID: '2.16.886.101.20003.20065',
    modifiedDate: '2026-05-02 09:00:00',
    viewCount: 42,
    distribution: [{ resourceFormat: 'JSON', resourceDownloadUrl: 'https://data.taipei/x?rid=1', resourceField: 'a(欄位A)', resourceAmount: 12 }],
  };
  const f = await startFederation(t, [gen2], PUBLIC_URL);
  await harvest(f);
  const [change] = (await feed(f.base)).changes;
  t.match(change!.national, {
    identifier: '379000000A-000001',
    modified: '2026-05-02T01:00:00Z',
    extensions: { datasetId: '1001', categoryTheme: '交通', dataQuality: '銀標章', sourceVocabulary: 'gen2', unknownKeys: { viewCount: 42 } },
    distribution: [{ format: 'JSON', extensions: { resourceField: 'a(欄位A)', resourceAmount: 12, resourceIDSynthesised: true } }],
  });
  t.equal(JSON.stringify(change!.national), f.db.prepare('SELECT record FROM datasets').pluck().get(), 'national is the stored record');
  t.notOk('extensions' in change!.record!, 'the gen-1 record has none');
  t.same(change!.record, ((await (await fetch(`${f.base}/api/v1/rest/dataset/379000000A-000001`)).json()) as { result: Raw }).result, "and is the read API's");
});

t.test('a dataset merged into another: withdrawn with movedTo, the survivor updated', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const db = openDatabase(join(dir, 'catalog.db'));
  t.teardown(() => db.close());
  const now = '2026-01-01T00:00:00.000Z';
  db.prepare("INSERT INTO sources (id, name, type, url, updated_at) VALUES ('s', 'S', 'crossplatform', 'https://example.gov.tw', ?)").run(now);
  const entry = db.prepare(
    `INSERT INTO dataset_entries (identifier, source_id, native_id, priority, title, modified_at, record, issues, content_hash, created_at, updated_at)
     VALUES (?, 's', ?, 0, 't', ?, ?, '[]', 'h', ?, ?)`,
  );
  const change = db.prepare("INSERT INTO changes (identifier, source_id, kind, run_id, at) VALUES (?, 's', ?, NULL, ?)");
  for (const name of ['a', 'b']) {
    entry.run(name, name, now, JSON.stringify({ identifier: name, title: name }), now, now);
    change.run(name, 'created', now);
  }
  const start = readFeed(db, 0, 10);
  db.prepare("UPDATE dataset_entries SET merged_into = 'a', withdrawn_at = ? WHERE identifier = 'b'").run(now);
  change.run('b', 'withdrawn', now);
  change.run('a', 'updated', now);
  const after = readFeed(db, start.nextSeq, 10);
  t.same(
    after.events.map((e) => ({ identifier: e.identifier, kind: e.kind, movedTo: e.movedTo, title: e.record?.title })),
    [
      { identifier: 'b', kind: 'withdrawn', movedTo: 'a', title: undefined },
      { identifier: 'a', kind: 'updated', movedTo: undefined, title: 'a' },
    ],
  );
  t.end();
});

t.test('migration 5: a store from before the feed lists every dataset from the beginning', (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'catalog.db');
  const raw = new Database(path);
  for (const migration of MIGRATIONS.filter((m) => m.version <= 4)) raw.exec(migration.sql);
  raw.pragma('user_version = 4');
  const now = '2026-01-01T00:00:00.000Z';
  raw.prepare("INSERT INTO sources (id, name, type, url, updated_at) VALUES ('s', 'S', 'crossplatform', 'https://example.gov.tw', ?)").run(now);
  const entry = raw.prepare(
    `INSERT INTO dataset_entries (identifier, source_id, native_id, priority, title, modified_at, record, issues, content_hash, created_at, updated_at, withdrawn_at)
     VALUES (?, 's', ?, 0, 't', ?, ?, '[]', 'h', ?, ?, ?)`,
  );
  // One with a change already (the feed's usual case), one from before changes were kept, one withdrawn.
  entry.run('with-change', 'with-change', now, '{"identifier":"with-change"}', now, now, null);
  raw.prepare("INSERT INTO changes (identifier, source_id, kind, run_id, at) VALUES ('with-change', 's', 'created', NULL, ?)").run(now);
  entry.run('old', 'old', now, '{"identifier":"old"}', now, now, null);
  entry.run('gone', 'gone', now, '{"identifier":"gone"}', now, now, now);
  raw.close();

  const db = openDatabase(path);
  t.teardown(() => db.close());
  const page = readFeed(db, 0, 10);
  t.same(
    page.events.map((e) => [e.identifier, e.kind]),
    [
      ['with-change', 'created'],
      ['gone', 'withdrawn'],
      ['old', 'created'],
    ],
    'every dataset once; the ones without a change get one, in identifier order',
  );
  t.match(db.prepare("SELECT value FROM store_state WHERE key = 'feed_epoch'").pluck().get(), /^[0-9a-f]{16}$/);
  t.end();
});
