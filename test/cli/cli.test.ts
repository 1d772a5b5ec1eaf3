import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../../src/model/project-root.js';
import { startFixturePlatform } from '../helpers/crossplatform-server.js';
import { inProcess } from '../helpers/in-process-cli.js';
import { readFixture, tempDir } from '../helpers/gateway.js';
import { sources } from '../../src/cli/sources.js';
import { runs } from '../../src/cli/runs.js';
import { emptyCounts } from '../../src/harvest/run.js';
import { ensureMirrorSource } from '../../src/store/mirror-sources.js';
import { openDatabase } from '../../src/store/database.js';
import { ensurePushSource } from '../../src/store/push-sources.js';
import { finishRun, markRunStarted, queueRun } from '../../src/store/runs.js';

const CLI = projectPath('dist', 'src', 'cli.js');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: projectPath(), env: { ...process.env, LOG_LEVEL: 'warn', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function writeConfig(dir: string, sources: unknown[]): string {
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      database: { path: join(dir, 'catalog.db') },
      harvest: { allowPrivateAddresses: true, retries: 0, timeoutMs: 3000 },
      sources,
    }),
  );
  return file;
}

const records = readFixture<Array<Record<string, unknown>>>('crossplatform', 'own-records.json').filter((r) => r.title !== undefined);

t.test('harvest runs the named source, prints a summary and exits 0', async (t) => {
  const platform = await startFixturePlatform(records);
  const { dir, cleanup } = tempDir();
  t.teardown(async () => {
    await platform.close();
    cleanup();
  });
  const config = writeConfig(dir, [{ id: 'agency', name: 'Agency', type: 'crossplatform', url: platform.url, schedule: '0 3 * * *' }]);
  const result = await runCli(['harvest', 'agency', '--config', config]);
  t.equal(result.code, 0, result.stderr);
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
  const before = await inProcess(() => sources({ configFile: both, json: true }));
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

  const listed = await inProcess(() => sources({ configFile: config, json: true }));
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

  const text = await inProcess(() => sources({ configFile: config, json: false }));
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

  const mirrorRuns = await inProcess(() => runs({ configFile: config, sourceId: 'mirror-gw.example.tw', json: false }));
  t.equal(mirrorRuns.code, 0, mirrorRuns.stderr);
  t.match(mirrorRuns.stdout, new RegExp(`^run ${runId} mirror-gw\\.example\\.tw succeeded .*: 3 records \\(3 new,`, 'm'), "a mirror's runs");
  const mirrorJson = await inProcess(() => runs({ configFile: config, sourceId: 'mirror-gw.example.tw', json: true }));
  t.match(JSON.parse(mirrorJson.stdout), [{ id: runId, source_id: 'mirror-gw.example.tw', status: 'succeeded', errorGroups: [] }]);
  for (const sourceId of ['push:A41000000G', 'old']) {
    const none = await inProcess(() => runs({ configFile: config, sourceId, json: false }));
    t.equal(none.code, 0, `${sourceId}: held by the database, so it can be named`);
    t.equal(none.stdout, 'no runs yet\n');
  }
  const unknown = await inProcess(() => runs({ configFile: config, sourceId: 'nope', json: false }));
  t.equal(unknown.code, 2, 'a source the database does not hold is still refused');
  t.match(unknown.stderr, /unknown source "nope"/);
});

t.test('Ctrl-C cancels a harvest: the run is recorded as cancelled and the exit status is 1', async (t) => {
  const many = Array.from({ length: 40 }, (_, i) => ({ ...records[0]!, identifier: `A41000000G-${String(i).padStart(6, '0')}` }));
  const platform = await startFixturePlatform(many);
  platform.faults.delayMs = 200;
  const { dir, cleanup } = tempDir();
  t.teardown(async () => {
    await platform.close();
    cleanup();
  });
  const config = writeConfig(dir, [
    { id: 'slow', name: 'Slow', type: 'crossplatform', url: platform.url, schedule: '0 3 * * *', options: { pageSize: 5, concurrency: 1 } },
  ]);
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
  const many = Array.from({ length: 300 }, (_, i) => ({ ...records[0]!, identifier: `A41000000G-${String(i).padStart(6, '0')}` }));
  const platform = await startFixturePlatform(many);
  platform.faults.delayMs = 100;
  const { dir, cleanup } = tempDir();
  t.teardown(async () => {
    await platform.close();
    cleanup();
  });
  const config = writeConfig(dir, [
    { id: 'slow', name: 'Slow', type: 'crossplatform', url: platform.url, schedule: '0 3 * * *', options: { pageSize: 2, concurrency: 1 } },
  ]);
  const harvesting = runCli(['harvest', '--config', config]);
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
  const many = Array.from({ length: 40 }, (_, i) => ({ ...records[0]!, identifier: `A41000000G-${String(i).padStart(6, '0')}` }));
  const platform = await startFixturePlatform(many);
  platform.faults.delayMs = 200;
  const { dir, cleanup } = tempDir();
  t.teardown(async () => {
    await platform.close();
    cleanup();
  });
  const config = writeConfig(dir, [
    { id: 'slow', name: 'Slow', type: 'crossplatform', url: platform.url, schedule: '0 3 * * *', options: { pageSize: 2, concurrency: 1 } },
  ]);
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
