import t from 'tap';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { addressAllowlist, AllowlistError, normaliseCidr } from '../../src/push/address-allowlist.js';
import { apiKeyId, generateApiKey, hashApiKey, keyFromAuthorization, keyMatchesHash } from '../../src/push/api-key-secret.js';
import { issueApiKey, KeyRequestError } from '../../src/push/issue-api-key.js';
import { clientField, readPushedRecord } from '../../src/push/pushed-record.js';
import { PushError } from '../../src/push/push-errors.js';
import { ResolutionScheduler } from '../../src/push/resolution-scheduler.js';
import { openStore, sqliteHandleOf } from '../../src/store/sqlite-store.js';
import { isIdentityDirty, markIdentityDirty } from '../../src/store/identity.js';
import { tempDir } from '../helpers/gateway.js';
import { validGen2Record, validRecord } from '../api/push-harness.js';

t.test('API keys: form, hash, constant-time check, header forms', (t) => {
  const a = generateApiKey();
  const b = generateApiKey();
  t.match(a.key, /^ogd\.[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/);
  t.not(a.key, b.key);
  t.equal(apiKeyId(a.key), a.id);
  t.equal(a.sha256, hashApiKey(a.key));
  t.notOk(a.sha256.includes(a.key.split('.')[2]!), 'the hash is not the secret');
  t.ok(keyMatchesHash(a.key, a.sha256));
  t.notOk(keyMatchesHash(b.key, a.sha256), 'another key does not match');
  t.notOk(keyMatchesHash(a.key, 'abcd'), 'a malformed stored hash matches nothing (no exception)');
  for (const bad of [
    '',
    'ogd.',
    `ogd.${a.id}`,
    `ogd.${a.id}.short`,
    `OGD.${a.id}.${'A'.repeat(43)}`,
    `ogd.${a.id.toUpperCase()}.${'A'.repeat(43)}`,
    `${a.key}x`,
  ]) {
    t.equal(apiKeyId(bad), undefined, `not a key: ${JSON.stringify(bad)}`);
  }
  t.equal(keyFromAuthorization(undefined), undefined);
  t.equal(keyFromAuthorization('   '), undefined);
  t.equal(keyFromAuthorization(` ${a.key} `), a.key, 'the raw key, as the spec sends it');
  t.equal(keyFromAuthorization(`Bearer ${a.key}`), a.key);
  t.equal(keyFromAuthorization(`bearer  ${a.key}`), a.key);
  t.end();
});

t.test('address allowlists: CIDR ranges of both families, written forms checked', (t) => {
  t.equal(normaliseCidr('203.0.113.0/24'), '203.0.113.0/24');
  t.equal(normaliseCidr(' 198.51.100.7 '), '198.51.100.7/32', 'a bare IPv4 address is a /32');
  t.equal(normaliseCidr('2001:DB8::/32'), '2001:db8::/32');
  t.equal(normaliseCidr('::1'), '::1/128', 'a bare IPv6 address is a /128');
  t.equal(normaliseCidr('0.0.0.0/0'), '0.0.0.0/0');
  for (const bad of ['', 'agency.gov.tw', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/8/8', '10.0.0/8', '2001:db8::/129', '10.0.0.0/x', '300.1.1.1']) {
    t.throws(() => normaliseCidr(bad), AllowlistError, `refused: ${JSON.stringify(bad)}`);
  }
  const allows = addressAllowlist(['10.0.0.0/8', '2001:db8::/32', '192.0.2.5']);
  t.ok(allows('10.200.3.4'));
  t.ok(allows('::ffff:10.1.1.1'), 'an IPv4 client on a dual-stack socket');
  t.ok(allows('2001:db8:1::9'));
  t.ok(allows('192.0.2.5'));
  t.notOk(allows('192.0.2.6'));
  t.notOk(allows('11.0.0.1'));
  t.notOk(allows('2001:db9::1'));
  t.notOk(allows('not an address'));
  t.notOk(allows(''));
  t.ok(addressAllowlist([])('198.51.100.1'), 'no ranges: any address');
  t.end();
});

t.test('issuing a key checks what the operator typed', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const store = await openStore(join(dir, 'c.db'));
  const db = sqliteHandleOf(store);
  t.teardown(() => store.close());
  const issued = await issueApiKey(store, {
    publisher: ' 國家發展委員會 ',
    orgCode: 'a41000000g',
    allow: ['203.0.113.0/24', '203.0.113.0/24', '2001:DB8::/32'],
  });
  t.match(issued.record, {
    publisher: '國家發展委員會',
    orgCode: 'A41000000G',
    sourceId: 'push:A41000000G',
    allow: ['203.0.113.0/24', '2001:db8::/32'],
    revokedAt: null,
    lastUsedAt: null,
  });
  for (const [label, request, message] of [
    ['empty publisher', { publisher: '', orgCode: 'A41000000G', allow: [] }, /publisher name/],
    ['short org code', { publisher: 'X', orgCode: 'A4100000G', allow: [] }, /10 letters and digits/],
    ['long org code', { publisher: 'X', orgCode: 'A41000000GG', allow: [] }, /10 letters and digits/],
    ['org code with a dash', { publisher: 'X', orgCode: 'A410-0000G', allow: [] }, /10 letters and digits/],
    ['bad range', { publisher: 'X', orgCode: 'A41000000G', allow: ['10.0.0.0/40'] }, /prefix length/],
  ] as const) {
    await t.rejects(issueApiKey(store, { ...request, allow: [...request.allow] }), KeyRequestError, label);
    await t.rejects(issueApiKey(store, { ...request, allow: [...request.allow] }), { message }, `${label}: says why`);
  }
  t.equal(db.prepare('SELECT COUNT(*) FROM api_keys').pluck().get(), 1, 'nothing stored for a refused request');
});

t.test('reading pushed bodies: vocabulary, field names, ownership before the standard', (t) => {
  const v1 = readPushedRecord(validRecord('A41000000G-000001'), { vocabulary: 'gen1', orgCode: 'A41000000G' });
  t.equal(v1.record.identifier, 'A41000000G-000001');
  t.same(v1.warnings, [], 'a clean gen-1 record has no warnings');
  const v2 = readPushedRecord(validGen2Record('A41000000G-000001', { datasetId: 6564 }), { vocabulary: 'gen2', orgCode: 'A41000000G' });
  t.equal(v2.record.extensions?.datasetId, undefined, "the body's datasetId is not the record's: the gateway assigns one");
  t.equal(v2.record.categoryCode, 'I00');
  t.match(JSON.parse(v2.payloadJson), { datasetId: 6564 }, 'the payload is kept as sent');
  const filled = readPushedRecord(
    { ...validRecord('A41000000G-000002'), identifier: undefined },
    { vocabulary: 'gen1', orgCode: 'A41000000G', identifier: 'A41000000G-000002' },
  );
  t.equal(JSON.parse(filled.payloadJson).identifier, 'A41000000G-000002', 'a PUT body without identifier gets the path’s');

  const refusal = (body: unknown, vocabulary: 'gen1' | 'gen2'): PushError => {
    try {
      readPushedRecord(body, { vocabulary, orgCode: 'A41000000G' });
    } catch (err) {
      if (err instanceof PushError) return err;
      throw err;
    }
    throw new Error('accepted');
  };
  t.match(
    refusal(validRecord('313000000G-000001', { categoryCode: 'Z99' }), 'gen1'),
    { status: 403, field: 'identifier' },
    'another publisher is refused before the standard is checked',
  );
  t.match(
    refusal(validRecord('a41000000g-000001', { publisherOrgCode: 'a41000000g', categoryCode: 'Z99' }), 'gen1'),
    { status: 400, field: 'categoryCode' },
    'the org code prefix is compared in any case',
  );
  t.match(refusal(validGen2Record('A41000000G-000001', { updateFrequency: { foo: 1 } }), 'gen2'), { status: 400, field: 'updateFrequency' });

  t.equal(clientField('categoryCode', 'gen2'), 'categoryService');
  t.equal(clientField('categoryCode', 'gen1'), 'categoryCode');
  t.equal(clientField('distribution[2].downloadURL', 'gen2'), 'distribution[2].resourceDownloadUrl');
  t.equal(clientField('distribution[0].extensions.resourceAmount', 'gen2'), 'distribution[0].resourceAmount');
  t.equal(clientField('extensions.categoryTheme', 'gen2'), 'categoryTheme');
  t.equal(clientField('modified', 'gen2'), 'modifiedDate');
  t.equal(clientField('description', 'gen2'), 'description');
  t.end();
});

interface Logged {
  level: 'info' | 'error';
  message: string;
}

function capture(): { log: { info: (d: object, m: string) => void; error: (d: object, m: string) => void }; lines: Logged[] } {
  const lines: Logged[] = [];
  return { lines, log: { info: (_d, message) => lines.push({ level: 'info', message }), error: (_d, message) => lines.push({ level: 'error', message }) } };
}

t.test('resolution scheduling: at once when idle, coalesced while busy, retried after a failure, flushed on close', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const store = await openStore(join(dir, 'c.db'));
  const db = sqliteHandleOf(store);
  t.teardown(() => store.close());
  const { log, lines } = capture();
  const scheduler = new ResolutionScheduler(store, log, { minGapMs: 300, durationFactor: 0, retryMs: 100 });

  markIdentityDirty(db);
  scheduler.request();
  await scheduler.settled();
  t.equal(scheduler.resolutions, 1, 'idle: resolved at once');
  t.notOk(isIdentityDirty(db));

  const started = performance.now();
  for (let n = 0; n < 5; n += 1) {
    markIdentityDirty(db);
    scheduler.request();
    await sleep(10);
  }
  await scheduler.settled();
  const waited = performance.now() - started;
  t.equal(scheduler.resolutions, 2, 'five requests within the gap: one more resolution');
  t.ok(waited >= 250, `the coalesced resolution waited for the gap (${Math.round(waited)} ms)`);

  scheduler.request();
  await scheduler.settled();
  t.equal(scheduler.resolutions, 2, 'nothing dirty: nothing resolved');

  // A resolution that fails: the store stays dirty and it is tried again.
  await sleep(350);
  db.exec('ALTER TABLE record_keys RENAME TO record_keys_away');
  markIdentityDirty(db);
  scheduler.request();
  await sleep(50);
  t.ok(
    lines.some((line) => line.level === 'error' && /failed/.test(line.message)),
    'the failure is logged',
  );
  t.ok(isIdentityDirty(db), 'still marked for resolution');
  db.exec('ALTER TABLE record_keys_away RENAME TO record_keys');
  await scheduler.settled();
  t.equal(scheduler.resolutions, 3, 'resolved at the retry');
  t.notOk(isIdentityDirty(db));

  // Pending at close: resolved then, not lost.
  markIdentityDirty(db);
  scheduler.request();
  markIdentityDirty(db);
  scheduler.request();
  await scheduler.close();
  t.notOk(isIdentityDirty(db), 'close resolved what was pending');
  scheduler.request();
  await scheduler.settled();
  t.equal(scheduler.resolutions, 4, 'nothing is scheduled after close');
});

t.test('the gap grows with the length of the last resolution', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const store = await openStore(join(dir, 'c.db'));
  const db = sqliteHandleOf(store);
  t.teardown(() => store.close());
  const { log } = capture();
  // A resolution of a millisecond or more × 200: the second waits far longer than minGapMs.
  const scheduler = new ResolutionScheduler(store, log, { minGapMs: 1, durationFactor: 200, retryMs: 100 });
  markIdentityDirty(db);
  scheduler.request();
  await scheduler.settled();
  markIdentityDirty(db);
  const started = performance.now();
  scheduler.request();
  await scheduler.settled();
  t.ok(performance.now() - started > 20, `waited ${Math.round(performance.now() - started)} ms after a resolution of some ms`);
  await scheduler.close();
});
