import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { projectPath } from '../../src/model/project-root.js';
import { freePort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/gateway.js';
import { runCli } from '../helpers/in-process-cli.js';
import { CLI } from '../helpers/spawned-cli.js';
import { waitFor, writeMirrorConfig } from './cli-process.js';
import { cityRecord, comparableExports, startDownstream, startFeedProxy, startUpstream } from './gateways.js';

/**
 * kill -9 of a mirror process in the middle of a sync, then the next sync: nothing lost, nothing
 * applied twice. And killed between its last page and resolution: the next sync or `serve` start
 * serves what it stored.
 */

const cities = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => cityRecord(from + i));

t.test('kill -9 in the middle of a sync loses nothing applied; the next sync resumes at the stored cursor', async (t) => {
  const upstream = await startUpstream(t, { city: cities(1, 30), hub: [] });
  await upstream.harvest('city');
  // Pages of 3: ten pages. The first three are answered at once, each later one after 400 ms: time
  // to kill the mirror between two even when a loaded CI machine starves this process for a second
  // or two (seven pages of 400 ms after the third, as when every page waited).
  const proxy = await startFeedProxy(t, upstream.base, { limit: 3, delayMs: 400, undelayedRequests: 3 });
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const config = writeMirrorConfig(dir);
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

t.test('kill -9 between the last page and resolution: the next `mirror --once` and a `serve` start both serve what it stored', async (t) => {
  const upstream = await startUpstream(t, { city: cities(1, 7), hub: [] });
  await upstream.harvest('city');
  const proxy = await startFeedProxy(t, upstream.base, { limit: 3, delayMs: 0 });
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const config = writeMirrorConfig(dir);
  const dbPath = join(dir, 'mirror.db');

  // The sync's test hook: SIGKILL itself right after the last page commits, before resolving.
  const child = spawn(process.execPath, [CLI, 'mirror', proxy.url, '--once', '--allow-private-addresses', '--config', config], {
    cwd: projectPath(),
    stdio: 'ignore',
    env: { ...process.env, LOG_LEVEL: 'silent', OGD_GATEWAY_TEST_KILL_AFTER_LAST_MIRROR_PAGE: '1' },
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
  t.equal(signal, 'SIGKILL', 'the mirror died after its last page');

  const killed = new Database(dbPath);
  t.equal(killed.prepare('SELECT COUNT(*) FROM source_records').pluck().get(), 7, 'every record is stored');
  t.equal(killed.prepare('SELECT COUNT(*) FROM datasets').pluck().get(), 0, 'none is served');
  t.equal(killed.prepare("SELECT value FROM store_state WHERE key = 'identity_dirty'").pluck().get(), '1', 'the store is marked for resolution');
  // The same killed store twice: one for the next sync, one for a serve start.
  const { dir: serveDir, cleanup: cleanupServe } = tempDir();
  t.teardown(cleanupServe);
  killed.prepare('VACUUM INTO ?').run(join(serveDir, 'mirror.db'));
  killed.close();

  const next = await runCli(['mirror', proxy.url, '--once', '--allow-private-addresses', '--config', config]);
  t.equal(next.code, 0, next.stderr);
  t.match(
    next.stdout,
    /SUCCEEDED .*\n.* 0 changes.*\n {2}note: resolved the records an earlier run stored/,
    'not "up to date": it resolved what the killed sync stored',
  );
  const downstream = await startDownstream(t, dbPath);
  const { upstream: up, downstream: down } = await comparableExports(upstream.base, downstream.base);
  t.equal(down.csv, up.csv, 'the mirror serves what the upstream serves');

  const port = await freePort();
  const server = spawn(process.execPath, [CLI, 'serve', '--config', writeMirrorConfig(serveDir)], {
    cwd: projectPath(),
    stdio: 'ignore',
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'silent' },
  });
  const stopped = new Promise<void>((resolve) => server.on('exit', () => resolve()));
  t.teardown(async () => {
    server.kill('SIGTERM');
    await stopped;
  });
  // serve listens only once start-up is done: its first answer is the catalogue it resolved.
  let served: string[] | undefined;
  const deadline = Date.now() + 30_000;
  while (served === undefined && Date.now() < deadline) {
    try {
      served = ((await (await fetch(`http://127.0.0.1:${port}/api/v1/rest/dataset`)).json()) as { result: string[] }).result;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100)); // not listening yet
    }
  }
  t.same(
    served,
    cities(1, 7).map((r) => r.identifier),
    'serve resolved the killed store at start-up, before listening',
  );
});
