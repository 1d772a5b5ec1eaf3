import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { buildApi } from '../../src/api/app.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { openDatabase } from '../../src/store/database.js';
import { PUSH_SOURCE_PRIORITY } from '../../src/store/push-sources.js';
import { silentLog, tempDir } from '../helpers/gateway.js';
import { runCli } from '../helpers/in-process-cli.js';
import { validRecord } from '../api/push-harness.js';

const KEY = /^ogd\.[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/m;

function gatewayDir(t: Test): { config: string; dbPath: string } {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const dbPath = join(dir, 'catalog.db');
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ database: { path: dbPath }, sources: [] }));
  return { config, dbPath };
}

function rows(dbPath: string, sql: string): unknown[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

t.test('keys issue prints the key once; the store keeps only its hash; list and revoke', async (t) => {
  const { config, dbPath } = gatewayDir(t);
  const issued = await runCli(['keys', 'issue', '--publisher', '國家發展委員會', '--org-code', 'a41000000g', '--config', config]);
  t.equal(issued.code, 0, issued.stderr);
  const key = KEY.exec(issued.stdout)?.[0];
  t.ok(key, 'the key is printed');
  t.match(issued.stdout, /issued to 國家發展委員會 \(A41000000G\), from any address/, 'the org code is written in capitals');
  t.match(issued.stdout, /only time the key is shown/);
  const id = key!.split('.')[1]!;

  const stored = JSON.stringify(rows(dbPath, 'SELECT * FROM api_keys'));
  t.notOk(stored.includes(key!.split('.')[2]!), 'the secret is not stored');
  t.match(rows(dbPath, 'SELECT id, org_code, source_id, revoked_at FROM api_keys'), [
    { id, org_code: 'A41000000G', source_id: 'push:A41000000G', revoked_at: null },
  ]);
  t.same(
    rows(dbPath, "SELECT id, type, priority FROM sources WHERE id LIKE 'push:%'"),
    [{ id: 'push:A41000000G', type: 'push', priority: PUSH_SOURCE_PRIORITY }],
    'the publisher’s push source is created with its first key',
  );

  const json = await runCli([
    'keys',
    'issue',
    '--publisher',
    '國家發展委員會',
    '--org-code',
    'A41000000G',
    '--allow',
    '203.0.113.0/24',
    '--allow',
    '2001:DB8::/32',
    '--allow',
    '198.51.100.7',
    '--json',
    '--config',
    config,
  ]);
  t.equal(json.code, 0, json.stderr);
  const second = JSON.parse(json.stdout) as { id: string; key: string; allow: string[]; orgCode: string };
  t.match(second.key, KEY);
  t.same(second.allow, ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7/32'], 'ranges are stored in their normal form');

  const listed = await runCli(['keys', 'list', '--config', config]);
  t.equal(listed.code, 0, listed.stderr);
  t.notOk(listed.stdout.includes(key!) || listed.stdout.includes(second.key), 'list never shows a secret');
  t.match(listed.stdout, new RegExp(`${id}\\tA41000000G\\t國家發展委員會\\tlive\\t`));
  t.match(listed.stdout, /from 203\.0\.113\.0\/24, 2001:db8::\/32, 198\.51\.100\.7\/32/);

  const revoked = await runCli(['keys', 'revoke', id, '--config', config]);
  t.equal(revoked.code, 0, revoked.stderr);
  t.match(revoked.stdout, new RegExp(`key ${id} revoked at `));
  const again = await runCli(['keys', 'revoke', id, '--config', config]);
  t.equal(again.code, 0, 'revoking twice is not an error');
  t.match(again.stdout, /revoked already/);
  const listJson = JSON.parse((await runCli(['keys', 'list', '--json', '--config', config])).stdout) as Array<{ id: string; revokedAt: string | null }>;
  t.ok(listJson.find((k) => k.id === id)?.revokedAt, 'list --json shows the revocation');
  t.equal(listJson.find((k) => k.id === second.id)?.revokedAt, null, 'and the other key live');
  const unknown = await runCli(['keys', 'revoke', '000000000000', '--config', config]);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /no key "000000000000"/);
});

t.test('bad usage exits 2 and stores nothing', async (t) => {
  const { config, dbPath } = gatewayDir(t);
  // The checks themselves are tested in-process (test/push/push-units.test.ts); here, that the
  // CLI turns each kind of mistake into exit 2 with the reason and the usage.
  const cases: Array<[string, string[], RegExp]> = [
    ['no action', ['keys'], /keys needs an action/],
    ['an unknown action', ['keys', 'rotate'], /unknown keys action "rotate"/],
    ['no org code', ['keys', 'issue', '--publisher', 'X'], /needs --publisher and --org-code/],
    ['an org code of 9 characters', ['keys', 'issue', '--publisher', 'X', '--org-code', 'A41000000'], /10 letters and digits/],
    ['a host name as a range', ['keys', 'issue', '--publisher', 'X', '--org-code', 'A41000000G', '--allow', 'agency.gov.tw'], /not an IPv4 or IPv6 address/],
    ['revoke without an id', ['keys', 'revoke'], /needs a key id/],
  ];
  // The store is created first: processes opening a new store at the same moment would both
  // migrate it (database.ts reads the schema version before taking the write lock).
  openDatabase(dbPath).close();
  const results = await Promise.all(cases.map(([, args]) => runCli([...args, '--config', config])));
  cases.forEach(([label, , message], n) => {
    const result = results[n]!;
    t.equal(result.code, 2, `${label}: exit 2`);
    t.match(result.stderr, message, `${label}: says why`);
    t.match(result.stderr, /usage: ogd-gateway keys/, `${label}: shows the usage`);
  });
  const db = openDatabase(dbPath);
  t.teardown(() => db.close());
  t.same(db.prepare('SELECT COUNT(*) FROM api_keys').pluck().get(), 0, 'no key stored');
  t.same(db.prepare("SELECT COUNT(*) FROM sources WHERE id LIKE 'push:%'").pluck().get(), 0, 'no push source created');
});

t.test('a key the CLI issued pushes to the served API; revoked, it no longer does; sources stay across start-ups', async (t) => {
  const { config, dbPath } = gatewayDir(t);
  const issued = await runCli(['keys', 'issue', '--publisher', '國家發展委員會', '--org-code', 'A41000000G', '--json', '--config', config]);
  const { key, id } = JSON.parse(issued.stdout) as { key: string; id: string };
  const fenced = JSON.parse(
    (await runCli(['keys', 'issue', '--publisher', '國家發展委員會', '--org-code', 'A41000000G', '--allow', '10.0.0.0/8', '--json', '--config', config]))
      .stdout,
  ) as { key: string };

  // Every verb starts with syncSources over the configured sources (none here): the push source stays.
  await runCli(['keys', 'list', '--config', config]);
  t.same(rows(dbPath, "SELECT id, priority FROM sources WHERE id LIKE 'push:%'"), [{ id: 'push:A41000000G', priority: PUSH_SOURCE_PRIORITY }]);

  const db = openDatabase(dbPath);
  const api = await buildApi({ store: sqliteStoreOn(db), publicUrl: 'https://gateway.example.tw', logger: silentLog });
  await api.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await api.close();
    db.close();
  });
  const base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  const push = (as: string, identifier: string) =>
    fetch(`${base}/api/v1/rest/dataset`, {
      method: 'POST',
      headers: { authorization: as, 'content-type': 'application/json' },
      body: JSON.stringify(validRecord(identifier)),
    });

  t.equal((await push(key, 'A41000000G-000001')).status, 201, 'the issued key writes');
  t.equal((await push(fenced.key, 'A41000000G-000002')).status, 403, 'the key registered for 10.0.0.0/8 is refused from loopback');
  t.match(db.prepare('SELECT last_used_at FROM api_keys WHERE id = ?').get(id), { last_used_at: /^\d{4}-/ }, 'the key’s last use is recorded');

  const revoked = await runCli(['keys', 'revoke', id, '--config', config]);
  t.equal(revoked.code, 0);
  const refused = await push(key, 'A41000000G-000003');
  t.equal(refused.status, 401, 'a key revoked by another invocation, on its own connection to the store, is refused at the next call');
  t.match(((await refused.json()) as { error: { message: string } }).error.message, /revoked/);
});
