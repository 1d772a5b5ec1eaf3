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
import { openDatabase } from '../store/database.js';
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
const db = openDatabase(path);

port.on('message', (request: PushWorkerRequest) => {
  if ('close' in request) {
    db.close();
    port.close();
    return;
  }
  let reply: PushWorkerReply;
  try {
    reply = { id: request.id, ok: true, outcome: performPush(db, request.operation) };
  } catch (err) {
    reply = { id: request.id, ok: false, failure: describePushFailure(err, path) };
  }
  port.postMessage(reply);
});
