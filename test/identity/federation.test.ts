import t, { type Test } from 'tap';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApi } from '../../src/api/app.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { Harvester } from '../../src/harvest/harvester.js';
import { resolveIdentity } from '../../src/identity/resolve.js';
import type { Db } from '../../src/store/database.js';
import { explainDataset } from '../../src/store/identity-explain.js';
import { datasetMembers, saveOverride } from '../../src/store/identity.js';
import { runErrors } from '../../src/store/runs.js';
import { startFixturePlatform, type FixturePlatform } from '../helpers/crossplatform-server.js';
import { openTestDb, silentLog, tempDir, testConfig } from '../helpers/gateway.js';
import { startFakeSource } from '../helpers/source-harness.js';

/**
 * Cross-source identity end to end: real loopback platforms, the real Harvester and a real
 * SQLite file. A city platform (priority 10) and data.gov.tw's copy of its records (priority 0,
 * gen-2 spellings) are harvested into one store; what is served is checked through the store
 * and the API.
 */

interface Federation {
  db: Db;
  harvester: Harvester;
  platforms: Record<string, FixturePlatform>;
  base: string;
  /** Live datasets: identifier → record. */
  live(): Map<string, Record<string, unknown>>;
}

interface SourceSpec {
  priority: number;
  /** Served by a cross-platform fixture platform; absent when `site` is given. */
  records?: Array<Record<string, unknown>>;
  /** Another kind of source: its connector type and URL. */
  site?: { type: string; url: string };
  settings?: Record<string, unknown>;
}

async function federation(t: Test, sources: Record<string, SourceSpec>): Promise<Federation> {
  const platforms: Record<string, FixturePlatform> = {};
  for (const [id, source] of Object.entries(sources)) if (source.records) platforms[id] = await startFixturePlatform(source.records);
  const { dir, cleanup } = tempDir();
  const config = testConfig(join(dir, 'catalog.db'), '', {
    sources: Object.entries(sources).map(([id, source]) => ({
      id,
      name: id,
      type: source.site?.type ?? 'crossplatform',
      url: source.site?.url ?? platforms[id]!.url,
      schedule: '0 3 * * *',
      priority: source.priority,
      options: source.site ? {} : { pageSize: 2 },
      ...source.settings,
    })),
  });
  const db = openTestDb(config);
  const api = await buildApi({ store: sqliteStoreOn(db), publicUrl: 'https://gateway.example.tw', logger: silentLog });
  await api.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await api.close();
    db.close();
    for (const platform of Object.values(platforms)) await platform.close();
    cleanup();
  });
  return {
    db,
    harvester: new Harvester(sqliteStoreOn(db), config, silentLog),
    platforms,
    base: `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`,
    live: () =>
      new Map(
        (
          db.prepare('SELECT identifier, record FROM datasets WHERE withdrawn_at IS NULL ORDER BY identifier').all() as Array<{
            identifier: string;
            record: string;
          }>
        ).map((row) => [row.identifier, JSON.parse(row.record) as Record<string, unknown>]),
      ),
  };
}

/** The city's own record (gen-1 keys). */
function cityRecord(serial: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    identifier: `379000000A-${serial}`,
    title: `臺北市公共自行車租賃站${serial}`,
    description: '臺北市公共自行車（YouBike）各租賃站位置及即時車位。',
    type: 'rawData',
    license: '政府資料開放授權條款-第1版',
    cost: '免費',
    organization: '臺北市政府',
    publisher: '臺北市政府交通局',
    publisherOrgCode: '379000000A',
    accrualPeriodicity: '每5分鐘',
    modified: '2026-05-01 10:00:00',
    landingPage: `https://data.taipei/dataset/detail?id=${serial}`,
    distribution: [
      {
        resourceID: `379000000A-${serial}-001`,
        format: 'JSON',
        downloadURL: `https://data.taipei/api/frontstage/tpeod/dataset/resource.download?rid=${serial}`,
      },
    ],
    ...overrides,
  };
}

