import t from 'tap';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startFixturePlatform } from '../helpers/crossplatform-server.js';
import { runCli } from '../helpers/in-process-cli.js';
import { tempDir } from '../helpers/gateway.js';
import { emptyCounts } from '../../src/harvest/run.js';
import { ensureMirrorSource } from '../../src/store/mirror-sources.js';
import { openDatabase } from '../../src/store/database.js';
import { ensurePushSource } from '../../src/store/push-sources.js';
import { finishRun, markRunStarted, queueRun } from '../../src/store/runs.js';
import { records, writeConfig } from './cli-fixtures.js';

/**
 * The verbs as an operator runs them, each invocation in this process (src/cli/main.ts).
 * Signals, the bin itself and processes contending for a store: cli-process.test.ts.
 */

t.test('harvest runs the named source, prints a summary and exits 0', async (t) => {
  const platform = await startFixturePlatform(records);
  const { dir, cleanup } = tempDir();
  t.teardown(async () => {
    await platform.close();
    cleanup();
  });
  const config = writeConfig(dir, [{ id: 'agency', name: 'Agency', type: 'crossplatform', url: platform.url, schedule: '0 3 * * *' }]);
  const handlers = signalHandlers();
  const result = await runCli(['harvest', 'agency', '--config', config]);
  t.equal(result.code, 0, result.stderr);
  t.equal(signalHandlers(), handlers, 'the harvest removed its SIGINT and SIGTERM handlers: this process goes on');
  t.match(result.stdout, /agency: SUCCEEDED/);
  t.match(result.stdout, new RegExp(`${records.length} records: ${records.length} new`));

  const listed = await runCli(['sources', '--config', config, '--json']);
  t.equal(listed.code, 0);
  const sources = JSON.parse(listed.stdout) as Array<{ id: string; lastRun: { status: string; records: number } }>;
  t.match(sources, [{ id: 'agency', lastRun: { status: 'succeeded', records: records.length } }]);

  const runs = await runCli(['runs', 'agency', '--config', config]);
  t.equal(runs.code, 0);
  t.match(runs.stdout, /run 1 agency succeeded/);
});

t.test('a failed run exits 1 with the reason; a bad source id exits 2', async (t) => {
  const platform = await startFixturePlatform(records);
  platform.faults.listStatus = 500;
  const { dir, cleanup } = tempDir();
  t.teardown(async () => {
    await platform.close();
    cleanup();
  });
  const config = writeConfig(dir, [{ id: 'agency', name: 'Agency', type: 'crossplatform', url: platform.url, schedule: '0 3 * * *' }]);
  const failed = await runCli(['harvest', '--config', config]);
  t.equal(failed.code, 1);
  t.match(failed.stdout, /agency: FAILED/);
  t.match(failed.stdout, /reason: HTTP 500/);
  const runs = await runCli(['runs', '--config', config]);
  t.match(runs.stdout, /1× source \[http-500\]/, 'the run report groups the error by cause');

  const unknown = await runCli(['harvest', 'nope', '--config', config]);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /unknown source "nope"/);
});

