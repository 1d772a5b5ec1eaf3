import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_CATEGORIES } from '../../src/model/codelists.js';
import {
  categoriesOfEuTheme,
  euThemesOfCategory,
  loadServiceCategoryThemes,
  readEuDataTheme,
  SERVICE_CATEGORY_EU_THEMES,
  SERVICE_CATEGORY_EU_THEMES_PATH,
  type EuDataTheme,
} from '../../src/model/eu-data-themes.js';
import { tempDir } from '../helpers/gateway.js';

const EU = 'http://publications.europa.eu/resource/authority/data-theme/';
const ALL_THEMES = ['AGRI', 'ECON', 'EDUC', 'ENER', 'ENVI', 'GOVE', 'HEAL', 'INTR', 'JUST', 'OP_DATPRO', 'REGI', 'SOCI', 'TECH', 'TRAN'];

t.test('the bundled table: the 14 EU themes, every 服務分類 mapped to one or two of them', async (t) => {
  t.same([...SERVICE_CATEGORY_EU_THEMES.themes.keys()].sort(), ALL_THEMES);
  t.equal(SERVICE_CATEGORY_EU_THEMES.scheme, 'http://publications.europa.eu/resource/authority/data-theme');
  t.same(SERVICE_CATEGORY_EU_THEMES.themes.get('TRAN'), { code: 'TRAN', iri: `${EU}TRAN`, label: 'Transport' });
  for (const code of Object.keys(SERVICE_CATEGORIES)) {
    const themes = euThemesOfCategory(code);
    t.ok(themes.length >= 1 && themes.length <= 2, `${code}: ${themes.map((theme) => theme.code).join(', ')}`);
    t.notOk(
      themes.some((theme) => theme.code === 'OP_DATPRO'),
      `${code}: provisional data is not a subject`,
    );
  }
  const codes = (category: string): string[] => euThemesOfCategory(category).map((theme) => theme.code);
  t.same(codes('A00'), ['TRAN', 'TECH'], '交通及通訊');
  t.same(codes('B00'), ['HEAL'], '就醫');
  t.same(codes('E00'), ['ENVI', 'JUST'], '生活安全及品質');
  t.same(codes('300'), ['EDUC'], '求學及進修');
  t.same(codes('I00'), ['GOVE'], '公共資訊');
  t.same(codes('Z99'), [], 'a code outside the 18 has none');
  t.same(codes('a00'), [], 'codes are exact here (callers normalise)');
});

t.test('the reverse: the categories carrying each theme, in code order', async (t) => {
  const theme = (code: string): EuDataTheme => SERVICE_CATEGORY_EU_THEMES.themes.get(code)!;
  t.same(categoriesOfEuTheme(theme('TRAN')), ['A00']);
  t.same(categoriesOfEuTheme(theme('HEAL')), ['100', 'B00', 'G00']);
  t.same(categoriesOfEuTheme(theme('GOVE')), ['400', 'D00', 'I00']);
  t.same(categoriesOfEuTheme(theme('OP_DATPRO')), [], 'a theme nothing maps to');
  for (const [code, themes] of SERVICE_CATEGORY_EU_THEMES.byCategory) {
    for (const mapped of themes) t.ok(categoriesOfEuTheme(mapped).includes(code), `${code} under ${mapped.code}`);
  }
});

t.test('a theme as clients write it: IRI over http or https, or the bare code, any case', async (t) => {
  for (const written of [
    `${EU}TRAN`,
    'https://publications.europa.eu/resource/authority/data-theme/TRAN',
    'HTTP://PUBLICATIONS.EUROPA.EU/resource/authority/data-theme/tran',
    'TRAN',
    'tran',
    ' Tran ',
  ]) {
    t.match(readEuDataTheme(written), { code: 'TRAN' }, written);
  }
  t.match(readEuDataTheme('op_datpro'), { code: 'OP_DATPRO' });
  t.same(readEuDataTheme(`${EU}XXXX`), { unknown: 'XXXX' }, 'an IRI of the table with an unknown code');
  t.same(readEuDataTheme(`${EU}`), { unknown: '' });
  t.equal(readEuDataTheme('XXXX'), undefined, 'a bare word that is no code is not a theme');
  t.equal(readEuDataTheme('transport'), undefined);
  t.equal(readEuDataTheme('https://example.org/theme/TRAN'), undefined, 'another table');
  t.equal(readEuDataTheme('ftp://publications.europa.eu/resource/authority/data-theme/TRAN'), undefined);
  t.equal(readEuDataTheme('交通'), undefined);
});