/** data.gov.tw's copy of it: gen-2 keys, its own spellings, a contact the city left out. */
function dataGovTwCopy(serial: string, nid: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    datasetId: nid,
    identifier: `379000000A-${serial}`,
    title: `台北市公共自行車租賃站${serial}`,
    description: '台北市公共自行車各租賃站。',
    publisherOID: '2.16.886.101.20003.20065',
    license: '1',
    updateFrequency: '每5分鐘',
    organizationContactEmail: 'open@gov.taipei',
    modifiedDate: '2026-05-02 09:00:00',
    distribution: [
      {
        resourceFormat: 'JSON',
        resourceDownloadUrl: `HTTP://DATA.TAIPEI:80/api/frontstage/tpeod/dataset/resource.download?rid=${serial}&utm_source=datagovtw`,
      },
    ],
    ...overrides,
  };
}

t.test('a city record and its data.gov.tw copy are one dataset, with the city values where its priority says so', async (t) => {
  const f = await federation(t, {
    city: { priority: 10, records: [cityRecord('000001'), cityRecord('000002')] },
    datagovtw: { priority: 0, records: [dataGovTwCopy('000001', 1001), dataGovTwCopy('000002', 1002)] },
  });
  t.equal((await f.harvester.run('datagovtw'))?.status, 'succeeded');
  t.equal((await f.harvester.run('city'))?.status, 'succeeded');

  const live = f.live();
  t.same([...live.keys()], ['379000000A-000001', '379000000A-000002'], 'two datasets, not four');
  const merged = live.get('379000000A-000001')!;
  t.equal(merged.title, '臺北市公共自行車租賃站000001', "the city's title (higher priority)");
  t.equal(merged.description, '臺北市公共自行車（YouBike）各租賃站位置及即時車位。');
  t.equal(merged.organizationContactEmail, 'open@gov.taipei', 'a field only data.gov.tw filled comes from it');
  t.equal((merged.extensions as Record<string, unknown>).datasetId, '1001', "data.gov.tw's id is kept");

  const explanation = explainDataset(f.db, '379000000A-000001')!;
  t.same(
    explanation.members.map((m) => `${m.sourceId}:${m.nativeId}`),
    ['city:379000000A-000001', 'datagovtw:379000000A-000001'],
    'both records are members, the city first',
  );
  t.same(explanation.fields.title, { sourceId: 'city', nativeId: '379000000A-000001' });
  t.same(explanation.fields.organizationContactEmail, { sourceId: 'datagovtw', nativeId: '379000000A-000001' });
  const cityKeys = explanation.members[0]!.keys.filter((k) => k.sharedWith.length > 0).map((k) => k.kind);
  t.ok(cityKeys.includes('agency'), 'joined by the agency identifier');
  t.ok(cityKeys.includes('download'), 'and by the normalised download URL');

  const res = await fetch(`${f.base}/api/v1/identity/dataset/379000000A-000001`);
  t.equal(res.status, 200);
  const body = (await res.json()) as { members: unknown[]; fields: Record<string, unknown> };
  t.equal(body.members.length, 2, 'the explain endpoint shows both members');
  t.same(body.fields.title, { sourceId: 'city', nativeId: '379000000A-000001' });
  t.equal((await fetch(`${f.base}/api/v1/identity/dataset/nope`)).status, 404);

  // Raise data.gov.tw above the city: its spelling wins at the next resolution.
  f.db.prepare("UPDATE sources SET priority = 20 WHERE id = 'datagovtw'").run();
  await resolveIdentity(sqliteStoreOn(f.db));
  t.equal(f.live().get('379000000A-000001')!.title, '台北市公共自行車租賃站000001', 'priority decides, field by field');
});

