import t from 'tap';
import { FqSyntaxError, MAX_FQ_DEPTH, parseFq } from '../../src/api/routes/ckan-fq.js';
import { planSort } from '../../src/api/routes/ckan-sort.js';
import { CKAN_NAME_PATTERN, candidateIdentifierOfName, packageName, packageUuid, preferredOrganizationName, resourceUuid } from '../../src/views/ckan-ids.js';

const term = (field: string, ...values: string[]) => ({ field, kind: 'term', values, negated: false });
const not = (field: string, ...values: string[]) => ({ field, kind: 'term', values, negated: true });
const bound = (value: string, inclusive = true) => ({ value, inclusive });
const range = (field: string, from: ReturnType<typeof bound> | null, to: ReturnType<typeof bound> | null, negated = false) => ({
  field,
  kind: 'range',
  from,
  to,
  negated,
});

t.test('fq: the clause forms CKAN clients send are read as AND-ed field clauses', async (t) => {
  const cases: Array<[string, unknown[]]> = [
    ['', []],
    ['   ', []],
    ['organization:a41000000g', [term('organization', 'a41000000g')]],
    ['license_id:"政府資料開放授權條款-第1版"', [term('license_id', '政府資料開放授權條款-第1版')]],
    ['license_id:"say \\"hi\\""', [term('license_id', 'say "hi"')]],
    ['res_format:CSV\\:UTF8', [term('res_format', 'CSV:UTF8')]],
    ['metadata_modified:[2024-01-01T00:00:00Z TO *]', [range('metadata_modified', bound('2024-01-01T00:00:00Z'), null)]],
    ['metadata_modified:[* TO NOW]', [range('metadata_modified', null, bound('NOW'))]],
    // The gateway's own CKAN connector.
    [
      '(organization:moda) AND (metadata_modified:[2024-01-01T00:00:00Z TO *])',
      [term('organization', 'moda'), range('metadata_modified', bound('2024-01-01T00:00:00Z'), null)],
    ],
    // ckanext-harvest: terms joined by spaces.
    [
      'organization:moda metadata_modified:[2024-01-01T00:00:00.123456Z TO *]',
      [term('organization', 'moda'), range('metadata_modified', bound('2024-01-01T00:00:00.123456Z'), null)],
    ],
    // CKAN's own UI.
    ['+dataset_type:dataset +capacity:public', [term('dataset_type', 'dataset'), term('capacity', 'public')]],
    ['groups:e00 && res_format:csv', [term('groups', 'e00'), term('res_format', 'csv')]],
    ['((groups:e00))', [term('groups', 'e00')]],
    ['organization: moda', [term('organization', 'moda')]],
    ['name:ANDROID', [term('name', 'ANDROID')]],
  ];
  for (const [fq, expected] of cases) t.same(parseFq(fq), expected, JSON.stringify(fq));
});

t.test('fq: tags, OR within a field, negation, exclusive and mixed ranges', async (t) => {
  const cases: Array<[string, unknown[]]> = [
    ['tags:公車 tags:路線', [term('tags', '公車'), term('tags', '路線')]],
    ['tags:"空氣 品質"', [term('tags', '空氣 品質')]],
    // OR: values of one field, however written.
    ['res_format:(CSV OR JSON)', [term('res_format', 'CSV', 'JSON')]],
    ['res_format:(CSV || "JSON" OR xml)', [term('res_format', 'CSV', 'JSON', 'xml')]],
    ['res_format:CSV OR res_format:JSON', [term('res_format', 'CSV', 'JSON')]],
    ['(res_format:CSV OR res_format:JSON) AND groups:a00', [term('res_format', 'CSV', 'JSON'), term('groups', 'a00')]],
    ['res_format:CSV OR (res_format:JSON OR res_format:XML)', [term('res_format', 'CSV', 'JSON', 'XML')]],
    ['res_format:CSV OR res_format:(JSON OR CSV)', [term('res_format', 'CSV', 'JSON')]],
    ['res_format:(CSV)', [term('res_format', 'CSV')]],
    // AND inside a field group (q.op is AND: a space is AND too).
    ['tags:(公車 路線)', [term('tags', '公車'), term('tags', '路線')]],
    ['tags:(公車 AND 路線)', [term('tags', '公車'), term('tags', '路線')]],
    // Negation.
    ['-tags:測試', [not('tags', '測試')]],
    ['NOT groups:i00', [not('groups', 'i00')]],
    ['!organization:a', [not('organization', 'a')]],
    ['organization:a -groups:i00', [term('organization', 'a'), not('groups', 'i00')]],
    ['organization:a NOT groups:i00', [term('organization', 'a'), not('groups', 'i00')]],
    ['organization:a AND NOT groups:i00', [term('organization', 'a'), not('groups', 'i00')]],
    ['organization:a && !groups:i00', [term('organization', 'a'), not('groups', 'i00')]],
    ['-res_format:(CSV OR JSON)', [not('res_format', 'CSV', 'JSON')]],
    ['-(res_format:CSV OR res_format:JSON)', [not('res_format', 'CSV', 'JSON')]],
    ['NOT NOT tags:a', [term('tags', 'a')]],
    ['-(tags:a)', [not('tags', 'a')]],
    ['organization:a-b', [term('organization', 'a-b')]],
    ['-metadata_modified:[2024-01-01T00:00:00Z TO *]', [range('metadata_modified', bound('2024-01-01T00:00:00Z'), null, true)]],
    // Ranges: [ ] include an end, { } exclude it, and Solr allows them mixed.
    [
      'metadata_modified:[2020-01-01T00:00:00Z TO 2021-01-01T00:00:00Z]',
      [range('metadata_modified', bound('2020-01-01T00:00:00Z'), bound('2021-01-01T00:00:00Z'))],
    ],
    [
      'metadata_modified:{2020-01-01T00:00:00Z TO 2021-01-01T00:00:00Z}',
      [range('metadata_modified', bound('2020-01-01T00:00:00Z', false), bound('2021-01-01T00:00:00Z', false))],
    ],
    [
      'metadata_modified:[2020-01-01T00:00:00Z TO 2021-01-01T00:00:00Z}',
      [range('metadata_modified', bound('2020-01-01T00:00:00Z'), bound('2021-01-01T00:00:00Z', false))],
    ],
    ['metadata_modified:{* TO 2021-01-01T00:00:00Z]', [range('metadata_modified', null, bound('2021-01-01T00:00:00Z'))]],
    ['metadata_modified:["2020-01-01T00:00:00Z" TO *]', [range('metadata_modified', bound('2020-01-01T00:00:00Z'), null)]],
  ];
  for (const [fq, expected] of cases) t.same(parseFq(fq), expected, JSON.stringify(fq));
});

