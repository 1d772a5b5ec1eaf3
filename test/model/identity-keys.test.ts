import t from 'tap';
import {
  corroborates,
  corroborationSignals,
  identityKeys,
  KEY_KINDS_BY_STRENGTH,
  MAX_KEY_VALUE_LENGTH,
  MAX_KEYS_PER_KIND,
  STRONG_KEY_KINDS,
  URL_KEY_KINDS,
  vetoKeyOf,
  type IdentityKey,
  type IdentityKeyKind,
} from '../../src/model/identity-keys.js';
import type { NationalDistribution, NationalRecord } from '../../src/model/record.js';

const CKAN_ID = '6e8bc430-9c3a-11d9-9669-0800200c9a66';

/** A record with only what identity needs; `identifier` is a local serial that yields no key alone. */
function record(fields: Partial<NationalRecord> = {}): NationalRecord {
  return { identifier: '', title: '', ...fields };
}

function keysOf(kind: IdentityKeyKind, value: NationalRecord): string[] {
  return identityKeys(value)
    .filter((key) => key.kind === kind)
    .map((key) => key.value);
}

/** Pretend JSON gave us what the declared type forbids. */
function untyped<T>(value: unknown): T {
  return value as T;
}

t.test('kinds by strength', async (t) => {
  t.same(KEY_KINDS_BY_STRENGTH, ['agency', 'datasetId', 'uri', 'landing', 'download', 'fuzzy', 'lookalike']);
  t.same([...URL_KEY_KINDS], ['landing', 'download']);
  t.same(STRONG_KEY_KINDS, ['agency', 'datasetId', 'uri', 'landing', 'download']);
  t.equal(MAX_KEY_VALUE_LENGTH, 2_000);
  t.equal(MAX_KEYS_PER_KIND, 50);
});

t.test('agency: an identifier in the national pattern', async (t) => {
  t.same(keysOf('agency', record({ identifier: 'A41000000G-000001' })), ['A41000000G-000001']);
  t.same(keysOf('agency', record({ identifier: '  a41000000g-000001 ' })), ['A41000000G-000001'], 'trimmed and upper-cased');
  t.same(
    keysOf('agency', record({ identifier: 'a41000000g-000001', publisherOrgCode: 'A41000000G' })),
    ['A41000000G-000001'],
    'not qualified again: the org code is in it',
  );
  t.same(keysOf('agency', record({ identifier: '379000000A_0-00001a' })), [], 'eleven characters before the dash is no pattern identifier');
});

t.test('agency: another identifier is qualified by the publisher', async (t) => {
  t.same(keysOf('agency', record({ identifier: '001', publisherOrgCode: '379000000a' })), ['379000000A:001'], 'org code upper-cased');
  t.same(keysOf('agency', record({ identifier: '001', publisherOID: '2.16.886.101.20003.20065' })), ['2.16.886.101.20003.20065:001']);
  t.same(
    keysOf('agency', record({ identifier: ' 001 ', publisherOrgCode: ' 379000000A ', publisherOID: '2.16.886.101.20003.20065' })),
    ['2.16.886.101.20003.20065:001', '379000000A:001'],
    'both qualifiers: one key each, so a copy carrying only one still matches',
  );
  t.not(
    keysOf('agency', record({ identifier: '001', publisherOrgCode: '379000000A' }))[0],
    keysOf('agency', record({ identifier: '001', publisherOrgCode: '383000000A' }))[0],
    '`001` of two agencies differ',
  );
  t.same(keysOf('agency', record({ identifier: 'Bus-Stops', publisherOrgCode: '379000000A' })), ['379000000A:Bus-Stops'], 'a local id keeps its case');
  t.same(
    keysOf('agency', record({ identifier: 'urn:isbn:9789860000000', publisherOrgCode: '379000000A' })),
    ['379000000A:urn:isbn:9789860000000'],
    'a URI of another scheme is no uri key: qualified',
  );
  t.same(
    keysOf('agency', record({ identifier: 'http://exa mple.com/x', publisherOrgCode: '379000000A' })),
    ['379000000A:http://exa mple.com/x'],
    'a broken URL is just text',
  );
});

