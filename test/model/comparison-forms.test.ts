import t from 'tap';
import {
  hostlessUrl,
  isPlaceholderUrl,
  isUuid,
  normaliseText,
  normaliseUrl,
  normaliseUuid,
  TRACKING_QUERY_PARAMETERS,
} from '../../src/model/comparison-forms.js';

t.test('normaliseUrl: the canonical form of the brief', async (t) => {
  t.equal(normaliseUrl('https://data.taipei/dataset/abc?id=1'), 'https://data.taipei/dataset/abc?id=1');
  t.equal(normaliseUrl('HTTP://Data.Taipei./dataset/abc/?utm_source=fb&id=1#top'), 'https://data.taipei/dataset/abc?id=1');
  t.equal(normaliseUrl('  https://data.taipei/dataset/abc?id=1\n'), 'https://data.taipei/dataset/abc?id=1', 'surrounding white space trimmed');
});

t.test('normaliseUrl: http and https of one resource are one resource', async (t) => {
  t.equal(normaliseUrl('http://data.gov.tw/dataset/6564'), 'https://data.gov.tw/dataset/6564');
  t.equal(normaliseUrl('http://data.gov.tw/dataset/6564'), normaliseUrl('https://data.gov.tw/dataset/6564'));
  t.equal(normaliseUrl('hTtPs://data.gov.tw/x'), 'https://data.gov.tw/x', 'scheme in any case');
});

t.test('normaliseUrl: hosts', async (t) => {
  t.equal(normaliseUrl('https://DATA.Taipei/x'), 'https://data.taipei/x', 'upper-case host lower-cased');
  t.equal(normaliseUrl('https://data.taipei./x'), 'https://data.taipei/x', 'trailing dot removed');
  t.equal(normaliseUrl('https://data.taipei../x'), 'https://data.taipei/x', 'every trailing dot removed');
  t.equal(normaliseUrl('https://例子.測試/x'), 'https://xn--fsqu00a.xn--g6w251d/x', 'Unicode host in punycode');
  t.equal(normaliseUrl('https://例子.測試/x'), normaliseUrl('https://XN--FSQU00A.xn--g6w251d/x'), 'Unicode and punycode spellings are one host');
  t.equal(normaliseUrl('https://臺北.tw./x'), normaliseUrl('https://臺北.tw/x'), 'Unicode host with a trailing dot');
  t.equal(normaliseUrl('https://ｄａｔａ.ｔａｉｐｅｉ/x'), 'https://data.taipei/x', 'full-width host mapped as IDNA maps it');
  t.equal(normaliseUrl('http://[2001:DB8::1]/x'), 'https://[2001:db8::1]/x', 'IPv6 host compressed and lower-cased');
  t.equal(normaliseUrl('http://[2001:db8:0:0:0:0:0:1]:8080/x'), 'https://[2001:db8::1]:8080/x', 'IPv6 host with a port');
  t.equal(normaliseUrl('http://192.168.0.1/x'), 'https://192.168.0.1/x', 'IPv4 host');
  t.equal(normaliseUrl('http://0x7f.1/x'), 'https://127.0.0.1/x', 'IPv4 in another notation, as URL reads it');
});

t.test('normaliseUrl: ports', async (t) => {
  t.equal(normaliseUrl('http://data.taipei:80/x'), 'https://data.taipei/x', '80 on http');
  t.equal(normaliseUrl('https://data.taipei:443/x'), 'https://data.taipei/x', '443 on https');
  t.equal(normaliseUrl('http://data.taipei:443/x'), 'https://data.taipei/x', '443 on http (the scheme is folded)');
  t.equal(normaliseUrl('https://data.taipei:80/x'), 'https://data.taipei/x', '80 on https (the scheme is folded)');
  t.equal(normaliseUrl('http://data.taipei:8080/x'), 'https://data.taipei:8080/x', 'another port kept');
  t.equal(normaliseUrl('http://data.taipei:08080/x'), 'https://data.taipei:8080/x', 'leading zeros of a port');
  t.equal(normaliseUrl('http://[::1]:80/x'), 'https://[::1]/x', 'default port on an IPv6 host');
  t.equal(normaliseUrl('http://data.taipei:99999/x'), undefined, 'port out of range');
  t.equal(normaliseUrl('http://data.taipei:abc/x'), undefined, 'port not a number');
});

