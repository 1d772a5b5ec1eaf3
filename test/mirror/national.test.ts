import t from 'tap';
import { MAPPERS } from '../../src/mapping/index.js';
import type { NationalRecord } from '../../src/model/record.js';
import { runErrors } from '../../src/store/runs.js';
import { created, feedRecord, mirrorStore, startFakeFeed } from './fake-feed.js';

/**
 * The change feed's `national` form in the mirror: stored as the upstream stores it (so the
 * mirror's views equal the upstream's, extensions included), the gen-1 record mapped instead when
 * an older upstream sends none, and every bad `national` an error of that record's change only,
 * checked as untrusted input (types, unknown fields, sizes, nesting), while the sync goes on.
 */

type Raw = Record<string, unknown>;
const AT = '2026-11-24T01:02:03Z';
const id = (n: number): string => `A41000000G-${String(n).padStart(6, '0')}`;

/** The dataset as an upstream gateway stores it: its gen-1 record mapped, with gen-2's extensions. */
function national(identifier: string, overrides: Raw = {}): Raw {
  const mapped = MAPPERS['tw-national'](feedRecord(identifier));
  if (!mapped.ok) throw new Error('the fixture record does not map');
  const record: NationalRecord = mapped.record;
  return {
    ...record,
    distribution: record.distribution!.map((d) => ({ ...d, extensions: { resourceField: 'year(年)', resourceAmount: 12 } })),
    extensions: {
      datasetId: '1001',
      categoryTheme: '交通',
      dataQuality: '銀標章',
      sourceVocabulary: 'gen2',
      unknownKeys: { viewCount: 42 },
      sourceExtras: { 'dct:accrualPeriodicity': { '@id': 'freq:monthly' } },
    },
    ...overrides,
  };
}

/** A change carrying both forms: the gen-1 `record` every client reads, and `national`. */
const withNational = (identifier: string, value: unknown, kind: 'created' | 'updated' = 'created') => ({
  identifier,
  kind,
  at: AT,
  record: feedRecord(identifier),
  national: value,
});

const storedText = (db: import('../../src/store/database.js').Db, identifier: string) =>
  db.prepare('SELECT payload, record FROM source_payloads WHERE native_id = ?').raw().get(identifier) as [string, string] | undefined;

t.test('national is stored as the upstream stores it; from an older upstream, the gen-1 record is mapped', async (t) => {
  const upstreamForm = national(id(1), { title: '資料集 1（national）' });
  const feed = await startFakeFeed(t, [[withNational(id(1), upstreamForm), created(id(2))]]);
  const mirror = await mirrorStore(t, feed.url);
  const first = await mirror.sync();
  t.equal(first.status, 'succeeded', first.message ?? '');
  t.match(first.counts, { seen: 2, created: 2, rejected: 0, flagged: 0, errors: 0 });
  t.same(storedText(mirror.db, id(1)), [JSON.stringify(upstreamForm), JSON.stringify(upstreamForm)], "payload and record: the upstream's stored text");
  const one = mirror.live().get(id(1))!;
  t.equal(one.title, '資料集 1（national）', 'national, not the gen-1 record, is what is stored');
  t.match(one.extensions, { datasetId: '1001', dataQuality: '銀標章', sourceVocabulary: 'gen2', unknownKeys: { viewCount: 42 } });
  t.match(one.distribution, [{ extensions: { resourceAmount: 12 } }]);
  const keys = mirror.db.prepare("SELECT value FROM record_keys WHERE native_id = ? AND kind = 'datasetId'").pluck().all(id(1));
  t.same(keys, ['data.gov.tw/1001'], "data.gov.tw's datasetId is an identity key here as upstream");
  t.same(mirror.live().get(id(2))!.extensions, { sourceVocabulary: 'gen1' }, 'no national (an older upstream): the gen-1 record, mapped');

  // The upstream is upgraded: its next change for dataset 2 carries national; stored once, then unchanged.
  const upgraded = national(id(2));
  feed.pages.push([withNational(id(2), upgraded, 'updated')]);
  const second = await mirror.sync();
  t.match(second.counts, { seen: 1, updated: 1, unchanged: 0 }, 'the same dataset, now with its extensions');
  t.equal(storedText(mirror.db, id(2))![1], JSON.stringify(upgraded));
  feed.pages.push([withNational(id(2), upgraded, 'updated')]);
  t.match((await mirror.sync()).counts, { seen: 1, updated: 0, unchanged: 1 }, 'the same national again: unchanged');
});

