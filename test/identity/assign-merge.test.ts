import t from 'tap';
import { assignDatasetIds, type AssignMember } from '../../src/identity/assign.js';
import { compareMembers, mergeRecords, type RankedMember } from '../../src/identity/merge.js';
import type { NationalRecord } from '../../src/model/record.js';

function member(naturalId: string, sourceId: string, previousDatasetId: string | null = null): AssignMember {
  return { naturalId, sourceId, previousDatasetId };
}

/** Clusters as lists; `existing`: identifiers held now, with when their datasets were created. */
function assign(input: { clusters: AssignMember[][]; existing: ReadonlyMap<string, string> }): ReturnType<typeof assignDatasetIds> {
  return assignDatasetIds({
    clusterCount: input.clusters.length,
    membersOf: (c) => input.clusters[c]!,
    isTaken: (id) => input.existing.has(id),
    createdAt: (id) => input.existing.get(id),
  });
}

t.test('dataset identifiers: kept across re-harvests and joins, new ones named after the best member', (t) => {
  const existing = new Map([
    ['A-1', '2026-01-01T00:00:00Z'],
    ['A-2', '2026-02-01T00:00:00Z'],
  ]);
  const { datasetIds, absorbed } = assign({
    clusters: [
      [member('A-1', 'city', 'A-1'), member('A-1', 'portal', null)], // a new source joins: kept
      [member('B-9', 'city', null)], // new
    ],
    existing,
  });
  t.same(datasetIds, ['A-1', 'B-9']);
  t.same([...absorbed], []);
  t.end();
});

t.test('two datasets found to be one: the one most members held (then the older) survives, the other is absorbed', (t) => {
  const existing = new Map([
    ['OLD', '2025-01-01T00:00:00Z'],
    ['NEW', '2026-01-01T00:00:00Z'],
  ]);
  const tie = assign({ clusters: [[member('NEW', 'city', 'NEW'), member('OLD', 'portal', 'OLD')]], existing });
  t.same(tie.datasetIds, ['OLD'], 'a tie goes to the older dataset');
  t.same([...tie.absorbed], [['NEW', 0]]);

  const most = assign({ clusters: [[member('NEW', 'city', 'NEW'), member('NEW', 'hub', 'NEW'), member('OLD', 'portal', 'OLD')]], existing });
  t.same(most.datasetIds, ['NEW'], 'more members held NEW');
  t.end();
});

t.test('a split: the part holding more of the old records keeps the identifier, the other is qualified by source', (t) => {
  const existing = new Map([['A-1', '2026-01-01T00:00:00Z']]);
  const { datasetIds, absorbed } = assign({
    clusters: [[member('A-1', 'portal', 'A-1')], [member('A-1', 'city', 'A-1'), member('A-1', 'hub', 'A-1')]],
    existing,
  });
  t.same(datasetIds, ['A-1~portal', 'A-1']);
  t.same([...absorbed], []);
  const again = assign({
    clusters: [[member('A-1', 'portal', null)], [member('A-1', 'portal', null)]],
    existing: new Map([
      ['A-1', 'x'],
      ['A-1~portal', 'y'],
    ]),
  });
  t.same(again.datasetIds, ['A-1~portal~2', 'A-1~portal~3'], 'numbered when the qualified one is taken too');
  t.end();
});

const ranked = (over: Partial<RankedMember>): RankedMember => ({
  listed: true,
  priority: 0,
  firstSeenAt: '2026-01-01T00:00:00Z',
  sourceId: 's',
  nativeId: 'n',
  ...over,
});

t.test('members rank listed first, then priority, then who came first', (t) => {
  const list = [
    ranked({ sourceId: 'portal', priority: 0 }),
    ranked({ sourceId: 'gone', priority: 99, listed: false }),
    ranked({ sourceId: 'city', priority: 10 }),
    ranked({ sourceId: 'early', priority: 0, firstSeenAt: '2025-01-01T00:00:00Z' }),
  ];
  t.same(
    list.sort(compareMembers).map((m) => m.sourceId),
    ['city', 'early', 'portal', 'gone'],
  );
  t.end();
});

t.test('merge: each field from the best member that has it, lists whole, provenance per field', (t) => {
  const city: NationalRecord = {
    identifier: 'A-1',
    title: '臺北市公共自行車',
    description: '',
    keyword: [],
    distribution: [{ resourceID: 'c1', downloadURL: 'https://city/c1.csv' }],
    extensions: { sourceVocabulary: 'gen1' },
  };
  const portal: NationalRecord = {
    identifier: 'A-1',
    title: '台北市公共自行車',
    description: '各租賃站',
    keyword: ['YouBike'],
    organizationContactEmail: 'open@gov.taipei',
    distribution: [{ resourceID: 'p1' }, { resourceID: 'p2' }],
    extensions: { sourceVocabulary: 'gen2', datasetId: '1001' },
  };
  const { record, provenance } = mergeRecords('A-1', [city, portal]);
  t.equal(record.identifier, 'A-1');
  t.equal(record.title, '臺北市公共自行車');
  t.equal(record.description, '各租賃站', 'an empty string falls back');
  t.same(record.keyword, ['YouBike'], 'an empty list falls back');
  t.same(record.distribution, [{ resourceID: 'c1', downloadURL: 'https://city/c1.csv' }], "the city's distribution list, whole: never spliced");
  t.same(record.extensions, { sourceVocabulary: 'gen1', datasetId: '1001' });
  t.same(provenance, {
    title: 0,
    distribution: 0,
    description: 1,
    keyword: 1,
    organizationContactEmail: 1,
    'extensions.sourceVocabulary': 0,
    'extensions.datasetId': 1,
  });
  t.end();
});

