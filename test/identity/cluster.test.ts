import t from 'tap';
import { clusterRecords, MAX_FUZZY_GROUP, membersFromList, type ClusterMember, type ClusterMembers } from '../../src/identity/cluster.js';
import type { KeyGroup } from '../../src/store/identity.js';

/** Members as `source` or `source!` (not listed), with optional signals. */
function members(...specs: Array<string | [string, string[]]>): ClusterMembers {
  return membersFromList(
    specs.map((spec): ClusterMember => {
      const [name, signals] = typeof spec === 'string' ? [spec, undefined] : spec;
      const listed = !name.endsWith('!');
      return { sourceId: name.replace(/!$/, ''), listed, ...(signals ? { signals } : {}) };
    }),
  );
}

function group(kind: KeyGroup['kind'], value: string, ...indices: number[]): KeyGroup {
  return { kind, value, members: indices };
}

/** Partition as sorted lists of member indices, for comparison. */
function partition(clusterOf: Int32Array): number[][] {
  const byRoot = new Map<number, number[]>();
  clusterOf.forEach((root, i) => byRoot.set(root, [...(byRoot.get(root) ?? []), i]));
  return [...byRoot.values()].sort((a, b) => a[0]! - b[0]!);
}

t.test('records of different sources sharing a strong key are one cluster; chains join', (t) => {
  const result = clusterRecords({
    members: members('city', 'portal', 'hub', 'other'),
    strongGroups: [group('agency', 'A', 0, 1), group('download', 'u', 1, 2)],
    fuzzyGroups: [],
    mustLink: [],
    cannotLink: [],
  });
  t.same(partition(result.clusterOf), [[0, 1, 2], [3]]);
  t.same(result.collisions, []);
  t.end();
});

t.test('two listed records of one source are never joined, and an identifier shared by them is a collision', (t) => {
  const result = clusterRecords({
    members: members('mirror', 'mirror', 'portal'),
    strongGroups: [group('agency', 'A', 0, 1, 2)],
    fuzzyGroups: [],
    mustLink: [],
    cannotLink: [],
  });
  t.same(partition(result.clusterOf), [[0], [1], [2]], 'the ambiguous key joins nobody');
  t.same(result.collisions, [{ sourceId: 'mirror', kind: 'agency', value: 'A', members: [0, 1] }]);

  const urls = clusterRecords({
    members: members('mirror', 'mirror', 'portal'),
    strongGroups: [group('landing', 'https://portal/', 0, 1, 2)],
    fuzzyGroups: [],
    mustLink: [],
    cannotLink: [],
  });
  t.same(urls.collisions, [], 'a URL many records of one source share is no error, just no key');
  t.end();
});

t.test('a record its source no longer lists may join a listed one of the same source (renumbering)', (t) => {
  const result = clusterRecords({
    members: members('city!', 'city', 'portal'),
    strongGroups: [group('agency', 'OLD', 0, 2), group('landing', 'L', 0, 1)],
    fuzzyGroups: [],
    mustLink: [],
    cannotLink: [],
  });
  t.same(partition(result.clusterOf), [[0, 1, 2]]);
  t.end();
});

t.test('a union that would put two listed records of one source together through a third is refused', (t) => {
  // 0 (a) ~ 2 (b) by agency; 1 (a) ~ 2 (b) by download: 1 cannot join 0's cluster.
  const result = clusterRecords({
    members: members('a', 'a', 'b'),
    strongGroups: [group('agency', 'X', 0, 2), group('download', 'u', 1, 2)],
    fuzzyGroups: [],
    mustLink: [],
    cannotLink: [],
  });
  t.same(partition(result.clusterOf), [[0, 2], [1]], 'the stronger key wins, the weaker is refused');
  t.end();
});

t.test('operator decisions: split beats every key, join beats the one-source rule', (t) => {
  const split = clusterRecords({
    members: members('city', 'portal', 'hub'),
    strongGroups: [group('agency', 'A', 0, 1, 2)],
    fuzzyGroups: [],
    mustLink: [],
    cannotLink: [[1, 0]],
  });
  t.same(partition(split.clusterOf), [[0, 2], [1]], 'the split pair stays apart; the third joins the first it may');

  const join = clusterRecords({
    members: members('city', 'city'),
    strongGroups: [],
    fuzzyGroups: [],
    mustLink: [[0, 1]],
    cannotLink: [],
  });
  t.same(partition(join.clusterOf), [[0, 1]]);

  const both = clusterRecords({
    members: members('city', 'portal'),
    strongGroups: [],
    fuzzyGroups: [],
    mustLink: [[0, 1]],
    cannotLink: [[0, 1]],
  });
  t.same(partition(both.clusterOf), [[0], [1]], 'a split and a join of one pair: apart (the store keeps only the latest anyway)');
  t.end();
});

t.test('a fuzzy match joins only when corroborated; otherwise it is a candidate', (t) => {
  const result = clusterRecords({
    members: members(['city', ['issued:2020-01-01']], ['hub', ['issued:2020-01-01']], ['city', ['desc:x']], ['hub', ['desc:y']]),
    strongGroups: [],
    fuzzyGroups: [group('fuzzy', 't1|p', 0, 1), group('fuzzy', 't2|p', 2, 3)],
    mustLink: [],
    cannotLink: [],
  });
  t.same(partition(result.clusterOf), [[0, 1], [2], [3]]);
  t.same(result.candidates, [{ a: 2, b: 3, value: 't2|p' }]);
  t.end();
});