t.test('a source that renumbers its records but keeps their URLs keeps the same datasets', async (t) => {
  const f = await federation(t, { city: { priority: 10, records: [cityRecord('000001'), cityRecord('000002')], settings: { withdrawAfterHours: 0 } } });
  await f.harvester.run('city');
  t.same([...f.live().keys()], ['379000000A-000001', '379000000A-000002']);

  // The platform migrated: new identifiers (so new native ids), same landing and download URLs.
  const city = f.platforms.city!;
  city.records.clear();
  for (const serial of ['000001', '000002']) {
    const renumbered = cityRecord(serial, { identifier: `379000000A-1${serial.slice(1)}` });
    city.records.set(String(renumbered.identifier), renumbered);
  }
  t.equal((await f.harvester.run('city', { full: true }))?.status, 'succeeded');
  t.same([...f.live().keys()], ['379000000A-000001', '379000000A-000002'], 'served under the identifiers they had');
  const members = datasetMembers(f.db, '379000000A-000001').map((m) => m.nativeId);
  t.same(members, ['379000000A-000001', '379000000A-100001'], 'the old record and its renumbered successor are one dataset');
  const explanation = explainDataset(f.db, '379000000A-000001')!;
  t.same(
    explanation.members.map((m) => m.state),
    ['withdrawn', 'listed'],
    'the old record is withdrawn (grace 0 h), the dataset lives on through the new one',
  );
});

t.test('the same title from different publishers stays two datasets', async (t) => {
  const shared = { title: '公有停車場資訊', description: '各停車場位置、格位數與收費標準資料。', issued: '2020-01-01' };
  const f = await federation(t, {
    taipei: { priority: 10, records: [cityRecord('000010', { ...shared, publisher: '臺北市停車管理工程處' })] },
    taichung: {
      priority: 10,
      records: [
        cityRecord('000010', {
          ...shared,
          identifier: '387000000A-000010',
          publisher: '臺中市政府交通局',
          publisherOrgCode: '387000000A',
          landingPage: 'https://opendata.taichung.gov.tw/dataset/10',
          distribution: [{ format: 'CSV', downloadURL: 'https://opendata.taichung.gov.tw/download/10.csv' }],
        }),
      ],
    },
  });
  await f.harvester.run('taipei');
  await f.harvester.run('taichung');
  t.same([...f.live().keys()], ['379000000A-000010', '387000000A-000010']);
});

t.test('a fuzzy match (same title and publisher) joins only when something corroborates it', async (t) => {
  const base = { title: '臺北市 公共自行車租賃站', publisher: '臺北市政府交通局', identifier: undefined };
  const f = await federation(t, {
    city: {
      priority: 10,
      records: [
        cityRecord('000020', { ...base, identifier: '379000000A-000020', issued: '2019-03-01' }),
        cityRecord('000021', { title: '臺北市垃圾車點位', identifier: '379000000A-000021', issued: '2018-01-01' }),
      ],
    },
    hub: {
      priority: 0,
      records: [
        // Another id scheme, other URLs: only title + publisher match, and the issue date corroborates.
        {
          identifier: 'HUB0000001-000020',
          title: '台北市公共自行車租賃站',
          publisher: '臺北市政府交通局',
          issued: '2019-03-01 08:00:00',
          landingPage: 'https://hub.example.org/d/20',
        },
        // Same title + publisher as the city's second record, nothing else in common: a candidate, not a merge.
        {
          identifier: 'HUB0000001-000021',
          title: '臺北市垃圾車點位',
          publisher: '臺北市政府交通局',
          issued: '2024-12-31',
          landingPage: 'https://hub.example.org/d/21',
        },
      ],
    },
  });
  await f.harvester.run('city');
  await f.harvester.run('hub');
  t.same([...f.live().keys()], ['379000000A-000020', '379000000A-000021', 'HUB0000001-000021']);
  const res = await fetch(`${f.base}/api/v1/identity/candidates`);
  const candidates = ((await res.json()) as { result: Array<{ a: { nativeId: string }; b: { nativeId: string } }> }).result;
  t.same(
    candidates.map((c) => [c.a.nativeId, c.b.nativeId]),
    [['379000000A-000021', 'HUB0000001-000021']],
    'the uncorroborated pair is listed for review',
  );
});

t.test('one catalogue published under two host names yields one set of datasets', async (t) => {
  const records = [cityRecord('000030'), cityRecord('000031')];
  const f = await federation(t, {
    'data-nat-gov-tw': { priority: 0, records },
    'data-gov-tw': { priority: 0, records },
  });
  await f.harvester.run('data-nat-gov-tw');
  await f.harvester.run('data-gov-tw');
  t.same([...f.live().keys()], ['379000000A-000030', '379000000A-000031']);
  t.equal(datasetMembers(f.db, '379000000A-000030').length, 2, 'each dataset has both hosts as members');
});