t.test('a broken mapping file stops start-up with a message naming every problem', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const good = JSON.parse(readFileSync(SERVICE_CATEGORY_EU_THEMES_PATH, 'utf8')) as Record<string, unknown>;
  const byCategory = good['byServiceCategory'] as Record<string, Record<string, unknown>>;
  const write = (content: unknown, name = 'bad.json'): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  t.doesNotThrow(() => loadServiceCategoryThemes(write(good, 'copy.json')), 'the bundled file, copied, loads');

  const without = (code: string): Record<string, unknown> => Object.fromEntries(Object.entries(byCategory).filter(([key]) => key !== code));
  const cases: Array<[string, unknown, RegExp]> = [
    ['not JSON', '{"themes": ', /cannot be read as JSON/],
    ['not an object', '[]', /expected a JSON object/],
    ['a category missing', { ...good, byServiceCategory: without('B00') }, /no themes for B00/],
    [
      'an unknown category',
      { ...good, byServiceCategory: { ...byCategory, Z99: { themes: ['GOVE'], why: 'x' } } },
      /byServiceCategory\.Z99: not a 服務分類 code/,
    ],
    [
      'an unknown theme',
      { ...good, byServiceCategory: { ...byCategory, A00: { themes: ['TRAN', 'SPACE'], why: 'x' } } },
      /byServiceCategory\.A00\.themes: "SPACE" is not a theme/,
    ],
    ['a theme twice', { ...good, byServiceCategory: { ...byCategory, A00: { themes: ['TRAN', 'TRAN'], why: 'x' } } }, /TRAN is given twice/],
    ['no themes', { ...good, byServiceCategory: { ...byCategory, A00: { themes: [], why: 'x' } } }, /A00\.themes: must be a non-empty array/],
    ['a theme that is not a string', { ...good, byServiceCategory: { ...byCategory, A00: { themes: [7], why: 'x' } } }, /A00\.themes: 7 is not a theme/],
    ['no reason', { ...good, byServiceCategory: { ...byCategory, A00: { themes: ['TRAN'] } } }, /A00\.why: say why/],
    [
      'a wrong name',
      { ...good, byServiceCategory: { ...byCategory, A00: { label: '交通', themes: ['TRAN'], why: 'x' } } },
      /A00\.label: "交通" is not the category's name 交通及通訊/,
    ],
    ['an entry that is not an object', { ...good, byServiceCategory: { ...byCategory, A00: 'TRAN' } }, /A00: must be an object/],
    ['a bad theme code', { ...good, themes: { ...(good['themes'] as object), tran: 'Transport' } }, /"tran" is not a theme code/],
    ['a theme without label', { ...good, themes: { ...(good['themes'] as object), TRAN: '' } }, /themes\.TRAN: the label must be a non-empty string/],
    ['no base', { ...good, base: 'publications.europa.eu' }, /"base" must be an IRI ending in "\/"/],
    ['no scheme', { ...good, scheme: 7 }, /"scheme" must be the IRI/],
    ['no themes table', { ...good, themes: [] }, /"themes" must be an object/],
  ];
  for (const [what, content, message] of cases) {
    const path = write(content);
    t.throws(() => loadServiceCategoryThemes(path), { message }, what);
    t.throws(() => loadServiceCategoryThemes(path), { message: new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `) }, `${what}: the file is named`);
  }
  t.throws(() => loadServiceCategoryThemes(join(dir, 'missing.json')), { message: /missing\.json: cannot be read/ });
  const both = write({ ...good, base: 'x', byServiceCategory: without('I00') });
  t.throws(() => loadServiceCategoryThemes(both), { message: /"base" must be .*; byServiceCategory: no themes for I00/ }, 'every problem at once');
});
