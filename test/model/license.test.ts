import t from 'tap';
import { normaliseLicense } from '../../src/model/license.js';

const OGDL = { name: '政府資料開放授權條款-第1版', url: 'https://data.gov.tw/license' };
const CC_BY = { name: 'CC BY 4.0', url: 'https://creativecommons.org/licenses/by/4.0/' };
const CC_BY_SA = { name: 'CC BY-SA 4.0', url: 'https://creativecommons.org/licenses/by-sa/4.0/' };
const CC0 = { name: 'CC0 1.0', url: 'https://creativecommons.org/publicdomain/zero/1.0/' };
const PRINCIPLE = { name: '政府資料開放平臺資料使用規範', url: 'http://data.gov.tw/principle' };

t.test('政府資料開放授權條款-第1版 in all its written forms', async (t) => {
  const variants = [
    '政府資料開放授權條款-第1版',
    '政府資料開放授權條款－第1版',
    '政府資料開放授權條款－第１版',
    '政府資料開放授權條款 第1版',
    '政府資料開放授權條款-第一版',
    '政府資料開放授權條款第一版',
    ' 政府資料開放授權條款 - 第 1 版 ',
    '政府資料開放授權條款',
    '政府開放資料授權條款',
    'Open Government Data License, version 1.0',
    'Open Government Data License version 1.0',
    'open government data license v1.0',
    'Open Government Data License - Taiwan 1.0',
    'OGDL-Taiwan-1.0',
    'ogdlv1',
    'OGDL v1.0',
    '1',
    'https://data.gov.tw/license',
    'http://data.gov.tw/license',
    'https://data.gov.tw/license/',
    'https://www.data.gov.tw/license',
    'https://data.gov.tw/en/license',
    'data.gov.tw/license',
  ];
  for (const variant of variants) t.same(normaliseLicense(variant), OGDL, variant);
});

t.test('Creative Commons licences by name, SPDX id and URL', async (t) => {
  for (const variant of [
    'CC BY 4.0',
    'CC-BY-4.0',
    'cc by 4.0',
    'CC BY 4.0 International',
    'Creative Commons Attribution 4.0 International',
    '創用CC 姓名標示 4.0 國際',
    'https://creativecommons.org/licenses/by/4.0/',
    'https://creativecommons.org/licenses/by/4.0/deed.zh_TW',
    'http://creativecommons.org/licenses/by/4.0/legalcode',
    'https://creativecommons.org/licenses/by/4.0',
  ]) {
    t.same(normaliseLicense(variant), CC_BY, variant);
  }
  for (const variant of [
    'CC BY-SA 4.0',
    'CC-BY-SA-4.0',
    'CC BY SA 4.0',
    'Creative Commons Attribution-ShareAlike 4.0 International',
    '創用CC 姓名標示-相同方式分享 4.0 國際',
    'https://creativecommons.org/licenses/by-sa/4.0/deed.en',
  ]) {
    t.same(normaliseLicense(variant), CC_BY_SA, variant);
  }
  for (const variant of [
    'CC0 1.0',
    'CC0-1.0',
    'CC0',
    'CC0 1.0 Universal',
    'https://creativecommons.org/publicdomain/zero/1.0/',
    'https://creativecommons.org/publicdomain/zero/1.0/legalcode',
  ]) {
    t.same(normaliseLicense(variant), CC0, variant);
  }
});

t.test('SIL Open Font License 1.1', async (t) => {
  for (const variant of [
    'OFL-1.1',
    'OFL 1.1',
    'SIL Open Font License 1.1',
    'SIL Open Font License, Version 1.1',
    'https://openfontlicense.org/',
    'https://scripts.sil.org/OFL',
    'https://opensource.org/licenses/OFL-1.1',
  ]) {
    t.equal(normaliseLicense(variant)?.name, 'SIL Open Font License 1.1', variant);
  }
});

t.test('the legacy terms of use keep their own URL', async (t) => {
  t.same(normaliseLicense('政府資料開放平臺資料使用規範'), PRINCIPLE);
  t.same(normaliseLicense('政府資料開放平台資料使用規範'), PRINCIPLE, '台 for 臺');
  t.same(normaliseLicense('http://data.gov.tw/principle'), PRINCIPLE);
});

t.test('unknown licences are null so the caller keeps the text', async (t) => {
  const unknown = [
    '',
    '   ',
    '創用CC 姓名標示-相同方式分享 3.0 台灣',
    'CC BY 3.0',
    'CC BY-NC 4.0',
    'CC BY-SA 3.0',
    '政府資料開放授權條款-第2版',
    'MIT',
    '2',
    'https://example.org/license',
    'https://data.gov.tw/licenses',
    'https://creativecommons.org/licenses/by/3.0/',
    '詳見網站',
  ];
  for (const text of unknown) t.equal(normaliseLicense(text), null, JSON.stringify(text));
  t.equal(normaliseLicense(1 as unknown as string), null, 'not a string');
});

t.test('results are copies: changing one does not change the next', async (t) => {
  const first = normaliseLicense('1')!;
  first.name = 'changed';
  t.equal(normaliseLicense('1')!.name, OGDL.name);
});
