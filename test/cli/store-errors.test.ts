import t from 'tap';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { projectPath } from '../../src/model/project-root.js';
import { openDatabase, TEST_MAX_PAGE_COUNT_ENV } from '../../src/store/database.js';
import { startFixturePlatform } from '../helpers/crossplatform-server.js';
import { readFixture, tempDir } from '../helpers/gateway.js';

const CLI = projectPath('dist', 'src', 'cli.js');

function runCli(
  args: string[],
  env: Record<string, string>,
  as?: { uid: number; gid: number },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Another user's process is not instrumented by tap (its hook, which tap puts in NODE_OPTIONS
    // of every child, would write into this user's .tap and fail): `env -u` drops it.
    const [command, commandArgs] = as ? ['env', ['-u', 'NODE_OPTIONS', process.execPath, CLI, ...args]] : [process.execPath, [CLI, ...args]];
    const child = spawn(command, commandArgs, { cwd: projectPath(), env: { ...process.env, LOG_LEVEL: 'warn', ...env }, ...as });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

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

  const result = await runCli(['harvest', '--config', config], { [TEST_MAX_PAGE_COUNT_ENV]: String(pages + 2) });
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
  const result = await runCli(['serve'], { DATABASE_PATH: dbPath, PORT: '0' }, root ? { uid: 65534, gid: 65534 } : undefined);
  t.equal(result.code, 3, result.stderr);
  t.match(
    result.stderr,
    new RegExp(
      `^ogd-gateway: the store ${dbPath} is read-only \\(SQLITE_READONLY\\w*\\): check the file's and directory's permissions \\(WAL needs the directory writable\\) or set DATABASE_PATH\n$`,
    ),
  );
});
