import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, TEST_MAX_PAGE_COUNT_ENV } from '../../src/store/database.js';
import { startFixturePlatform } from '../helpers/crossplatform-server.js';
import { readFixture, tempDir } from '../helpers/gateway.js';
import { runCli } from '../helpers/in-process-cli.js';

/** The store's conditions as the CLI reports them, each invocation in this process (src/cli/main.ts). */

const own = readFixture<Array<Record<string, unknown>>>('crossplatform', 'own-records.json').filter((r) => r.title !== undefined);

t.test('harvest into a full store: one line naming the file, exit status 3, the run closed as failed', async (t) => {
  // About 20 kB each: the first page needs room the store does not have.
  const records = Array.from({ length: 4 }, (_, i) => ({
    ...own[i % own.length]!,
    identifier: `A41000000G-${String(500 + i).padStart(6, '0')}`,
    description: '很長的說明。'.repeat(3000),
  }));
  const platform = await startFixturePlatform(records);
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
      harvest: { allowPrivateAddresses: true, retries: 0, timeoutMs: 3000 },
      sources: [{ id: 'agency', name: 'Agency', type: 'crossplatform', url: platform.url, schedule: '0 3 * * *', options: { pageSize: 2 } }],
    }),
  );
  // The store as it is before the harvest; then it may grow by two pages.
  const created = openDatabase(dbPath);
  const pages = created.pragma('page_count', { simple: true }) as number;
  created.close();

  const handlers = process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');
  const result = await runCli(['harvest', '--config', config], { [TEST_MAX_PAGE_COUNT_ENV]: String(pages + 2) });
  t.equal(process.listenerCount('SIGINT') + process.listenerCount('SIGTERM'), handlers, 'the failed harvest removed its signal handlers too');
  t.equal(result.code, 3, 'the store status, apart from a failed run (1) and bad usage (2)');
  const line = `ogd-gateway: the store ${dbPath} is full (SQLITE_FULL): free disk space or move DATABASE_PATH, then run again`;
  const lines = result.stderr.trimEnd().split('\n');
  t.equal(lines.at(-1), line, 'the last word is the one line');
  t.notOk(
    lines.slice(0, -1).some((l) => l.startsWith('ogd-gateway:')),
    'said once',
  );
  t.notMatch(result.stderr, /SqliteError|\n\s+at /, 'no stack trace');

  const db = new Database(dbPath, { readonly: true });
  t.teardown(() => db.close());
  t.match(db.prepare('SELECT status, message FROM runs').all(), [{ status: 'failed', message: line.replace('ogd-gateway: ', '') }]);
});

t.test('serve on a store that cannot be opened refuses to start with one line and exit status 3', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const notAFile = join(dir, 'catalog.db');
  mkdirSync(notAFile);
  const result = await runCli(['serve'], { DATABASE_PATH: notAFile, PORT: '0' });
  t.equal(result.code, 3);
  t.equal(
    result.stderr,
    `ogd-gateway: the store ${notAFile} cannot be opened (SQLITE_CANTOPEN): check that its directory exists and is writable by this user (WAL creates files beside it) or set DATABASE_PATH\n`,
  );
});

// A store another user may not write (a process of that user): cli-process.test.ts.