t.test('fq: what it cannot read exactly is refused with where, never half-read', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['organization:', /has no value/],
    ['organization', /expected ":"/],
    ['moda', /expected ":"/],
    ['organization:a OR groups:b', /OR between different fields \(organization, groups\)/],
    ['organization:a || groups:b', /OR between different fields/],
    ['(tags:a OR tags:b) OR groups:c', /OR between different fields/],
    ['tags:a OR -tags:b', /OR between a negation/],
    ['tags:a OR (tags:b tags:c)', /OR between an AND group/],
    ['metadata_modified:[* TO *] OR metadata_modified:[2020-01-01T00:00:00Z TO *]', /OR between a range/],
    ['tags:a OR tags:b tags:c', /AND and OR mixed without parentheses/],
    ['tags:a tags:b OR tags:c', /AND and OR mixed without parentheses/],
    ['tags:(a OR b c)', /AND and OR mixed in tags:\(…\)/],
    ['-(organization:a groups:b)', /negation of several clauses/],
    ['NOT (tags:a AND tags:b)', /negation of several clauses/],
    ['-tags:(a b)', /negation of several clauses/],
    ['tags:(-a)', /negation inside tags:\(…\)/],
    ['tags:(NOT a)', /negation inside/],
    ['tags:((a))', /values only/],
    ['tags:([a TO b])', /values only/],
    ['tags:()', /has no value/],
    ['tags:(a', /without a matching "\)"/],
    ['tags:(OR a)', /OR must stand between two values/],
    ['tags:(a OR)', /OR must stand between two values/],
    ['tags:(a +b)', /"\+" inside/],
    ['-', /negation of nothing/],
    ['tags:a NOT', /negation of nothing/],
    ['NOT AND tags:a', /AND right after a negation/],
    ['tags:a OR', /OR must stand between two clauses/],
    ['organization:mo*', /wildcards/],
    ['organization:mo?a', /wildcards/],
    ['(organization:a', /without a matching "\)"/],
    ['organization:a)', /without a matching "\("/],
    ['()', /empty parentheses/],
    ['AND organization:a', /AND must stand between/],
    ['organization:a AND', /AND must stand between/],
    ['organization:a AND AND groups:b', /AND must stand between/],
    ['license_id:"unclosed', /not closed/],
    ['metadata_modified:[2024-01-01T00:00:00Z *]', /expected "\[from TO to\]"/],
    ['metadata_modified:[2024-01-01T00:00:00Z TO *', /not closed/],
    ['metadata_modified:[2024-01-01T00:00:00Z TO *)', /not closed/],
    ['license_id:http://example.org/licence', /must be escaped/],
    ['organization:a^2', /must be escaped/],
    ['organization:a~', /must be escaped/],
    ['organization:a\\', /escapes nothing/],
    ['organization:a:b', /must be escaped/],
    ['"quoted text"', /expected field:value/],
  ];
  for (const [fq, message] of cases) {
    t.throws(() => parseFq(fq), FqSyntaxError, fq);
    t.throws(() => parseFq(fq), { message }, fq);
  }
  t.throws(() => parseFq('organization:a OR groups:b'), { message: /at character 19/ }, 'the position is 1-based, at the offending clause');
  t.throws(() => parseFq('tags:a OR'), { message: /at character 8/ }, 'at the dangling operator');
  t.throws(() => parseFq('tags:a)'), { message: /at character 7/ });
  const deep = (levels: number): string => `${'('.repeat(levels)}tags:a${')'.repeat(levels)}`;
  t.same(parseFq(deep(MAX_FQ_DEPTH)), [term('tags', 'a')], `${MAX_FQ_DEPTH} levels of parentheses`);
  t.throws(() => parseFq(deep(MAX_FQ_DEPTH + 1)), { message: /nested more than/ }, 'deeper is refused');
  t.throws(() => parseFq(deep(4990)), { message: /nested more than/ }, 'never a stack overflow');
  t.same(parseFq(`${'-'.repeat(MAX_FQ_DEPTH)}tags:a`), [term('tags', 'a')], 'an even number of negations');
  t.throws(() => parseFq(`${'-'.repeat(9990)}tags:a`), { message: /negations nested more than/ });
  t.throws(() => parseFq(`${'NOT '.repeat(2000)}tags:a`), { message: /negations nested more than/ });
  t.same(parseFq(`${'tags:a OR '.repeat(999)}tags:b`), [term('tags', 'a', 'b')], 'a long flat OR is fine');
});

