/**
 * One identity resolution after pushes, and where it runs. The work is the same wherever it runs
 * (the API's thread for a store in memory, a worker thread otherwise: resolution-thread.ts): if
 * the store is marked, resolve identity and index what changed for search, as a harvest run does
 * after its resolution (src/harvest/run.ts resolveAfterRun), so the first search after a push
 * does not pay for it.
 */
import type { Store } from '../store/contract/store.js';
import { resolveIdentity, type ResolutionOutcome } from '../identity/resolve.js';

/** What one resolution did, as logged: plain numbers, so it crosses a thread boundary as it is. */
export type PushResolution = Omit<ResolutionOutcome, 'collisions'> & { collisions: number; indexed: number };

export interface PushResolutionOptions {
  /**
   * Test hook: hold the write lock this long before resolving, as a resolution of a big
   * catalogue does (about 2.5 s at 100,000 datasets), so tests can read during one. 0 in use.
   */
  holdMs?: number;
}

/** What one attempt did: the resolution (undefined when the store was not marked) and how long it took. */
export interface ResolutionAttempt {
  resolution: PushResolution | undefined;
  /** The work's own time where it ran (not a thread's start-up nor the messages to it): the scheduler's gap grows with it. */
  elapsedMs: number;
}

/** Runs one resolution after pushes at a time; `close` when done with it. */
export interface ResolutionRunner {
  /** Rejects when the resolution failed. */
  resolve(options?: PushResolutionOptions): Promise<ResolutionAttempt>;
  close(): Promise<void>;
}

/** One resolution on `store`'s connection and thread, if the store is marked for one. */
export async function attemptResolution(store: Store, options: PushResolutionOptions = {}): Promise<ResolutionAttempt> {
  const started = performance.now();
  const resolution = await resolvePushedRecords(store, options);
  return { resolution, elapsedMs: performance.now() - started };
}

async function resolvePushedRecords(store: Store, options: PushResolutionOptions): Promise<PushResolution | undefined> {
  if (!(await store.identity.isIdentityDirty())) return undefined;
  const holdMs = options.holdMs ?? 0;
  // Held inside the resolution's own write transaction (the identity area's session runs it once
  // it holds the write lock).
  const outcome = await resolveIdentity(store, holdMs > 0 ? { whileLocked: () => holdThread(holdMs) } : {});
  const indexed = await store.search.refreshSearchIndex();
  return { ...outcome, collisions: outcome.collisions.length, indexed };
}

/** Resolution on the caller's own connection and thread: for a store in memory, which no other thread can open. */
export class InThreadResolution implements ResolutionRunner {
  constructor(private readonly store: Store) {}

  resolve(options?: PushResolutionOptions): Promise<ResolutionAttempt> {
    return attemptResolution(this.store, options);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Block this thread (busy, as resolving is) for `ms`. */
function holdThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
