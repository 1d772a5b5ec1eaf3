import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { projectPath } from '../../src/model/project-root.js';
import { tempDir } from '../helpers/gateway.js';
import { cityRecord, comparableExports, hubRecord, startDownstream, startFeedProxy, startUpstream } from '../mirror/gateways.js';

/**
 * `ogd-gateway mirror URL` as an operator runs it: a real upstream gateway on loopback (in this
 * process), the mirror a child process writing its own SQLite file. --once, the listing, bad
 * usage, the private-address guard, kill -9 in the middle of a sync and the resume, and a
 * follower stopped with Ctrl-C.
 */

const CLI = projectPath('dist', 'src', 'cli.js');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Not spawnSync: the upstream answering the mirror lives in this process's event loop. */
function runCli(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: projectPath(), env: { ...process.env, LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function writeConfig(dir: string, sources: unknown[] = []): string {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ database: { path: join(dir, 'mirror.db') }, harvest: { retries: 0, timeoutMs: 5000 }, sources }));
  return file;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const cities = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => cityRecord(from + i));

t.test('mirror URL --once: sync to the end, exit 0; `mirror` lists it; the mirror serves what the upstream serves', async (t) => {
  const upstream = await startUpstream(t, { city: cities(1, 5), hub: [hubRecord(1), hubRecord(2)] });
  await upstream.harvest('city');
  await upstream.harvest('hub');
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const config = writeConfig(dir);

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
  t.match(JSON.parse(listed.stdout), [{ id: sourceId, url: upstream.base, priority: 0, datasets: 7, walkingFromBeginning: false, lastRun: { id: 2, status: 'succeeded', changes: 7 } }]);
  const text = await runCli(['mirror', '--config', config]);
  t.match(text.stdout, new RegExp(`${sourceId.replace(/\./g, '\\.')}  ${upstream.base}  priority 0\\n  7 datasets; cursor [A-Za-z0-9_-]+; last run 2 succeeded`));
  const runs = await runCli(['runs', '--config', config]);
  t.match(runs.stdout, /run 1 mirror-\S+ failed.*\n.*\n  1× feed \[blocked-address\]/, 'its runs, with the failure grouped by cause');

  const downstream = await startDownstream(t, join(dir, 'mirror.db'));
  const { upstream: up, downstream: down } = await comparableExports(upstream.base, downstream.base);
  t.equal(down.csv, up.csv, 'the CSV exports are identical');
  t.equal(down.jsonld, up.jsonld, 'the JSON-LD exports are identical (but for the public URL)');
});

t.test('bad usage exits 2 and says why', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const config = writeConfig(dir, [{ id: 'mirror-gw.example.tw', name: 'A harvest source', type: 'crossplatform', url: 'https://gw.example.tw', schedule: '0 3 * * *' }]);
  const cases: Array<[string[], RegExp]> = [
    [['mirror', 'ftp://gw.example.tw', '--once'], /only http and https/],
    [['mirror', 'gw.example.tw', '--once'], /not a URL/],
    [['mirror', 'https://user:secret@gw.example.tw', '--once'], /user name or password/],
    [['mirror', 'https://gw.example.tw/?since=x', '--once'], /carries a query/],
    [['mirror', 'https://a.example.tw', 'https://b.example.tw'], /one URL at a time/],
    [['mirror', 'https://a.example.tw', '--interval', '0'], /--interval must be a number of seconds from 1 to 86400/],
    [['mirror', 'https://a.example.tw', '--interval', 'soon'], /--interval/],
    [['mirror', 'https://a.example.tw', '--priority', '1.5'], /--priority must be an integer/],
    [['mirror', 'https://gw.example.tw', '--once'], /"mirror-gw\.example\.tw" is a configured source's id/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli([...args, '--config', config]);
    t.equal(result.code, 2, args.join(' '));
    t.match(result.stderr, message, args.join(' '));
  }
});

