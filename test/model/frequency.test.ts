import t from 'tap';
import { frequencyAsIsoDuration, normaliseFrequency } from '../../src/model/frequency.js';

t.test('gen-1 texts map to the standard form and the EU code', async (t) => {
  const cases: Array<[string, string, string | undefined]> = [
    ['每日', '每日', 'DAILY'],
    ['每週', '每週', 'WEEKLY'],
    ['每周', '每週', 'WEEKLY'],
    ['每月', '每月', 'MONTHLY'],
    ['每季', '每季', 'QUARTERLY'],
    ['每半年', '每半年', 'ANNUAL_2'],
    ['每年', '每年', 'ANNUAL'],
    ['每小時', '每小時', 'HOURLY'],
    ['即時', '即時', 'CONT'],
    ['不定期', '不定期', 'IRREG'],
    ['不更新', '不更新', 'NEVER'],
    ['每1年', '每年', 'ANNUAL'],
    ['每1日', '每日', 'DAILY'],
    ['每2週', '每2週', 'BIWEEKLY'],
    ['每2月', '每2月', 'BIMONTHLY'],
    ['每2個月', '每2月', 'BIMONTHLY'],
    ['每3月', '每3月', 'QUARTERLY'],
    ['每6月', '每6月', 'ANNUAL_2'],
    ['每2年', '每2年', 'BIENNIAL'],
    ['每3年', '每3年', 'TRIENNIAL'],
    ['每4年', '每4年', 'QUADRENNIAL'],
    ['每5年', '每5年', 'QUINQUENNIAL'],
    ['每7日', '每7日', 'WEEKLY'],
    ['每2小時', '每2小時', 'BIHOURLY'],
    ['每12小時', '每12小時', '12HRS'],
    ['每10分鐘', '每10分鐘', '10MIN'],
    ['每5分鐘', '每5分鐘', '5MIN'],
    ['每15分鐘', '每15分鐘', '15MIN'],
    ['每3日', '每3日', undefined],
    ['每7分鐘', '每7分鐘', undefined],
    ['每45分鐘', '每45分鐘', undefined],
    ['每5小時', '每5小時', undefined],
    ['每2季', '每2季', 'ANNUAL_2'],
    ['每7年', '每7年', undefined],
    ['每日更新', '每日', 'DAILY'],
    ['每月更新一次', '每月', 'MONTHLY'],
    ['每二週', '每2週', 'BIWEEKLY'],
    ['每兩年', '每2年', 'BIENNIAL'],
    ['每十分鐘', '每10分鐘', '10MIN'],
    ['每十二小時', '每12小時', '12HRS'],
    ['每１０分鐘', '每10分鐘', '10MIN'],
    [' 每 日 ', '每日', 'DAILY'],
    ['即時更新', '即時', 'CONT'],
    ['不定期更新', '不定期', 'IRREG'],
  ];
  for (const [input, text, euCode] of cases) {
    const result = normaliseFrequency(input);
    t.equal(result?.text, text, `${input} → ${text}`);
    t.equal(result?.euCode, euCode, `${input} → ${euCode ?? 'no EU code'}`);
  }
});

t.test('即時 is the only value mapped to CONT; no UPDATE_CONT', async (t) => {
  t.same(normaliseFrequency('即時'), { text: '即時', euCode: 'CONT' });
  t.same(normaliseFrequency('每分鐘'), { text: '每分鐘', euCode: '1MIN' });
  t.notOk('euCode' in normaliseFrequency('每7分鐘')!, 'no euCode key where no code fits');
});

t.test('English and NTPC-style words', async (t) => {
  const cases: Array<[string, string]> = [
    ['day', '每日'],
    ['daily', '每日'],
    ['Daily', '每日'],
    ['everyday', '每日'],
    ['week', '每週'],
    ['weekly', '每週'],
    ['month', '每月'],
    ['monthly', '每月'],
    ['quarterly', '每季'],
    ['year', '每年'],
    ['annual', '每年'],
    ['hourly', '每小時'],
    ['once', '不更新'],
    ['never', '不更新'],
    ['non-scheduled', '不定期'],
    ['irregular', '不定期'],
    ['real-time', '即時'],
    ['ANNUAL', '每年'],
    ['BIWEEKLY', '每2週'],
  ];
  for (const [input, text] of cases) t.equal(normaliseFrequency(input)?.text, text, input);
});