t.test('normaliseUrl: fragment and credentials dropped', async (t) => {
  t.equal(normaliseUrl('https://data.taipei/x#section-2'), 'https://data.taipei/x');
  t.equal(normaliseUrl('https://data.taipei/x?id=1#'), 'https://data.taipei/x?id=1');
  t.equal(normaliseUrl('https://user:secret@data.taipei/x'), 'https://data.taipei/x', 'no password in an identity key');
  t.equal(normaliseUrl('https://user@data.taipei/x'), 'https://data.taipei/x');
});

t.test('normaliseUrl: tracking parameters', async (t) => {
  for (const name of TRACKING_QUERY_PARAMETERS) {
    t.equal(normaliseUrl(`https://h.tw/x?${name}=abc&id=1`), 'https://h.tw/x?id=1', name);
    t.equal(normaliseUrl(`https://h.tw/x?id=1&${name.toUpperCase()}=abc`), 'https://h.tw/x?id=1', `${name} in upper case`);
  }
  for (const name of ['utm_source', 'utm_medium', 'UTM_Campaign', 'utm_term', 'utm_content', 'utm_id', 'utm_whatever']) {
    t.equal(normaliseUrl(`https://h.tw/x?${name}=a&id=1`), 'https://h.tw/x?id=1', name);
  }
  t.equal(normaliseUrl('https://h.tw/x?utm%5Fsource=a&id=1'), 'https://h.tw/x?id=1', 'a percent-encoded tracking name');
  t.equal(normaliseUrl('https://h.tw/x?utm_source'), 'https://h.tw/x', 'a tracking name without a value');
  t.equal(
    normaliseUrl('https://h.tw/api?utm_source=line&format=csv&fbclid=IwAR0&limit=100&gclid=x&offset=0&_ga=2.1'),
    'https://h.tw/api?format=csv&limit=100&offset=0',
    'tracking mixed with real parameters',
  );
  t.equal(normaliseUrl('https://h.tw/x?utm_source=a&fbclid=b'), 'https://h.tw/x', 'only tracking: no query left');
  t.equal(normaliseUrl('https://h.tw/x?utmost=1&spmx=2&gclid2=3'), 'https://h.tw/x?gclid2=3&spmx=2&utmost=1', 'names that merely start alike are kept');
  t.equal(normaliseUrl('https://h.tw/x?%E0%A4%A=1&utm_source=a'), 'https://h.tw/x?%E0%A4%A=1', 'a name with a broken escape is kept as written');
  t.equal(normaliseUrl('https://h.tw/x?utm+source=1'), 'https://h.tw/x?utm+source=1', '`+` is a space in a name: `utm source` is no tracking name');
  t.equal(normaliseUrl('https://h.tw/x?id=utm_source'), 'https://h.tw/x?id=utm_source', 'a tracking name as a value is kept');
});

t.test('normaliseUrl: query parameters sorted by name then value', async (t) => {
  t.equal(normaliseUrl('https://h.tw/x?b=2&a=1'), 'https://h.tw/x?a=1&b=2');
  t.equal(normaliseUrl('https://h.tw/x?a=2&b=0&a=1'), 'https://h.tw/x?a=1&a=2&b=0', 'repeated names by value');
  t.equal(normaliseUrl('https://h.tw/x?a=&a'), normaliseUrl('https://h.tw/x?a&a='), '`a` and `a=` in a deterministic order');
  t.equal(normaliseUrl('https://h.tw/x?&&id=1&&'), 'https://h.tw/x?id=1', 'empty parameters dropped');
  t.equal(normaliseUrl('https://h.tw/x?'), 'https://h.tw/x', 'empty query dropped');
  const parameters = ['q=%E8%87%BA', 'z=1', 'a=9', 'a=10', 'B=1', 'id'];
  const expected = normaliseUrl(`https://h.tw/x?${parameters.join('&')}`);
  for (let shift = 1; shift < parameters.length; shift += 1) {
    const rotated = [...parameters.slice(shift), ...parameters.slice(0, shift)];
    t.equal(normaliseUrl(`https://h.tw/x?${rotated.reverse().join('&')}`), expected, `order ${rotated.join('&')}`);
  }
  t.equal(expected, 'https://h.tw/x?B=1&a=10&a=9&id&q=%E8%87%BA&z=1', 'code-unit order, values not decoded');
});

