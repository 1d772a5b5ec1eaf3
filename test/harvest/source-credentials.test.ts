import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { parseConfig } from '../../src/config/load.js';
import { Harvester } from '../../src/harvest/harvester.js';
import { createLogger } from '../../src/log.js';
import { openDatabase } from '../../src/store/database.js';
import { listRuns, runErrors } from '../../src/store/runs.js';
import { listSources, syncSources } from '../../src/store/sources.js';
import { projectPath } from '../../src/model/project-root.js';
import { tempDir } from '../helpers/gateway.js';
import { runCli } from '../helpers/in-process-cli.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';

/**
 * A source whose URL carries credentials (`user:password@` and `?api_key=`): the source gets
 * them, nobody else does. Its failures quote its URL, and that URL must show up redacted in the
 * log, the runs table (and the whole database file), and `sources`, `runs` and `harvest` output.
 */

const USER = 'harvester';
const PASSWORD = 'pa55w0rd-xyzzy';
const API_KEY = 'S3CRETKEY-plugh';
const SECRETS = new RegExp(`${PASSWORD}|${API_KEY}`);

type Mode = 'ok' | '500' | 'html';

async function startSource(t: Test) {
  const received: Array<{ url: string; authorization: string | undefined }> = [];
  const document = readFileSync(projectPath('test', 'fixtures', 'dcat-us', 'dcatus.json'));
  const state = { mode: 'ok' as Mode };
  const server = createServer((req, res) => {
    received.push({ url: req.url ?? '', authorization: req.headers.authorization });
    if (state.mode === '500') {
      res.writeHead(500).end('upstream broke');
    } else if (state.mode === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>log in first</html>');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end(document);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  const port = (server.address() as AddressInfo).port;
  return { received, state, url: `http://${USER}:${PASSWORD}@127.0.0.1:${port}/data.json?format=json&api_key=${API_KEY}` };
}

function sourceConfig(dir: string, url: string) {
  return {
    database: { path: join(dir, 'catalog.db') },
    harvest: { allowPrivateAddresses: true, retries: 0, timeoutMs: 3000 },
    sources: [{ id: 'keyed', name: 'A source that needs a key', type: 'dcat-us', url, schedule: '0 3 * * *' }],
  };
}

t.test('credentials in a source URL reach the source and nowhere else', async (t) => {
  const source = await startSource(t);
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const raw = sourceConfig(dir, source.url);
  const config = parseConfig(raw, 'test config');
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(raw));

  let logged = '';
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += chunk.toString();
      done();
    },
  });
  const log = createLogger('debug', capture);
  const db = openDatabase(config.database.path);
  syncSources(db, config.sources);
  const harvester = new Harvester(sqliteStoreOn(db), config, log);

  const ok = await harvester.run('keyed');
  t.equal(ok?.status, 'succeeded', 'the source is harvested with its credentials');
  const failed = [] as number[];
  for (const mode of ['500', 'html'] as const) {
    source.state.mode = mode;
    const run = await harvester.run('keyed');
    t.equal(run?.status, 'failed', `a source answering ${mode} fails the run`);
    failed.push(run!.runId);
  }

  t.equal(source.received.length, 3);
  for (const request of source.received) {
    t.equal(request.url, `/data.json?format=json&api_key=${API_KEY}`, 'the key reached the source in the query');
    t.equal(
      request.authorization,
      `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`,
      'the user name and password reached it as Basic authentication',
    );
  }

  t.match(logged, /harvest run finished/);
  t.match(logged, /api_key=\*\*\*/, 'the log names the URL');
  t.notMatch(logged, SECRETS, 'the log carries no secret');
  for (const line of logged.trim().split('\n')) JSON.parse(line);

  const stored = listRuns(db, 'keyed');
  t.equal(stored.length, 3);
  for (const run of stored) t.notMatch(run.message ?? '', SECRETS, `run ${run.id}'s message`);
  for (const run of stored.filter((r) => r.status === 'failed')) {
    t.match(run.message, /harvester:\*\*\*@127\.0\.0\.1:\d+\/data\.json\?format=json&api_key=\*\*\*/, `run ${run.id}'s message names the URL, redacted`);
  }
  for (const runId of failed) {
    const errors = runErrors(db, runId);
    t.ok(errors.length > 0, `run ${runId} has errors`);
    for (const error of errors) t.notMatch(JSON.stringify(error), SECRETS, `run ${runId}'s error ${error.rule}`);
    t.match(errors[0]?.message, /api_key=\*\*\*/);
  }
  t.notMatch(
    listSources(db)
      .map((s) => s.url)
      .join('\n'),
    SECRETS,
    'the sources table keeps the URL redacted',
  );
  db.close();
  for (const file of ['catalog.db', 'catalog.db-wal']) {
    const path = join(dir, file);
    if (existsSync(path)) t.notOk(readFileSync(path).includes(API_KEY) || readFileSync(path).includes(PASSWORD), `${file} holds no secret`);
  }

  for (const json of [false, true]) {
    const listed = await runCli(['sources', '--config', configFile, ...(json ? ['--json'] : [])]);
    t.equal(listed.code, 0, listed.stderr);
    t.match(
      listed.stdout,
      /keyed.*http:\/\/harvester:\*\*\*@127\.0\.0\.1:\d+\/data\.json\?format=json&api_key=\*\*\*/,
      `sources${json ? ' --json' : ''} shows the URL redacted`,
    );
    t.notMatch(listed.stdout + listed.stderr, SECRETS, `sources${json ? ' --json' : ''}`);
    const reported = await runCli(['runs', '--config', configFile, ...(json ? ['--json'] : [])]);
    t.equal(reported.code, 0, reported.stderr);
    t.match(reported.stdout, /api_key=\*\*\*/, `runs${json ? ' --json' : ''} shows the reason`);
    t.notMatch(reported.stdout + reported.stderr, SECRETS, `runs${json ? ' --json' : ''}`);
  }
});

t.test('`ogd-gateway harvest` prints and logs the failing URL redacted', async (t) => {
  const source = await startSource(t);
  source.state.mode = '500';
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(sourceConfig(dir, source.url)));
  const harvest = await runCli(['harvest', 'keyed', '--config', configFile]);
  t.equal(harvest.code, 1, 'the run failed');
  t.match(harvest.stdout, /keyed: FAILED[\s\S]*reason: HTTP 500 from http:\/\/harvester:\*\*\*@127\.0\.0\.1:\d+\/data\.json\?format=json&api_key=\*\*\*/);
  t.match(harvest.stderr, /harvest run finished/, 'the failure is logged');
  t.notMatch(harvest.stdout + harvest.stderr, SECRETS, 'neither the report nor the log carries a secret');
  t.equal(source.received.length, 1);
  t.match(source.received[0]?.url, API_KEY, 'the request carried the key');
});
