/**
 * Reads are answered while a push's identity resolution runs. Resolution of a big catalogue takes
 * seconds (about 2.5 s at 100,000 datasets): here the resolution is made to hold the store's
 * write lock for HOLD_MS (the scheduler's test hook), and an outside client (a thread of its own,
 * over loopback HTTP, so that its clock and event loop are not the API's) reads a record every
 * few milliseconds throughout. With resolution in its worker thread every read during it is
 * answered at once; the same measurement against resolution on the
 * API's thread (a store in memory, which no other thread can open) shows every reader stalled.
 */
import t, { type Test } from 'tap';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/app.js';
import { pushResolutionScheduler } from '../../src/api/routes/push.js';
import { issueApiKey } from '../../src/push/issue-api-key.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { DEFAULT_RESOLUTION_SCHEDULE, type ResolutionScheduler } from '../../src/push/resolution-scheduler.js';
import { openDatabase } from '../../src/store/database.js';
import { isIdentityDirty } from '../../src/store/identity.js';
import { silentLog } from '../helpers/gateway.js';
import { PUBLIC_URL, startPushGateway, validRecord } from './push-harness.js';

/** How long each resolution holds the write lock (and its thread): a big catalogue's resolution. */
const HOLD_MS = 1500;
/** A read during it must be answered within this (it takes a few ms on an idle gateway). */
const PROMPT_MS = 200;
const READ_EVERY_MS = 25;

interface Read {
  /** Epoch ms (performance.timeOrigin + now: comparable across threads). */
  startedAt: number;
  ms: number;
  status: number;
  title: string | undefined;
}

