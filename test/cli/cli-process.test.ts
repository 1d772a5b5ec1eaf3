import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../../src/model/project-root.js';
import { openDatabase } from '../../src/store/database.js';
import { startFixturePlatform } from '../helpers/crossplatform-server.js';
import { runCli } from '../helpers/in-process-cli.js';
import { CLI, spawnCli } from '../helpers/spawned-cli.js';
import { tempDir } from '../helpers/gateway.js';
import { freePort } from '../helpers/free-port.js';
import { records, writeConfig } from './cli-fixtures.js';

/**
 * What needs a real `ogd-gateway` process: Ctrl-C and SIGTERM, a run cancelled from another
 * process, `serve` as installed, the bin's exit statuses, a store of another user. What the
 * test reads afterwards (runs, a cancel) runs in this process. Everything else: cli.test.ts.
 */

/**
 * A platform of `count` records that answers each record after `delayMs`, and a configuration
 * whose one source `slow` harvests it `pageSize` records a page, one at a time: a run long
 * enough for a signal or a cancel to reach it mid-way. Removed when the test ends.
 */
async function slowSource(
  t: Test,
  count: number,
  delayMs: number,
  pageSize: number,
): Promise<{ platform: Awaited<ReturnType<typeof startFixturePlatform>>; config: string; many: unknown[] }> {
  const many = Array.from({ length: count }, (_, i) => ({ ...records[0]!, identifier: `A41000000G-${String(i).padStart(6, '0')}` }));
  const platform = await startFixturePlatform(many);
  platform.faults.delayMs = delayMs;
  const { dir, cleanup } = tempDir();
  t.teardown(async () => {
    await platform.close();
    cleanup();
  });
  const config = writeConfig(dir, [
    { id: 'slow', name: 'Slow', type: 'crossplatform', url: platform.url, schedule: '0 3 * * *', options: { pageSize, concurrency: 1 } },
  ]);
  return { platform, config, many };
}

t.test('the bin runs a verb and exits with its status: 0 for --help, 2 for bad usage (the statuses themselves: cli.test.ts, in process)', async (t) => {
  const help = await spawnCli(['--help']);
  t.equal(help.code, 0, help.stderr);
  t.match(help.stdout, /^ogd-gateway — /);
  const usage = await spawnCli(['frobnicate']);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /unknown command "frobnicate"/);
});

t.test('Ctrl-C cancels a harvest: the run is recorded as cancelled and the exit status is 1', async (t) => {
  const { platform, config, many } = await slowSource(t, 40, 200, 5);
  const child = spawn(process.execPath, [CLI, 'harvest', '--config', config], { cwd: projectPath(), env: { ...process.env, LOG_LEVEL: 'warn' } });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  while (platform.recordResponses() < 3) await new Promise((resolve) => setTimeout(resolve, 50));
  child.kill('SIGINT');
  t.equal(await exited, 1);
  t.match(stdout, /slow: CANCELLED/);
  const runs = await runCli(['runs', 'slow', '--config', config, '--json']);
  t.match(JSON.parse(runs.stdout), [{ status: 'cancelled', message: 'cancelled' }]);
  t.ok(platform.recordResponses() < many.length, 'the harvest stopped early');
});

t.test('ogd-gateway cancel stops a run going on in another process', async (t) => {
  // 300 records at 100 ms each: a run of 30 s, so that starting the `cancel` process (seconds on
  // a loaded CI machine) is sure to find it still running; cancelled, it ends long before.
  const { platform, config, many } = await slowSource(t, 300, 100, 2);
  // The harvest in a process of its own; `cancel` (in this process) reaches it through the store.
  const harvesting = spawnCli(['harvest', '--config', config]);
  while (platform.recordResponses() < 2) await new Promise((resolve) => setTimeout(resolve, 50));
  const cancelled = await runCli(['cancel', '1', '--config', config]);
  t.equal(cancelled.code, 0, cancelled.stderr);
  t.match(cancelled.stdout, /run 1 will stop after its current page/);
  const result = await harvesting;
  t.equal(result.code, 1);
  t.match(result.stdout, /slow: CANCELLED/);
  t.ok(platform.recordResponses() < many.length, 'it stopped early');
  const again = await runCli(['cancel', '1', '--config', config]);
  t.equal(again.code, 1);
  t.match(again.stderr, /not queued or running/);
  const bad = await runCli(['cancel', 'x', '--config', config]);
  t.equal(bad.code, 2);
});