t.test('agency: none without a qualifier, or for a URI or UUID', async (t) => {
  t.same(keysOf('agency', record({ identifier: '001' })), [], 'no publisher code: a bare serial identifies nothing');
  t.same(keysOf('agency', record({ identifier: '001', publisherOrgCode: '   ', publisherOID: '' })), [], 'blank qualifiers');
  t.same(keysOf('agency', record({ identifier: 'https://data.taipei/dataset/abc', publisherOrgCode: '379000000A' })), [], 'http(s) URI');
  t.same(keysOf('agency', record({ identifier: 'https://data.taipei/', publisherOrgCode: '379000000A' })), [], 'a bare-host URI is still a URI');
  t.same(keysOf('agency', record({ identifier: CKAN_ID.toUpperCase(), publisherOrgCode: '379000000A' })), [], 'UUID');
  t.same(keysOf('agency', record({ identifier: `urn:uuid:${CKAN_ID}`, publisherOrgCode: '379000000A' })), [], 'UUID URN');
  t.same(keysOf('agency', record({ identifier: '   ', publisherOrgCode: '379000000A' })), [], 'blank identifier');
  t.same(keysOf('agency', record({ identifier: untyped<string>(42), publisherOrgCode: '379000000A' })), [], 'identifier not a string at run time');
});

t.test('datasetId: data.gov.tw numeric id', async (t) => {
  t.same(keysOf('datasetId', record({ extensions: { datasetId: '6564' } })), ['data.gov.tw/6564']);
  t.same(keysOf('datasetId', record({ extensions: { datasetId: ' 006564 ' } })), ['data.gov.tw/6564'], 'trimmed, leading zeros dropped');
  t.same(keysOf('datasetId', record({ extensions: { datasetId: '0' } })), ['data.gov.tw/0']);
  t.same(keysOf('datasetId', record({ extensions: { datasetId: untyped<string>(6564) } })), ['data.gov.tw/6564'], 'a number at run time');
  for (const bad of ['', 'abc', '65-64', '6564a', '1e5', '-1', '1'.repeat(21)]) {
    t.same(keysOf('datasetId', record({ extensions: { datasetId: bad } })), [], JSON.stringify(bad));
  }
  t.same(keysOf('datasetId', record({ extensions: { datasetId: untyped<string>(1.5) } })), [], 'not an integer');
  t.same(keysOf('datasetId', record({ extensions: untyped({ datasetId: { nid: 1 } }) })), [], 'an object');
});