t.test('forms the DCAT-AP view used to parse on its own', async (t) => {
  const cases: Array<[string, string, string | undefined]> = [
    // N times per unit: 每 + unit + N + 次, twice a year being the standard's 每半年.
    ['每日兩次', '每日2次', 'DAILY_2'],
    ['每日2次', '每日2次', 'DAILY_2'],
    ['每天兩次', '每日2次', 'DAILY_2'],
    ['每週兩次', '每週2次', 'WEEKLY_2'],
    ['每週三次', '每週3次', 'WEEKLY_3'],
    ['每周3次', '每週3次', 'WEEKLY_3'],
    ['每星期兩次', '每週2次', 'WEEKLY_2'],
    ['每月兩次', '每月2次', 'MONTHLY_2'],
    ['每個月二次', '每月2次', 'MONTHLY_2'],
    ['每月三次', '每月3次', 'MONTHLY_3'],
    ['每月更新3次', '每月3次', 'MONTHLY_3'],
    ['每年兩次', '每半年', 'ANNUAL_2'],
    ['每年2次', '每半年', 'ANNUAL_2'],
    ['每年三次', '每年3次', 'ANNUAL_3'],
    ['每日三次', '每日3次', undefined],
    ['每週四次', '每週4次', undefined],
    ['每季2次', '每季2次', undefined],
    ['每日1次', '每日', 'DAILY'],
    ['每月一次', '每月', 'MONTHLY'],
    ['每2週1次', '每2週', 'BIWEEKLY'],
    // Words.
    ['不再更新', '不更新', 'NEVER'],
    ['停止更新', '不更新', 'NEVER'],
    ['半年', '每半年', 'ANNUAL_2'],
    ['實時', '即時', 'CONT'],
    ['不定時更新', '不定期', 'IRREG'],
    ['real time', '即時', 'CONT'],
    ['semiannual', '每半年', 'ANNUAL_2'],
    ['bimonthly', '每2月', 'BIMONTHLY'],
    // Chinese numerals, 個, 每隔, unit synonyms.
    ['每十年', '每10年', 'DECENNIAL'],
    ['每二十年', '每20年', 'BIDECENNIAL'],
    ['每三個月', '每3月', 'QUARTERLY'],
    ['每六個月', '每6月', 'ANNUAL_2'],
    ['每個月', '每月', 'MONTHLY'],
    ['每隔3個月', '每3月', 'QUARTERLY'],
    ['每隔十分鐘', '每10分鐘', '10MIN'],
    ['每隔2週更新一次', '每2週', 'BIWEEKLY'],
    ['每天', '每日', 'DAILY'],
    ['每七天', '每7日', 'WEEKLY'],
    ['每星期', '每週', 'WEEKLY'],
    ['每禮拜', '每週', 'WEEKLY'],
    ['每兩星期', '每2週', 'BIWEEKLY'],
    ['每鐘頭', '每小時', 'HOURLY'],
    ['每24小時', '每24小時', 'DAILY'],
    ['每60分鐘', '每60分鐘', 'HOURLY'],
    ['每30分鐘', '每30分鐘', '30MIN'],
    ['每3小時', '每3小時', 'TRIHOURLY'],
    ['每14日', '每14日', 'BIWEEKLY'],
    ['每12月', '每12月', 'ANNUAL'],
    ['每24月', '每24月', 'BIENNIAL'],
    ['每4季', '每4季', 'ANNUAL'],
    ['每6年', '每6年', 'SEXENNIAL'],
    ['每30年', '每30年', 'TRIDECENNIAL'],
    // Simplified characters.
    ['每个月', '每月', 'MONTHLY'],
    ['每3个月', '每3月', 'QUARTERLY'],
    ['每10分钟', '每10分鐘', '10MIN'],
    ['每小时', '每小時', 'HOURLY'],
    ['每礼拜', '每週', 'WEEKLY'],
  ];
  for (const [input, text, euCode] of cases) {
    const result = normaliseFrequency(input);
    t.equal(result?.text, text, `${input} → ${text}`);
    t.equal(result?.euCode, euCode, `${input} → ${euCode ?? 'no EU code'}`);
  }
});