t.test('SIGTERM stops serve promptly, cancelling the harvest it was running', async (t) => {
  const { platform, config } = await slowSource(t, 40, 200, 2);
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve', '--config', config], {
    cwd: projectPath(),
    stdio: 'ignore',
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'silent' },
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  while (platform.recordResponses() < 2) await new Promise((resolve) => setTimeout(resolve, 50));
  const stopping = Date.now();
  child.kill('SIGTERM');
  t.equal(await exited, 0);
  t.ok(Date.now() - stopping < 3000, `stopped in ${Date.now() - stopping} ms, without waiting for the harvest to finish`);
  const runs = await runCli(['runs', 'slow', '--config', config, '--json']);
  t.match(JSON.parse(runs.stdout), [{ status: 'cancelled' }]);
});

t.test('serve with the default configuration shows the bundled catalogue within seconds', async (t) => {
  const { dir, cleanup } = tempDir();
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve'], {
    cwd: projectPath(),
    env: { ...process.env, PORT: String(port), DATABASE_PATH: join(dir, 'catalog.db'), LOG_LEVEL: 'warn', OGD_CONFIG: '' },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    child.kill('SIGKILL');
    cleanup();
  });
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  let ids: string[] = [];
  while (Date.now() - started < 15_000) {
    try {
      const body = (await (await fetch(`${base}/api/v1/rest/dataset`)).json()) as { result: string[] };
      ids = body.result;
      if (ids.length >= 8) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.ok(ids.includes('A41000000G-000001'), `the spec example sample is listed after ${Date.now() - started} ms`);
  t.ok(ids.includes('A45020000D-000354'), 'the gen-2 sample is listed');
  t.equal(ids.length, 8, 'all bundled samples are served');

  const record = (await (await fetch(`${base}/api/v1/rest/dataset/A41000000G-000001`)).json()) as { result: { title: string } };
  t.equal(record.result.title, '行政院公報');
  const jsonld = await fetch(`${base}/dataset/A41000000G-000001.jsonld`);
  t.match(jsonld.headers.get('content-type'), /application\/ld\+json/);
  const health = (await (await fetch(`${base}/healthz`)).json()) as { status: string; datasets: number };
  t.same(health, { status: 'ok', datasets: 8 });
  const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
  t.match(openapi.openapi, /^3\./);

  child.kill('SIGTERM');
  t.equal(await exited, 0, 'SIGTERM shuts down cleanly');
});

t.test('a store this user may not write: serve refuses to start with one line and exit status 3', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const storeDir = join(dir, 'store');
  mkdirSync(storeDir);
  const dbPath = join(storeDir, 'catalog.db');
  openDatabase(dbPath).close();
  // Readable, not writable, by the gateway's user: as root (whom permissions do not stop), the CLI
  // runs as nobody; otherwise as this user, with the write bits taken away.
  const root = process.getuid?.() === 0;
  chmodSync(dir, 0o755);
  chmodSync(dbPath, root ? 0o644 : 0o444);
  chmodSync(storeDir, root ? 0o755 : 0o555);
  t.teardown(() => chmodSync(storeDir, 0o755));
  const result = await spawnCli(['serve'], { DATABASE_PATH: dbPath, PORT: '0' }, root ? { uid: 65534, gid: 65534 } : {});
  t.equal(result.code, 3, result.stderr);
  t.match(
    result.stderr,
    new RegExp(
      `^ogd-gateway: the store ${dbPath} is read-only \\(SQLITE_READONLY\\w*\\): check the file's and directory's permissions \\(WAL needs the directory writable\\) or set DATABASE_PATH\n$`,
    ),
  );
});
