import { performance } from 'node:perf_hooks';

/**
 * Politeness per host: at most N requests in flight to one `host:port`, a minimum interval
 * between request starts, and a pause while the host has asked (Retry-After) to be left alone.
 *
 * Design: ONE limiter per host for the whole process (the module-level `registry`), so two
 * HttpClients (two sources on one platform, or a source and a manual run) share the count of
 * requests in flight, the time of the last start and any Retry-After pause. The limits
 * themselves stay per client: every request brings its client's `HostPolicy`, and starts only
 * when the SHARED state satisfies ITS policy (fewer than its `maxConcurrent` in flight to the
 * host counting every client's requests, and at least its `minIntervalMs` since anyone's last
 * start). So each client's promise holds from its own point of view, nothing is remembered
 * from a client that has gone, and there is no "stricter wins" bookkeeping to undo.
 *
 * Waiting is FIFO: once anyone waits, new requests queue behind them (no overtaking), and the
 * head of the queue is admitted first. A waiter whose signal aborts leaves the queue at once,
 * having taken nothing. Whoever was admitted (fast path or queue) must call `release()` exactly
 * once; the HttpClient does so in a `finally`.
 *
 * The fast path (nobody waiting, room, no interval or pause pending) allocates nothing: no
 * promise, no timer, one clock read.
 */
export interface HostPolicy {
  /** Requests in flight to the host (all clients together) below which this request may start. */
  readonly maxConcurrent: number;
  /** Minimum time between the previous start to the host (by anyone) and this one. */
  readonly minIntervalMs: number;
}

interface Waiter {
  readonly policy: HostPolicy;
  resolve: () => void;
  reject: (err: unknown) => void;
  settled: boolean;
  unlink: (() => void) | undefined;
}

/** A pause or interval longer than this is past every configurable value (minIntervalMs ≤ 600000). */
const IDLE_FORGET_MS = 600_000;
/** Registry size above which idle hosts are forgotten when a new host is seen. */
const SWEEP_ABOVE = 256;

export class HostLimiter {
  private active = 0;
  private lastStart = Number.NEGATIVE_INFINITY;
  private pausedUntil = 0;
  /** FIFO queue: `queue[head..]`; settled (cancelled or admitted) entries are skipped. */
  private queue: Array<Waiter | undefined> = [];
  private head = 0;
  private waiting = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;

  constructor(readonly key: string) {}

  /** Take a slot now if the policy allows and nobody is waiting; true when taken. */
  tryAcquire(policy: HostPolicy): boolean {
    if (this.waiting > 0 || this.active >= policy.maxConcurrent) return false;
    const now = performance.now();
    if (now < this.pausedUntil || now < this.lastStart + policy.minIntervalMs) return false;
    this.active += 1;
    this.lastStart = now;
    return true;
  }

  /**
   * Wait in line for a slot. Rejects with the signal's reason (or an AbortError) as soon as
   * `signal` aborts, without having taken a slot: the caller must then NOT call `release()`.
   */
  acquire(policy: HostPolicy, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.tryAcquire(policy)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { policy, resolve, reject, settled: false, unlink: undefined };
      this.queue.push(waiter);
      this.waiting += 1;
      if (signal) {
        waiter.unlink = onAbort(signal, () => {
          if (waiter.settled) return;
          waiter.settled = true;
          this.waiting -= 1;
          reject(abortReason(signal));
          // The head may have been the one blocking others with a smaller cap or longer interval.
          this.drain();
        });
      }
      this.drain();
    });
  }

  /** Give back a slot taken by `tryAcquire` or `acquire`. */
  release(): void {
    this.active -= 1;
    if (this.waiting > 0) this.drain();
  }

  /** Nobody starts a request to this host for `ms` (Retry-After); extends, never shortens, a pause. */
  pauseFor(ms: number): void {
    if (!(ms > 0)) return;
    const until = performance.now() + ms;
    if (until > this.pausedUntil) this.pausedUntil = until;
  }

  /** For diagnostics and tests. */
  snapshot(): { active: number; waiting: number; pausedForMs: number } {
    return { active: this.active, waiting: this.waiting, pausedForMs: Math.max(0, this.pausedUntil - performance.now()) };
  }

  /** Nothing in flight, nobody waiting, and no pause or interval that could still matter. */
  idle(now: number): boolean {
    return this.active === 0 && this.waiting === 0 && now >= this.pausedUntil && now - this.lastStart > IDLE_FORGET_MS;
  }

  private drain(): void {
    while (this.head < this.queue.length) {
      const waiter = this.queue[this.head];
      if (!waiter || waiter.settled) {
        this.queue[this.head] = undefined;
        this.head += 1;
        continue;
      }
      // Full: the next release() drains again.
      if (this.active >= waiter.policy.maxConcurrent) break;
      const now = performance.now();
      const readyAt = Math.max(this.pausedUntil, this.lastStart + waiter.policy.minIntervalMs);
      if (now < readyAt) {
        this.wakeAt(readyAt, now);
        break;
      }
      this.queue[this.head] = undefined;
      this.head += 1;
      waiter.settled = true;
      this.waiting -= 1;
      this.active += 1;
      this.lastStart = now;
      waiter.unlink?.();
      waiter.resolve();
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      // Nobody left to wake (the last waiter was admitted or gave up): do not hold the process open.
      if (this.timer !== undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** One timer per host, for the earliest moment the head of the queue may start. */
  private wakeAt(at: number, now: number): void {
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    // Not unref'd: a harvest waiting here must keep the process alive. Timers may fire a
    // fraction of a millisecond early, so drain() re-checks the clock and re-arms if needed.
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.drain();
      },
      Math.max(1, Math.ceil(at - now)),
    );
  }
}

const registry = new Map<string, HostLimiter>();

/**
 * The process-wide limiter of one host. Look it up per attempt rather than keeping it: an idle
 * host may be forgotten, and a kept reference would then split one host into two limiters.
 */
export function hostLimiter(key: string): HostLimiter {
  let limiter = registry.get(key);
  if (!limiter) {
    if (registry.size >= SWEEP_ABOVE) {
      const now = performance.now();
      for (const [k, l] of registry) if (l.idle(now)) registry.delete(k);
    }
    limiter = new HostLimiter(key);
    registry.set(key, limiter);
  }
  return limiter;
}

/** `host:port` of a URL, the port made explicit so http://x and http://x:80 are one host. */
export function hostKey(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

/** The state of a host's limiter, if it has one (diagnostics, tests). */
export function hostLimiterSnapshot(key: string): { active: number; waiting: number; pausedForMs: number } | undefined {
  return registry.get(key)?.snapshot();
}

const abortListeners = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Call `fn` once when `signal` aborts; returns the unsubscribe. One real listener per signal,
 * however many requests share it: a run's signal is shared by dozens of concurrent requests, and
 * Node warns (MaxListenersExceededWarning) past 10 listeners on one AbortSignal.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  if (signal.aborted) {
    fn();
    return noop;
  }
  let set = abortListeners.get(signal);
  if (!set) {
    const callbacks = new Set<() => void>();
    set = callbacks;
    abortListeners.set(signal, callbacks);
    signal.addEventListener(
      'abort',
      () => {
        const pending = [...callbacks];
        callbacks.clear();
        for (const callback of pending) callback();
      },
      { once: true },
    );
  }
  const callbacks = set;
  callbacks.add(fn);
  return () => {
    callbacks.delete(fn);
  };
}

function noop(): void {}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