t.test('canonical texts read back as themselves', async (t) => {
  for (const input of ['每日2次', '每週3次', '每月2次', '每年3次', '每日3次', '每半年', '每3月', '每10年', '不更新']) {
    const once = normaliseFrequency(input);
    t.same(normaliseFrequency(once?.text), once, input);
  }
});

t.test('the gen-2 structured shape', async (t) => {
  t.same(normaliseFrequency({ regularupdate: '1', Frequency: '1', unittime: '日' }), { text: '每日', euCode: 'DAILY' });
  t.same(normaliseFrequency({ regularupdate: '1', Frequency: '2', unittime: '週' }), { text: '每2週', euCode: 'BIWEEKLY' });
  t.same(normaliseFrequency({ regularupdate: '1', Frequency: '1', unittime: '年' }), { text: '每年', euCode: 'ANNUAL' });
  t.same(normaliseFrequency({ regularupdate: '1', Frequency: 10, unittime: '分鐘' }), { text: '每10分鐘', euCode: '10MIN' });
  t.same(normaliseFrequency({ regularupdate: 1, frequency: '3', unitTime: '月' }), { text: '每3月', euCode: 'QUARTERLY' }, 'key case and number flags');
  t.same(normaliseFrequency({ regularupdate: '1', Frequency: '1', unittime: 'day' }), { text: '每日', euCode: 'DAILY' });
  t.same(normaliseFrequency({ regularupdate: '0' }), { text: '不定期', euCode: 'IRREG' });
  t.same(normaliseFrequency({ regularupdate: '0', Frequency: '1', unittime: '日' }), { text: '不定期', euCode: 'IRREG' }, 'not regular wins');
  t.same(normaliseFrequency({ regularupdate: '1', unittime: '即時' }), { text: '即時', euCode: 'CONT' });
});

t.test('values that do not name one period are null', async (t) => {
  const refused: unknown[] = [
    '每15日或每2月',
    '每日、每月',
    '每日/每週',
    '每0日',
    '每-1日',
    '每日日',
    '每',
    '日',
    '',
    '   ',
    'sometimes',
    '每1.5年',
    '每隔月',
    '每隔週',
    '每日0次',
    '每2日3次',
    '每日兩次或三次',
    'constructor',
    '__proto__',
    'hasOwnProperty',
    null,
    undefined,
    1,
    ['每日'],
    {},
    { regularupdate: '1' },
    { regularupdate: '1', Frequency: '1' },
    { regularupdate: '1', Frequency: 'x', unittime: '日' },
    { regularupdate: '1', Frequency: '0', unittime: '日' },
    { regularupdate: '1', Frequency: '1', unittime: '光年' },
    { regularupdate: 'maybe', Frequency: '1', unittime: '日' },
    { regularupdate: '1', Frequency: '1', unittime: 'constructor' },
    { regularupdate: '1', Frequency: '1', unittime: 'toString' },
  ];
  for (const value of refused) t.equal(normaliseFrequency(value), null, JSON.stringify(value) ?? String(value));
});

t.test('ISO 8601 repeating durations (DCAT-US accrualPeriodicity) read as the standard text', async (t) => {
  const cases: Array<[string, string, string | undefined]> = [
    ['R/P1D', '每日', 'DAILY'],
    ['R/P1W', '每週', 'WEEKLY'],
    ['R/P2W', '每2週', 'BIWEEKLY'],
    ['R/P1M', '每月', 'MONTHLY'],
    ['R/P2M', '每2月', 'BIMONTHLY'],
    ['R/P3M', '每季', 'QUARTERLY'],
    ['R/P4M', '每4月', undefined],
    ['R/P6M', '每半年', 'ANNUAL_2'],
    ['R/P1Y', '每年', 'ANNUAL'],
    ['R/P2Y', '每2年', 'BIENNIAL'],
    ['R/P10Y', '每10年', 'DECENNIAL'],
    ['R/PT1H', '每小時', 'HOURLY'],
    ['R/PT10M', '每10分鐘', '10MIN'],
    ['R/PT1S', '即時', 'CONT'],
    ['R/P0.5M', '每月2次', 'MONTHLY_2'],
    ['R/P0.33M', '每月3次', 'MONTHLY_3'],
    ['R/P0.33W', '每週3次', 'WEEKLY_3'],
    ['R/P3.5D', '每週2次', 'WEEKLY_2'],
    ['r/p1d', '每日', 'DAILY'],
    ['P1D', '每日', 'DAILY'],
    ['R/P12M', '每年', 'ANNUAL'],
    ['irregular', '不定期', 'IRREG'],
    ['notPlanned', '不更新', 'NEVER'],
  ];
  for (const [input, text, euCode] of cases) {
    t.same(normaliseFrequency(input), euCode === undefined ? { text } : { text, euCode }, input);
  }
  for (const bad of ['R/P1Y2M', 'R/PT30S', 'R/P0D', 'R/P', 'R/P0.4M', 'R/PXD', 'R/P1X']) {
    t.equal(normaliseFrequency(bad), null, bad);
  }
});

