import t from 'tap';
import { isSecretParameter, redactCredentials } from '../../src/model/redact-credentials.js';

const redacted: Array<[input: string, expected: string]> = [
  // user information: the password goes, a lone user name (often a token) goes whole
  ['http://user:pass@example.org/catalog', 'http://user:***@example.org/catalog'],
  ['https://ghp_abc123@example.org/x', 'https://***@example.org/x'],
  ['http://:pass@example.org/', 'http://:***@example.org/'],
  ['http://us%40er:p%40ss@example.org/', 'http://us%40er:***@example.org/'],
  ['http://user:p@ss@example.org/', 'http://user:***@example.org/'],
  ['http://user:pass@[::1]:8080/x', 'http://user:***@[::1]:8080/x'],
  ['HTTPS://User:Pass@Example.ORG', 'HTTPS://User:***@Example.ORG'],
  ['ftp://anonymous:me@ftp.example.org/pub', 'ftp://anonymous:***@ftp.example.org/pub'],
  ['postgres://app:hunter2@db.internal:5432/ogd', 'postgres://app:***@db.internal:5432/ogd'],
  ['http://user:pass@', 'http://user:***@'],
  ['http://user:pass@example.org?api_key=abc', 'http://user:***@example.org?api_key=***'],
  // query and fragment parameters named as secrets, whatever their case, spelling or encoding
  ['https://example.org/data.json?api_key=SECRET', 'https://example.org/data.json?api_key=***'],
  ['https://example.org/data.json?limit=10&api_key=SECRET&offset=0', 'https://example.org/data.json?limit=10&api_key=***&offset=0'],
  ['https://example.org/?API_KEY=SECRET', 'https://example.org/?API_KEY=***'],
  ['https://example.org/?apikey=a&ApiKey=b&api-key=c&api.key=d', 'https://example.org/?apikey=***&ApiKey=***&api-key=***&api.key=***'],
  ['https://example.org/?key=AIzaSyD', 'https://example.org/?key=***'],
  [
    'https://example.org/?token=t&access_token=a&auth_token=b&oauth_token=c&private_token=d',
    'https://example.org/?token=***&access_token=***&auth_token=***&oauth_token=***&private_token=***',
  ],
  [
    'https://example.org/?password=p&passwd=q&pwd=r&pass=s&secret=u&client_secret=v',
    'https://example.org/?password=***&passwd=***&pwd=***&pass=***&secret=***&client_secret=***',
  ],
  [
    'https://b.example.org/o?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=abcd&X-Amz-Security-Token=zz',
    'https://b.example.org/o?X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Security-Token=***',
  ],
  ['https://a.blob.example.org/c?sv=2020&sig=abc%3D&se=2030', 'https://a.blob.example.org/c?sv=2020&sig=***&se=2030'],
  ['https://example.org/?signature=s&subscription-key=k&auth=a&jwt=j', 'https://example.org/?signature=***&subscription-key=***&auth=***&jwt=***'],
  ['https://example.org/?api%5Fkey=SECRET&%61pi_key=S2', 'https://example.org/?api%5Fkey=***&%61pi_key=***'],
  ['https://example.org/cb#access_token=abc&state=1', 'https://example.org/cb#access_token=***&state=1'],
  ['https://example.org/?a=1&amp;token=abc', 'https://example.org/?a=1&amp;token=***'],
  ['https://example.org/p;jsessionid=1;token=abc', 'https://example.org/p;jsessionid=1;token=***'],
  ['http://[2001:db8::1]:8080/feed?token=abc', 'http://[2001:db8::1]:8080/feed?token=***'],
  ['http://[::1]/?key=%E4%B8%AD%E6%96%87', 'http://[::1]/?key=***'],
  ['https://example.org/?token=中文秘密&x=1', 'https://example.org/?token=***&x=1'],
  // free text, as error messages carry URLs
  [
    'HTTP 500 from http://u:p@127.0.0.1:3000/list?limit=10&api_key=SECRET (Retry-After: 5 s)',
    'HTTP 500 from http://u:***@127.0.0.1:3000/list?limit=10&api_key=*** (Retry-After: 5 s)',
  ],
  [
    'cannot fetch https://a:b@x.example.org/?key=1: connect ECONNREFUSED; then https://y.example.org/?token=2',
    'cannot fetch https://a:***@x.example.org/?key=***: connect ECONNREFUSED; then https://y.example.org/?token=***',
  ],
  ['"http://u:p@h.example.org/?token=abc"', '"http://u:***@h.example.org/?token=***"'],
  ["<a href='http://u:p@h/?token=abc'>", "<a href='http://u:***@h/?token=***'>"],
  ['see (http://h.example.org/?token=abc).', 'see (http://h.example.org/?token=***).'],
  // malformed, or in the lenient spellings a URL parser still reads as credentials
  ['malformed ht!tp://user:pass@host', 'malformed ht!tp://user:***@host'],
  ['http:/user:pass@host and https:\\\\user:pass@host and http:user:pass@host', 'http:/user:***@host and https:\\\\user:***@host and http:user:***@host'],
  ['http://%zz:%@example.org/', 'http://%zz:***@example.org/'],
  ['http://user:pass@exa mple.org/?token=a b', 'http://user:***@exa mple.org/?token=*** b'],
];

