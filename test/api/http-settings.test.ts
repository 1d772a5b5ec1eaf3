import t from 'tap';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { addressMatcher } from '../../src/api/rate-limiting.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

t.test('server HTTP settings have sensible defaults', async (t) => {
  const config = parseConfig({}, 'x');
  t.same(config.server.trustProxy, false, 'X-Forwarded-For is not believed unless the operator says so');
  t.same(config.server.rateLimit, { max: 1200, timeWindowMs: 60_000, allowList: [] });
  t.equal(config.server.cacheMaxAgeSeconds, 60);
  t.equal(config.server.catalogCacheMB, 64);
});

t.test('server HTTP settings are read', async (t) => {
  const config = parseConfig(
    {
      server: {
        trustProxy: ['10.0.0.0/8', '2001:db8::1', 'loopback'],
        rateLimit: { max: 0 },
        cacheMaxAgeSeconds: 0,
        catalogCacheMB: 0,
      },
    },
    'x',
  );
  t.same(config.server.trustProxy, ['10.0.0.0/8', '2001:db8::1', 'loopback']);
  t.same(config.server.rateLimit, { max: 0, timeWindowMs: 60_000, allowList: [] }, 'a partial rateLimit keeps the other defaults');
  t.equal(config.server.cacheMaxAgeSeconds, 0);
  t.equal(config.server.catalogCacheMB, 0);
  t.equal(parseConfig({ server: { trustProxy: true } }, 'x').server.trustProxy, true);
  t.same(parseConfig({ server: { rateLimit: { allowList: ['203.0.113.0/24', '198.51.100.7'] } } }, 'x').server.rateLimit.allowList, [
    '203.0.113.0/24',
    '198.51.100.7',
  ]);
});

t.test('bad server HTTP settings stop start-up, naming the field', async (t) => {
  const cases: Array<[unknown, string, RegExp]> = [
    [{ server: { trustProxy: 2 } }, 'server.trustProxy', /anyOf|must/],
    [{ server: { trustProxy: 'yes' } }, 'server.trustProxy', /anyOf|must/],
    [{ server: { trustProxy: [] } }, 'server.trustProxy', /fewer than 1|must/],
    [{ server: { trustProxy: ['10.0.0.0/33'] } }, 'server.trustProxy[0]', /not an IP address/],
    [{ server: { trustProxy: ['proxy.example.tw'] } }, 'server.trustProxy[0]', /not an IP address/],
    [{ server: { trustProxy: ['127.1'] } }, 'server.trustProxy[0]', /not an IP address/],
    [{ server: { rateLimit: { max: -1 } } }, 'server.rateLimit.max', /must be >= 0/],
    [{ server: { rateLimit: { max: 1.5 } } }, 'server.rateLimit.max', /integer/],
    [{ server: { rateLimit: { timeWindowMs: 10 } } }, 'server.rateLimit.timeWindowMs', /must be >= 1000/],
    [{ server: { rateLimit: { burst: 5 } } }, 'server.rateLimit.burst', /unknown key/],
    [{ server: { rateLimit: { allowList: ['everyone'] } } }, 'server.rateLimit.allowList[0]', /not an IP address/],
    [{ server: { rateLimit: { allowList: ['10.0.0.0/8/8'] } } }, 'server.rateLimit.allowList[0]', /not an IP address/],
    [{ server: { rateLimit: 100 } }, 'server.rateLimit', /object/],
    [{ server: { cacheMaxAgeSeconds: -1 } }, 'server.cacheMaxAgeSeconds', /must be >= 0/],
    [{ server: { catalogCacheMB: -1 } }, 'server.catalogCacheMB', /must be >= 0/],
    [{ server: { catalogCacheMB: 5000 } }, 'server.catalogCacheMB', /must be <= 4096/],
    [{ server: { catalogCacheMB: '64' } }, 'server.catalogCacheMB', /integer/],
  ];
  for (const [raw, field, message] of cases) {
    const err = configError(() => parseConfig(raw, 'x'));
    t.equal(err.field, field, JSON.stringify(raw));
    t.match(err.message, message, JSON.stringify(raw));
  }
});

t.test('allow lists match addresses and ranges, IPv4 seen through IPv6 too', async (t) => {
  const allowed = addressMatcher(['203.0.113.0/24', '198.51.100.7', '2001:db8::/32']);
  t.ok(allowed('203.0.113.200'));
  t.ok(allowed('198.51.100.7'));
  t.notOk(allowed('198.51.100.8'));
  t.ok(allowed('::ffff:203.0.113.5'), 'an IPv4 client on a dual-stack socket');
  t.ok(allowed('2001:db8:1234::1'));
  t.notOk(allowed('2001:db9::1'));
  t.notOk(allowed('not an address'));
  t.notOk(allowed(''));
  t.notOk(addressMatcher([])('203.0.113.1'), 'an empty list allows no one');
});
