/**
 * The worker thread that carries out push calls (started by push-thread.ts): parses the body,
 * reads the record (the door, the mapping, the standard) and writes it, on its own connection to
 * the store's file. One call at a time, in the order they came; a failed call is answered, not
 * fatal.
 *
 * Messages in: `{ id, operation }` or `{ close: true }`. Out: `{ id, ok: true, outcome }` or
 * `{ id, ok: false, failure }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/sqlite-store.js';
import { describePushFailure, performPush, type PushFailure, type PushOperation } from './push-operation.js';
import type { PushOutcome } from './push-service.js';

export interface PushWorkerData {
  /** The store's file, as the API's connection opened it. */
  path: string;
}

export type PushWorkerRequest = { id: number; operation: PushOperation } | { close: true };
export type PushWorkerReply = { id: number; ok: true; outcome: PushOutcome } | { id: number; ok: false; failure: PushFailure };

const port = parentPort;
if (port === null) throw new Error('push-worker.js runs in a worker thread: src/push/push-thread.ts starts it');

const { path } = workerData as PushWorkerData;
// Opened once, when the thread starts; a failure here ends the thread, which fails its calls.
const store = await openStore(path);

// Calls are carried out in the order they came: each is a push transaction, and the store runs
// them one after another (a transaction has the connection to itself until it ends), so their
// replies settle in that order too. `close` waits for the calls before it.
let previous: Promise<unknown> = Promise.resolve();
port.on('message', (request: PushWorkerRequest) => {
  if ('close' in request) {
    previous = previous.then(async () => {
      await store.close();
      port.close();
    });
    return;
  }
  const call = performPush(store, request.operation).then(
    (outcome): PushWorkerReply => ({ id: request.id, ok: true, outcome }),
    (err: unknown): PushWorkerReply => ({ id: request.id, ok: false, failure: describePushFailure(err, path) }),
  );
  previous = Promise.all([previous, call]).then(([, reply]) => port.postMessage(reply));
});
