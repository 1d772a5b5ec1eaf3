import t, { type Test } from 'tap';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApi } from '../../src/api/app.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { Harvester } from '../../src/harvest/harvester.js';
import { resolveIdentity } from '../../src/identity/resolve.js';
import { mapNationalRecord } from '../../src/mapping/detect.js';
import { mapGen2 } from '../../src/mapping/gen2.js';
import { normaliseLicense } from '../../src/model/license.js';
import type { NationalRecord } from '../../src/model/record.js';
import { saveOverride } from '../../src/store/identity.js';
import { toGen2Json } from '../../src/views/gen2.js';
import { startFixturePlatform } from '../helpers/crossplatform-server.js';
import { startFederation } from '../helpers/federation.js';
import { openTestDb, readFixture, silentLog, tempDir, testConfig } from '../helpers/gateway.js';

type Raw = Record<string, unknown>;
interface ErrorBody {
  success: false;
  error: { identifier?: string; error_type: string; message: string };
}

const specExample = readFixture<Raw>('crossplatform', 'spec-example-record.json');
const specRecord = (specExample.result ?? specExample) as Raw;
const own = readFixture<Raw[]>('crossplatform', 'own-records.json');
const v2Read = readFixture<{ result: Raw }>('datagovtw', 'v2-read-response.json').result;
const natdoc = readFixture<Raw>('datagovtw', 'natdoc-variant.json');
const instructionBody = readFixture<Raw>('datagovtw', 'instruction-post-body.json');

/** data.gov.tw's copy of the NATDOC example under an identifier of its own (one source lists one identifier once). */
const natdocCopy: Raw = { ...natdoc, identifier: 'A41000000G-006564' };

/** A bus dataset with the keyword 公車 and two keywords that differ only in case. */
const busRecord: Raw = {
  identifier: '379000000A-000500',
  title: '臺北市公車動態資訊',
  description: '臺北市公車即時位置與到站時間。',
  categoryCode: 'A00',
  type: 'SERVICES',
  license: '政府資料開放授權條款-第1版',
  cost: '免費',
  organization: '臺北市政府',
  publisher: '臺北市政府交通局',
  publisherOrgCode: '379000000A',
  accrualPeriodicity: '即時',
  modified: '2026-05-01 10:00:00',
  keyword: ['公車', 'opendata', ' 公車 '],
  distribution: [{ resourceID: '379000000A-000500-001', format: 'JSON', accessURL: 'https://tcgbusfs.blob.core.windows.net/blobbus/GetBusData.gz' }],
};

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** A 4xx in the spec's error shape with this code. */
async function assertSpecError(t: Test, res: Response, status: number, code: RegExp, label: string): Promise<ErrorBody> {
  t.equal(res.status, status, `${label}: status`);
  t.match(res.headers.get('content-type'), /^application\/json/, `${label}: JSON`);
  const body = await json<ErrorBody>(res);
  t.equal(body.success, false, `${label}: success false`);
  t.match(body.error.error_type, code, `${label}: error_type`);
  t.type(body.error.message, 'string', `${label}: a message`);
  return body;
}

/** What comparing two mappings of one record must ignore: which vocabulary it arrived in. */
function comparable(record: NationalRecord): NationalRecord {
  const copy = structuredClone(record);
  if (copy.extensions) {
    delete copy.extensions.sourceVocabulary;
    if (Object.keys(copy.extensions).length === 0) delete copy.extensions;
  }
  return copy;
}