t.test('credentials in URLs and in text carrying URLs are replaced by ***', async (t) => {
  for (const [input, expected] of redacted) {
    t.equal(redactCredentials(input), expected, input);
    t.equal(redactCredentials(expected), expected, `redacting again changes nothing: ${expected}`);
  }
});

t.test('text without credentials comes back exactly as it was', async (t) => {
  const untouched = [
    '',
    'harvest run finished',
    'https://data.ntpc.gov.tw/api/v1/rest/dataset?limit=1000&offset=0&modified=2024-01-01T00:00:00Z',
    'https://example.org/oai?verb=ListRecords&resumptionToken=abc123&metadataPrefix=oai_dc',
    'https://example.org/?pageToken=n2&keyword=地圖&monkey=1&tokens=3&sortkey=title&AWSAccessKeyId=AKIA',
    'https://example.org/?api_key=&token=',
    'contact: someone@example.org, mailto:someone@example.org',
    'user:pass@host without a scheme is not a URL',
    'duplicate key=abc in record 7; password=shown only in a URL query',
    'http://[::1]:8080/path@with-at-sign?x=1',
    'http://example.org/a?b#c@d',
    'records A41000000G-000001, 臺北市 資料 @ 110/08/01',
    'http://',
    '://user:pass@',
    '{"msg":"ok","url":"https://example.org/?limit=1"}',
    'urn:x:user@example.org, xmpp:user@example.org',
  ];
  for (const text of untouched) t.equal(redactCredentials(text), text, text);
});

t.test('a JSON log line stays valid JSON, with no secret left', async (t) => {
  const secrets = {
    message: 'HTTP 500 from http://user:pass@h.example.org/?api_key=S3CR3T',
    quoted: 'bad "http://u:pw@h/?token=T0K\\"EN" end\nnext',
    url: 'https://h/?sig=a\tb',
  };
  const line = JSON.stringify(secrets);
  const clean = redactCredentials(line);
  const parsed = JSON.parse(clean) as Record<string, string>;
  t.notMatch(clean, /pass@|S3CR3T|pw@|T0K|sig=a/);
  t.equal(parsed.message, 'HTTP 500 from http://user:***@h.example.org/?api_key=***');
  t.equal(parsed.quoted, 'bad "http://u:***@h/?token=***\\"EN" end\nnext');
});

t.test('parameter names: secret ones by name, case, separators and percent-encoding; others not', async (t) => {
  for (const name of [
    'api_key',
    'APIKEY',
    'X-Api-Key',
    'key',
    'token',
    'Access_Token',
    'refresh_token',
    'id_token',
    'password',
    'secret',
    'client_secret',
    'signature',
    'X-Goog-Signature',
    'sig',
    'api%5Fkey',
    'x-amz-credential',
  ]) {
    t.ok(isSecretParameter(name), name);
  }
  for (const name of ['keyword', 'keys', 'resumptionToken', 'pageToken', 'nextToken', 'limit', 'q', 'modified', 'AWSAccessKeyId', '%E0%A4%A', ''])
    t.notOk(isSecretParameter(name), name);
});

t.test('long input is redacted in linear time', async (t) => {
  const started = Date.now();
  for (const filler of ['a', ':', '?', '=', 'a:', 'a@', '?a', 'http://', 'http://a:b']) redactCredentials(filler.repeat(200_000));
  t.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
});
