/**
 * When pushed records reach the served catalogue. A push stores its record and marks identity
 * dirty; the read API (records, /catalog, search, the change feed) serves what identity
 * resolution made of the store. Resolution recomputes the whole catalogue (about 2.5 s for
 * 100,000 datasets, even when one record changed). It runs in a worker thread with its own
 * connection (resolution-thread.ts), so readers are answered while it runs; it still takes a
 * core and the store's write lock, so it is not run once per push:
 *
 * - idle (no resolution in the last gap): resolve at once, just after the push is answered, so a
 *   lone push is readable within the time of one resolution;
 * - busy: pushes arriving within the gap after a resolution are coalesced into one resolution at
 *   the end of the gap. The gap is max(minGapMs, durationFactor × the last resolution's length):
 *   under a steady stream of pushes resolution holds the write lock at most 1 / (1 + durationFactor)
 *   of the time (a fifth with the default 4), and a push is readable within gap + one resolution
 *   (about 12.5 s at 100,000 datasets, a second or so on a small catalogue).
 *
 * Never two resolutions at once: a push arriving during one is coalesced into the next. A write
 * on the API's connection while the worker holds the write lock would wait in SQLite's busy
 * handler, which blocks the thread, so writers await `writable()` first (the push routes do).
 *
 * A resolution that fails leaves the store marked dirty and is tried again after retryMs; a
 * harvest's own resolution in the meantime serves the pushes as well (the store flag is shared).
 * A store in memory (tests) cannot be opened by another thread: it is resolved on the API's
 * thread, as everything was before.
 */
import type { Store } from '../store/contract/store.js';
import { InThreadResolution, type ResolutionRunner } from './push-resolution.js';
import { ResolutionThread } from './resolution-thread.js';
import { storeErrorOf } from '../store/store-errors.js';

export interface ResolutionSchedule {
  /** Shortest time from the end of one resolution to the start of the next. */
  minGapMs: number;
  /** The gap is also at least this many times the last resolution's duration. */
  durationFactor: number;
  /** After a failed resolution, try again after this long. */
  retryMs: number;
}

/** What the scheduler logs with (pino's and Fastify's loggers both fit). */
export interface ResolutionLog {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export const DEFAULT_RESOLUTION_SCHEDULE: ResolutionSchedule = { minGapMs: 1000, durationFactor: 4, retryMs: 30_000 };

export class ResolutionScheduler {
  private timer: NodeJS.Timeout | undefined;
  /** Set while a resolution runs; settles when it has ended: true when it succeeded. */
  private running: Promise<boolean> | undefined;
  /** A request came while a resolution ran: schedule the next one when it ends. */
  private requestedWhileRunning = false;
  private lastEndedAt = Number.NEGATIVE_INFINITY;
  private lastDurationMs = 0;
  private waiters: Array<() => void> = [];
  private closing: Promise<void> | undefined;
  private readonly runner: ResolutionRunner;
  /** Resolutions run (for tests and logs). */
  resolutions = 0;
  /**
   * Test hook: each resolution first holds the store's write lock (and its thread) this long,
   * as a resolution of a big catalogue does, so a test can read while one runs. 0 in use.
   */
  holdResolutionsForTestsMs = 0;

  constructor(
    private readonly store: Store,
    private readonly log: ResolutionLog,
    private readonly schedule: ResolutionSchedule = DEFAULT_RESOLUTION_SCHEDULE,
    runner?: ResolutionRunner,
  ) {
    this.runner = runner ?? (!store.reopenable ? new InThreadResolution(store) : new ResolutionThread(store.location));
  }

  /** Whether a resolution is running now. */
  get resolving(): boolean {
    return this.running !== undefined;
  }

  /** A push stored something: resolve now if idle, else once the gap is over (coalescing). */
  request(): void {
    if (this.closing !== undefined || this.timer !== undefined) return;
    if (this.running !== undefined) {
      this.requestedWhileRunning = true;
      return;
    }
    const gap = Math.max(this.schedule.minGapMs, this.schedule.durationFactor * this.lastDurationMs);
    const delay = Math.max(0, this.lastEndedAt + gap - performance.now());
    this.timer = setTimeout(() => void this.run(), delay);
  }

  /** Resolves once no resolution is pending or running (at once when none is). */
  settled(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Resolves when no resolution holds the store's write lock, at once when none runs. Call it just
   * before writing on the API's connection, and start the write at once (in the same turn of the
   * event loop: a store transaction begins within its microtasks): a resolution starts only from
   * a timer, never between the two.
   */
  async writable(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /**
   * Stop scheduling. A running resolution is awaited and a pending one runs now, so what was
   * pushed is served after a restart too (serve would also resolve a dirty store at start-up);
   * then the resolution thread is closed.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    let pending = this.timer !== undefined || this.requestedWhileRunning;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.requestedWhileRunning = false;
    // One that fails now would have been retried: it is pending too.
    if (this.running !== undefined && !(await this.running)) pending = true;
    if (pending && (await this.storeOpen())) await this.resolveOnce();
    await this.runner.close();
    this.release();
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    if (this.running !== undefined) {
      this.requestedWhileRunning = true;
      return;
    }
    const succeeded = await this.resolveOnce();
    if (this.closing !== undefined) return; // shutDown finishes what is pending.
    if (!succeeded) {
      clearTimeout(this.timer);
      this.requestedWhileRunning = false;
      this.timer = setTimeout(() => void this.run(), this.schedule.retryMs);
      // A store its owner has closed has nothing left to retry (a close meanwhile decides itself).
      if (!(await this.storeOpen()) && this.closing === undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
        if (this.idle()) this.release();
      }
      return;
    }
    if (this.requestedWhileRunning) {
      this.requestedWhileRunning = false;
      this.request();
    }
    if (this.idle()) this.release();
  }

  /** One resolution if the store needs one; false when it failed. */
  private async resolveOnce(): Promise<boolean> {
    let ended!: (succeeded: boolean) => void;
    this.running = new Promise((resolve) => (ended = resolve));
    let succeeded = false;
    try {
      // Checked here first, so a store with nothing to resolve never starts the thread.
      const attempt = (await this.store.identity.isIdentityDirty())
        ? await this.runner.resolve({ holdMs: this.holdResolutionsForTestsMs })
        : { resolution: undefined, elapsedMs: 0 };
      if (attempt.resolution !== undefined) {
        this.resolutions += 1;
        this.log.info(attempt.resolution, 'identity resolved after pushes');
      }
      this.lastDurationMs = attempt.elapsedMs;
      succeeded = true;
      return true;
    } catch (err) {
      const storeError = storeErrorOf(err, this.store.location);
      this.log.error(
        { err },
        `identity resolution after pushes failed${storeError ? `: ${storeError.message}` : ''}; the pushed records are stored and resolution will be tried again`,
      );
      return false;
    } finally {
      this.lastEndedAt = performance.now();
      this.running = undefined;
      ended(succeeded);
    }
  }

  /**
   * Whether the store is still open: its owner may close it before this scheduler (an API's
   * connection closed first), and then there is nothing to resolve nor to retry. A store that
   * refuses writes (full, read-only) still answers this read, and is retried.
   */
  private async storeOpen(): Promise<boolean> {
    return this.store.schemaVersion().then(
      () => true,
      () => false,
    );
  }

  private idle(): boolean {
    return this.timer === undefined && this.running === undefined && !this.requestedWhileRunning;
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