const READER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const now = () => performance.timeOrigin + performance.now();
let reading = true;
const reads = [];
parentPort.on('message', () => { reading = false; });
(async () => {
  while (reading) {
    const startedAt = now();
    const res = await fetch(workerData.url);
    const body = await res.json().catch(() => undefined);
    reads.push({ startedAt, ms: now() - startedAt, status: res.status, title: body && body.result ? body.result.title : undefined });
    await new Promise((resolve) => setTimeout(resolve, workerData.everyMs));
  }
  parentPort.postMessage(reads);
})().catch((err) => { throw err; });
`;

/** An outside client reading `url` every `everyMs` in a thread of its own, until stopped. */
function startReader(url: string, everyMs: number): { stop(): Promise<Read[]> } {
  const reader = new Worker(READER_SOURCE, { eval: true, workerData: { url, everyMs } });
  const done = new Promise<Read[]>((resolve, reject) => {
    reader.once('message', resolve);
    reader.once('error', reject);
  });
  return {
    async stop() {
      reader.postMessage('stop');
      const reads = await done;
      await reader.terminate();
      return reads;
    },
  };
}

const epochNow = (): number => performance.timeOrigin + performance.now();

interface Gateway {
  api: FastifyInstance;
  base: string;
  key: string;
  scheduler: ResolutionScheduler;
}

interface Measured {
  reads: Read[];
  /** When the main thread saw the resolution of the PUT run (undefined if it never could: in-thread). */
  window: { start: number; end: number } | undefined;
}

/**
 * Push a record and let it be served; then, with each resolution holding the lock for HOLD_MS,
 * replace it while an outside client reads it throughout, until the replacement is served.
 * `during` runs (on the API's thread) once the resolution is seen running.
 */
async function readThroughResolution(t: Test, gateway: Gateway, identifier: string, during?: () => Promise<void>): Promise<Measured> {
  const created = await fetch(`${gateway.base}/api/v1/rest/dataset`, {
    method: 'POST',
    headers: { authorization: gateway.key, 'content-type': 'application/json' },
    body: JSON.stringify(validRecord(identifier, { title: '第一版' })),
  });
  t.equal(created.status, 201);
  await gateway.scheduler.settled();

  gateway.scheduler.holdResolutionsForTestsMs = HOLD_MS;
  const reader = startReader(`${gateway.base}/api/v1/rest/dataset/${identifier}`, READ_EVERY_MS);
  await sleep(300);
  const replaced = await fetch(`${gateway.base}/api/v1/rest/dataset/${identifier}`, {
    method: 'PUT',
    headers: { authorization: gateway.key, 'content-type': 'application/json' },
    body: JSON.stringify(validRecord(identifier, { title: '第二版', modified: '2026-03-02 10:00:00' })),
  });
  t.equal(replaced.status, 200);

  let window: Measured['window'];
  const deadline = epochNow() + 5000 + HOLD_MS;
  // Until it is seen running, or has run without ever being seen (on the API's thread, which it
  // holds throughout): waiting on to the deadline then would only add seconds to the control.
  const resolutionsBefore = gateway.scheduler.resolutions;
  while (!gateway.scheduler.resolving && gateway.scheduler.resolutions === resolutionsBefore && epochNow() < deadline) await sleep(2);
  if (gateway.scheduler.resolving) {
    const start = epochNow();
    const finished = during?.();
    while (gateway.scheduler.resolving) await sleep(2);
    window = { start, end: epochNow() };
    await finished;
  }
  // On the API's thread the resolution is never seen running (the thread is in it): wait for it.
  // Otherwise it has ended, and what `during` pushed is left pending (ended at shutdown).
  if (window === undefined) await gateway.scheduler.settled();
  gateway.scheduler.holdResolutionsForTestsMs = 0;
  await sleep(150);
  return { reads: await reader.stop(), window };
}

const slowest = (reads: Read[]): number => Math.max(...reads.map((read) => read.ms));

t.test('resolution in its thread: a record read during a resolution of 1.5 s is answered at once', async (t) => {
  // The gateway's own schedule: the push made during the resolution stays pending after it (the gap).
  const pushGateway = await startPushGateway(t, { resolution: DEFAULT_RESOLUTION_SCHEDULE });
  const gateway: Gateway = {
    api: pushGateway.api,
    base: pushGateway.base,
    key: await pushGateway.issue(),
    scheduler: pushResolutionScheduler(pushGateway.api)!,
  };
  const identifier = 'A41000000G-000301';
  let pushDuring: { status: number; answeredAt: number } | undefined;

  const { reads, window } = await readThroughResolution(t, gateway, identifier, async () => {
    // A push arriving during the resolution waits for it (its write would wait for the lock),
    // without holding up the readers.
    const res = await fetch(`${gateway.base}/api/v1/rest/dataset`, {
      method: 'POST',
      headers: { authorization: gateway.key, 'content-type': 'application/json' },
      body: JSON.stringify(validRecord('A41000000G-000302', { title: '解析期間推送' })),
    });
    pushDuring = { status: res.status, answeredAt: epochNow() };
  });

  // The reader's first read sets up its connection (tens of ms on a loaded machine): not the API's doing.
  const served = reads.slice(1);
  t.ok(
    slowest(served) < PROMPT_MS,
    `no read waited: the slowest of ${served.length} reads through the push and its resolution took ${slowest(served).toFixed(1)} ms`,
  );
  t.ok(window !== undefined, 'the resolution was seen running (the API thread was free while it ran)');
  const { start, end } = window ?? { start: 0, end: 0 };
  t.ok(end - start >= HOLD_MS - 100, `the resolution ran ${Math.round(end - start)} ms`);
  const during = reads.filter((read) => read.startedAt >= start && read.startedAt + read.ms <= end);
  t.ok(during.length >= 10, `${during.length} reads started and were answered during the resolution`);
  t.ok(
    during.length > 0 && slowest(during) < PROMPT_MS,
    `each answered within ${PROMPT_MS} ms: slowest ${slowest(during).toFixed(1)} ms, median ${(during.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(during.length / 2)] ?? NaN).toFixed(1)} ms`,
  );
  t.ok(
    during.every((read) => read.status === 200 && (read.title === '第一版' || read.title === '第二版')),
    'each answered with the record',
  );
  t.equal(reads.at(-1)?.title, '第二版', 'the replacement is served after it');

  t.equal(pushDuring?.status, 201, 'the push made during the resolution was accepted');
  t.ok(pushDuring !== undefined && pushDuring.answeredAt >= end - 10, 'once the resolution had ended');
  t.notOk(gateway.scheduler.resolving, 'nothing is resolving now');

  // Shutting down resolves what that push left pending, in the thread, before the API has closed.
  t.ok(isIdentityDirty(pushGateway.db), 'the push made during the resolution is waiting for the next one');
  await pushGateway.api.close();
  t.notOk(isIdentityDirty(pushGateway.db), 'resolved at shutdown');
  t.equal(
    pushGateway.db.prepare('SELECT title FROM datasets WHERE identifier = ?').pluck().get('A41000000G-000302'),
    '解析期間推送',
    'and served at the next start',
  );
});

t.test('control: the same reads against resolution on the API thread (a store in memory) all wait for it', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  const api = await buildApi({
    store: sqliteStoreOn(db),
    publicUrl: PUBLIC_URL,
    logger: silentLog,
    http: { rateLimit: { max: 100_000, timeWindowMs: 60_000, allowList: [] } },
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => api.close());
  const key = (await issueApiKey(sqliteStoreOn(db), { publisher: '國家發展委員會', orgCode: 'A41000000G', allow: [] })).key;
  const gateway: Gateway = { api, base: `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`, key, scheduler: pushResolutionScheduler(api)! };

  const { reads } = await readThroughResolution(t, gateway, 'A41000000G-000303');
  t.ok(slowest(reads) >= HOLD_MS - 500, `a read waited ${slowest(reads).toFixed(0)} ms: the measurement above sees a stalled API`);
  t.equal(reads.at(-1)?.title, '第二版');
});