t.test('normaliseUrl: paths', async (t) => {
  t.equal(normaliseUrl('https://h.tw/dataset/abc/'), 'https://h.tw/dataset/abc', 'trailing slash removed');
  t.equal(normaliseUrl('https://h.tw/'), 'https://h.tw/', 'root keeps its slash');
  t.equal(normaliseUrl('https://h.tw'), 'https://h.tw/', 'no path is the root');
  t.equal(normaliseUrl('https://h.tw//dataset///abc//'), 'https://h.tw/dataset/abc', 'repeated slashes collapsed');
  t.equal(normaliseUrl('https://h.tw///'), 'https://h.tw/', 'only slashes is the root');
  t.equal(normaliseUrl('https://h.tw/a/./b/../c'), 'https://h.tw/a/c', 'dot segments resolved (as URL does)');
  t.equal(normaliseUrl('https://h.tw/Dataset/ABC'), 'https://h.tw/Dataset/ABC', 'path case kept');
  t.equal(normaliseUrl('https://h.tw/a/?id=1'), 'https://h.tw/a?id=1', 'trailing slash before a query');
});

t.test('normaliseUrl: percent-encoding as URL serialises it', async (t) => {
  t.equal(normaliseUrl('https://h.tw/資料/臺北.csv'), 'https://h.tw/%E8%B3%87%E6%96%99/%E8%87%BA%E5%8C%97.csv');
  t.equal(normaliseUrl('https://h.tw/資料'), normaliseUrl('https://h.tw/%E8%B3%87%E6%96%99'), 'raw and pre-encoded path');
  t.equal(normaliseUrl('https://h.tw/a b?q=a b'), 'https://h.tw/a%20b?q=a%20b', 'spaces encoded');
  t.equal(normaliseUrl('https://h.tw/%41'), 'https://h.tw/%41', 'no decoding');
});

t.test('normaliseUrl: what is not an http(s) URL', async (t) => {
  const rejected = [
    '',
    '   ',
    'not a url',
    'data.taipei/dataset/abc',
    '/dataset/abc',
    '//data.taipei/dataset/abc',
    'http://',
    'https://',
    'http://exa mple.com/',
    'http://[::1/',
    'http://a:b:c/',
    'http://./',
    'http://../',
    'javascript:alert(1)',
    'JavaScript:alert(document.cookie)//http://x',
    'ftp://ftp.data.gov.tw/pub/a.csv',
    'file:///etc/passwd',
    'mailto:opendata@taipei.gov.tw',
    'data:text/plain,hello',
    'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66',
    'ws://h.tw/socket',
  ];
  for (const value of rejected) t.equal(normaliseUrl(value), undefined, JSON.stringify(value));
  t.equal(normaliseUrl(undefined as unknown as string), undefined, 'not a string at run time');
  t.equal(normaliseUrl(42 as unknown as string), undefined, 'a number at run time');
});

t.test('normaliseUrl: idempotent', async (t) => {
  const inputs = [
    'HTTP://Data.Taipei./dataset/abc/?utm_source=fb&id=1#top',
    'http://[2001:DB8::1]:8080//a//b/?z=1&a',
    'https://例子.測試/資料/?q=a b&q=%41',
    'https://h.tw/',
  ];
  for (const input of inputs) {
    const once = normaliseUrl(input);
    t.ok(once, input);
    t.equal(normaliseUrl(once!), once, input);
  }
});

t.test('normaliseUrl: huge input', async (t) => {
  const longPath = `https://h.tw/${'a/'.repeat(500_000)}`;
  const started = Date.now();
  const result = normaliseUrl(longPath);
  t.equal(result?.length, 'https://h.tw/'.length + 'a/'.repeat(500_000).length - 1, 'a megabyte URL is normalised, not thrown on');
  const manyParameters = `https://h.tw/x?${Array.from({ length: 100_000 }, (_, i) => `p${i % 997}=${i}&utm_x=${i}`).join('&')}`;
  const sorted = normaliseUrl(manyParameters);
  t.ok(sorted?.startsWith('https://h.tw/x?p0=0&p0=10967&p0=11964&p0=12961&'), '200,000 parameters sorted (values as text)');
  t.notOk(sorted?.includes('utm_'), 'and 100,000 tracking parameters removed');
  t.equal(sorted?.split('&').length, 100_000, 'the 100,000 real ones kept');
  t.ok(Date.now() - started < 5_000, 'in reasonable time');
});

