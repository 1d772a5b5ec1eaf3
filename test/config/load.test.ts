import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load.js';
import { validateSources } from '../../connectors/index.js';
import { tempDir } from '../helpers/gateway.js';

const source = { id: 'moda', name: 'MODA', type: 'crossplatform', url: 'https://data.gov.tw', schedule: '0 3 * * *' };

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

t.test('the bundled default configuration is valid and harvests bundled samples', async (t) => {
  const config = loadConfig({ env: {} });
  validateSources(config);
  t.equal(config.server.port, 8080);
  t.equal(config.database.path, 'data/catalog.db');
  t.ok(config.sources.length >= 1);
  t.ok(
    config.sources.every((s) => s.type === 'file'),
    'the default sources need no network',
  );
});

t.test('defaults are filled in', async (t) => {
  const config = parseConfig({ sources: [source] }, 'x');
  t.match(config, {
    server: { port: 8080, host: '0.0.0.0', publicUrl: 'http://localhost:8080' },
    database: { path: 'data/catalog.db' },
    harvest: { allowPrivateAddresses: false, runOnStart: true, maxConcurrentRuns: 2, maxConcurrentPerHost: 4, minIntervalMs: 0 },
    sources: [{ id: 'moda', priority: 0, enabled: true, withdrawAfterHours: 72, maxMissingShare: 0.5, options: {} }],
  });
});

t.test('the environment overrides the file', async (t) => {
  const config = parseConfig({ server: { port: 9000 }, database: { path: 'a.db' } }, 'x', { PORT: '8181', DATABASE_PATH: '/tmp/b.db' });
  t.equal(config.server.port, 8181);
  t.equal(config.server.publicUrl, 'http://localhost:8181');
  t.equal(config.database.path, '/tmp/b.db');
  t.equal(configError(() => parseConfig({}, 'x', { PORT: 'eighty' })).field, 'PORT (environment)');
});

t.test('an invalid configuration names the field', async (t) => {
  const cases: Array<[unknown, string, RegExp]> = [
    [{ server: { prot: 8080 } }, 'server.prot', /unknown key/],
    [{ server: { port: 'x' } }, 'server.port', /integer/],
    [{ sources: [{ ...source, type: 'ftp' }] }, 'sources[0].type', /must be one of/],
    [{ sources: [{ ...source, schedule: 'every day' }] }, 'sources[0].schedule', /cron/],
    [{ sources: [source, source] }, 'sources[1].id', /duplicate/],
    [{ sources: [{ ...source, id: 'Bad Id!' }] }, 'sources[0].id', /pattern/],
    [{ sources: [{ ...source, withdrawAfterHours: -1 }] }, 'sources[0].withdrawAfterHours', />= 0/],
    [{ harvest: { maxConcurrentRuns: 0 } }, 'harvest.maxConcurrentRuns', />= 1/],
    [{ sources: [{ name: 'x', type: 'crossplatform', url: 'u', schedule: '* * * * *' }] }, 'sources[0].id', /required/],
    [[], '(root)', /object/],
  ];
  for (const [raw, field, message] of cases) {
    const err = configError(() => parseConfig(raw, 'cfg.json'));
    t.equal(err.field, field, JSON.stringify(raw));
    t.match(err.message, message);
    t.match(err.message, /^cfg\.json: /, 'the message names the file');
  }
});

t.test('connector options are checked against the connector', async (t) => {
  const bad = parseConfig({ sources: [{ ...source, options: { pagesize: 10 } }] }, 'cfg.json');
  t.equal(configError(() => validateSources(bad)).field, 'sources[0].options.pagesize');
  const badHttp = parseConfig({ sources: [{ ...source, options: { http: { timeoutMs: 'soon' } } }] }, 'cfg.json');
  t.equal(configError(() => validateSources(badHttp)).field, 'sources[0].options.http.timeoutMs');
  // A type the schema knows but no registered connector serves is refused by name.
  const unserved = parseConfig({ sources: [source] }, 'cfg.json');
  unserved.sources[0]!.type = 'no-such-connector' as never;
  t.match(configError(() => validateSources(unserved)).message, /connector "no-such-connector" is not available/);
  validateSources(parseConfig({ sources: [{ ...source, options: { pageSize: 50, http: { allowPrivateAddresses: true } } }] }, 'ok'));
});

t.test('unreadable or malformed files are configuration errors', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  t.match(configError(() => loadConfig({ file: join(dir, 'missing.json'), env: {} })).message, /cannot read/);
  writeFileSync(join(dir, 'bad.json'), '{ "server": ');
  t.match(configError(() => loadConfig({ file: join(dir, 'bad.json'), env: {} })).message, /not valid JSON/);
  writeFileSync(join(dir, 'good.json'), JSON.stringify({ sources: [source] }));
  t.equal(loadConfig({ file: join(dir, 'good.json'), env: {} }).sources.length, 1);
  t.equal(loadConfig({ env: { OGD_CONFIG: join(dir, 'good.json') } }).sources[0]!.id, 'moda', 'OGD_CONFIG names the file');
});
