/**
 * Resolution after pushes off the API's thread: the worker thread (started at the first
 * resolution, closed with the scheduler, replaced when it ends), and the scheduler's guarantees
 * around it (never two resolutions at once, requests during one coalesced into one more, writers
 * held until it ends, shutdown waiting for it and then resolving what is pending).
 */
import t from 'tap';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ResolutionThread } from '../../src/push/resolution-thread.js';
import { ResolutionScheduler } from '../../src/push/resolution-scheduler.js';
import type { PushResolutionOptions, ResolutionAttempt, ResolutionRunner } from '../../src/push/push-resolution.js';
import { openStore, sqliteHandleOf } from '../../src/store/sqlite-store.js';
import { clearIdentityDirty, isIdentityDirty, markIdentityDirty } from '../../src/store/identity.js';
import { tempDir } from '../helpers/gateway.js';

interface Logged {
  level: 'info' | 'error';
  message: string;
  details: Record<string, unknown>;
}

function capture(): { log: { info: (d: object, m: string) => void; error: (d: object, m: string) => void }; lines: Logged[] } {
  const lines: Logged[] = [];
  const keep = (level: Logged['level']) => (details: object, message: string) => lines.push({ level, message, details: details as Record<string, unknown> });
  return { lines, log: { info: keep('info'), error: keep('error') } };
}

t.test('the thread: started by the first resolution, not before; resolves on its own connection; closed cleanly', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'c.db');
  const store = await openStore(path);
  const db = sqliteHandleOf(store);
  t.teardown(() => store.close());
  const thread = new ResolutionThread(path);
  t.teardown(() => thread.close());
  const { log, lines } = capture();
  const scheduler = new ResolutionScheduler(store, log, { minGapMs: 0, durationFactor: 0, retryMs: 100 }, thread);

  clearIdentityDirty(db); // a new store is marked: nothing resolved it yet
  scheduler.request();
  await scheduler.settled();
  t.notOk(thread.started, 'nothing to resolve: no thread started');

  markIdentityDirty(db);
  scheduler.request();
  await scheduler.settled();
  t.ok(thread.started, 'a resolution started it');
  t.notOk(isIdentityDirty(db), "the thread's resolution is seen on this connection");
  t.equal(scheduler.resolutions, 1);
  const resolved = lines.find((line) => line.message === 'identity resolved after pushes');
  t.match(
    resolved?.details,
    { records: 0, datasets: 0, collisions: 0, indexed: 0, durationMs: Number },
    'logged as before: the outcome with the collisions counted and what was indexed',
  );

  markIdentityDirty(db);
  t.match(await thread.resolve(), { resolution: { records: 0 }, elapsedMs: Number }, 'kept for the next resolution');

  await scheduler.close();
  t.notOk(thread.started, 'closed with the scheduler');
  await scheduler.close();
  await thread.close();
  t.pass('closing again changes nothing');

  markIdentityDirty(db);
  t.match(await thread.resolve(), { resolution: { records: 0 } }, 'a closed thread is started again by the next resolution');
  await thread.close();
  t.notOk(thread.started);
});

t.test('the thread refuses a second resolution while one runs (they would only queue behind the write lock)', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'c.db');
  const store = await openStore(path);
  const db = sqliteHandleOf(store);
  t.teardown(() => store.close());
  const thread = new ResolutionThread(path);
  t.teardown(() => thread.close());
  markIdentityDirty(db);
  const first = thread.resolve({ holdMs: 300 });
  await t.rejects(thread.resolve(), /already running/, 'the second is refused');
  t.match(await first, { resolution: { records: 0 } }, 'the first goes on');
  t.ok((await first).elapsedMs >= 290, 'and held the lock for as long as it was asked to');
  t.notOk(isIdentityDirty(db));
});

t.test('a thread that cannot open the store fails the resolution; the next one starts a new thread', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  // A file where the store's directory should be: the thread cannot open (nor create) the store.
  const blocker = join(dir, 'blocked');
  writeFileSync(blocker, 'not a directory');
  const path = join(blocker, 'c.db');
  const thread = new ResolutionThread(path);
  t.teardown(() => thread.close());

  await t.rejects(thread.resolve(), /cannot be opened/, 'the failure is the opening error');
  t.notOk(thread.started, 'the thread that failed is gone');

  rmSync(blocker);
  const store = await openStore(path);
  const db = sqliteHandleOf(store);
  t.teardown(() => store.close());
  markIdentityDirty(db);
  t.match(await thread.resolve(), { resolution: { records: 0 } }, 'once the store can be opened, the next resolution works');
  t.notOk(isIdentityDirty(db));
});

t.test('a resolution that fails in the thread leaves it running: logged, the store still marked, retried', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const path = join(dir, 'c.db');
  const store = await openStore(path);
  const db = sqliteHandleOf(store);
  t.teardown(() => store.close());
  const thread = new ResolutionThread(path);
  const { log, lines } = capture();
  const scheduler = new ResolutionScheduler(store, log, { minGapMs: 0, durationFactor: 0, retryMs: 200 }, thread);
  t.teardown(() => scheduler.close());

  markIdentityDirty(db);
  db.exec('ALTER TABLE record_keys RENAME TO record_keys_away');
  scheduler.request();
  while (!lines.some((line) => line.level === 'error')) await sleep(10);
  const failure = lines.find((line) => line.level === 'error')!;
  t.match(failure.message, /failed; the pushed records are stored and resolution will be tried again/);
  t.match((failure.details as { err?: Error }).err?.message, /record_keys/, "the thread's error, with SQLite's message");
  t.ok(thread.started, 'the thread survived the failure');
  t.ok(isIdentityDirty(db), 'the store is still marked');

  db.exec('ALTER TABLE record_keys_away RENAME TO record_keys');
  await scheduler.settled();
  t.equal(scheduler.resolutions, 1, 'resolved at the retry, in the same thread');
  t.notOk(isIdentityDirty(db));
});