t.test('an operator split persists across re-harvests, and a join overrides the keys', async (t) => {
  const f = await federation(t, {
    city: { priority: 10, records: [cityRecord('000040')] },
    datagovtw: { priority: 0, records: [dataGovTwCopy('000040', 4040)] },
  });
  await f.harvester.run('city');
  await f.harvester.run('datagovtw');
  t.same([...f.live().keys()], ['379000000A-000040']);

  saveOverride(
    f.db,
    'split',
    { sourceId: 'datagovtw', nativeId: '379000000A-000040' },
    { sourceId: 'city', nativeId: '379000000A-000040' },
    'different tables',
  );
  await resolveIdentity(sqliteStoreOn(f.db));
  t.same([...f.live().keys()], ['379000000A-000040', '379000000A-000040~datagovtw'], 'split: two datasets, the city keeps the identifier');

  await f.harvester.run('city', { full: true });
  await f.harvester.run('datagovtw', { full: true });
  t.same([...f.live().keys()], ['379000000A-000040', '379000000A-000040~datagovtw'], 'still split after re-harvesting both sources');

  saveOverride(f.db, 'join', { sourceId: 'city', nativeId: '379000000A-000040' }, { sourceId: 'datagovtw', nativeId: '379000000A-000040' });
  await resolveIdentity(sqliteStoreOn(f.db));
  t.same([...f.live().keys()], ['379000000A-000040'], 'the later join replaces the split');
  const gone = await fetch(`${f.base}/api/v1/rest/dataset/${encodeURIComponent('379000000A-000040~datagovtw')}`, { redirect: 'manual' });
  t.equal(gone.status, 301, 'the absorbed identifier redirects');
  t.equal(gone.headers.get('location'), '/api/v1/rest/dataset/379000000A-000040');
});

t.test('withdrawing one member keeps the dataset alive while another remains', async (t) => {
  const f = await federation(t, {
    city: { priority: 10, records: [cityRecord('000050'), cityRecord('000051')], settings: { withdrawAfterHours: 0 } },
    datagovtw: { priority: 0, records: [dataGovTwCopy('000050', 5050)], settings: { withdrawAfterHours: 0 } },
  });
  await f.harvester.run('city');
  await f.harvester.run('datagovtw');
  t.equal(f.live().get('379000000A-000050')!.title, '臺北市公共自行車租賃站000050');

  f.platforms.city!.records.delete('379000000A-000050');
  t.equal((await f.harvester.run('city'))?.status, 'succeeded');
  const live = f.live();
  t.ok(live.has('379000000A-000050'), 'still served: data.gov.tw still lists it');
  t.equal(live.get('379000000A-000050')!.title, '台北市公共自行車租賃站000050', 'now from the remaining member');
  t.equal((await fetch(`${f.base}/api/v1/rest/dataset/379000000A-000050`)).status, 200);

  f.platforms.datagovtw!.records.clear();
  f.platforms.datagovtw!.records.set('379000000A-000099', dataGovTwCopy('000099', 9999));
  await f.harvester.run('datagovtw');
  t.notOk(f.live().has('379000000A-000050'), 'gone once no member remains');
  t.equal((await fetch(`${f.base}/api/v1/rest/dataset/379000000A-000050`)).status, 410);
  const kinds = f.db.prepare("SELECT kind FROM changes WHERE identifier = '379000000A-000050' ORDER BY id").pluck().all();
  t.same(kinds, ['created', 'updated', 'updated', 'withdrawn'], 'created, merged with the copy, lost the city member, withdrawn');
});