t.test('merge: distributions are the union of the members’, one per normalised URL, the better member’s kept, provenance per item', (t) => {
  // Two platforms of equal priority publish one dataset, each listing resources the other lacks.
  const agency: NationalRecord = {
    identifier: 'A-2',
    title: 'Qualità dell’aria',
    distribution: [
      { resourceID: 'a1', format: 'CSV', downloadURL: 'https://Dati.Example.IT/Aria/Misure.csv' },
      { resourceID: 'a2', format: 'JSON', downloadURL: 'https://dati.example.it/aria/misure.json' },
      {
        resourceID: 'a3',
        format: 'CSV',
        downloadURL: 'https://Dati.Example.IT/Aria/Misure.csv',
        resourceDescription: 'a duplicate the agency itself lists: kept, as published',
      },
    ],
  };
  const aggregator: NationalRecord = {
    identifier: 'A-2',
    title: 'Qualita dell aria',
    distribution: [
      // The agency's CSV, spelled another way: one distribution, the agency's description of it.
      { resourceID: 'g1', format: 'csv', downloadURL: 'HTTP://dati.example.it:80/Aria/Misure.csv/?utm_source=portal', resourceDescription: 'copy' },
      // An API only the aggregator lists: kept, with its access URL.
      { resourceID: 'g2', format: 'API', accessURL: 'https://API.Example.IT/Aria' },
      // No URL at all: nothing to match it by, so it is not added to a list another member began.
      { resourceID: 'g3', format: 'XML' },
    ],
  };
  const mirror: NationalRecord = {
    identifier: 'A-2',
    title: 'Aria',
    distribution: [
      // The aggregator's API as a download link of the mirror: the same URL, so the same resource.
      { resourceID: 'm1', downloadURL: 'https://api.example.it/Aria#docs' },
      { resourceID: 'm2', format: 'GeoJSON', downloadURL: 'ftp://ftp.example.it/aria.geojson' },
      { resourceID: 'm3', format: 'GeoJSON', downloadURL: 'ftp://ftp.example.it/aria.geojson', resourceDescription: 'the mirror’s own duplicate' },
    ],
  };
  const { record, provenance } = mergeRecords('A-2', [agency, aggregator, mirror]);
  t.same(
    record.distribution?.map((d) => d.resourceID),
    ['a1', 'a2', 'a3', 'g2', 'm2', 'm3'],
    'the union, in member order; one distribution per normalised URL across members',
  );
  t.same(record.distribution?.[0], agency.distribution![0], 'present in both: the better member’s value, whole');
  t.same(
    record.distribution?.[3],
    { resourceID: 'g2', format: 'API', accessURL: 'https://API.Example.IT/Aria' },
    'the access URL only the second member had is kept as sent',
  );
  t.match(provenance, { title: 0, distribution: 0, 'distribution[3]': 1, 'distribution[4]': 2, 'distribution[5]': 2 });
  t.notOk('distribution[0]' in provenance, 'items from the member the list starts with need no entry of their own');

  const { record: alone, provenance: aloneProvenance } = mergeRecords('A-2', [{ identifier: 'A-2', title: 'x', distribution: [] }, aggregator]);
  t.same(alone.distribution, aggregator.distribution, 'an empty list falls back to the next member’s, whole (items without URL too)');
  t.same(aloneProvenance['distribution'], 1);
  t.end();
});

t.test('merge: a hostile member’s distributions cannot break or bloat the merge', (t) => {
  const good: NationalRecord = { identifier: 'A-3', title: 't', distribution: [{ resourceID: 'x', downloadURL: 'https://example.tw/x.csv' }] };
  const hostile = {
    identifier: 'A-3',
    title: 't',
    distribution: [
      null,
      'text',
      42,
      { downloadURL: { not: 'a string' } },
      { accessURL: '   ' },
      ...Array.from({ length: 10_005 }, (_, i) => ({ downloadURL: `https://example.tw/${i}.csv` })),
    ],
  } as unknown as NationalRecord;
  const { record } = mergeRecords('A-3', [good, hostile]);
  t.equal(record.distribution?.length, 10_000, 'the union stops at the distribution cap a record has');
  t.same(record.distribution?.[0], good.distribution![0]);
  t.same(record.distribution?.[1], { downloadURL: 'https://example.tw/0.csv' }, 'what cannot be matched is skipped, not thrown on');
  t.end();
});