t.test('sources and runs show every source the database holds: mirrors, push sources, sources dropped from the configuration', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const agency = { id: 'agency', name: 'Agency', type: 'crossplatform', url: 'https://data.agency.gov.tw', schedule: '0 3 * * *' };
  const old = { id: 'old', name: 'Old platform', type: 'crossplatform', url: 'https://old.example.gov.tw', schedule: '0 4 * * *', enabled: false };
  const both = writeConfig(dir, [agency, old]);
  const before = await runCli(['sources', '--config', both, '--json']);
  t.match(JSON.parse(before.stdout), [
    { id: 'agency', configured: true, schedule: '0 3 * * *', enabled: true, lastRun: null },
    { id: 'old', configured: true, enabled: false },
  ]);

  // A mirror that synced once, an agency pushing its records; then `old` leaves the configuration.
  const db = openDatabase(join(dir, 'catalog.db'));
  ensureMirrorSource(db, { sourceId: 'mirror-gw.example.tw', url: 'https://gw.example.tw' });
  const runId = queueRun(db, 'mirror-gw.example.tw');
  markRunStarted(db, runId, null);
  finishRun(db, runId, { status: 'succeeded', counts: { ...emptyCounts(), pages: 1, seen: 3, created: 3 }, message: null });
  ensurePushSource(db, 'A41000000G', '國家發展委員會');
  db.close();
  const config = writeConfig(dir, [agency]);

  const listed = await runCli(['sources', '--config', config, '--json']);
  t.equal(listed.code, 0, listed.stderr);
  t.match(JSON.parse(listed.stdout), [
    { id: 'agency', type: 'crossplatform', configured: true, schedule: '0 3 * * *', lastRun: null },
    {
      id: 'mirror-gw.example.tw',
      type: 'mirror',
      url: 'https://gw.example.tw',
      configured: false,
      schedule: null,
      enabled: null,
      lastRun: { id: runId, status: 'succeeded', records: 3, errors: 0 },
    },
    { id: 'old', type: 'crossplatform', name: 'Old platform', configured: false, schedule: null, lastRun: null },
    { id: 'push:A41000000G', type: 'push', name: '國家發展委員會', configured: false, lastRun: null },
  ]);
  t.equal(JSON.parse(listed.stdout).length, 4, 'each source once');

  const text = await runCli(['sources', '--config', config]);
  t.match(text.stdout, /^agency {2}\[crossplatform\] https:\/\/data\.agency\.gov\.tw\n {2}"Agency", schedule "0 3 \* \* \*"; never harvested$/m);
  t.match(
    text.stdout,
    /^mirror-gw\.example\.tw {2}\[mirror\] https:\/\/gw\.example\.tw\n {2}"Mirror of https:\/\/gw\.example\.tw", not in the configuration: a mirror, synced by `ogd-gateway mirror URL`; last run \d+ succeeded \S+, 3 records, 0 errors$/m,
  );
  t.match(
    text.stdout,
    /^old {2}\[crossplatform\] .*\n {2}"Old platform", not in the configuration: dropped from it, its records and runs kept; never harvested$/m,
  );
  t.match(
    text.stdout,
    /^push:A41000000G {2}\[push\] urn:ogd-gateway:push:A41000000G\n {2}"國家發展委員會", not in the configuration: an agency's push source, written through the push API; no runs \(records are pushed\)$/m,
  );

  const mirrorRuns = await runCli(['runs', 'mirror-gw.example.tw', '--config', config]);
  t.equal(mirrorRuns.code, 0, mirrorRuns.stderr);
  t.match(mirrorRuns.stdout, new RegExp(`^run ${runId} mirror-gw\\.example\\.tw succeeded .*: 3 records \\(3 new,`, 'm'), "a mirror's runs");
  const mirrorJson = await runCli(['runs', 'mirror-gw.example.tw', '--config', config, '--json']);
  t.match(JSON.parse(mirrorJson.stdout), [{ id: runId, source_id: 'mirror-gw.example.tw', status: 'succeeded', errorGroups: [] }]);
  for (const sourceId of ['push:A41000000G', 'old']) {
    const none = await runCli(['runs', sourceId, '--config', config]);
    t.equal(none.code, 0, `${sourceId}: held by the database, so it can be named`);
    t.equal(none.stdout, 'no runs yet\n');
  }
  const unknown = await runCli(['runs', 'nope', '--config', config]);
  t.equal(unknown.code, 2, 'a source the database does not hold is still refused');
  t.match(unknown.stderr, /unknown source "nope"/);
});

t.test('an invalid configuration stops start-up naming the field', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ server: { port: 8080, colour: 'blue' } }));
  const result = await runCli(['serve', '--config', file]);
  t.equal(result.code, 2);
  t.match(result.stderr, /configuration error: .*bad\.json: server\.colour: unknown key/);
  const usage = await runCli(['frobnicate']);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /unknown command/);
});

function signalHandlers(): number {
  return process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');
}