t.test('sort: what harvesters and portals ask for maps onto the search orders', async (t) => {
  t.same(planSort('score desc, metadata_modified desc', true), { sort: 'relevance', reversed: false });
  t.same(planSort('score desc, metadata_modified desc', false), { sort: 'modified', reversed: false }, 'no q: every score is equal');
  t.same(planSort('score desc', true), { sort: 'relevance', reversed: false });
  t.same(planSort('metadata_modified desc', false), { sort: 'modified', reversed: false });
  t.same(planSort('metadata_modified asc,id asc', false), { sort: 'modified', reversed: true }, "the gateway's CKAN connector");
  t.match(planSort('METADATA_MODIFIED ASC', false), { error: /cannot sort/ }, 'field names are case-sensitive, as in Solr');
  t.same(planSort('metadata_modified ASC', false), { sort: 'modified', reversed: true }, 'directions are not');
  t.same(planSort('id asc', false), { sort: 'identifier', reversed: false }, 'ckanext-harvest');
  t.same(planSort('name desc', false), { sort: 'identifier', reversed: true });
  t.same(planSort('title_string asc', false), { sort: 'title', reversed: false });
  t.same(planSort('title_string desc, name asc', false), { sort: 'title', reversed: true });
  t.same(planSort('name', false), { sort: 'identifier', reversed: false }, 'no direction: ascending');
  for (const bad of [
    'garbage',
    'score asc',
    'tags asc',
    'metadata_created desc',
    'name sideways',
    'title_string asc, metadata_modified desc',
    ',',
    'name asc;drop',
    'score desc, title_string asc',
  ]) {
    const plan = planSort(bad, false);
    t.ok('error' in plan, bad);
  }
});

t.test('ids and names: stable, unique, CKAN-shaped', async (t) => {
  // Pinned: a CKAN harvester downstream keys its copy by this id; it must never change.
  t.equal(packageUuid('A41000000G-000001'), 'd2794e53-73ff-5d21-8824-7ca641a4299d');
  t.match(packageUuid('A41000000G-000001'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a UUID v5');
  t.not(packageUuid('A41000000G-000001'), packageUuid('A41000000G-000002'));
  t.not(resourceUuid('A41000000G-000001', '#0'), resourceUuid('A41000000G-000002', '#0'), 'resource ids are per dataset');

  t.equal(packageName('A41000000G-000001'), 'a41000000g-000001');
  t.equal(candidateIdentifierOfName('a41000000g-000001'), 'A41000000G-000001');
  const odd = [
    'civic-hub:bike-001',
    'a41000000g-000001',
    'A41000000G-000001~datagovtw',
    'https://data.example.tw/dataset/42',
    '臺北市資料',
    'x',
    'X'.repeat(300),
    '3f2a0c1e-1111-4222-8333-444455556666',
  ];
  const names = new Set<string>();
  for (const identifier of odd) {
    const name = packageName(identifier);
    t.match(name, CKAN_NAME_PATTERN, identifier.slice(0, 40));
    names.add(name);
  }
  names.add(packageName('A41000000G-000001'));
  t.equal(names.size, odd.length + 1, 'no two identifiers share a name (not even by case)');
  t.match(packageName('臺北市資料'), /^dataset-[0-9a-f]{10}$/, 'nothing ASCII to keep: a prefix and the hash');

  t.equal(preferredOrganizationName('國家發展委員會', 'A41000000G'), 'a41000000g', 'the agency code');
  t.equal(preferredOrganizationName('moda', undefined), 'moda', 'a clean slug stays');
  t.match(preferredOrganizationName('國家發展委員會', undefined), /^org-[0-9a-f]{10}$/);
  t.match(preferredOrganizationName('g0v Civic Lab', undefined), /^g0v-civic-lab-[0-9a-f]{10}$/);
  t.match(preferredOrganizationName('國家發展委員會', 'not a code!'), /^org-/, 'a code that cannot be a name is not used');
});