t.test('EU frequency authority IRIs read as the standard text', async (t) => {
  const base = 'http://publications.europa.eu/resource/authority/frequency/';
  const cases: Array<[string, string, string]> = [
    ['DAILY', '每日', 'DAILY'],
    ['WEEKLY', '每週', 'WEEKLY'],
    ['BIWEEKLY', '每2週', 'BIWEEKLY'],
    ['MONTHLY', '每月', 'MONTHLY'],
    ['QUARTERLY', '每季', 'QUARTERLY'],
    ['ANNUAL', '每年', 'ANNUAL'],
    ['ANNUAL_2', '每半年', 'ANNUAL_2'],
    ['ANNUAL_3', '每年3次', 'ANNUAL_3'],
    ['BIENNIAL', '每2年', 'BIENNIAL'],
    ['HOURLY', '每小時', 'HOURLY'],
    ['12HRS', '每12小時', '12HRS'],
    ['10MIN', '每10分鐘', '10MIN'],
    ['DAILY_2', '每日2次', 'DAILY_2'],
    ['WEEKLY_3', '每週3次', 'WEEKLY_3'],
    ['CONT', '即時', 'CONT'],
    ['UPDATE_CONT', '即時', 'CONT'],
    ['IRREG', '不定期', 'IRREG'],
    ['NEVER', '不更新', 'NEVER'],
  ];
  for (const [code, text, euCode] of cases) {
    t.same(normaliseFrequency(base + code), { text, euCode }, code);
  }
  t.same(normaliseFrequency('https://publications.europa.eu/resource/authority/frequency/daily'), { text: '每日', euCode: 'DAILY' }, 'https, lower case');
  t.equal(normaliseFrequency(`${base}OTHER`), null, 'OTHER names no period');
  t.equal(normaliseFrequency(`${base}UNKNOWN`), null);
  t.equal(normaliseFrequency('http://example.org/frequency/DAILY'), null, 'only the EU authority');
});

t.test('frequencyAsIsoDuration goes back from the standard text to ISO 8601', async (t) => {
  const cases: Array<[string, string | null]> = [
    ['每日', 'R/P1D'],
    ['每週', 'R/P1W'],
    ['每2週', 'R/P2W'],
    ['每月', 'R/P1M'],
    ['每季', 'R/P3M'],
    ['每2季', 'R/P6M'],
    ['每半年', 'R/P6M'],
    ['每年', 'R/P1Y'],
    ['每小時', 'R/PT1H'],
    ['每10分鐘', 'R/PT10M'],
    ['每7日', 'R/P7D'],
    ['即時', 'R/PT1S'],
    ['不定期', 'irregular'],
    ['每週2次', 'R/P3.5D'],
    ['每月2次', 'R/P0.5M'],
    ['每日2次', 'R/PT12H'],
    ['daily', 'R/P1D'],
    ['不更新', null],
    ['每日3次', null],
    ['garbage', null],
  ];
  for (const [text, iso] of cases) t.equal(frequencyAsIsoDuration(text), iso, text);
  for (const iso of ['R/P1D', 'R/P2W', 'R/P1M', 'R/P3M', 'R/P6M', 'R/P1Y', 'R/PT1H', 'R/PT10M', 'R/PT1S', 'R/P0.5M', 'R/P3.5D']) {
    t.equal(frequencyAsIsoDuration(normaliseFrequency(iso)?.text), iso, `${iso} round-trips`);
  }
});