/** A runner that resolves after `ms`, recording how many ran at once; the next `failuresLeft` fail. */
class SlowRunner implements ResolutionRunner {
  inFlight = 0;
  mostAtOnce = 0;
  calls = 0;
  closed = false;
  events: string[] = [];
  failuresLeft = 0;

  constructor(
    private readonly db: ReturnType<typeof sqliteHandleOf>,
    private readonly ms: number,
  ) {}

  async resolve(_options?: PushResolutionOptions): Promise<ResolutionAttempt> {
    this.calls += 1;
    this.inFlight += 1;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.inFlight);
    this.events.push('start');
    const fails = this.failuresLeft > 0;
    if (fails) this.failuresLeft -= 1;
    try {
      // What was marked before the resolution began is what it resolves (the real one reads and
      // clears the mark under the write lock, which later writers wait for).
      if (!fails) clearIdentityDirty(this.db);
      await sleep(this.ms);
      if (fails) throw new Error('resolution failed on purpose');
      return {
        resolution: {
          records: 0,
          datasets: 0,
          created: 0,
          updated: 0,
          withdrawn: 0,
          reinstated: 0,
          absorbed: 0,
          candidates: 0,
          collisions: 0,
          durationMs: this.ms,
          indexed: 0,
        },
        elapsedMs: this.ms,
      };
    } finally {
      this.inFlight -= 1;
      this.events.push('end');
    }
  }

  async close(): Promise<void> {
    this.events.push('close');
    this.closed = true;
  }
}

t.test('scheduling around a resolution that takes time: never two at once, requests during one coalesced, writers held', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const store = await openStore(join(dir, 'c.db'));
  const db = sqliteHandleOf(store);
  t.teardown(() => store.close());
  const runner = new SlowRunner(db, 150);
  const scheduler = new ResolutionScheduler(store, capture().log, { minGapMs: 50, durationFactor: 0, retryMs: 100 }, runner);

  const started = performance.now();
  await scheduler.writable();
  t.ok(performance.now() - started < 50, 'writable at once when nothing runs');

  markIdentityDirty(db);
  scheduler.request();
  while (!scheduler.resolving) await sleep(5);
  // Pushes arriving during the resolution: none starts another; together they make one more.
  for (let n = 0; n < 5; n += 1) {
    markIdentityDirty(db);
    scheduler.request();
    await sleep(10);
  }
  t.ok(scheduler.resolving, 'still the first resolution');
  const waitedFrom = performance.now();
  await scheduler.writable();
  t.notOk(scheduler.resolving, 'a writer is let through once the resolution has ended');
  t.ok(performance.now() - waitedFrom >= 50, `and waited for it (${Math.round(performance.now() - waitedFrom)} ms)`);
  await scheduler.settled();
  t.equal(runner.calls, 2, 'the requests made during the first resolution: one more, after it');
  t.equal(runner.mostAtOnce, 1, 'never two at once');
  t.notOk(isIdentityDirty(db));

  // Requests at random moments, a failure and its retry among them: still one at a time.
  runner.failuresLeft = 1;
  markIdentityDirty(db);
  scheduler.request();
  for (let n = 0; n < 20; n += 1) {
    markIdentityDirty(db);
    scheduler.request();
    await sleep(Math.floor(Math.random() * 40));
  }
  await scheduler.settled();
  t.equal(runner.mostAtOnce, 1, `never two at once over ${runner.calls} resolutions`);
  t.notOk(isIdentityDirty(db), 'and the last request was resolved');
  t.equal(scheduler.resolutions, runner.calls - 1, 'every resolution but the failed one counted');
  await scheduler.close();
});

t.test('shutdown during a resolution: waits for it, resolves what came during it, then closes the runner', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const store = await openStore(join(dir, 'c.db'));
  const db = sqliteHandleOf(store);
  t.teardown(() => store.close());
  const runner = new SlowRunner(db, 150);
  const scheduler = new ResolutionScheduler(store, capture().log, { minGapMs: 10_000, durationFactor: 0, retryMs: 10_000 }, runner);

  markIdentityDirty(db);
  scheduler.request();
  while (!scheduler.resolving) await sleep(5);
  markIdentityDirty(db);
  scheduler.request();
  const settled = scheduler.settled();
  await scheduler.close();
  t.same(runner.events, ['start', 'end', 'start', 'end', 'close'], 'the running one ended, the pending one ran, then the runner closed');
  t.notOk(isIdentityDirty(db), 'nothing pushed is left unresolved');
  await settled;
  t.pass('whoever waited for the resolutions is released');
  scheduler.request();
  await scheduler.settled();
  t.equal(runner.calls, 2, 'nothing is scheduled after close');

  // A resolution that fails while shutting down counts as pending: tried once more at close.
  const failing = new SlowRunner(db, 100);
  failing.failuresLeft = 1;
  const second = new ResolutionScheduler(store, capture().log, { minGapMs: 10_000, durationFactor: 0, retryMs: 10_000 }, failing);
  markIdentityDirty(db);
  second.request();
  while (!second.resolving) await sleep(5);
  await second.close();
  t.equal(failing.calls, 2, 'the failed one was tried again at close');
  t.notOk(isIdentityDirty(db));
});