t.test('the gen-2 view read back by the gen-2 mapper is the record again', async (t) => {
  const raws: Array<[string, unknown]> = [
    ['NATDOC gen-2 example', natdoc],
    ['instruction.vue gen-2 body', instructionBody],
    ['v2 read response', v2Read],
    ['spec gen-1 example', specRecord],
    ...own.map((raw): [string, unknown] => [`own gen-1 record ${String(raw.identifier)}`, raw]),
  ];
  let compared = 0;
  for (const [label, raw] of raws) {
    const mapped = mapNationalRecord(raw);
    if (!mapped.ok) continue; // own-records holds one without a title, rejected at harvest as well
    const view = toGen2Json(mapped.record);
    const again = mapGen2(view);
    t.ok(again.ok, `${label}: the view is a gen-2 record the mapper accepts`);
    if (!again.ok) continue;
    const expected = comparable(mapped.record);
    // gen-2 codes the OGDL as "1": any of its spellings reads back as its one canonical name.
    const canonical = expected.license === undefined ? null : normaliseLicense(expected.license);
    if (canonical?.url === 'https://data.gov.tw/license') expected.license = canonical.name;
    t.same(comparable(again.record), expected, `${label}: same record`);
    t.same(
      again.issues.filter((issue) => issue.severity === 'error'),
      mapped.issues.filter((issue) => issue.severity === 'error'),
      `${label}: no new rule breaks`,
    );
    compared += 1;
  }
  t.equal(compared, raws.length - 1, 'every accepted record was compared');
});

t.test('the gen-2 view speaks gen-2: renamed keys, codes, Taipei times, no invented ids', async (t) => {
  const natdocRecord = mapNationalRecord(natdoc);
  if (!natdocRecord.ok) throw new Error('fixture rejected');
  const view = toGen2Json(natdocRecord.record);
  t.equal(view.datasetId, 6564, 'datasetId is a JSON number, as data.gov.tw answers');
  t.equal(view.categoryService, 'I00');
  t.equal(view.license, '1', 'OGDL v1 is code 1');
  t.notOk('licenseURL' in view, 'the code implies the licence URL');
  t.equal(view.cost, 'free');
  t.equal(view.publisherOID, '2.16.886.101.20003.20082', 'a bare OID, as read responses have it');
  t.equal(view.publisher, '數位發展部');
  t.equal(view.updateFrequency, '每日');
  t.equal(view.modifiedDate, '2023-04-21 15:43:26', 'Taipei wall-clock time');
  t.equal(view.publishedDate, '2013-11-01');
  t.equal(view.coverageStartedDate, '2014-01-01');
  t.equal(view.spatialCoverage, '臺灣');
  t.equal(view.relatedUrl, 'https://data.gov.tw/datasets/search');
  t.notOk('fieldDescription' in view, 'carried per resource (resourceField)');
  t.notOk('numberOfData' in view, 'carried per resource (resourceAmount)');
  for (const gen1Key of ['categoryCode', 'accrualPeriodicity', 'temporalCoverageFrom', 'issued', 'modified', 'spatial', 'landingPage', 'extensions']) {
    t.notOk(gen1Key in view, `no gen-1 key ${gen1Key} where gen-2 has its own`);
  }
  const [first] = view.distribution as Raw[];
  t.same(
    Object.keys(first!).sort(),
    [
      'qcLevel',
      'resourceAmount',
      'resourceCharacterEncoding',
      'resourceDescription',
      'resourceDownloadUrl',
      'resourceField',
      'resourceFormat',
      'resourceModifiedDate',
      'resourceNotes',
    ].sort(),
    'resource keys; no resourceID the gateway made up',
  );
  t.equal(first!.resourceModifiedDate, '2023-04-21 15:43:26');
  t.equal(first!.resourceAmount, 4600);

  const gen1 = toGen2Json({
    identifier: 'A41000000G-000001',
    title: 't',
    license: 'CC BY 4.0',
    licenseURL: 'https://creativecommons.org/licenses/by/4.0/',
    cost: '付費',
    fieldDescription: '欄位A、欄位B',
    numberOfData: 12,
    distribution: [{ resourceID: 'A41000000G-000001-009', format: 'CSV', accessURL: 'https://example.gov.tw/api' }],
  });
  t.notOk('datasetId' in gen1, 'no datasetId for a dataset data.gov.tw has not numbered');
  t.equal(gen1.license, 'CC BY 4.0', 'a licence gen-2 has no code for keeps its name');
  t.equal(gen1.licenseURL, 'https://creativecommons.org/licenses/by/4.0/');
  t.equal(gen1.cost, 'paid');
  t.equal(gen1.fieldDescription, '欄位A、欄位B', 'kept at the dataset when no resource carries it');
  t.equal(gen1.numberOfData, 12);
  t.same(
    gen1.distribution,
    [{ resourceID: 'A41000000G-000001-009', resourceFormat: 'CSV', resourceAccessUrl: 'https://example.gov.tw/api' }],
    'a publisher’s resourceID is kept',
  );
  t.equal(
    toGen2Json({ identifier: 'x', title: 't', license: 'OGDL', licenseURL: 'https://data.gov.tw/en/license' }).licenseURL,
    'https://data.gov.tw/en/license',
    'a licence URL other than the code’s own is kept',
  );
});

