import t from 'tap';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { openDatabase } from '../../src/store/database.js';
import { storeVersion } from '../../src/store/data-version.js';
import { tempDir } from '../helpers/gateway.js';

/**
 * storeVersion: the token the record route trusts to skip reading a row. It must move after
 * every commit by another connection (in this process or another) and after every write of the
 * connection itself, and stay put while nothing is written.
 */

function stores(t: { teardown(fn: () => void): void }): { path: string; writer: ReturnType<typeof openDatabase>; reader: ReturnType<typeof openDatabase> } {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'catalog.db');
  const writer = openDatabase(path);
  writer.exec('CREATE TABLE IF NOT EXISTS probe (n INTEGER)');
  const reader = openDatabase(path, { readonly: true });
  t.teardown(() => {
    reader.close();
    writer.close();
    cleanup();
  });
  return { path, writer, reader };
}

t.test('unchanged while nothing is written, reads included', async (t) => {
  const { writer, reader } = stores(t);
  const before = storeVersion(reader);
  reader.prepare('SELECT COUNT(*) FROM dataset_entries').get();
  writer.prepare('SELECT COUNT(*) FROM probe').get();
  t.equal(storeVersion(reader), before);
  t.equal(storeVersion(reader), before, 'asking does not move it');
});

t.test('another connection commits: the reader’s version moves', async (t) => {
  const { writer, reader } = stores(t);
  const seen = new Set([storeVersion(reader)]);
  for (let n = 0; n < 3; n += 1) {
    writer.prepare('INSERT INTO probe (n) VALUES (?)').run(n);
    const version = storeVersion(reader);
    t.notOk(seen.has(version), `after commit ${n + 1}: a version not seen before`);
    seen.add(version);
  }
  writer.transaction(() => {
    writer.prepare('UPDATE probe SET n = n + 10').run();
    t.ok(seen.has(storeVersion(reader)), 'not before the transaction commits (the reader cannot see it yet)');
  })();
  t.notOk(seen.has(storeVersion(reader)), 'after it commits');
});

t.test('another process commits: the version moves', async (t) => {
  const { path, reader } = stores(t);
  const before = storeVersion(reader);
  const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3');
  const child = spawnSync(process.execPath, [
    '-e',
    `const D = require(${JSON.stringify(betterSqlite3)}); const db = new D(${JSON.stringify(path)}); db.prepare('INSERT INTO probe (n) VALUES (42)').run(); db.close();`,
  ]);
  t.equal(child.status, 0, String(child.stderr));
  t.not(storeVersion(reader), before);
});

t.test('the connection’s own writes move its version too (data_version alone leaves them out)', async (t) => {
  const { writer } = stores(t);
  const before = storeVersion(writer);
  writer.prepare('INSERT INTO probe (n) VALUES (1)').run();
  const afterInsert = storeVersion(writer);
  t.not(afterInsert, before, 'insert');
  writer.prepare('UPDATE probe SET n = 2').run();
  const afterUpdate = storeVersion(writer);
  t.not(afterUpdate, afterInsert, 'update');
  writer.prepare('DELETE FROM probe').run();
  t.not(storeVersion(writer), afterUpdate, 'delete');
});
