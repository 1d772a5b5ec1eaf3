import t from 'tap';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { projectPath } from '../../src/model/project-root.js';
import { CLI } from '../helpers/spawned-cli.js';
import { startFixturePlatform } from '../helpers/crossplatform-server.js';
import { readFixture, tempDir } from '../helpers/gateway.js';
import { runCli } from '../helpers/in-process-cli.js';

const own = readFixture<Array<Record<string, unknown>>>('crossplatform', 'own-records.json').filter((r) => r.title !== undefined);

t.test('kill -9 of a harvesting process loses nothing committed, and the next run succeeds', async (t) => {
  const records = Array.from({ length: 30 }, (_, i) => ({ ...own[i % own.length]!, identifier: `A41000000G-${String(400 + i).padStart(6, '0')}` }));
  const platform = await startFixturePlatform(records);
  platform.faults.delayMs = 40;
  const { dir, cleanup } = tempDir();
  t.teardown(async () => {
    await platform.close();
    cleanup();
  });
  const dbPath = join(dir, 'catalog.db');
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      database: { path: dbPath },
      harvest: { allowPrivateAddresses: true, retries: 0 },
      sources: [{ id: 'agency', name: 'Agency', type: 'crossplatform', url: platform.url, schedule: '0 3 * * *', options: { pageSize: 3, concurrency: 1 } }],
    }),
  );

  const child = spawn(process.execPath, [CLI, 'harvest', '--config', config], {
    cwd: projectPath(),
    stdio: 'ignore',
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  while (platform.recordResponses() < 10) await new Promise((resolve) => setTimeout(resolve, 20));
  child.kill('SIGKILL');
  t.equal(await exited, 'SIGKILL', 'the harvester was killed mid-run');

  const db = new Database(dbPath);
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'the database is consistent');
  // Datasets are resolved from the stored records once a run ends; what a kill must not lose is the records.
  const stored = db.prepare('SELECT native_id AS identifier, record FROM source_payloads').all() as Array<{ identifier: string; record: string }>;
  t.ok(stored.length >= 3 && stored.length < 30, `the pages committed before the kill are there (${stored.length})`);
  for (const row of stored) t.doesNotThrow(() => JSON.parse(row.record), `${row.identifier} is whole`);
  t.equal(db.prepare('SELECT COUNT(*) FROM record_keys WHERE kind = ?').pluck().get('agency'), stored.length, 'with their identity keys, committed with them');
  t.equal(db.prepare("SELECT value FROM store_state WHERE key = 'identity_dirty'").pluck().get(), '1', 'and the store knows identity must be resolved again');
  t.match(db.prepare('SELECT status FROM runs').all(), [{ status: 'running' }], 'the killed run was left open');
  db.close();

  platform.faults.delayMs = 0;
  const next = await runCli(['harvest', '--config', config]);
  t.equal(next.code, 0);
  t.match(next.stdout, /agency: SUCCEEDED/);

  const after = new Database(dbPath, { readonly: true });
  t.teardown(() => after.close());
  t.match(after.prepare('SELECT id, status, message FROM runs ORDER BY id').all(), [
    { id: 1, status: 'failed', message: /ended before the run finished/ },
    { id: 2, status: 'succeeded' },
  ]);
  t.equal(after.prepare('SELECT COUNT(*) FROM datasets').pluck().get(), 30, 'the next run completed the catalogue');
});