t.test('the spec read side over a harvested catalogue', async (t) => {
  const records = [specRecord, ...own, v2Read, natdocCopy, busRecord];
  const { base, harvester, platform } = await startFederation(t, records, 'https://gateway.example.tw', { withdrawAfterHours: 0 });
  t.equal((await harvester.run('fixture'))?.status, 'succeeded');

  await t.test('GET /api/v2/rest/dataset/{datasetId} by data.gov.tw id', async (t) => {
    const res = await fetch(`${base}/api/v2/rest/dataset/18420`);
    t.equal(res.status, 200);
    t.match(res.headers.get('content-type'), /^application\/json/);
    const body = await json<{ success: boolean; result: Raw }>(res);
    t.equal(body.success, true);
    t.match(body.result, {
      datasetId: 18420,
      identifier: 'A45020000D-000354',
      title: '上市公司每月營業收入彙總表',
      dataProvider: 'N121467221',
      publisherOID: '2.16.886.101.20003.20052.20004',
      license: '1',
      modifiedDate: '2026-09-07 00:00:00',
      distribution: [{ resourceFormat: 'CSV', resourceDownloadUrl: 'https://mopsfin.twse.com.tw/opendata/t187ap05_L.csv' }],
    });
    const leadingZeros = await json<{ result: Raw }>(await fetch(`${base}/api/v2/rest/dataset/0006564`));
    t.equal(leadingZeros.result.identifier, 'A41000000G-006564', '0006564 is data.gov.tw id 6564');
    t.equal(leadingZeros.result.datasetId, 6564);
  });

  await t.test('a dataset data.gov.tw has not numbered is addressed by its identifier', async (t) => {
    const res = await fetch(`${base}/api/v2/rest/dataset/A41000000G-000001`);
    t.equal(res.status, 200);
    const { result } = await json<{ result: Raw }>(res);
    t.notOk('datasetId' in result);
    t.match(result, {
      identifier: 'A41000000G-000001',
      categoryService: 'I00',
      updateFrequency: '每日',
      license: '政府資料開放平臺資料使用規範',
      licenseURL: 'http://data.gov.tw/principle',
      cost: 'free',
      modifiedDate: '2015-01-01 23:59:59',
    });
    const byIdentifier = await json<{ result: Raw }>(await fetch(`${base}/api/v2/rest/dataset/A45020000D-000354`));
    t.equal(byIdentifier.result.datasetId, 18420, 'a numbered dataset answers to its identifier as well');
  });

  await t.test('unknown v2 addresses answer 404 in the spec shape', async (t) => {
    for (const address of ['99999', 'A41000000G-999999', '%20', '18420x', '-1', '1e3']) {
      const body = await assertSpecError(t, await fetch(`${base}/api/v2/rest/dataset/${address}`), 404, /^ER0100:/, address);
      t.type(body.error.identifier, 'string', `${address}: names what was asked for`);
    }
    t.equal((await assertSpecError(t, await fetch(`${base}/api/v2/rest/dataset/99999`), 404, /^ER0100:/, '99999')).error.identifier, '99999');
  });

  await t.test('GET /api/v1/rest/group lists the service categories in use, in code order', async (t) => {
    const res = await fetch(`${base}/api/v1/rest/group`);
    t.equal(res.status, 200);
    // K00 (own-records) is not one of the 18 codes: not a group.
    t.same(await json(res), { success: true, result: ['A00', 'B00', 'E00', 'I00'] });
    t.same((await json<{ result: string[] }>(await fetch(`${base}/api/v1/rest/group?limit=2&offset=1`))).result, ['B00', 'E00']);
    t.same((await json<{ result: string[] }>(await fetch(`${base}/api/v1/rest/group?limit=0`))).result, []);
    t.same((await json<{ result: string[] }>(await fetch(`${base}/api/v1/rest/group?offset=99`))).result, []);
  });

  await t.test('GET /api/v1/rest/group/{categoryCode}: the category, its name and its datasets', async (t) => {
    const res = await fetch(`${base}/api/v1/rest/group/I00`);
    t.equal(res.status, 200);
    t.same(await json(res), {
      success: true,
      result: {
        categoryCode: 'I00',
        display_name: '公共資訊',
        description: 'I00 類別',
        package_count: 2,
        packages: ['A41000000G-000001', 'A41000000G-006564'],
      },
    });
    const a00 = await json<{ result: { display_name: string; package_count: number; packages: string[] } }>(await fetch(`${base}/api/v1/rest/group/A00`));
    t.same(a00.result.packages, ['315000000H-000123', '379000000A-000500']);
    t.equal(a00.result.display_name, '交通及通訊');
    const lower = await json<{ result: { categoryCode: string; package_count: number } }>(await fetch(`${base}/api/v1/rest/group/i00`));
    t.match(lower.result, { categoryCode: 'I00', package_count: 2 }, 'the code in lower case');
    const byName = await json<{ result: { categoryCode: string } }>(await fetch(`${base}/api/v1/rest/group/${encodeURIComponent('公共資訊')}`));
    t.equal(byName.result.categoryCode, 'I00', 'the Chinese name');
    const paged = await json<{ result: { package_count: number; packages: string[] } }>(await fetch(`${base}/api/v1/rest/group/I00?limit=1&offset=1`));
    t.same(
      paged.result,
      { categoryCode: 'I00', display_name: '公共資訊', description: 'I00 類別', package_count: 2, packages: ['A41000000G-006564'] },
      'package_count counts all; packages is the page',
    );
    const empty = await json<{ result: { package_count: number; packages: string[] } }>(await fetch(`${base}/api/v1/rest/group/100`));
    t.same(
      empty.result,
      { categoryCode: '100', display_name: '生育保健', description: '100 類別', package_count: 0, packages: [] },
      'one of the 18 with no dataset',
    );
  });

  await t.test('unknown categories answer 404', async (t) => {
    for (const code of ['K00', 'ZZZ', 'A0', '%20', '%E5%85%AC%E8%BB%8A', 'I00%00']) {
      await assertSpecError(t, await fetch(`${base}/api/v1/rest/group/${code}`), 404, /^ER0100:/, code);
    }
  });

  await t.test('GET /api/v1/rest/tag lists every keyword once, in code-point order', async (t) => {
    const res = await fetch(`${base}/api/v1/rest/tag`);
    t.equal(res.status, 200);
    const { success, result } = await json<{ success: boolean; result: string[] }>(res);
    t.equal(success, true);
    for (const keyword of ['公車', 'opendata', 'OpenData', '公報', '施政', 'ETC', 'YouBike', '路燈', '全部資料集']) t.ok(result.includes(keyword), keyword);
    t.equal(new Set(result).size, result.length, 'no duplicates (公車 twice in one record, with and without spaces)');
    t.same(result, [...result].sort(), 'ordered');
    const page = await json<{ result: string[] }>(await fetch(`${base}/api/v1/rest/tag?limit=3&offset=2`));
    t.same(page.result, result.slice(2, 5), 'limit and offset page the same list');
  });

  await t.test('GET /api/v1/rest/tag/{tagName}: exact keywords, URL-encoded Chinese', async (t) => {
    const bus = await fetch(`${base}/api/v1/rest/tag/%E5%85%AC%E8%BB%8A`);
    t.equal(bus.status, 200);
    t.same(await json(bus), { success: true, result: ['379000000A-000500'] }, '%E5%85%AC%E8%BB%8A is 公車');
    t.same((await json<{ result: string[] }>(await fetch(`${base}/api/v1/rest/tag/OpenData`))).result, ['A41000000G-006564']);
    t.same((await json<{ result: string[] }>(await fetch(`${base}/api/v1/rest/tag/opendata`))).result, ['379000000A-000500'], 'case matters');
    t.same(
      (await json<{ result: string[] }>(await fetch(`${base}/api/v1/rest/tag/%E5%85%AC%E8%BB%8A?offset=5`))).result,
      [],
      'a page past the end of a known tag is empty, not 404',
    );
    for (const tag of ['nope', '%E5%85%AC', '%20', 'OPENDATA']) {
      await assertSpecError(t, await fetch(`${base}/api/v1/rest/tag/${tag}`), 404, /^ER0100:/, tag);
    }
  });

  await t.test('bad limit or offset answers 400 ER0210 on every list', async (t) => {
    for (const path of ['/api/v1/rest/group', '/api/v1/rest/tag', '/api/v1/rest/group/I00', '/api/v1/rest/tag/%E5%85%AC%E8%BB%8A']) {
      for (const query of ['limit=-1', 'limit=abc', 'limit=11.5', 'limit=100001', 'limit=', 'offset=-3', 'offset=all', 'offset=1e20', 'limit=1&limit=2']) {
        await assertSpecError(t, await fetch(`${base}${path}?${query}`), 400, /^ER0210:/, `${path}?${query}`);
      }
    }
  });

  await t.test('the new routes are described in /openapi.json', async (t) => {
    const doc = await json<{ paths: Record<string, { get?: { operationId?: string; parameters?: Array<{ name: string }> } }> }>(
      await fetch(`${base}/openapi.json`),
    );
    for (const [path, operationId] of [
      ['/api/v2/rest/dataset/{datasetId}', 'getDatasetV2'],
      ['/api/v1/rest/group', 'listGroup'],
      ['/api/v1/rest/group/{categoryCode}', 'getGroup'],
      ['/api/v1/rest/tag', 'listTag'],
      ['/api/v1/rest/tag/{tagName}', 'getTag'],
    ] as const) {
      t.equal(doc.paths[path]?.get?.operationId, operationId, path);
    }
    t.same(doc.paths['/api/v1/rest/tag']!.get!.parameters!.map((p) => p.name).sort(), ['limit', 'offset']);
  });

  await t.test('a withdrawn dataset leaves groups and tags, and its v2 address answers 410', async (t) => {
    platform.records.delete('379000000A-000500');
    platform.records.delete('A45020000D-000354');
    t.equal((await harvester.run('fixture'))?.status, 'succeeded');
    await assertSpecError(t, await fetch(`${base}/api/v1/rest/tag/%E5%85%AC%E8%BB%8A`), 404, /^ER0100:/, 'tag of a withdrawn dataset');
    const tags = await json<{ result: string[] }>(await fetch(`${base}/api/v1/rest/tag`));
    t.notOk(tags.result.includes('opendata'));
    const a00 = await json<{ result: { package_count: number; packages: string[] } }>(await fetch(`${base}/api/v1/rest/group/A00`));
    t.same(a00.result.packages, ['315000000H-000123']);
    t.equal(a00.result.package_count, 1);
    const gone = await assertSpecError(t, await fetch(`${base}/api/v2/rest/dataset/18420`), 410, /^ER010001:/, 'v2 by data.gov.tw id');
    t.equal(gone.error.identifier, '18420', 'names the address asked for');
    await assertSpecError(t, await fetch(`${base}/api/v2/rest/dataset/A45020000D-000354`), 410, /^ER010001:/, 'v2 by identifier');
  });
});