t.test('two records of one source claiming one identifier are a run error, never a silent merge', async (t) => {
  // A CKAN site whose native ids are package UUIDs: two packages carry one national identifier.
  const pkg = (id: string, name: string) => ({
    id,
    name,
    title: `臺北市公共自行車租賃站 (${name})`,
    notes: '租賃站位置',
    metadata_modified: '2026-05-01T02:00:00.000000',
    organization: { name: 'taipei-dot', title: '臺北市政府交通局' },
    extras: [{ key: 'identifier', value: '379000000A-000060' }],
    resources: [{ id: `${id}-r`, url: `https://ckan.example.org/${name}.csv`, format: 'CSV' }],
  });
  const packages = [pkg('0f8fad5b-d9cb-469f-a165-70867728950e', 'bikes-a'), pkg('7c9e6679-7425-40de-944b-e07fc1f90ae7', 'bikes-b')];
  const site = await startFakeSource(t, '', 'application/json', (params) => ({
    body: JSON.stringify({ success: true, result: { count: packages.length, results: Number(params.get('start') ?? 0) === 0 ? packages : [] } }),
  }));
  const f = await federation(t, {
    datagovtw: { priority: 0, records: [dataGovTwCopy('000060', 6060)] },
    ckan: { priority: 5, site: { type: 'ckan', url: site.url } },
  });
  await f.harvester.run('datagovtw');
  const run = await f.harvester.run('ckan');
  t.equal(run?.counts.seen, 2);
  const errors = runErrors(f.db, run!.runId).filter((e) => e.stage === 'identity');
  t.equal(errors.length, 1, 'one collision reported');
  t.equal(errors[0]?.rule, 'duplicate-identifier');
  t.match(errors[0]?.message, /0f8fad5b-d9cb-469f-a165-70867728950e, 7c9e6679-7425-40de-944b-e07fc1f90ae7 .*claim agency 379000000A-000060/);
  const live = [...f.live().keys()];
  t.equal(live.length, 3, 'three datasets: the copy and each CKAN package on its own');
  t.equal(datasetMembers(f.db, '379000000A-000060').length, 1, 'the copy merged with neither package');
});

t.test('two platforms of equal priority listing different resources of one dataset: the served dataset has them all, once each', async (t) => {
  const agency = cityRecord('000003', {
    distribution: [{ resourceID: '379000000A-000003-001', format: 'CSV', downloadURL: 'https://Data.Taipei/Files/Stations.csv' }],
  });
  const hub = cityRecord('000003', {
    title: '臺北市公共自行車租賃站000003（轉載）',
    distribution: [
      // The agency's CSV as the hub spells its URL: the same resource, served once, as the agency lists it.
      { resourceID: 'hub-1', format: 'CSV', resourceDescription: 'copy', downloadURL: 'HTTP://data.taipei:80/Files/Stations.csv?utm_medium=hub' },
      // The API only the hub lists: its access URL used to be lost.
      { resourceID: 'hub-2', format: 'JSON', accessURL: 'https://API.Data.Taipei/v1/Stations' },
    ],
  });
  const f = await federation(t, { agency: { priority: 0, records: [agency] }, hub: { priority: 0, records: [hub] } });
  t.equal((await f.harvester.run('agency'))?.status, 'succeeded');
  t.equal((await f.harvester.run('hub'))?.status, 'succeeded');

  t.same([...f.live().keys()], ['379000000A-000003'], 'one dataset');
  const served = (await (await fetch(`${f.base}/api/v1/rest/dataset/379000000A-000003`)).json()) as { result: Record<string, unknown> };
  t.equal(served.result.title, '臺北市公共自行車租賃站000003', 'equal priority: the one seen first speaks first');
  t.same(served.result.distribution, [
    { resourceID: '379000000A-000003-001', format: 'CSV', downloadURL: 'https://Data.Taipei/Files/Stations.csv' },
    { resourceID: 'hub-2', format: 'JSON', accessURL: 'https://API.Data.Taipei/v1/Stations' },
  ]);

  const fields = explainDataset(f.db, '379000000A-000003')!.fields;
  t.same(fields['distribution'], { sourceId: 'agency', nativeId: '379000000A-000003' }, 'the list starts with the agency’s');
  t.same(fields['distribution[1]'], { sourceId: 'hub', nativeId: '379000000A-000003' }, 'the API distribution is the hub’s');
});
