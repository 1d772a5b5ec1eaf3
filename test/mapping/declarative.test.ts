import t from 'tap';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, parsePath, withoutPaths } from '../../src/mapping/declarative/path.js';
import { compileMapping, loadMappingFile, loadNamedMapping, MAPPING_DIRECTORY } from '../../src/mapping/declarative/mapping-file.js';
import { applyMapping } from '../../src/mapping/declarative/apply.js';
import { ConfigError } from '../../src/config/load.js';
import { projectPath } from '../../src/model/project-root.js';
import type { MappingResult, NationalRecord, ValidationIssue } from '../../src/model/record.js';
import { recordViolations } from '../helpers/dcat-ap.js';
import { tempDir } from '../helpers/gateway.js';

function accepted(result: MappingResult): { record: NationalRecord; issues: ValidationIssue[] } {
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.issues)}`);
  return result;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const minimal = { platform: 'test', list: { url: '/list', recordsPath: 'items' }, fields: { identifier: 'id', title: 'name' } };

t.test('paths: keys, wildcards, indexes, quoted keys, the root', async (t) => {
  const doc = { a: { b: [{ c: 1 }, { c: 2 }, { d: 3 }] }, 'x.y': { 'z w': 'q' }, 資料: ['甲', '乙'] };
  t.same(evaluate(doc, parsePath('a.b[*].c')), [1, 2]);
  t.same(evaluate(doc, parsePath('a.b[1].c')), [2]);
  t.same(evaluate(doc, parsePath('["x.y"]["z w"]')), ['q']);
  t.same(evaluate(doc, parsePath('資料[*]')), ['甲', '乙']);
  t.same(evaluate(doc, parsePath('$')), [doc]);
  t.same(evaluate(doc, parsePath('$.a.b[9].c')), []);
  t.same(evaluate(doc, parsePath('constructor')), [], 'no inherited properties');
  for (const bad of ['a..b', 'a.', 'a[x]', 'a[*', '.a', 'a]b']) t.throws(() => parsePath(bad), { name: 'PathSyntaxError' }, bad);
  t.same(
    withoutPaths({ id: 1, res: [{ url: 'u', rid: 'r' }, { url: 'v' }], extras: { a: 1, b: 2 }, empty: {} }, [
      parsePath('id'),
      parsePath('res[*].url'),
      parsePath('extras.a'),
    ]),
    { res: [{ rid: 'r' }, null], extras: { b: 2 } },
    'what is left keeps its positions; emptied parts are pruned',
  );
});

t.test('every shipped mapping file validates and compiles', async (t) => {
  const names = readdirSync(MAPPING_DIRECTORY).filter((name) => name.endsWith('.json'));
  t.same(names.sort(), ['ntpc.json', 'taichung.json', 'taipei.json', 'tycg.json']);
  for (const name of names) {
    const mapping = loadNamedMapping(name.replace(/\.json$/, ''));
    t.ok(mapping.fields.has('identifier') && mapping.fields.has('title'), name);
    const raw = JSON.parse(readFileSync(join(MAPPING_DIRECTORY, name), 'utf8')) as { $comment?: string };
    t.match(raw.$comment, /UNVERIFIED/, `${name} says what is unverified`);
  }
});

t.test('a bad mapping file is a ConfigError naming the file and the field', async (t) => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['unknown field', { ...minimal, fields: { ...minimal.fields, titel: 'x' } }, 'fields.titel', /unknown key/],
    ['no title', { ...minimal, fields: { identifier: 'id' } }, 'fields.title', /required/],
    ['bad paging style', { ...minimal, list: { ...minimal.list, paging: { style: 'cursor' } } }, 'list.paging.style', /./],
    ['bad path', { ...minimal, fields: { ...minimal.fields, description: 'a..b' } }, 'fields.description', /bad path/],
    [
      'bad distribution path',
      { ...minimal, fields: { ...minimal.fields, distribution: { path: 'r[', fields: { downloadURL: 'url' } } } },
      'fields.distribution.path',
      /unclosed/,
    ],
    [
      'unknown value map',
      { ...minimal, fields: { ...minimal.fields, accrualPeriodicity: { path: 'f', valueMap: 'nope' } } },
      'fields.accrualPeriodicity.valueMap',
      /no value map/,
    ],
    ['detail without idPath', { ...minimal, detail: { url: '/d/{id}', recordPath: '$' } }, 'list.idPath', /needs list.idPath/],
    ['detail URL without {id}', { ...minimal, list: { ...minimal.list, idPath: 'id' }, detail: { url: '/d', recordPath: '$' } }, 'detail.url', /pattern/],
  ];
  for (const [name, json, field, message] of cases) {
    const error = configError(() => compileMapping(json, 'mappings/city/bad.json'));
    t.equal(error.origin, 'mappings/city/bad.json', `${name}: names the file`);
    t.equal(error.field, field, `${name}: names the field`);
    t.match(error.message, message, name);
  }
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  writeFileSync(join(dir, 'broken.json'), '{"platform": ');
  t.match(
    configError(() => loadMappingFile(join(dir, 'broken.json'))),
    { field: '(file)', message: /not valid JSON/ },
  );
  t.match(
    configError(() => loadNamedMapping('../../etc/passwd')),
    { field: '(file)', message: /file name in mappings\/city/ },
  );
  t.match(
    configError(() => loadNamedMapping('absent')),
    { field: '(file)', message: /cannot read/ },
  );
});

t.test('applying a mapping: value maps, epoch dates, templates, joins, constants, extras', async (t) => {
  const mapping = compileMapping(
    {
      platform: 'test',
      list: { url: '/l', recordsPath: '$' },
      fields: {
        identifier: 'id',
        title: { path: ['title.zh', 'title.en'] },
        description: { path: 'desc[*]', join: ' / ' },
        publisher: 'org',
        accrualPeriodicity: { path: 'freq', valueMap: 'freq' },
        modified: { path: 'ts', dateFormat: 'epoch-millis' },
        issued: { path: 'created', dateFormat: 'epoch-seconds' },
        landingPage: { path: 'id', template: 'https://city.example/ds/{value}' },
        keyword: { path: 'tags', split: ',' },
        numberOfData: 'rows',
        distribution: { path: 'files[*]', fields: { downloadURL: 'href', format: 'type' } },
      },
      valueMaps: { freq: { day: '每日', once: '不更新' } },
      constants: { organization: '某市政府', publisher: '不會用到', language: 'zh' },
      ignore: ['score'],
    },
    'inline',
  );
  const { record, issues } = accepted(
    applyMapping(mapping, {
      id: 42,
      title: { en: 'Parks' },
      desc: ['一', '二'],
      org: '某市政府工務局',
      freq: 'once',
      ts: 1788739200000,
      created: 1577808000,
      tags: 'a, b,c',
      rows: '1,200',
      files: [{ href: 'https://city.example/f.csv', type: 'CSV', size: 10 }],
      score: 3.2,
      owner: { name: 'x' },
    }),
  );
  t.same(record, {
    identifier: '42',
    title: 'Parks',
    description: '一 / 二',
    publisher: '某市政府工務局',
    accrualPeriodicity: '不更新',
    modified: '2026-09-07T00:00:00Z',
    issued: '2019-12-31T16:00:00Z',
    landingPage: 'https://city.example/ds/42',
    keyword: ['a', 'b', 'c'],
    numberOfData: 1200,
    organization: '某市政府',
    language: 'zh',
    distribution: [{ downloadURL: 'https://city.example/f.csv', format: 'CSV', resourceID: '42-001', extensions: { resourceIDSynthesised: true } }],
    extensions: { sourceVocabulary: 'mapped-json', sourceExtras: { files: [{ size: 10 }], owner: { name: 'x' } } },
  });
  t.notOk(
    issues.some((i) => i.rule === 'type' || i.rule === 'date'),
    'nothing misread',
  );

  const none = compileMapping({ ...minimal, sourceExtras: 'none' }, 'inline');
  t.notOk(accepted(applyMapping(none, { id: 'a', name: 'b', other: 1 })).record.extensions?.sourceExtras, 'sourceExtras: none');
  t.match(applyMapping(compileMapping(minimal, 'inline'), { id: '', name: 'b' }), { ok: false, issues: [{ field: 'identifier', rule: 'required' }] });
  const objectTitle = accepted(
    applyMapping(compileMapping({ ...minimal, fields: { ...minimal.fields, description: 'd' } }, 'inline'), { id: 'a', name: 'b', d: { zh: 'x' } }),
  );
  t.same(objectTitle.record.extensions?.unknownKeys, { description: { zh: 'x' } }, 'an object where text belongs is parked, not lost');
});

t.test('the shipped city mappings over their fixtures: DCAT-AP', async (t) => {
  const fixture = (name: string): unknown => JSON.parse(readFileSync(projectPath('test', 'fixtures', 'mapped-json', name), 'utf8'));
  const taipei = fixture('taipei-download.json') as unknown[];
  for (const raw of taipei.slice(0, 2)) {
    // The second record has a resource without a URL: the view gives it the landing page as accessURL.
    t.same(await recordViolations(accepted(applyMapping(loadNamedMapping('taipei'), raw)).record), []);
  }
  const ntpc = Object.values((fixture('ntpc.json') as { details: Record<string, { payload: unknown }> }).details).map((d) => d.payload);
  t.same(await recordViolations(accepted(applyMapping(loadNamedMapping('ntpc'), ntpc[0])).record), []);
  // 新北市路燈位置 has no description in the source.
  t.same(await recordViolations(accepted(applyMapping(loadNamedMapping('ntpc'), ntpc[2])).record), ['dct:description MinCount']);
  const taichung = Object.values((fixture('taichung.json') as { details: Record<string, { result: unknown }> }).details).map((d) => d.result);
  for (const raw of taichung) t.same(await recordViolations(accepted(applyMapping(loadNamedMapping('taichung'), raw)).record), []);
});
