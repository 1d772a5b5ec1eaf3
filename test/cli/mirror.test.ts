import t from 'tap';
import { join } from 'node:path';
import { tempDir } from '../helpers/gateway.js';
import { runCli } from '../helpers/in-process-cli.js';
import { writeMirrorConfig } from '../mirror/cli-process.js';
import { cityRecord, comparableExports, hubRecord, startDownstream, startUpstream } from '../mirror/gateways.js';

/**
 * `ogd-gateway mirror URL` as an operator runs it: a real upstream gateway on loopback, the mirror
 * an invocation of the CLI (both in this process: src/cli/main.ts) writing its own SQLite file. --once, the listing, the
 * runs, the private-address guard, and bad usage. (kill -9 mid-sync: test/mirror/crash.test.ts;
 * following and Ctrl-C: test/mirror/follow-cli.test.ts.)
 */

const cities = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => cityRecord(from + i));

t.test('mirror URL --once: sync to the end, exit 0; `mirror` lists it; the mirror serves what the upstream serves', async (t) => {
  const upstream = await startUpstream(t, { city: cities(1, 5), hub: [hubRecord(1), hubRecord(2)] });
  await upstream.harvest('city');
  await upstream.harvest('hub');
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const config = writeMirrorConfig(dir);

  const refused = await runCli(['mirror', upstream.base, '--once', '--config', config]);
  t.equal(refused.code, 1, 'loopback is refused unless allowed');
  t.match(refused.stdout, /FAILED/);
  t.match(refused.stdout, /reason: refusing to connect to 127\.0\.0\.1.*private addresses are not allowed/);

  const once = await runCli(['mirror', upstream.base, '--once', '--allow-private-addresses', '--config', config]);
  t.equal(once.code, 0, once.stderr);
  const sourceId = `mirror-127.0.0.1-${new URL(upstream.base).port}`;
  t.match(once.stdout, new RegExp(`^${sourceId.replace(/\./g, '\\.')}: SUCCEEDED \\(run 2, [\\d.]+s, cursor [A-Za-z0-9_-]+\\)`));
  t.match(once.stdout, /1 pages, 7 changes: 7 new, 0 changed, 0 unchanged, 0 rejected, \d+ kept with rule errors, 0 withdrawn; 0 errors/);

  const again = await runCli(['mirror', `${upstream.base}/api/changes`, '--once', '--allow-private-addresses', '--config', config]);
  t.equal(again.code, 0);
  t.match(again.stdout, new RegExp(`${sourceId.replace(/\./g, '\\.')}: up to date`), 'the feed URL names the same mirror, and it resumes from its cursor');

  const listed = await runCli(['mirror', '--json', '--config', config]);
  t.equal(listed.code, 0);
  t.match(JSON.parse(listed.stdout), [
    { id: sourceId, url: upstream.base, priority: 0, datasets: 7, walkingFromBeginning: false, lastRun: { id: 2, status: 'succeeded', changes: 7 } },
  ]);
  const runs = await runCli(['runs', '--config', config]);
  t.match(runs.stdout, /run 1 mirror-\S+ failed.*\n.*\n {2}1× feed \[blocked-address\]/, 'its runs, with the failure grouped by cause');

  const downstream = await startDownstream(t, join(dir, 'mirror.db'));
  const { upstream: up, downstream: down } = await comparableExports(upstream.base, downstream.base);
  t.equal(down.csv, up.csv, 'the CSV exports are identical');
  t.equal(down.jsonld, up.jsonld, 'the JSON-LD exports are identical (but for the public URL)');
});

t.test('bad usage exits 2 and says why', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const config = writeMirrorConfig(dir, [
    { id: 'mirror-gw.example.tw', name: 'A harvest source', type: 'crossplatform', url: 'https://gw.example.tw', schedule: '0 3 * * *' },
  ]);
  const cases: Array<[string[], RegExp]> = [
    [['mirror', 'https://a.example.tw', 'https://b.example.tw'], /one URL at a time/],
    [['mirror', 'ftp://gw.example.tw', '--once'], /only http and https/],
    [['mirror', 'gw.example.tw', '--once'], /not a URL/],
    [['mirror', 'https://user:secret@gw.example.tw', '--once'], /user name or password/],
    [['mirror', 'https://gw.example.tw/?since=x', '--once'], /carries a query/],
    [['mirror', 'https://a.example.tw', '--once', '--interval', '0'], /--interval must be a number of seconds from 1 to 86400/],
    [['mirror', 'https://a.example.tw', '--once', '--interval', 'soon'], /--interval/],
    [['mirror', 'https://a.example.tw', '--once', '--interval', '86401'], /--interval/],
    [['mirror', 'https://a.example.tw', '--once', '--priority', '1.5'], /--priority must be an integer/],
    [['mirror', 'https://a.example.tw', '--once', '--priority', '5000'], /--priority/],
    [['mirror', 'https://gw.example.tw', '--once'], /"mirror-gw\.example\.tw" is a configured source's id/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli([...args, '--config', config]);
    t.equal(result.code, 2, args.join(' '));
    t.match(result.stderr, message, args.join(' '));
  }
});