t.test('a bad national is an error of that record only: the sync goes on, a copy stored before stays', async (t) => {
  let nested: unknown = 'leaf';
  for (let depth = 0; depth < 40; depth += 1) nested = { level: nested };
  const good = (n: number) => national(id(n));
  const withDistribution = (n: number, change: Raw) => {
    const base = good(n);
    const [first] = base['distribution'] as Raw[];
    return { ...base, distribution: [{ ...first, ...change }] };
  };
  const withExtensions = (n: number, change: Raw) => ({ ...good(n), extensions: { ...(good(n)['extensions'] as Raw), ...change } });
  const withoutIdentifier = (value: Raw): Raw => Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'identifier'));
  // [the national form of dataset n, field, rule]: case i is sent for dataset 2 + i.
  const cases: Array<[(n: number) => unknown, string | undefined, string]> = [
    [() => null, 'national', 'type'],
    [(n) => [good(n)], 'national', 'type'],
    [(n) => JSON.stringify(good(n)), 'national', 'type'],
    [(n) => ({ ...good(n), viewCount: 1 }), 'national.viewCount', 'unknown-field'],
    [(n) => ({ ...good(n), title: 5 }), 'national.title', 'type'],
    [(n) => ({ ...good(n), title: '  ' }), 'national.title', 'required'],
    [(n) => ({ ...good(n), keyword: '交通' }), 'national.keyword', 'type'],
    [(n) => ({ ...good(n), keyword: ['交通', 1] }), 'national.keyword[1]', 'type'],
    [(n) => ({ ...good(n), numberOfData: '12' }), 'national.numberOfData', 'type'],
    [(n) => ({ ...good(n), distribution: { format: 'CSV' } }), 'national.distribution', 'type'],
    [(n) => ({ ...good(n), distribution: [...(good(n)['distribution'] as Raw[]), 'x'] }), 'national.distribution[1]', 'type'],
    [(n) => withDistribution(n, { extensions: { resourceAmount: '12' } }), 'national.distribution[0].extensions.resourceAmount', 'type'],
    [(n) => withDistribution(n, { size: 3 }), 'national.distribution[0].size', 'unknown-field'],
    [(n) => withDistribution(n, { extensions: { resourceIDSynthesised: 'yes' } }), 'national.distribution[0].extensions.resourceIDSynthesised', 'type'],
    [(n) => ({ ...good(n), extensions: [] }), 'national.extensions', 'type'],
    [(n) => withoutIdentifier(good(n)), 'national.identifier', 'required'],
    [(n) => withExtensions(n, { sourceVocabulary: 'rdf' }), 'national.extensions.sourceVocabulary', 'enum'],
    [(n) => withExtensions(n, { datasetId: 1001 }), 'national.extensions.datasetId', 'type'],
    [(n) => withExtensions(n, { resourceIDSynthesised: true }), 'national.extensions.resourceIDSynthesised', 'unknown-field'],
    [(n) => withExtensions(n, { unknownKeys: 'viewCount' }), 'national.extensions.unknownKeys', 'type'],
    [(n) => withExtensions(n, { sourceExtras: { deep: nested } }), 'national.extensions.sourceExtras', 'too-deep'],
    [(n) => ({ ...good(n), identifier: id(999) }), 'identifier', 'identifier-mismatch'],
    [(n) => ({ ...good(n), distribution: Array.from({ length: 4 }, () => (good(n)['distribution'] as Raw[])[0]) }), 'national.distribution', 'too-many'],
    [(n) => ({ ...good(n), description: 'x'.repeat(30_000) }), undefined, 'too-large'],
    // An own "__proto__" key, as JSON.parse makes it: refused, and nothing reaches Object.prototype.
    [(n) => JSON.parse(JSON.stringify(good(n)).replace(/^\{/, '{"__proto__":{"polluted":true},')), 'national.__proto__', 'unknown-field'],
    [(n) => ({ ...good(n), ['constructor']: 'x' }), 'national.constructor', 'unknown-field'],
  ];
  const base = 2;
  const badChanges = cases.map(([make], index) => withNational(id(base + index), make(base + index)));
  const feed = await startFakeFeed(t, [
    [withNational(id(1), good(1))],
    [
      ...badChanges,
      // Dataset 1, stored above: a bad change for it leaves the stored copy live, as it was.
      withNational(id(1), { ...good(1), title: '資料集 1（修訂）', numberOfData: 'many' }, 'updated'),
      // Kept and flagged, as a harvest keeps a record that breaks the standard: the upstream serves it.
      withNational(id(90), { ...national(id(90)), distribution: [{ resourceID: `${id(90)}-001`, format: 'CSV', downloadURL: 'not a url' }] }),
      withNational(id(91), good(91)),
    ],
  ]);
  const mirror = await mirrorStore(t, feed.url);
  const summary = await mirror.sync({ limits: { maxRecordBytes: 20_000, maxDistributions: 3 } });
  t.equal(summary.status, 'succeeded', 'records sent broken do not spoil the sync');
  t.match(summary.counts, { seen: 1 + cases.length + 3, created: 3, updated: 0, rejected: cases.length + 1, flagged: 1 });
  t.same([...mirror.live().keys()], [id(1), id(90), id(91)], 'the good ones, and the flagged one');
  t.equal(mirror.live().get(id(1))!.title, '資料集 A41000000G-000001', 'the copy stored before stays, live');
  t.equal(mirror.cursor(), 'c2', 'the cursor moved past both pages');

  const errors = runErrors(mirror.db, summary.runId!);
  const mapErrors = errors.filter((e) => e.stage === 'map');
  t.equal(mapErrors.length, cases.length + 1, 'one error per bad change');
  cases.forEach(([, field, rule], index) => {
    const error = mapErrors.find((e) => e.nativeId === id(base + index));
    t.match(error, { field, rule }, `${id(base + index)}: ${field ?? '(the record)'} [${rule}]: ${error?.message ?? 'no error'}`);
  });
  t.match(
    mapErrors.find((e) => e.nativeId === id(1)),
    { field: 'national.numberOfData', rule: 'type', message: /^national: numberOfData must be a number, got "many"$/ },
  );
  const errorOf = (field: string | undefined, rule: string) =>
    mapErrors.find((e) => e.nativeId === id(base + cases.findIndex(([, f, r]) => f === field && r === rule)));
  t.match(errorOf('national.distribution', 'too-many'), { message: /4 distributions, over the cap of 3/ });
  t.match(errorOf(undefined, 'too-large'), { message: /over the cap of 20000/ });
  t.match(errorOf('identifier', 'identifier-mismatch'), { message: /is for A41000000G-\d+ but its record's identifier is "A41000000G-000999"/ });
  t.match(
    mapErrors.find((e) => e.nativeId === id(2)),
    { message: /national: the record must be an object, got null/ },
  );
  t.ok(
    errors.some((e) => e.stage === 'validate' && e.nativeId === id(90) && e.field === 'distribution[0].downloadURL' && e.rule === 'url'),
    'the flagged record: its rule breaks are errors of the run',
  );
  t.notOk(
    errors.some((e) => e.nativeId === id(91)),
    'the good record: none',
  );
  t.equal(({} as Raw)['polluted'], undefined, 'nothing leaked into Object.prototype');

  // The upstream fixes one: its next change is taken.
  feed.pages.push([withNational(id(5), good(5), 'updated')]);
  t.match((await mirror.sync()).counts, { created: 1, rejected: 0 });
  t.ok(mirror.live().has(id(5)));
});
