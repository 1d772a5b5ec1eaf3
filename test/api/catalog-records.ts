/**
 * Records for the DCAT catalogue tests, as a cross-platform platform serves them (gen-1 keys,
 * Taipei local times). Each has the data DCAT-AP 3 makes mandatory (title, description,
 * distributions with an access URL), so a clean SHACL report is expected of them; the
 * differences between them are what the filters select on.
 */
import { readFixture } from '../helpers/gateway.js';

type Raw = Record<string, unknown>;

const own = readFixture<Raw[]>('crossplatform', 'own-records.json');
/** 國道計程收費通行量統計: a complete record of the fixture platform, the base of the others. */
const base = own[0]!;

export const LICENCE_1 = '政府資料開放授權條款-第1版';
export const LICENCE_OTHER = '創用CC 姓名標示 4.0';

function record(identifier: string, fields: Raw, format: string): Raw {
  return {
    ...base,
    identifier,
    // Each its own landing page: records of one source sharing a URL would be an identity collision.
    landingPage: `https://opendata.example.gov.tw/dataset/${identifier}`,
    ...fields,
    distribution: [
      {
        resourceID: `${identifier}-001`,
        resourceDescription: `${String(fields.title)}-${format}`,
        format,
        resourceModified: fields.modified,
        downloadURL: `https://opendata.example.gov.tw/${identifier}.${format.toLowerCase()}`,
        characterSetCode: 'UTF-8',
      },
    ],
  };
}

/** Six datasets, in identifier order. */
export const CATALOG_RECORDS: Raw[] = [
  record(
    '379000000A-000001',
    {
      title: '臺北市公車路線',
      description: '臺北市聯營公車各路線之起訖站與營運時間。',
      publisher: '臺北市政府交通局',
      publisherOrgCode: '379000000A',
      categoryCode: 'A00',
      license: LICENCE_1,
      modified: '2024-03-01 10:00:00',
      keyword: ['公車', '路線'],
    },
    'CSV',
  ),
  record(
    '379000000A-000002',
    {
      title: '臺北市公共自行車租賃站',
      description: '臺北市公共自行車各租賃站位置與車位數。',
      publisher: '臺北市政府交通局',
      publisherOrgCode: '379000000A',
      categoryCode: 'A00',
      license: LICENCE_1,
      modified: '2023-06-15 08:30:00',
      keyword: ['自行車'],
    },
    'JSON',
  ),
  record(
    '382000000A-000001',
    {
      title: '新北市公車站牌位置',
      description: '新北市公車站牌之座標與路線。',
      publisher: '新北市政府交通局',
      publisherOrgCode: '382000000A',
      categoryCode: 'A00',
      license: LICENCE_OTHER,
      modified: '2023-05-01 00:00:00',
      keyword: ['站牌'],
    },
    'JSON',
  ),
  record(
    '397000000A-000013',
    {
      title: '高雄市路燈位置',
      description: '高雄市路燈之位置與編號。',
      publisher: '高雄市政府工務局',
      publisherOrgCode: '397000000A',
      categoryCode: 'E00',
      license: LICENCE_1,
      modified: '2022-12-31 12:00:00',
      keyword: ['路燈'],
    },
    'XML',
  ),
  record(
    'A21000000I-000901',
    {
      title: '全國醫療院所清單',
      description: '健保特約醫療院所之名稱、地址與電話。',
      publisher: '衛生福利部中央健康保險署',
      publisherOrgCode: 'A21000000I',
      categoryCode: 'B00',
      license: LICENCE_1,
      modified: '2019-05-20 08:00:00',
      keyword: ['醫療'],
    },
    'CSV',
  ),
  record(
    'A41000000G-000002',
    {
      title: '行政院公報摘要',
      description: '行政院公報各篇之摘要。',
      publisher: '國家發展委員會',
      publisherOrgCode: 'A41000000G',
      categoryCode: 'I00',
      license: LICENCE_1,
      modified: '2021-08-01 10:30:00',
      keyword: ['公報'],
    },
    'XML',
  ),
];

export const IDENTIFIERS = CATALOG_RECORDS.map((r) => String(r.identifier));
