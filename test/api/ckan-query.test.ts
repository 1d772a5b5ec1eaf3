import t from 'tap';
import { FqSyntaxError, parseFq } from '../../src/api/routes/ckan-fq.js';
import { planSort } from '../../src/api/routes/ckan-sort.js';
import { CKAN_NAME_PATTERN, candidateIdentifierOfName, packageName, packageUuid, preferredOrganizationName, resourceUuid } from '../../src/views/ckan-ids.js';

t.test('fq: the clause forms CKAN clients send are read as AND-ed field clauses', async (t) => {
  const cases: Array<[string, unknown[]]> = [
    ['', []],
    ['   ', []],
    ['organization:a41000000g', [{ field: 'organization', kind: 'term', value: 'a41000000g' }]],
    ['license_id:"政府資料開放授權條款-第1版"', [{ field: 'license_id', kind: 'term', value: '政府資料開放授權條款-第1版' }]],
    ['license_id:"say \\"hi\\""', [{ field: 'license_id', kind: 'term', value: 'say "hi"' }]],
    ['res_format:CSV\\:UTF8', [{ field: 'res_format', kind: 'term', value: 'CSV:UTF8' }]],
    ['metadata_modified:[2024-01-01T00:00:00Z TO *]', [{ field: 'metadata_modified', kind: 'range', from: '2024-01-01T00:00:00Z', to: null }]],
    ['metadata_modified:[* TO NOW]', [{ field: 'metadata_modified', kind: 'range', from: null, to: 'NOW' }]],
    // The gateway's own CKAN connector.
    [
      '(organization:moda) AND (metadata_modified:[2024-01-01T00:00:00Z TO *])',
      [
        { field: 'organization', kind: 'term', value: 'moda' },
        { field: 'metadata_modified', kind: 'range', from: '2024-01-01T00:00:00Z', to: null },
      ],
    ],
    // ckanext-harvest: terms joined by spaces.
    [
      'organization:moda metadata_modified:[2024-01-01T00:00:00.123456Z TO *]',
      [
        { field: 'organization', kind: 'term', value: 'moda' },
        { field: 'metadata_modified', kind: 'range', from: '2024-01-01T00:00:00.123456Z', to: null },
      ],
    ],
    // CKAN's own UI.
    ['+dataset_type:dataset +capacity:public', [{ field: 'dataset_type', kind: 'term', value: 'dataset' }, { field: 'capacity', kind: 'term', value: 'public' }]],
    ['groups:e00 && res_format:csv', [{ field: 'groups', kind: 'term', value: 'e00' }, { field: 'res_format', kind: 'term', value: 'csv' }]],
    ['((groups:e00))', [{ field: 'groups', kind: 'term', value: 'e00' }]],
    ['organization: moda', [{ field: 'organization', kind: 'term', value: 'moda' }]],
    ['name:ANDROID', [{ field: 'name', kind: 'term', value: 'ANDROID' }]],
  ];
  for (const [fq, expected] of cases) t.same(parseFq(fq), expected, JSON.stringify(fq));
});

t.test('fq: what it cannot read exactly is refused with where, never half-read', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['organization:', /has no value/],
    ['organization', /expected ":"/],
    ['moda', /expected ":"/],
    ['organization:a OR organization:b', /OR is not supported/],
    ['organization:a || organization:b', /OR is not supported/],
    ['-organization:a', /negation/],
    ['NOT organization:a', /negation/],
    ['!organization:a', /negation/],
    ['organization:mo*', /wildcards/],
    ['organization:mo?a', /wildcards/],
    ['organization:(a b)', /groups are not supported/],
    ['(organization:a', /without a matching "\)"/],
    ['organization:a)', /without a matching "\("/],
    ['()', /empty parentheses/],
    ['AND organization:a', /AND must stand between/],
    ['organization:a AND', /AND must stand between/],
    ['organization:a AND AND groups:b', /AND must stand between/],
    ['license_id:"unclosed', /not closed/],
    ['metadata_modified:{2024-01-01T00:00:00Z TO *}', /exclusive ranges/],
    ['metadata_modified:[2024-01-01T00:00:00Z TO *}', /exclusive ranges/],
    ['metadata_modified:[2024-01-01T00:00:00Z *]', /expected "\[from TO to\]"/],
    ['metadata_modified:[2024-01-01T00:00:00Z TO *', /not closed/],
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
  t.throws(() => parseFq('organization:a OR b'), { message: /at character 16/ }, 'the position is 1-based');
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
  for (const bad of ['garbage', 'score asc', 'tags asc', 'metadata_created desc', 'name sideways', 'title_string asc, metadata_modified desc', ',', 'name asc;drop', 'score desc, title_string asc']) {
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
  const odd = ['civic-hub:bike-001', 'a41000000g-000001', 'A41000000G-000001~datagovtw', 'https://data.example.tw/dataset/42', '臺北市資料', 'x', 'X'.repeat(300), '3f2a0c1e-1111-4222-8333-444455556666'];
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
