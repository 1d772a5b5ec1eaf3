import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, schemaVersion } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { tempDir } from '../helpers/gateway.js';

/**
 * Several processes opening one new store at the same moment (`serve` and a CLI harvest
 * started together, or parallel CI jobs): each migrates it under the write lock, so the first
 * creates the tables and the others find the work done, instead of failing on "table sources
 * already exists".
 */
const DATABASE_MODULE = fileURLToPath(new URL('../../src/store/database.js', import.meta.url));

/** Opens the store at `startAt` (epoch ms), the module already loaded, so the processes collide. */
function openInChild(path: string, startAt: number): Promise<{ code: number | null; stderr: string }> {
  const script = [
    `import { openDatabase } from ${JSON.stringify(DATABASE_MODULE)};`,
    `while (Date.now() < ${startAt}) await new Promise((resolve) => setTimeout(resolve, 1));`,
    `const db = openDatabase(${JSON.stringify(path)}); db.close();`,
  ].join('\n');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

t.test('six processes opening one new store at once all succeed, and it is migrated once', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'new', 'catalog.db');
  // Far enough ahead for six Node processes to start on a loaded 2-core machine.
  const startAt = Date.now() + 4000;
  const results = await Promise.all(Array.from({ length: 6 }, () => openInChild(path, startAt)));
  for (const [n, result] of results.entries()) t.equal(result.code, 0, `process ${n}: ${result.stderr.slice(0, 300)}`);
  const db = openDatabase(path);
  t.teardown(() => db.close());
  t.equal(schemaVersion(db), MIGRATIONS.at(-1)!.version);
  t.equal(db.prepare("SELECT COUNT(*) FROM store_state WHERE key = 'feed_epoch'").pluck().get(), 1, 'one feed epoch');
});