t.test('uri: the identifier as an http(s) URI or UUID', async (t) => {
  t.same(keysOf('uri', record({ identifier: 'HTTP://Data.Taipei./dataset/abc/?utm_source=x#top' })), ['https://data.taipei/dataset/abc']);
  t.same(keysOf('uri', record({ identifier: CKAN_ID.toUpperCase() })), [`urn:uuid:${CKAN_ID}`], 'UUID lower-cased');
  t.same(keysOf('uri', record({ identifier: ` URN:UUID:${CKAN_ID} ` })), [`urn:uuid:${CKAN_ID}`], 'UUID URN');
  t.same(keysOf('uri', record({ identifier: '00000000-0000-0000-0000-000000000000' })), [], 'nil UUID is a placeholder');
  t.same(keysOf('uri', record({ identifier: 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF' })), [], 'max UUID is a placeholder');
  t.same(keysOf('uri', record({ identifier: 'https://data.taipei/' })), [], 'a bare host names no dataset');
  for (const bad of ['ftp://h.tw/x', 'javascript:alert(1)', 'urn:isbn:9789860000000', 'A41000000G-000001', '6e8bc4309c3a11d996690800200c9a66']) {
    t.same(keysOf('uri', record({ identifier: bad })), [], bad);
  }
});

t.test('uri: identifiers kept in sourceExtras', async (t) => {
  const dctIdentifier = record({ identifier: 'A41000000G-000001', extensions: { sourceExtras: { 'dct:identifier': 'https://data.taipei/dataset/abc' } } });
  t.same(keysOf('uri', dctIdentifier), ['https://data.taipei/dataset/abc'], 'dct:identifier as one string');

  const dctIdentifiers = record({
    identifier: 'A41000000G-000001',
    extensions: { sourceExtras: { 'dct:identifier': ['https://data.taipei/dataset/abc', CKAN_ID.toUpperCase(), 'local-7', '', 'ftp://h/x'] } },
  });
  t.same(keysOf('uri', dctIdentifiers), ['https://data.taipei/dataset/abc', `urn:uuid:${CKAN_ID}`], 'dct:identifier list: URIs and UUIDs only');

  const adms = record({
    identifier: 'https://dcat.example.org/id',
    extensions: {
      sourceExtras: {
        'adms:identifier': [
          {
            '@id': 'https://dcat.example.org/iddoi',
            '@type': 'adms:Identifier',
            'adms:schemaAgency': 'International DOI Foundation',
            'skos:notation': { '@value': 'https://doi.org/10.5281/zenodo.1486279', '@type': 'xsd:anyURI' },
            'dct:creator': { '@id': 'https://dcat.example.org/InternationalDOIFundation', 'foaf:homepage': { '@id': 'https://www.doi.org/' } },
          },
          { '@id': 'https://dcat.example.org/sid' },
          'https://example.org/plain-string-identifier',
          { '@value': 'https://example.org/literal', '@type': 'xsd:anyURI' },
          { 'http://www.w3.org/2004/02/skos/core#notation': 'https://example.org/uncompacted' },
          { notation: ['https://example.org/notation-a', 'https://example.org/notation-b'] },
          { value: `urn:uuid:${CKAN_ID}` },
          { 'skos:notation': { '@value': '6564', '@type': 'xsd:string' } },
          null,
          42,
          { 'skos:notation': { 'skos:notation': { 'skos:notation': { 'skos:notation': { '@value': 'https://example.org/too-deep' } } } } },
        ],
      },
    },
  });
  t.same(
    keysOf('uri', adms),
    [
      'https://dcat.example.org/id',
      'https://doi.org/10.5281/zenodo.1486279',
      'https://example.org/literal',
      'https://example.org/notation-a',
      'https://example.org/notation-b',
      'https://example.org/plain-string-identifier',
      'https://example.org/uncompacted',
      `urn:uuid:${CKAN_ID}`,
    ],
    'adms:identifier: strings, @value, notation; not an @id (it names the identifier node), not nested forever',
  );

  const ckanCopy = record({ identifier: 'A41000000G-000001', extensions: { sourceExtras: { id: CKAN_ID } } });
  const ckanOriginal = record({ identifier: CKAN_ID });
  t.same(keysOf('uri', ckanCopy), keysOf('uri', ckanOriginal), "CKAN's package id kept in extras meets the record identified by it");
  t.same(keysOf('uri', record({ extensions: { sourceExtras: { id: 'my-package-name' } } })), [], 'a CKAN id that is no UUID');
  t.same(keysOf('uri', record({ extensions: untyped({ sourceExtras: ['https://h.tw/x'] }) })), [], 'sourceExtras not an object');
  t.same(keysOf('uri', record({ extensions: untyped({ sourceExtras: { 'dct:identifier': { '@id': 'https://h.tw/x' } } }) })), [], 'an @id alone');
});

t.test('uri: a hostile identifier list is bounded', async (t) => {
  const many = Array.from({ length: 1_000_000 }, (_, i) => `https://h.tw/dataset/${i}`);
  const started = Date.now();
  const uris = keysOf(
    'uri',
    record({ identifier: 'https://h.tw/dataset/own', extensions: { sourceExtras: { 'dct:identifier': many, 'adms:identifier': many, id: many } } }),
  );
  t.equal(uris.length, MAX_KEYS_PER_KIND, 'at most MAX_KEYS_PER_KIND uri keys');
  t.ok(uris.includes('https://h.tw/dataset/own'), "the record's own identifier comes first and is kept");
  t.ok(uris.includes('https://h.tw/dataset/48') && !uris.includes('https://h.tw/dataset/49'), 'then the first ones in order');
  const junk = Array.from({ length: 1_000_000 }, () => 'not an identifier');
  t.same(keysOf('uri', record({ extensions: { sourceExtras: { 'dct:identifier': [...junk, 'https://h.tw/late'] } } })), [], 'only the first values are read');
  t.ok(Date.now() - started < 5_000, 'in reasonable time');
});

t.test('landing', async (t) => {
  t.same(keysOf('landing', record({ landingPage: 'http://data.taipei/dataset/abc/#info' })), ['https://data.taipei/dataset/abc']);
  t.same(keysOf('landing', record({ landingPage: 'https://data.taipei/' })), [], "a platform's home page names no dataset");
  t.same(keysOf('landing', record({ landingPage: 'https://data.taipei/?utm_source=fb' })), [], 'home page with tracking only');
  t.same(keysOf('landing', record({ landingPage: 'https://data.taipei/?id=abc' })), ['https://data.taipei/?id=abc'], 'root with a real query is specific');
  for (const bad of ['', 'javascript:alert(1)', 'ftp://h.tw/x', '/dataset/abc', 'not a url']) {
    t.same(keysOf('landing', record({ landingPage: bad })), [], JSON.stringify(bad));
  }
  t.same(keysOf('landing', record({ landingPage: untyped<string>({ href: 'https://h.tw/x' }) })), [], 'not a string at run time');
});

t.test('download: distribution URLs', async (t) => {
  const distribution: NationalDistribution[] = [
    { downloadURL: 'http://data.taipei/api/getDatasetInfo/downloadResource?id=1&rid=a&utm_source=x' },
    { accessURL: 'https://data.taipei/dataset/abc' },
    { downloadURL: 'https://DATA.taipei/api/getDatasetInfo/downloadResource?rid=a&id=1', accessURL: 'https://data.taipei/dataset/abc/' },
    {},
    { format: 'CSV' },
    { downloadURL: '', accessURL: '   ' },
    { downloadURL: 'javascript:alert(1)', accessURL: 'ftp://h.tw/a.csv' },
    { downloadURL: 'https://data.taipei/' },
    untyped<NationalDistribution>(null),
    untyped<NationalDistribution>('https://h.tw/a-string-entry.csv'),
    untyped<NationalDistribution>({ downloadURL: 42, accessURL: ['https://h.tw/x'] }),
  ];
  t.same(
    keysOf('download', record({ distribution })),
    ['https://data.taipei/api/getDatasetInfo/downloadResource?id=1&rid=a', 'https://data.taipei/dataset/abc'],
    'downloadURL and accessURL, each once; entries without usable URLs skipped',
  );
  t.same(keysOf('download', record({ distribution: untyped({ 0: { downloadURL: 'https://h.tw/x' } }) })), [], 'distribution not an array');
  t.same(keysOf('download', record({ distribution: [] })), []);
});

t.test('download: the cap holds for 10,000 distributions', async (t) => {
  const distribution = Array.from({ length: 10_000 }, (_, i): NationalDistribution => ({
    resourceID: `r${i}`,
    downloadURL: `https://h.tw/file/${String(i).padStart(5, '0')}.csv`,
  }));
  const started = Date.now();
  const downloads = keysOf('download', record({ distribution }));
  t.equal(downloads.length, MAX_KEYS_PER_KIND);
  t.same(
    downloads,
    distribution.slice(0, MAX_KEYS_PER_KIND).map((d) => d.downloadURL),
    'the first fifty in order',
  );

  const sameUrlFirst = [...Array.from({ length: 9_000 }, (): NationalDistribution => ({ downloadURL: 'http://h.tw/same.csv' })), ...distribution];
  const deduplicated = keysOf('download', record({ distribution: sameUrlFirst }));
  t.equal(deduplicated.length, MAX_KEYS_PER_KIND, 'duplicates do not use up the cap');
  t.equal(deduplicated[MAX_KEYS_PER_KIND - 1], 'https://h.tw/same.csv', 'the repeated URL once, with the first 49 others');

  const bothUrls = Array.from({ length: 10_000 }, (_, i): NationalDistribution => ({ downloadURL: `https://h.tw/d/${i}`, accessURL: `https://h.tw/a/${i}` }));
  t.equal(keysOf('download', record({ distribution: bothUrls })).length, MAX_KEYS_PER_KIND, 'downloadURL and accessURL count together');
  t.ok(Date.now() - started < 5_000, 'in reasonable time');
});

t.test('fuzzy: title and publisher', async (t) => {
  t.same(keysOf('fuzzy', record({ title: '臺北市 公共自行車（YouBike）租賃站', publisher: '臺北市政府交通局' })), [
    '台北市公共自行車youbike租賃站|台北市政府交通局',
  ]);
  t.same(
    keysOf('fuzzy', record({ title: '臺北市 公共自行車（YouBike）租賃站', publisher: '臺北市政府交通局' })),
    keysOf('fuzzy', record({ title: '台北市公共自行車(ｙｏｕｂｉｋｅ)租賃站 ', publisher: ' 台北市政府 交通局' })),
    'the city platform and the national copy agree',
  );
  t.same(keysOf('fuzzy', record({ title: '預算書' })), [], 'no publisher: too weak');
  t.same(keysOf('fuzzy', record({ title: '預算書', organization: '臺北市政府' })), ['預算書|台北市政府'], 'organization when no publisher');
  t.same(keysOf('fuzzy', record({ title: '預算書', publisherOrgCode: '379000000A' })), ['預算書|379000000a'], 'org code as the last resort');
  t.same(keysOf('fuzzy', record({ title: '預算書', publisherOID: '2.16.886.101.20003' })), ['預算書|21688610120003']);
  t.same(
    keysOf('fuzzy', record({ title: '預算書', publisher: ' （ ） ', organization: '臺北市政府' })),
    ['預算書|台北市政府'],
    'a publisher blank after normalisation falls through',
  );
  t.same(keysOf('fuzzy', record({ title: '「」—', publisher: '臺北市政府' })), [], 'a title of punctuation only');
  t.same(keysOf('fuzzy', record({ title: '', publisher: '臺北市政府' })), [], 'empty title');
  t.same(keysOf('fuzzy', record({ title: untyped<string>(undefined), publisher: '臺北市政府' })), [], 'title missing at run time');
  t.same(
    keysOf('fuzzy', record({ title: '甲|乙', publisher: '丙' })),
    keysOf('fuzzy', record({ title: '甲乙', publisher: '丙' })),
    'a `|` in the text cannot shift the separator',
  );
});

t.test('bounds: overlong values are skipped, not truncated', async (t) => {
  const longPath = `https://h.tw/${'a'.repeat(MAX_KEY_VALUE_LENGTH)}`;
  t.same(keysOf('landing', record({ landingPage: longPath })), [], 'a canonical URL over the limit');
  const fitting = `https://h.tw/${'a'.repeat(MAX_KEY_VALUE_LENGTH - 'https://h.tw/'.length)}`;
  t.same(keysOf('landing', record({ landingPage: fitting })), [fitting], 'exactly at the limit is kept');
  t.same(keysOf('fuzzy', record({ title: '資'.repeat(MAX_KEY_VALUE_LENGTH), publisher: '臺北市政府' })), [], 'an overlong fuzzy key');
  t.same(keysOf('agency', record({ identifier: 'x'.repeat(MAX_KEY_VALUE_LENGTH), publisherOrgCode: '379000000A' })), [], 'an overlong qualified identifier');

  const megabyte = 'x'.repeat(1_000_000);
  const hostile = record({
    identifier: `https://h.tw/${megabyte}`,
    title: megabyte,
    publisher: megabyte,
    description: megabyte,
    landingPage: `https://h.tw/${megabyte}`,
    issued: `2021-08-01${megabyte}`,
    distribution: [{ downloadURL: `https://h.tw/${megabyte}`, accessURL: 'https://h.tw/ok.csv' }],
  });
  const started = Date.now();
  t.same(identityKeys(hostile), [{ kind: 'download', value: 'https://h.tw/ok.csv' }], 'megabyte values give no key and break nothing');
  const signals = corroborationSignals(hostile);
  t.ok(
    signals.every((signal) => signal.length <= MAX_KEY_VALUE_LENGTH),
    'every signal within the limit',
  );
  t.ok(Date.now() - started < 5_000, 'in reasonable time');
});

t.test('keys: deduplicated, strongest kind first, then by value', async (t) => {
  const cityRecord = record({
    identifier: 'a41000000g-000001',
    title: '臺北市 公共自行車（YouBike）租賃站',
    publisher: '臺北市政府交通局',
    landingPage: 'https://data.taipei/dataset/abc',
    distribution: [
      { downloadURL: 'https://data.taipei/z.csv', accessURL: 'https://data.taipei/dataset/abc' },
      { downloadURL: 'https://data.taipei/a.json' },
      { downloadURL: 'http://data.taipei/z.csv#again' },
    ],
    extensions: { datasetId: '6564', sourceExtras: { 'dct:identifier': ['https://data.taipei/dataset/abc', 'https://data.taipei/dataset/abc/'], id: CKAN_ID } },
  });
  const expected: IdentityKey[] = [
    { kind: 'agency', value: 'A41000000G-000001' },
    { kind: 'datasetId', value: 'data.gov.tw/6564' },
    { kind: 'uri', value: 'https://data.taipei/dataset/abc' },
    { kind: 'uri', value: `urn:uuid:${CKAN_ID}` },
    { kind: 'landing', value: 'https://data.taipei/dataset/abc' },
    { kind: 'download', value: 'https://data.taipei/a.json' },
    { kind: 'download', value: 'https://data.taipei/dataset/abc' },
    { kind: 'download', value: 'https://data.taipei/z.csv' },
    { kind: 'fuzzy', value: '台北市公共自行車youbike租賃站|台北市政府交通局' },
  ];
  t.same(identityKeys(cityRecord), expected, 'one URL under three kinds is three keys; under one kind, one');
  const shuffled = { ...cityRecord, distribution: [...cityRecord.distribution!].reverse() };
  t.same(identityKeys(shuffled), expected, 'distribution order does not change the result');
  t.same(identityKeys(record()), [], 'an empty record has no keys');
  t.same(
    identityKeys(record({ identifier: untyped<string>(null), title: untyped<string>(null), extensions: untyped(null), distribution: untyped(null) })),
    [],
    'nulls everywhere',
  );
});

t.test('keys: one dataset on three platforms shares keys', async (t) => {
  const city = record({
    identifier: '379000000A-000123',
    title: '臺北市公共自行車租賃站',
    publisher: '臺北市政府交通局',
    landingPage: 'https://data.taipei/dataset/detail?id=abc',
    distribution: [{ downloadURL: 'https://tcgbusfs.blob.core.windows.net/dotapp/youbike/v2/youbike_immediate.json' }],
  });
  const national = record({
    identifier: '379000000a-000123',
    title: '台北市公共自行車租賃站',
    publisher: '台北市政府交通局',
    landingPage: 'https://data.gov.tw/dataset/6564',
    distribution: [{ downloadURL: 'http://tcgbusfs.blob.core.windows.net/dotapp/youbike/v2/youbike_immediate.json?utm_source=data.gov.tw' }],
    extensions: { datasetId: '6564' },
  });
  const mirror = record({
    identifier: 'youbike-stations',
    title: '台北市 公共自行車 租賃站',
    publisher: '臺北市政府交通局',
    landingPage: 'https://mirror.example.org/dataset/youbike-stations',
    distribution: [{ downloadURL: 'https://tcgbusfs.blob.core.windows.net/dotapp/youbike/v2/youbike_immediate.json/' }],
  });
  const shared = (a: NationalRecord, b: NationalRecord): string[] => {
    const theirs = new Set(identityKeys(b).map((key) => `${key.kind} ${key.value}`));
    return identityKeys(a)
      .map((key) => `${key.kind} ${key.value}`)
      .filter((key) => theirs.has(key));
  };
  t.same(shared(city, national), [
    'agency 379000000A-000123',
    'download https://tcgbusfs.blob.core.windows.net/dotapp/youbike/v2/youbike_immediate.json',
    'fuzzy 台北市公共自行車租賃站|台北市政府交通局',
  ]);
  t.same(shared(city, mirror), [
    'download https://tcgbusfs.blob.core.windows.net/dotapp/youbike/v2/youbike_immediate.json',
    'fuzzy 台北市公共自行車租賃站|台北市政府交通局',
  ]);
});

t.test('corroborationSignals: description', async (t) => {
  const description = '本資料集提供臺北市公共自行車（YouBike）各租賃站之即時車輛數與空位數。';
  t.same(corroborationSignals(record({ description })), ['desc:本資料集提供台北市公共自行車youbike各租賃站之即時車輛數與空位數']);
  t.same(corroborationSignals(record({ description: '無' })), [], 'a short description corroborates nothing');
  t.same(corroborationSignals(record({ description: '詳見附件說明（請參閱網站）。。。。。。。。。。' })), [], 'short once punctuation is gone');
  t.same(corroborationSignals(record({ description: 'a'.repeat(19) })), [], '19 characters');
  t.same(corroborationSignals(record({ description: 'a'.repeat(20) })), [`desc:${'a'.repeat(20)}`], '20 characters');
  t.same(corroborationSignals(record({ description: untyped<string>(['long enough description text here']) })), [], 'not a string at run time');

  const long = '資'.repeat(3_000);
  const signal = corroborationSignals(record({ description: long }))[0];
  t.equal(signal, `desc:${'資'.repeat(1_000)}`, 'a long description: its first 1,000 characters');
  t.ok(
    corroborates(corroborationSignals(record({ description: long })), corroborationSignals(record({ description: `${long}（本資料每月更新）` }))),
    'a copy with an appended sentence still corroborates',
  );
  const astral = '𠀋'.repeat(1_500);
  const astralSignal = corroborationSignals(record({ description: astral }))[0]!;
  t.equal(astralSignal, `desc:${'𠀋'.repeat(500)}`, 'ideographs outside the BMP: 1,000 code units, 500 characters');
  const oddCut = corroborationSignals(record({ description: `a${astral}` }))[0]!;
  t.equal(oddCut, `desc:a${'𠀋'.repeat(499)}`, 'never half a surrogate pair');
});

t.test('corroborationSignals: resource paths under any host', async (t) => {
  const city = record({
    landingPage: 'https://data.taipei/dataset/abc',
    distribution: [{ downloadURL: 'https://data.taipei/api/v1/dataset/abc?format=csv', accessURL: 'https://data.taipei/' }, {}, untyped(null)],
  });
  t.same(corroborationSignals(city), ['path:/api/v1/dataset/abc?format=csv', 'path:/dataset/abc'], 'sorted; a bare host gives no path');
  // The mirror was on mirror.example.org before placeholder hosts stopped counting: now a real-looking host.
  const mirror = record({ distribution: [{ downloadURL: 'http://mirror.ogd-hub.tw:8080/api/v1/dataset/abc/?format=csv&utm_source=x' }] });
  t.ok(corroborates(corroborationSignals(city), corroborationSignals(mirror)), 'a mirror serving the same path');
  const template = record({
    landingPage: 'https://example.org/dataset/abc',
    distribution: [{ downloadURL: 'http://localhost:8080/api/v1/dataset/abc?format=csv' }],
  });
  t.same(corroborationSignals(template), [], 'paths on placeholder hosts corroborate nothing');
  t.same(corroborationSignals(record({ landingPage: 'javascript:alert(1)', distribution: [{ downloadURL: 'ftp://h.tw/a.csv' }] })), []);

  const distribution = Array.from({ length: 10_000 }, (_, i): NationalDistribution => ({ downloadURL: `https://h.tw/file/${i}.csv` }));
  const started = Date.now();
  const paths = corroborationSignals(record({ landingPage: 'https://h.tw/dataset/x', distribution }));
  t.equal(paths.length, MAX_KEYS_PER_KIND, '10,000 distributions: the cap holds');
  t.ok(
    paths.includes('path:/dataset/x') && paths.includes('path:/file/48.csv') && !paths.includes('path:/file/49.csv'),
    'landing page first, then the first distributions',
  );
  t.ok(Date.now() - started < 5_000, 'in reasonable time');
});

t.test('corroborationSignals: issue date', async (t) => {
  t.same(corroborationSignals(record({ issued: '2021-08-01' })), ['issued:2021-08-01']);
  t.same(corroborationSignals(record({ issued: '2021-08-01T02:00:00Z' })), ['issued:2021-08-01']);
  t.same(corroborationSignals(record({ issued: '2021-07-31T16:30:00Z' })), ['issued:2021-08-01'], 'a UTC instant is read as its Taipei calendar date');
  t.ok(corroborates(corroborationSignals(record({ issued: '2021-07-31T16:30:00Z' })), corroborationSignals(record({ issued: '2021-08-01' }))));
  t.same(
    corroborationSignals(record({ issued: '2021-02-30T10:00:00Z' })),
    ['issued:2021-02-30'],
    'no real instant: the date as written (copies of one broken value still agree)',
  );
  t.same(corroborationSignals(record({ issued: '2021-08-01 some trailing text' })), ['issued:2021-08-01'], 'a date kept verbatim with more after it');
  for (const bad of ['', '110/08/01', '2021-13-01', '2021-00-10', '2021-08-32', '2021-8-1', '2021', 'yesterday']) {
    t.same(corroborationSignals(record({ issued: bad })), [], JSON.stringify(bad));
  }
  t.same(corroborationSignals(record({ issued: untyped<string>(20210801) })), [], 'a number at run time');
});

t.test('corroborates', async (t) => {
  t.ok(corroborates(['desc:a', 'issued:2021-08-01'], ['path:/x', 'issued:2021-08-01']), 'one shared signal is enough');
  t.notOk(corroborates(['desc:a'], ['desc:b']), 'nothing shared');
  t.notOk(corroborates([], ['desc:a']), 'no signals on one side');
  t.notOk(corroborates([], []), 'none on either side');
  const many = Array.from({ length: 100_000 }, (_, i) => `path:/${i}`);
  t.ok(corroborates(many, ['path:/99999']), 'large lists');
});

t.test('landing and download URLs on placeholder hosts give no key; identifiers on them still do', async (t) => {
  const placeholders = [
    'https://example.org/dataset',
    'http://www.EXAMPLE.com./dataset/1',
    'https://data.example.net/d/1',
    'https://portal.test/d/1',
    'https://catalogue.example/d/1',
    'https://x.invalid/d/1',
    'http://localhost:5000/dataset/1',
    'http://api.localhost/d/1',
    'http://127.0.0.1:8080/d/1',
    'http://[::1]/d/1',
    'http://nas.local/d/1',
    'http://ckan.internal/d/1',
    'http://router.home.arpa/d/1',
  ];
  for (const url of placeholders) {
    const keys = identityKeys(record({ identifier: url, landingPage: url, distribution: [{ downloadURL: url, accessURL: url }] }));
    t.same(
      keys.filter((key) => key.kind === 'landing' || key.kind === 'download'),
      [],
      `${url}: no landing or download key`,
    );
  }
  t.same(
    keysOf('uri', record({ identifier: 'https://example.org/dataset/1' })),
    ['https://example.org/dataset/1'],
    'an identifier under example.org is still a uri key',
  );
  for (const url of [
    'https://example.gov/d/1',
    'https://notexample.org/d/1',
    'https://example.org.tw/d/1',
    'https://data.gov.tw/test/d/1',
    'http://10.0.0.8/d/1',
  ]) {
    t.same(keysOf('landing', record({ landingPage: url })).length, 1, `${url}: a real host keeps its key`);
  }
});

t.test('DCAT-US identifiers: qualified by the publisher, URIs of global schemes as they stand', async (t) => {
  const dcatUs = (fields: Partial<NationalRecord>): NationalRecord => record({ ...fields, extensions: { sourceVocabulary: 'dcat-us' } });
  t.same(
    keysOf('agency', dcatUs({ identifier: 'abcd-1234', publisher: 'Lakeside County Parks Department' })),
    ['dcat-us:lakesidecountyparksdepartment:abcd-1234'],
    'a Socrata id',
  );
  t.same(
    keysOf('agency', dcatUs({ identifier: 'abcd-1234', publisher: ' LAKESIDE county, Parks Department ' })),
    ['dcat-us:lakesidecountyparksdepartment:abcd-1234'],
    'the publisher compared as text is (case, spaces, punctuation); the identifier exactly',
  );
  t.same(keysOf('agency', dcatUs({ identifier: 'ABCD-1234', publisher: 'Lakeside County Parks Department' })), [
    'dcat-us:lakesidecountyparksdepartment:ABCD-1234',
  ]);
  t.same(keysOf('agency', dcatUs({ identifier: 'abcd-1234' })), [], 'no publisher: no key (the identifier is only unique within a publisher)');
  t.same(keysOf('agency', record({ identifier: 'abcd-1234', publisher: 'Lakeside County Parks Department' })), [], 'another vocabulary: no such key');
  t.same(keysOf('uri', dcatUs({ identifier: 'DOI:10.7927/H49P2ZKM', publisher: 'x' })), ['doi:10.7927/H49P2ZKM'], 'a DOI: the scheme folded, the rest as sent');
  t.same(keysOf('uri', dcatUs({ identifier: 'urn:isbn:9789860000000' })), ['urn:isbn:9789860000000']);
  t.same(keysOf('agency', dcatUs({ identifier: 'urn:isbn:9789860000000', publisher: 'x' })), [], 'a global URI is not qualified');
  t.same(
    keysOf('uri', dcatUs({ identifier: 'http://dx.doi.org/10.7927/H49P2ZKM' })),
    ['https://dx.doi.org/10.7927/H49P2ZKM'],
    'an http(s) identifier as before',
  );
  t.same(keysOf('uri', dcatUs({ identifier: 'urn:' })), [], 'a scheme alone is no URI');
  t.same(keysOf('agency', dcatUs({ identifier: 'A41000000G-000001', publisher: 'x' })), ['A41000000G-000001'], 'a national identifier as before');
});

t.test('lookalike key: title and description, only for a record naming no publisher', async (t) => {
  const description = 'Inventario de libros, préstamos y horarios de las bibliotecas municipales.';
  const [key] = keysOf('lookalike', record({ title: 'Registro de Biblioteca', description }));
  t.match(key, /^registrodebiblioteca\|[A-Za-z0-9_-]{22}$/);
  t.same(
    keysOf('lookalike', record({ title: ' REGISTRO de biblioteca', description: ` ${description.toUpperCase()} ` })),
    [key!],
    'compared as text is compared',
  );
  t.same(keysOf('lookalike', record({ title: 'Registro de Biblioteca', description: `${description} Otra frase.` })).length, 1);
  t.not(
    keysOf('lookalike', record({ title: 'Registro de Biblioteca', description: `${description} Otra frase.` }))[0],
    key,
    'another description, another key',
  );
  t.same(keysOf('lookalike', record({ title: 'Registro de Biblioteca', description, publisher: 'Ayuntamiento' })), [], 'a publisher: the fuzzy key does this');
  t.same(keysOf('lookalike', record({ title: 'Registro', description: '無' })), [], 'boilerplate description: none');
  t.same(keysOf('lookalike', record({ title: '', description })), [], 'no title: none');
  t.same(keysOf('lookalike', record({ title: 'x', description: untyped(42) })), [], 'a description that is no text: none');
});

t.test('vetoKeyOf: UUIDs and data.gov.tw ids veto, other keys do not', async (t) => {
  t.equal(vetoKeyOf('uri', `urn:uuid:${CKAN_ID}`), `uuid:${CKAN_ID}`);
  t.equal(vetoKeyOf('datasetId', 'data.gov.tw/6564'), 'datasetId:data.gov.tw/6564');
  t.equal(vetoKeyOf('uri', 'https://data.taipei/dataset/abc'), undefined, 'every portal mints its own IRI');
  t.equal(vetoKeyOf('agency', 'A41000000G-000001'), undefined);
  t.equal(vetoKeyOf('landing', 'urn:uuid:x'), undefined);
});
