/**
 * The worker thread that resolves identity after pushes (started by resolution-thread.ts), so
 * that the seconds a resolution of a big catalogue takes are not taken from the API's event loop.
 * It has its own connection to the store's file: in WAL mode the API's readers go on reading the
 * catalogue as it was while this connection writes, and see the new one when it commits.
 *
 * Messages in: `{ id, holdMs }` (resolve once) or `{ close: true }` (close the connection and
 * end). Out: `{ id, ok: true, resolution, elapsedMs }` (null when the store was not marked) or
 * `{ id, ok: false, error }`. A failed resolution is reported, not fatal: the thread stays for
 * the next one.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/database.js';
import { attemptResolution, type PushResolution } from './push-resolution.js';

export interface ResolutionWorkerData {
  /** The store's file, as the API's connection opened it. */
  path: string;
}

export type ResolutionRequest = { id: number; holdMs: number } | { close: true };

export type ResolutionReply =
  | { id: number; ok: true; resolution: PushResolution | null; elapsedMs: number }
  | { id: number; ok: false; error: { name: string; message: string; stack?: string; code?: unknown } };

const port = parentPort;
if (port === null) throw new Error('resolution-worker.js runs in a worker thread: src/push/resolution-thread.ts starts it');

// Opened once, when the thread starts; a failure here ends the thread, which the API's side
// reports as a failed resolution and answers by starting a new thread at the next attempt.
const db = openDatabase((workerData as ResolutionWorkerData).path);

port.on('message', (request: ResolutionRequest) => {
  if ('close' in request) {
    db.close();
    port.close();
    return;
  }
  // TRANSITION: attemptResolution became asynchronous with resolveIdentity (H1); H3 moves this onto a Store.
  attemptResolution(db, { holdMs: request.holdMs }).then(
    (attempt): ResolutionReply => ({ id: request.id, ok: true, resolution: attempt.resolution ?? null, elapsedMs: attempt.elapsedMs }),
    (err: unknown): ResolutionReply => {
      const error = err as Error & { code?: unknown };
      return { id: request.id, ok: false, error: { name: error.name, message: error.message, stack: error.stack, code: error.code } };
    },
  ).then((reply) => port.postMessage(reply), () => undefined);
});
