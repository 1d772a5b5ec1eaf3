/**
 * Records (gen-1, as a file source or a cross-platform API serves them) whose text holds every
 * character CSV and its readers find awkward: CR, LF and CRLF line breaks, double quotes, `,` `;`
 * and tabs, a byte-order mark inside a value, emoji (astral, ZWJ sequences), lone surrogates
 * (repaired to U+FFFD on the way in), text decoded from Big5 (trail bytes 0x5C, the backslash),
 * leading `=` `+` `-` `@` (spreadsheet formulas), very long values, and text in several languages.
 * Made up for the export tests; not a real catalogue.
 */

type Raw = Record<string, unknown>;

/** 許功蓋餐: each of these characters' Big5 code ends in 0x5C, the byte a naive reader takes for a backslash. */
export const BIG5_ORIGIN = new TextDecoder('big5').decode(Uint8Array.from([0xb3, 0x5c, 0xa5, 0x5c, 0xbb, 0x5c, 0xc0, 0x5c]));

/** A long value (about `kilobytes` KB of UTF-8) with line breaks and quotes all through it. */
export function longValue(kilobytes: number): string {
  const line = '長文 "long" value, 第二欄; tab\there\r\n';
  return line.repeat(Math.ceil((kilobytes * 1024) / Buffer.byteLength(line)));
}

function base(serial: string, title: string): Raw {
  return {
    identifier: `382000000A-${serial}`,
    title,
    categoryCode: 'A00',
    type: 'rawData',
    license: '政府資料開放授權條款-第1版',
    cost: '免費',
    publisher: '臺北市政府',
    publisherOrgCode: '382000000A',
    accrualPeriodicity: '每日',
    issued: '2024-01-15',
    modified: '2026-03-01 08:30:00',
  };
}

export function awkwardRecords(): Raw[] {
  return [
    {
      ...base('900001', 'Line feeds: Boston open data'),
      description: 'First line\nsecond line\nthird line',
      // The US catalogue's licence text: a lone line feed inside the value.
      license: 'Public Domain\nBoston Redevelopment Authority',
      notes: 'carriage\rreturn alone',
      publisherContactName: 'CRLF\r\ninside',
      language: 'en',
      keyword: ['line\nfeed', 'open data'],
      distribution: [
        { resourceID: '382000000A-900001-001', format: 'CSV', resourceDescription: 'two\nlines', downloadURL: 'https://data.boston.gov/export/a.csv' },
      ],
    },
    {
      ...base('900002', '引號 "quoted" title, with comma; and semicolon\tand tab'),
      description: '"', // a value that is only a quote
      notes: ',',
      publisher: '交通局 "公路總局", 第二;第三',
      publisherContactPhone: '\t02-1234\t',
      keyword: ['"q"', 'a,b', 'c;d', 'e\tf'],
      landingPage: 'https://example.gov.tw/?a="1"&b=2,3;4',
      distribution: [
        { resourceID: '382000000A-900002-001', format: 'CSV', resourceDescription: 'say "hi", then; stop', downloadURL: 'https://example.gov.tw/f.csv;v=1' },
        { resourceID: '382000000A-900002-002', format: 'JSON', characterSetCode: 'UTF-8', accessURL: 'https://example.gov.tw/api?q="x"' },
      ],
    },
    {
      ...base('900003', '\uFEFF開頭有 BOM 的名稱'),
      description: 'BOM\uFEFFinside and at the end\uFEFF',
      notes: 'emoji 🚲🚌 👨‍👩‍👧 👍🏽 🇹🇼 𠀋',
      publisher: `${BIG5_ORIGIN}（Big5 來源）`,
      keyword: ['🚲', BIG5_ORIGIN],
    },
    {
      ...base('900004', 'lone \uD800 high and \uDC00 low surrogates'),
      description: 'end with a lone high \uD83D',
      notes: '\uDE00 start with a lone low',
    },
    {
      ...base('900005', '=HYPERLINK("https://example.com","click")'),
      description: '+886 2 2720 8889',
      notes: '@SUM(A1:A3)',
      publisherContactPhone: '-1+1',
      publisherContactName: '=1+1',
      keyword: ['=cmd', '+x', '-y', '@z'],
    },
    {
      ...base('900006', 'Dati aperti della Città di Torino – «trasporti»'),
      description: `Straße, Größe; Año "señal"\r\n${longValue(300)}`,
      notes: 'Ñandú, ça va; Übung',
      language: 'it',
      publisher: 'Città di Torino',
    },
    {
      ...base('900007', '   spaces around   '),
      description: '\r\n',
      notes: ' ',
      publisher: 'Ayuntamiento de Madrid',
      language: 'es',
    },
  ];
}