t.test('hostlessUrl: path and sorted query without scheme and host', async (t) => {
  t.equal(hostlessUrl('https://data.taipei/dataset/abc?id=1'), '/dataset/abc?id=1');
  t.equal(hostlessUrl('http://mirror.example.org:8080/dataset/abc/?utm_source=x&id=1#f'), '/dataset/abc?id=1');
  t.equal(hostlessUrl('https://data.taipei/api/v1?b=2&a=1'), hostlessUrl('https://MIRROR.example.org./api/v1?a=1&b=2'), 'one path under two hosts');
  t.equal(hostlessUrl('https://data.taipei/a.csv'), '/a.csv', 'no query');
  t.equal(hostlessUrl('https://data.taipei/?id=1'), '/?id=1', 'root with a query');
});

t.test('hostlessUrl: too generic or not a URL', async (t) => {
  t.equal(hostlessUrl('https://data.taipei/'), undefined, 'root');
  t.equal(hostlessUrl('https://data.taipei'), undefined, 'no path');
  t.equal(hostlessUrl('https://data.taipei//'), undefined, 'slashes only');
  t.equal(hostlessUrl('https://data.taipei/?utm_source=x#top'), undefined, 'root with only tracking parameters');
  t.equal(hostlessUrl('https://data.taipei/?'), undefined, 'root with an empty query');
  t.equal(hostlessUrl(''), undefined);
  t.equal(hostlessUrl('/dataset/abc'), undefined, 'a relative path is not an http(s) URL');
  t.equal(hostlessUrl('javascript:void(0)'), undefined);
  t.equal(hostlessUrl('ftp://h.tw/a.csv'), undefined);
});

t.test('normaliseText: the brief example', async (t) => {
  t.equal(normaliseText('臺北市 公共自行車（YouBike）租賃站'), normaliseText('台北市公共自行車(youbike)租賃站'));
  t.equal(normaliseText('臺北市 公共自行車（YouBike）租賃站'), '台北市公共自行車youbike租賃站');
});

t.test('normaliseText: NFKC folds full-width and half-width forms', async (t) => {
  t.equal(normaliseText('ＡＢＣ１２３'), 'abc123', 'full-width Latin and digits');
  t.equal(normaliseText('ｶﾀｶﾅ'), 'カタカナ', 'half-width katakana');
  t.equal(normaliseText('①②'), '12', 'circled digits');
  t.equal(normaliseText('㈱'), '株', 'parenthesised ideograph (parentheses dropped)');
  t.equal(normaliseText('\uF9A8'), '令', 'CJK compatibility ideograph');
  t.equal(normaliseText('ﬁle'), 'file', 'ligature');
});

t.test('normaliseText: ideograph variants', async (t) => {
  const pairs: Array<[string, string]> = [
    ['臺灣', '台灣'],
    ['衞生局', '衛生局'],
    ['大衆運輸', '大眾運輸'],
    ['公車路綫', '公車路線'],
    ['氣温', '氣溫'],
    ['名册', '名冊'],
    ['名録', '名錄'],
    ['証照', '證照'],
    ['空氣汙染', '空氣污染'],
    ['祕書處', '秘書處'],
  ];
  for (const [variant, standard] of pairs) t.equal(normaliseText(variant), normaliseText(standard), `${variant} = ${standard}`);
  t.equal(normaliseText('臺北市政府衞生局'), '台北市政府衛生局');
  t.not(normaliseText('颱風'), normaliseText('台風'), '颱 (typhoon) is not 台');
  t.not(normaliseText('村里'), normaliseText('村裡'), '里 (village) is not 裡');
});

