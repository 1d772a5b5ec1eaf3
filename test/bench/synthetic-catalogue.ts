/**
 * A deterministic synthetic catalogue of gen-1 records in the shape the cross-platform spec
 * (跨平臺介接規範 v1) serves from `GET /api/v1/rest/dataset/{identifier}`.
 *
 * Record i is a pure function of i (a seeded PRNG per record), so the benchmark's child
 * platform and the orchestrator build exactly the same records without exchanging them.
 * Field sizes follow test/fixtures/crossplatform (1–2 KB of JSON per record, 1–3
 * distributions); `modified` is spread over 2013–2025 in the forms Taiwan's platforms send.
 * About 3 % of records carry a URL with a space (as SPEC2015's own example does): they are
 * accepted and flagged, so the flagged path is exercised at a realistic rate.
 */

export type GenRecord = Record<string, unknown>;

export const AGENCY_CODE = 'A41000000G';

/** `A41000000G-000001` for i = 1. Past 999999 the serial no longer fits the standard's 6 digits. */
export function syntheticIdentifier(i: number): string {
  return `${AGENCY_CODE}-${String(i).padStart(6, '0')}`;
}

/** mulberry32: small, fast, good enough for varied test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES = ['A00', 'B00', 'C00', 'D00', 'E00', 'F00', 'G00', 'H00', 'I00', '100', '300', '500', '600', '800', '900'];
const TYPES = ['rawData', 'rawData', 'rawData', 'SERVICES', 'TOOLS'];
const LICENCES: Array<[string, string]> = [
  ['政府資料開放授權條款-第1版', 'https://data.gov.tw/license'],
  ['政府資料開放授權條款-第1版', 'https://data.gov.tw/license'],
  ['政府資料開放授權條款－第一版', 'https://data.gov.tw/license'],
  ['政府資料開放平臺資料使用規範', 'http://data.gov.tw/principle'],
  ['CC BY 4.0', 'https://creativecommons.org/licenses/by/4.0/'],
];
const PERIODICITY = ['每日', '每月', '每年', '每季', '每週', '不定期', '每5分鐘', '每1小時', '即時', '每半年'];
const UNITS = ['綜合規劃處', '資訊管理處', '經濟發展處', '社會發展處', '國土區域離島發展處', '產業發展處', '人力發展處', '管制考核處'];
const SUBJECTS = [
  '公共運輸',
  '空氣品質',
  '人口統計',
  '醫療院所',
  '預算決算',
  '建築執照',
  '觀光景點',
  '停車場',
  '學校名錄',
  '地價',
  '採購案件',
  '自來水水質',
  '雨量觀測',
  '交通事故',
  '犯罪統計',
  '垃圾清運',
  '公共自行車',
  '就業服務',
  '補助計畫',
  '文化資產',
];
const QUALIFIERS = ['年度統計', '即時資訊', '清冊', '月報', '位置資訊', '申請案件', '開放資料', '季報表', '查詢服務', '歷史資料'];
const PLACES = ['臺灣', '臺北市', '新北市', '桃園市', '臺中市', '臺南市', '高雄市', '宜蘭縣', '花蓮縣', '金門縣'];
const SENTENCES = [
  '本資料集提供各項統計數據，資料來源為本會業務統計。',
  '資料內容包含機關名稱、地址、電話及聯絡窗口等欄位。',
  '依據政府資料開放相關規定，定期更新並提供民眾下載使用。',
  '各欄位之定義及計算方式請參閱欄位說明，數值單位以新臺幣元計。',
  '本資料每日自動彙整各縣市政府提供之原始資料後發布。',
  '為利加值應用，另提供應用程式介面供系統介接。',
  '資料自民國一百年起收錄，歷年資料均可於歷史資料區下載。',
  '部分欄位因個人資料保護法規定已去識別化處理。',
];
const FIELDS = ['年度', '月份', '縣市別', '鄉鎮市區', '機關名稱', '地址', '電話', '經度', '緯度', '件數', '金額', '類別', '名稱', '代碼', '日期', '備註'];
const FORMATS: Array<[string, string]> = [
  ['CSV', 'download'],
  ['JSON', 'download'],
  ['XML', 'download'],
  ['XLSX', 'download'],
  ['ZIP', 'download'],
  ['SERVICES', 'access'],
];
const SURNAMES = ['王', '陳', '林', '黃', '張', '李', '吳', '劉', '蔡', '楊'];
const GIVEN = ['小明', '大同', '美玲', '志明', '淑芬', '建國', '怡君', '家豪'];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)] as T;
}

function int(rand: () => number, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** A Taipei local date-time `YYYY-MM-DD hh:mm:ss` (the form most gen-1 platforms send). */
function localDateTime(epochMs: number): string {
  const d = new Date(epochMs + 8 * 3600 * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function localDate(epochMs: number): string {
  return localDateTime(epochMs).slice(0, 10);
}

/** ROC calendar date `110/08/01`, as some old records send it. */
function rocDate(epochMs: number): string {
  const [y, m, d] = localDate(epochMs).split('-');
  return `${Number(y) - 1911}/${m}/${d}`;
}

const START = Date.UTC(2013, 0, 1);
const END = Date.UTC(2025, 11, 31);

function person(rand: () => number): string {
  return `${pick(rand, SURNAMES)}${pick(rand, GIVEN)} ${rand() < 0.5 ? '先生' : '小姐'}`;
}

function phone(rand: () => number): string {
  return `02-${int(rand, 2000, 2999)}${int(rand, 1000, 9999)}${rand() < 0.6 ? `#${int(rand, 100, 9999)}` : ''}`;
}

/** Record i (1-based) of the synthetic catalogue. */
export function syntheticRecord(i: number): GenRecord {
  const rand = prng(0x9e3779b9 ^ Math.imul(i, 2654435761));
  const identifier = syntheticIdentifier(i);
  const subject = pick(rand, SUBJECTS);
  const place = pick(rand, PLACES);
  const title = `${place}${subject}${pick(rand, QUALIFIERS)}${rand() < 0.3 ? `(${int(rand, 100, 113)}年)` : ''}`;
  const sentences = Array.from({ length: int(rand, 1, 6) }, () => pick(rand, SENTENCES));
  const fields = Array.from({ length: int(rand, 3, 14) }, () => pick(rand, FIELDS));
  const [licence, licenceUrl] = pick(rand, LICENCES);
  const issuedMs = START + Math.floor(rand() * (END - START) * 0.6);
  const modifiedMs = issuedMs + Math.floor(rand() * (END - issuedMs));
  const modified = localDateTime(modifiedMs);
  const flagged = rand() < 0.03;
  const unit = pick(rand, UNITS);

  const record: GenRecord = {
    categoryCode: pick(rand, CATEGORIES),
    identifier,
    title,
    description: `${title}。${sentences.join('')}`,
    fieldDescription: fields.map((f, n) => `${f}(欄位${n + 1})`).join('、'),
    type: pick(rand, TYPES),
    license: licence,
    licenseURL: licenceUrl,
    cost: '免費',
    costURL: '',
    costLaw: '',
    organization: '國家發展委員會',
    organizationContactName: person(rand),
    organizationContactPhone: phone(rand),
    organizationContactEmail: `contact${i % 97}@ndc.gov.tw`,
    publisher: `國家發展委員會${unit}`,
    publisherContactName: person(rand),
    publisherContactPhone: phone(rand),
    publisherContactEmail: `unit${i % 13}@ndc.gov.tw`,
    publisherOID: '2.16.886.101.20003.20069',
    publisherOrgCode: AGENCY_CODE,
    accrualPeriodicity: pick(rand, PERIODICITY),
  };
  if (rand() < 0.6) {
    const from = START + Math.floor(rand() * (issuedMs - START + 1));
    record.temporalCoverageFrom = localDate(from);
    record.temporalCoverageTo = localDate(modifiedMs);
  }
  const issuedForm = rand();
  record.issued = issuedForm < 0.7 ? localDateTime(issuedMs) : issuedForm < 0.9 ? localDate(issuedMs) : rocDate(issuedMs);
  record.modified = modified;
  record.spatial = place;
  record.language = 'zh';
  record.landingPage = `https://www.ndc.gov.tw/${flagged ? 'Open Data' : 'opendata'}/dataset/${i}`;
  record.keyword = Array.from({ length: int(rand, 1, 6) }, () => pick(rand, [subject, place, ...SUBJECTS.slice(0, 8), unit]));
  if (rand() < 0.7) record.numberOfData = int(rand, 1, 500_000);
  if (rand() < 0.4) record.notes = pick(rand, SENTENCES) + (rand() < 0.5 ? pick(rand, SENTENCES) : '');

  const distributions = int(rand, 1, 3);
  record.distribution = Array.from({ length: distributions }, (_, n) => {
    const [format, kind] = pick(rand, FORMATS);
    const resourceID = `${identifier}-${pad(n + 1, 3)}`;
    const distribution: GenRecord = {
      resourceID,
      resourceDescription: `${title}-${format}`,
      format,
      resourceModified: modified,
    };
    const url = `https://opendata.ndc.gov.tw/${kind === 'access' ? 'api' : 'files'}/${resourceID}.${format.toLowerCase()}`;
    if (kind === 'access') distribution.accessURL = url;
    else distribution.downloadURL = url;
    if (rand() < 0.5) distribution.metadataSourceOfData = `https://opendata.ndc.gov.tw/doc/${resourceID}`;
    distribution.characterSetCode = rand() < 0.85 ? 'UTF-8' : 'BIG-5';
    return distribution;
  });
  return record;
}

/** Records 1…n. */
export function syntheticCatalogue(n: number): GenRecord[] {
  return Array.from({ length: n }, (_, index) => syntheticRecord(index + 1));
}

const TAIPEI_OFFSET_MS = 8 * 3600 * 1000;

/** A record's `modified` (Taipei local `YYYY-MM-DD hh:mm:ss`) as epoch ms. */
export function modifiedEpoch(record: GenRecord): number {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(String(record.modified ?? ''));
  if (!match) return Number.NaN;
  const [, y, mo, d, h, mi, s] = match;
  return Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!) - TAIPEI_OFFSET_MS;
}