t.test('an empty catalogue has no groups and no tags', async (t) => {
  const { base, harvester } = await startFederation(t, [], 'https://gateway.example.tw');
  await harvester.run('fixture');
  t.same(await json(await fetch(`${base}/api/v1/rest/group`)), { success: true, result: [] });
  t.same(await json(await fetch(`${base}/api/v1/rest/tag`)), { success: true, result: [] });
  t.same((await json<{ result: unknown }>(await fetch(`${base}/api/v1/rest/group/E00`))).result, {
    categoryCode: 'E00',
    display_name: '生活安全及品質',
    description: 'E00 類別',
    package_count: 0,
    packages: [],
  });
  await assertSpecError(t, await fetch(`${base}/api/v1/rest/tag/%E5%85%AC%E8%BB%8A`), 404, /^ER0100:/, 'tag');
  await assertSpecError(t, await fetch(`${base}/api/v2/rest/dataset/6564`), 404, /^ER0100:/, 'v2');
});

t.test('an absorbed dataset redirects its v2 address to the dataset that absorbed it', async (t) => {
  const city = {
    identifier: '379000000A-000040',
    title: '臺北市公共自行車租賃站',
    description: '臺北市公共自行車各租賃站位置。',
    publisher: '臺北市政府交通局',
    publisherOrgCode: '379000000A',
    modified: '2026-05-01 10:00:00',
    distribution: [{ resourceID: '379000000A-000040-001', format: 'JSON', downloadURL: 'https://data.taipei/resource?rid=40' }],
  };
  const copy = {
    datasetId: 4040,
    identifier: '379000000A-000040',
    title: '台北市公共自行車租賃站',
    publisherOID: '2.16.886.101.20003.20065',
    license: '1',
    modifiedDate: '2026-05-02 09:00:00',
  };
  const platforms = { city: await startFixturePlatform([city]), datagovtw: await startFixturePlatform([copy]) };
  const { dir, cleanup } = tempDir();
  const config = testConfig(join(dir, 'catalog.db'), '', {
    sources: Object.entries(platforms).map(([id, platform]) => ({
      id,
      name: id,
      type: 'crossplatform',
      url: platform.url,
      schedule: '0 3 * * *',
      priority: id === 'city' ? 10 : 0,
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
  const base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  const harvester = new Harvester(sqliteStoreOn(db), config, silentLog);
  await harvester.run('city');
  await harvester.run('datagovtw');

  const merged = await json<{ result: Raw }>(await fetch(`${base}/api/v2/rest/dataset/4040`));
  t.match(merged.result, { datasetId: 4040, identifier: '379000000A-000040', title: '臺北市公共自行車租賃站' }, 'data.gov.tw’s id finds the merged dataset');

  const cityRef = { sourceId: 'city', nativeId: '379000000A-000040' };
  const copyRef = { sourceId: 'datagovtw', nativeId: '379000000A-000040' };
  saveOverride(db, 'split', copyRef, cityRef, 'test: apart');
  await resolveIdentity(sqliteStoreOn(db));
  const apart = await json<{ result: Raw }>(await fetch(`${base}/api/v2/rest/dataset/4040`));
  t.equal(apart.result.identifier, '379000000A-000040~datagovtw', 'split: the id names the copy’s own dataset');

  saveOverride(db, 'join', cityRef, copyRef);
  await resolveIdentity(sqliteStoreOn(db));
  const moved = await fetch(`${base}/api/v2/rest/dataset/${encodeURIComponent('379000000A-000040~datagovtw')}`, { redirect: 'manual' });
  t.equal(moved.status, 301, 'the absorbed identifier redirects');
  t.equal(moved.headers.get('location'), '/api/v2/rest/dataset/4040', 'to the surviving dataset’s data.gov.tw id');
  t.equal((await json<{ result: Raw }>(await fetch(`${base}/api/v2/rest/dataset/4040`))).result.identifier, '379000000A-000040');
});