t.test('kill -9 in the middle of a sync loses nothing applied; the next sync resumes at the stored cursor', async (t) => {
  const upstream = await startUpstream(t, { city: cities(1, 30), hub: [] });
  await upstream.harvest('city');
  // Pages of 3, each answered after 150 ms: ten pages, and time to kill the mirror between two.
  const proxy = await startFeedProxy(t, upstream.base, { limit: 3, delayMs: 150 });
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const config = writeConfig(dir);
  const dbPath = join(dir, 'mirror.db');

  const child = spawn(process.execPath, [CLI, 'mirror', proxy.url, '--once', '--allow-private-addresses', '--config', config], {
    cwd: projectPath(),
    stdio: 'ignore',
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await waitFor('three pages', () => proxy.answered() >= 3);
  child.kill('SIGKILL');
  t.equal(await exited, 'SIGKILL', 'the mirror was killed mid-sync');

  const db = new Database(dbPath, { readonly: true });
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'the database is consistent');
  const cursor = db.prepare("SELECT value FROM store_state WHERE key LIKE 'mirror_cursor:%'").pluck().get() as string;
  const stored = db.prepare('SELECT COUNT(*) FROM source_records').pluck().get() as number;
  t.ok(stored >= 6 && stored < 30, `the pages applied before the kill are stored (${stored} records)`);
  t.equal(stored % 3, 0, 'whole pages only');
  t.ok(proxy.sinces.includes(cursor), 'the stored cursor is one the walk reached');
  t.match(db.prepare('SELECT status FROM runs').all(), [{ status: 'running' }], 'the killed run was left open');
  db.close();

  const before = proxy.sinces.length;
  proxy.delayMs = 0;
  const resumed = await runCli(['mirror', proxy.url, '--once', '--allow-private-addresses', '--config', config]);
  t.equal(resumed.code, 0, resumed.stderr);
  t.equal(proxy.sinces[before], cursor, 'the next sync starts at the stored cursor: no page skipped, none applied twice');
  t.match(resumed.stdout, new RegExp(`${30 - stored} changes: ${30 - stored} new`), 'exactly the changes the killed sync had not applied');

  const after = new Database(dbPath, { readonly: true });
  t.match(after.prepare('SELECT id, status, message FROM runs ORDER BY id').all(), [
    { id: 1, status: 'failed', message: /ended before the run finished/ },
    { id: 2, status: 'succeeded' },
  ]);
  after.close();
  const downstream = await startDownstream(t, dbPath);
  const { upstream: up, downstream: down } = await comparableExports(upstream.base, downstream.base);
  t.equal(down.csv, up.csv, 'the CSV exports are identical');
  t.equal(down.jsonld, up.jsonld, 'the JSON-LD exports are identical (but for the public URL)');
});

t.test('following: each poll applies what changed upstream; Ctrl-C stops it cleanly with exit 0', async (t) => {
  const upstream = await startUpstream(t, { city: cities(1, 4), hub: [] });
  await upstream.harvest('city');
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const config = writeConfig(dir);
  const child: ChildProcess = spawn(process.execPath, [CLI, 'mirror', upstream.base, '--interval', '1', '--allow-private-addresses', '--config', config], {
    cwd: projectPath(),
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  await waitFor('the first sync', () => /SUCCEEDED/.test(stdout));
  t.match(stdout, /4 changes: 4 new/);
  upstream.city.records.delete('379000000A-000002');
  upstream.city.records.set('379000000A-000005', cityRecord(5));
  await upstream.harvest('city');
  await waitFor('the sync of the changes', () => (stdout.match(/SUCCEEDED/g) ?? []).length === 2);
  t.match(stdout, /2 changes: 1 new, 0 changed, 0 unchanged, 0 rejected, 1 kept with rule errors, 1 withdrawn/);
  t.notMatch(stdout, /up to date/, 'idle polls print nothing');

  child.kill('SIGINT');
  t.equal(await exited, 0, 'Ctrl-C ends a follower normally');
  const downstream = await startDownstream(t, join(dir, 'mirror.db'));
  const { upstream: up, downstream: down } = await comparableExports(upstream.base, downstream.base);
  t.equal(down.csv, up.csv, 'the CSV exports are identical');
  t.equal(down.jsonld, up.jsonld, 'the JSON-LD exports are identical (but for the public URL)');
});
