import t from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startFixturePlatform } from '../helpers/crossplatform-server.js';
import { tempDir } from '../helpers/gateway.js';
import { runCli } from '../helpers/in-process-cli.js';
import { writeConfig } from './cli-fixtures.js';

/** `ogd-gateway identity …` as an operator runs it (in this process: src/cli/main.ts) on a real store. */

const record = (identifier: string, title: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  identifier,
  title,
  publisher: '臺北市政府交通局',
  landingPage: `https://data.taipei/dataset/${identifier}`,
  ...extra,
});

t.test('identity show, split, overrides, unset and join from the command line', async (t) => {
  const city = await startFixturePlatform([record('379000000A-000001', '臺北市公車站位')]);
  const portal = await startFixturePlatform([record('379000000A-000001', '台北市公車站位', { landingPage: 'https://data.gov.tw/dataset/1' })]);
  const { dir, cleanup } = tempDir();
  t.teardown(async () => {
    await city.close();
    await portal.close();
    cleanup();
  });
  const config = writeConfig(dir, [
    { id: 'city', name: 'City', type: 'crossplatform', url: city.url, schedule: '0 3 * * *', priority: 10 },
    { id: 'portal', name: 'Portal', type: 'crossplatform', url: portal.url, schedule: '0 3 * * *' },
  ]);
  t.equal((await runCli(['harvest', '--config', config])).code, 0);

  const shown = await runCli(['identity', 'show', '379000000A-000001', '--json', '--config', config]);
  t.equal(shown.code, 0, shown.stderr);
  const explanation = JSON.parse(shown.stdout) as { members: Array<{ sourceId: string }>; fields: Record<string, { sourceId: string }> };
  t.same(
    explanation.members.map((m) => m.sourceId),
    ['city', 'portal'],
  );
  t.equal(explanation.fields.title!.sourceId, 'city');
  const text = await runCli(['identity', 'show', '379000000A-000001', '--config', config]);
  t.match(text.stdout, /agency 379000000A-000001 {2}shared with portal:379000000A-000001/, 'the text form names the joining key');

  const split = await runCli(['identity', 'split', '379000000A-000001', 'portal:379000000A-000001', '--note', 'different table', '--config', config]);
  t.equal(split.code, 0, split.stderr);
  t.match(split.stdout, /portal:379000000A-000001 split from city:379000000A-000001/);
  const db = new Database(join(dir, 'catalog.db'), { readonly: true });
  t.teardown(() => db.close());
  const live = (): string[] => db.prepare('SELECT identifier FROM datasets WHERE withdrawn_at IS NULL ORDER BY identifier').pluck().all() as string[];
  t.same(live(), ['379000000A-000001', '379000000A-000001~portal']);

  t.equal((await runCli(['harvest', '--full', '--config', config])).code, 0);
  t.same(live(), ['379000000A-000001', '379000000A-000001~portal'], 'the split survives a re-harvest');

  const overrides = JSON.parse((await runCli(['identity', 'overrides', '--json', '--config', config])).stdout) as Array<{
    id: number;
    kind: string;
    note: string;
  }>;
  t.match(overrides, [{ kind: 'split', note: 'different table' }]);
  t.equal((await runCli(['identity', 'unset', String(overrides[0]!.id), '--config', config])).code, 0);
  t.same(live(), ['379000000A-000001'], 'without the decision the keys join them again');

  const joined = await runCli(['identity', 'join', 'city:379000000A-000001', 'portal:379000000A-000001', '--config', config]);
  t.equal(joined.code, 0, joined.stderr);
  t.same(live(), ['379000000A-000001']);
});

t.test('identity refuses what it cannot do, naming why', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const config = writeConfig(dir, []);

  const none = await runCli(['identity', '--config', config]);
  t.equal(none.code, 2);
  t.match(none.stderr, /identity needs an action/);
  const unknown = await runCli(['identity', 'shuffle', '--config', config]);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /unknown identity action "shuffle"/);
  const badRef = await runCli(['identity', 'join', 'no-colon', 'x:y', '--config', config]);
  t.equal(badRef.code, 2);
  t.match(badRef.stderr, /a record is SOURCE:NATIVE_ID, got "no-colon"/);
  const missing = await runCli(['identity', 'join', 'a:1', 'b:2', '--config', config]);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /no stored record a:1/);
  const show = await runCli(['identity', 'show', 'nope', '--config', config]);
  t.equal(show.code, 1);
  t.match(show.stderr, /no dataset with identifier "nope"/);
  const unset = await runCli(['identity', 'unset', 'x', '--config', config]);
  t.equal(unset.code, 2);
  const resolve = await runCli(['identity', 'resolve', '--json', '--config', config]);
  t.equal(resolve.code, 0);
  t.match(JSON.parse(resolve.stdout), { records: 0, datasets: 0 });
});