t.test('a fuzzy group larger than MAX_FUZZY_GROUP is ignored (a generic title says nothing)', (t) => {
  const size = MAX_FUZZY_GROUP + 1;
  const specs = Array.from({ length: size }, (_, i) => [`s${i}`, ['issued:2020-01-01']] as [string, string[]]);
  const result = clusterRecords({
    members: members(...specs),
    strongGroups: [],
    fuzzyGroups: [group('fuzzy', '預算書|p', ...Array.from({ length: size }, (_, i) => i))],
    mustLink: [],
    cannotLink: [],
  });
  t.equal(new Set(result.clusterOf).size, size, 'every record its own dataset');
  t.same(result.candidates, []);
  t.end();
});

t.test('the same input gives the same clusters', (t) => {
  const input = () => ({
    members: members('a', 'b', 'c', 'a', 'b'),
    strongGroups: [group('agency', 'X', 0, 1, 2), group('download', 'u', 3, 4), group('landing', 'l', 1, 4)],
    fuzzyGroups: [],
    mustLink: [],
    cannotLink: [],
  });
  t.same(partition(clusterRecords(input()).clusterOf), partition(clusterRecords(input()).clusterOf));
  t.end();
});

/** Members as in `members`, each with veto keys (`uuid:…`). */
function membersWithVetoes(...specs: Array<[string, string[]]>): ClusterMembers {
  const base = members(...specs.map(([name]) => name));
  return { ...base, vetoKeysOf: (i) => specs[i]![1] };
}

t.test('different UUIDs of different sources veto a join by landing page, download URL or fuzzy key; a shared one does not', (t) => {
  const result = clusterRecords({
    members: membersWithVetoes(['de', ['uuid:1']], ['zh', ['uuid:2']], ['it', []], ['es', ['uuid:1', 'datasetId:9']]),
    strongGroups: [
      group('landing', 'https://portal.tw/search', 0, 1),
      group('download', 'https://portal.tw/f.csv', 1, 2),
      group('download', 'https://portal.tw/g.csv', 2, 0),
    ],
    fuzzyGroups: [],
    mustLink: [],
    cannotLink: [],
  });
  // 0 and 1 vetoed; 1 joins 2 (no UUID on 2); then {1,2} and 0 conflict again.
  t.same(partition(result.clusterOf), [[0], [1, 2], [3]]);
  t.same(
    result.candidates.map((c) => [c.a, c.b, c.value]),
    [
      [0, 1, 'https://portal.tw/search'],
      [2, 0, 'https://portal.tw/g.csv'],
    ],
    'each vetoed join is a candidate',
  );

  const shared = clusterRecords({
    members: membersWithVetoes(['de', ['uuid:1']], ['es', ['uuid:1', 'uuid:3']], ['zh', ['datasetId:7']]),
    strongGroups: [group('landing', 'https://portal.tw/search', 0, 1, 2)],
    fuzzyGroups: [],
    mustLink: [],
    cannotLink: [],
  });
  t.same(partition(shared.clusterOf), [[0, 1, 2]], 'a shared UUID, or keys of another class: no veto');

  const fuzzy = clusterRecords({
    members: membersWithVetoes(['de', ['uuid:1']], ['zh', ['uuid:2']]),
    strongGroups: [],
    fuzzyGroups: [group('fuzzy', 'title|publisher', 0, 1)],
    mustLink: [],
    cannotLink: [],
  });
  t.same(partition(fuzzy.clusterOf), [[0], [1]], 'an uncorroborated fuzzy match: apart, as before');
  t.same(fuzzy.candidates.length, 1);
  const corroborated = clusterRecords({
    members: { ...membersWithVetoes(['de', ['uuid:1']], ['zh', ['uuid:2']]), signalsOf: () => ['desc:x'] },
    strongGroups: [],
    fuzzyGroups: [group('fuzzy', 'title|publisher', 0, 1)],
    mustLink: [],
    cannotLink: [],
  });
  t.same(partition(corroborated.clusterOf), [[0], [1]], 'a corroborated fuzzy match is vetoed too');
  t.same(corroborated.candidates.length, 1, 'and listed');
  t.end();
});

t.test('the veto neither stops identifier joins, an operator join, nor a source that re-created its records', (t) => {
  const result = clusterRecords({
    members: membersWithVetoes(['de', ['uuid:1']], ['zh', ['uuid:2']], ['ckan!', ['uuid:3']], ['ckan', ['uuid:4']], ['x', ['uuid:5']], ['y', ['uuid:6']]),
    strongGroups: [group('agency', 'A41000000G-000001', 0, 1), group('landing', 'https://ckan.tw/dataset/a', 2, 3)],
    fuzzyGroups: [],
    mustLink: [[4, 5]],
    cannotLink: [],
  });
  t.same(partition(result.clusterOf), [
    [0, 1],
    [2, 3],
    [4, 5],
  ]);
  t.same(result.candidates, []);
  t.end();
});

t.test('lookalike keys list candidates across sources and join nothing', (t) => {
  const result = clusterRecords({
    members: members('es', 'mx', 'ar', 'mx'),
    strongGroups: [group('agency', 'A', 1, 2)],
    fuzzyGroups: [],
    lookalikeGroups: [group('lookalike', 'registro|abc', 0, 1, 2), group('lookalike', 'informe|def', 1, 3)],
    mustLink: [],
    cannotLink: [],
  });
  t.same(partition(result.clusterOf), [[0], [1, 2], [3]]);
  t.same(
    result.candidates.map((c) => [c.a, c.b, c.value]),
    [
      [0, 1, 'registro|abc'],
      [0, 2, 'registro|abc'],
    ],
    'pairs of different sources in different clusters; two listed records of one source are no pair',
  );
  t.end();
});