t.test('normaliseText: case, white space, punctuation and symbols', async (t) => {
  t.equal(normaliseText('YouBike'), 'youbike');
  t.equal(normaliseText(' a\tb\nc\r\nd\u3000e\u00a0f '), 'abcdef', 'every white space, ideographic and no-break included');
  t.equal(normaliseText('a\u200bb\u00adc\ufeffd\u200de'), 'abcde', 'zero-width space, soft hyphen, BOM, joiner');
  t.equal(normaliseText('「資料」、《目錄》：一．二；三？！'), '資料目錄一二三', 'CJK punctuation');
  t.equal(normaliseText('a-b_c.d,e/f\\g(h)[i]{j}"k\'l'), 'abcdefghijkl', 'ASCII punctuation');
  t.equal(normaliseText('a+b=c<d>e|f~g^h`i$j%k©l®m°n€o🚲p'), 'abcdefghijklmnop', 'symbols and emoji');
  t.equal(normaliseText('１１０年 人口統計（１２月）'), '110年人口統計12月');
  t.equal(normaliseText('Café'), normaliseText('Cafe\u0301'), 'composed and decomposed accents');
});

t.test('normaliseText: empty results and bad input', async (t) => {
  t.equal(normaliseText(''), '');
  t.equal(normaliseText('   '), '');
  t.equal(normaliseText('（）「」！？ -- ***'), '', 'only punctuation');
  t.equal(normaliseText(undefined as unknown as string), '', 'not a string at run time');
  t.equal(normaliseText('\ud800abc'), 'abc', 'a lone surrogate (broken encoding) dropped');
  const huge = '臺北市 公共自行車（YouBike）'.repeat(100_000);
  const started = Date.now();
  t.equal(normaliseText(huge).length, '台北市公共自行車youbike'.length * 100_000, 'two megabytes of text');
  t.ok(Date.now() - started < 5_000, 'in reasonable time');
});

t.test('isUuid and normaliseUuid', async (t) => {
  const canonical = '6e8bc430-9c3a-11d9-9669-0800200c9a66';
  for (const form of [
    canonical,
    canonical.toUpperCase(),
    ` ${canonical} `,
    `urn:uuid:${canonical}`,
    `URN:UUID:${canonical.toUpperCase()}`,
    '6E8bc430-9C3A-11d9-9669-0800200C9A66',
  ]) {
    t.ok(isUuid(form), form);
    t.equal(normaliseUuid(form), canonical, form);
  }
  t.ok(isUuid('00000000-0000-0000-0000-000000000000'), 'the nil UUID is syntactically one');
  const notUuids = [
    '',
    '6e8bc4309c3a11d996690800200c9a66',
    '{6e8bc430-9c3a-11d9-9669-0800200c9a66}',
    '6e8bc430-9c3a-11d9-9669-0800200c9a6',
    '6e8bc430-9c3a-11d9-9669-0800200c9a666',
    '6e8bc430-9c3a-11d9-9669_0800200c9a66',
    'ge8bc430-9c3a-11d9-9669-0800200c9a66',
    'uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66',
    `${canonical}x`,
    'A41000000G-000001',
    'https://h.tw/6e8bc430-9c3a-11d9-9669-0800200c9a66',
  ];
  for (const value of notUuids) {
    t.notOk(isUuid(value), JSON.stringify(value));
    t.equal(normaliseUuid(value), undefined, JSON.stringify(value));
  }
  t.notOk(isUuid(null as unknown as string), 'not a string at run time');
  t.notOk(isUuid('a'.repeat(1_000_000)), 'huge string');
});

t.test('isPlaceholderUrl: example domains, reserved names, loopback', async (t) => {
  for (const url of [
    'https://example.org/',
    'HTTP://WWW.Example.COM./x',
    'https://a.b.example.net/x',
    'https://x.test/',
    'https://test/',
    'https://x.example/',
    'https://x.invalid/',
    'http://localhost:3000/',
    'http://a.localhost/',
    'http://127.0.0.1/',
    'http://127.1.2.3:80/x',
    'http://0.0.0.0/',
    'http://[::1]:8080/',
    'http://[::]/',
    'http://x.local/',
    'http://x.internal/',
    'http://x.home.arpa/',
  ]) {
    t.ok(isPlaceholderUrl(url), url);
  }
  for (const value of [
    'https://example.gov/x',
    'https://myexample.org/x',
    'https://example.org.tw/x',
    'https://test.gov.tw/x',
    'https://data.taipei/localhost',
    'http://10.1.2.3/',
    'http://[2001:db8::1]/',
    'urn:uuid:x',
    'not a url',
    '',
    'ftp://example.org/x',
    untypedString(null),
  ]) {
    t.notOk(isPlaceholderUrl(value), JSON.stringify(value));
  }
});

function untypedString(value: unknown): string {
  return value as string;
}
