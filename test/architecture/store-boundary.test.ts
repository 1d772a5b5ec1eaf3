/**
 * Issue 14's boundary: no SQL and no better-sqlite3 outside src/store (src/ and connectors/).
 * The scanner is proven to catch each kind of crossing on a small tree of its own.
 */
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/model/project-root.js';
import { scanFile, scanStoreBoundary } from './store-boundary-scan.js';
import { tempDir } from '../helpers/gateway.js';

t.test('nothing under src/ or connectors/ outside src/store writes SQL or holds a SQLite handle', async (t) => {
  const violations = scanStoreBoundary(projectRoot());
  t.same(
    violations.map((v) => `${v.file}:${v.line} ${v.what}`),
    [],
    'every statement lives behind a store function',
  );
});

t.test('the scan catches each kind of crossing, and only outside src/store', async (t) => {
  const { dir, cleanup } = tempDir('ogd-boundary-');
  t.teardown(cleanup);
  const write = (path: string, text: string): void => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write(
    'src/api/leaky.ts',
    [
      "import Database from 'better-sqlite3';",
      "import type { Db } from '../store/database.js';",
      "import { sqliteHandleOf } from '../store/sqlite-store.js';",
      "export const count = (db: Db) => db.prepare('SELECT COUNT(*) FROM datasets').get();",
      'export const bump = (db: Db, id: string) => db.pragma(`user_version = ${id}`);',
      "export const sql = `UPDATE runs SET status = 'failed' WHERE id = ${1}`;",
      "export const lazy = () => import('better-sqlite3');",
      '// A comment may say SELECT x FROM y: prose, not a statement.',
      "export const prose = 'Select the datasets from the list';",
    ].join('\n'),
  );
  write('connectors/leaky.ts', "export const q = 'DELETE FROM source_records';\n");
  write('src/store/fine.ts', "import Database from 'better-sqlite3';\nexport const q = 'SELECT 1 FROM t';\n");
  const found = scanStoreBoundary(dir).map((v) => `${v.file}:${v.line} ${v.what}`);
  t.same(
    found,
    [
      'src/api/leaky.ts:1 imports better-sqlite3',
      'src/api/leaky.ts:2 imports the SQLite connection module (store/database.js)',
      'src/api/leaky.ts:3 imports sqliteHandleOf (tests only)',
      'src/api/leaky.ts:4 calls .prepare() (a database method)',
      'src/api/leaky.ts:4 SQL in a string (SELECT … FROM)',
      'src/api/leaky.ts:5 calls .pragma() (a database method)',
      'src/api/leaky.ts:6 SQL in a string (UPDATE … SET)',
      'src/api/leaky.ts:7 imports better-sqlite3',
      'connectors/leaky.ts:1 SQL in a string (DELETE FROM)',
    ].sort((a, b) => (a.startsWith('connectors') === b.startsWith('connectors') ? 0 : a.startsWith('connectors') ? 1 : -1)),
  );
  t.same(scanFile('x.ts', "const s = `PRAGMA ${'journal_mode'}`;"), [{ file: 'x.ts', line: 1, what: 'SQL in a string (PRAGMA)' }]);
});
