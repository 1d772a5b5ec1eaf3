/**
 * TEST HOOK, never set in use (test/harvest/read-during-resolution.test.ts): hold the identity
 * resolution after a harvest run inside its transaction, with the store's write lock taken, until
 * the test releases it. A test's few records resolve in milliseconds; held, the resolution lasts
 * as long as the test needs to show that the API answers reads meanwhile, proved by order (the
 * read answered while the resolution was still held), not by timing.
 *
 * The gate is shared memory, so a test on the API's thread holds and releases a resolution that
 * runs in the harvest thread (harvest-thread.ts passes it on in the worker's data).
 */

const OPEN = 0;
const HELD = 1;
const RELEASED = 2;

/** A hold nobody releases (a failing test) ends by itself after this long, so the test fails rather than hangs. */
const GIVE_UP_MS = 20_000;

/** One held resolution's state, shared between threads. */
export type ResolutionGate = Int32Array;

export function resolutionGateForTests(): ResolutionGate {
  return new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
}

/** Whether a resolution is waiting at the gate now (it reached it and was neither released nor gave up). */
export function isResolutionHeld(gate: ResolutionGate): boolean {
  return Atomics.load(gate, 0) === HELD;
}

export function releaseResolution(gate: ResolutionGate): void {
  Atomics.store(gate, 0, RELEASED);
  Atomics.notify(gate, 0);
}

let gateOfThisThread: ResolutionGate | undefined;

/** Hold every later resolution after a run of this thread at `gate` (undefined: stop holding). */
export function holdResolutionsForTests(gate: ResolutionGate | undefined): void {
  gateOfThisThread = gate;
}

/** For resolve-after-run.ts: what to run inside the resolution's transaction, if a test asked to hold it. */
export function resolutionHoldForTests(): (() => void) | undefined {
  const gate = gateOfThisThread;
  if (gate === undefined) return undefined;
  return () => {
    Atomics.store(gate, 0, HELD);
    // Blocks this thread, as a resolution's synchronous work does, until released (or given up).
    Atomics.wait(gate, 0, HELD, GIVE_UP_MS);
    Atomics.store(gate, 0, OPEN);
  };
}
