/**
 * When pushed records reach the served catalogue. A push stores its record and marks identity
 * dirty; the read API (records, /catalog, search, the change feed) serves what identity
 * resolution made of the store. Resolution recomputes the whole catalogue (about 2.5 s for
 * 100,000 datasets, even when one record changed) and runs on the API's thread, so one per push
 * would stall every reader under a burst of pushes. Instead:
 *
 * - idle (no resolution in the last gap): resolve at once, just after the push is answered, so a
 *   lone push is readable within the time of one resolution;
 * - busy: pushes arriving within the gap after a resolution are coalesced into one resolution at
 *   the end of the gap. The gap is max(minGapMs, durationFactor × the last resolution's length):
 *   under a steady stream of pushes resolution takes at most 1 / (1 + durationFactor) of the
 *   thread (a fifth with the default 4), and a push is readable within gap + one resolution
 *   (about 12.5 s at 100,000 datasets, a second or so on a small catalogue).
 *
 * A resolution that fails leaves the store marked dirty and is tried again after retryMs; a
 * harvest's own resolution in the meantime serves the pushes as well (the store flag is shared).
 */
import type { Db } from '../store/database.js';
import { isIdentityDirty } from '../store/identity.js';
import { resolveIdentity } from '../identity/resolve.js';
import { refreshSearchIndex } from '../store/search-index.js';

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
  private lastEndedAt = Number.NEGATIVE_INFINITY;
  private lastDurationMs = 0;
  private waiters: Array<() => void> = [];
  private closed = false;
  /** Resolutions run (for tests and logs). */
  resolutions = 0;

  constructor(
    private readonly db: Db,
    private readonly log: ResolutionLog,
    private readonly schedule: ResolutionSchedule = DEFAULT_RESOLUTION_SCHEDULE,
  ) {}

  /** A push stored something: resolve now if idle, else once the gap is over (coalescing). */
  request(): void {
    if (this.closed || this.timer !== undefined) return;
    const gap = Math.max(this.schedule.minGapMs, this.schedule.durationFactor * this.lastDurationMs);
    const delay = Math.max(0, this.lastEndedAt + gap - performance.now());
    this.timer = setTimeout(() => this.run(), delay);
  }

  /** Resolves once no resolution is pending (at once when none is). */
  settled(): Promise<void> {
    if (this.timer === undefined) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Stop scheduling. A pending resolution runs now, so what was pushed is served after a restart
   * too (serve would also resolve a dirty store at start-up).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.db.open) this.resolve();
    this.release();
  }

  private run(): void {
    this.timer = undefined;
    if (this.resolve()) {
      this.release();
    } else if (!this.closed && this.db.open) {
      this.timer = setTimeout(() => this.run(), this.schedule.retryMs);
    } else {
      this.release();
    }
  }

  /** One resolution if the store needs one; false when it failed. */
  private resolve(): boolean {
    const started = performance.now();
    try {
      if (isIdentityDirty(this.db)) {
        const outcome = resolveIdentity(this.db);
        const indexed = refreshSearchIndex(this.db);
        this.resolutions += 1;
        this.log.info({ ...outcome, collisions: outcome.collisions.length, indexed }, 'identity resolved after pushes');
      }
      this.lastDurationMs = performance.now() - started;
      return true;
    } catch (err) {
      this.log.error({ err }, 'identity resolution after pushes failed; the pushed records are stored and resolution will be tried again');
      return false;
    } finally {
      this.lastEndedAt = performance.now();
    }
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
