/**
 * Push calls carried out in a worker thread (push-worker.ts) with its own connection to the
 * store's file. A pushed record of 10,000 distributions is about 1.4 MB of JSON: parsing,
 * checking and writing it took about 110 ms, and a burst of them held every reader up that long
 * per push. Here the API's thread only authenticates, hands the body's text over and answers.
 *
 * The thread starts with the first push and stays; it holds the process open only while calls
 * are pending. If it dies (out of memory, a bug), the calls it had are answered as failed (500)
 * and the next push starts a new thread: each call is one transaction, so none was half written.
 */
import type { Worker } from 'node:worker_threads';
import { endWorker, startWorker } from '../worker-thread.js';
import { revivePushFailure, type PushOperation, type PushWriter } from './push-operation.js';
import type { PushOutcome } from './push-service.js';
import type { PushWorkerData, PushWorkerReply, PushWorkerRequest } from './push-worker.js';

/** How long `close` waits for the thread to finish its calls and close its connection. */
const CLOSE_GRACE_MS = 10_000;

interface Pending {
  /** The thread the call was sent to: only its end fails the call. */
  worker: Worker;
  resolve: (outcome: PushOutcome) => void;
  reject: (err: Error) => void;
}

export class PushThread implements PushWriter {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** `path`: the store's file. */
  constructor(private readonly path: string) {}

  perform(operation: PushOperation): Promise<PushOutcome> {
    let worker: Worker;
    try {
      worker = this.worker ?? this.start();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject });
      worker.ref();
      worker.postMessage({ id, operation } satisfies PushWorkerRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    this.worker = undefined;
    // Messages are handled in order: the calls sent before are answered before it closes.
    await endWorker(worker, { close: true } satisfies PushWorkerRequest, CLOSE_GRACE_MS);
    this.fail(worker, new Error('the push thread was closed'));
  }

  private start(): Worker {
    const workerData: PushWorkerData = { path: this.path };
    const worker: Worker = startWorker<PushWorkerReply>(new URL('./push-worker.js', import.meta.url), workerData, 'push thread', {
      message: (reply) => this.answer(worker, reply),
      ended: (err) => this.died(worker, err),
    });
    this.worker = worker;
    return worker;
  }

  private answer(worker: Worker, reply: PushWorkerReply): void {
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    this.pending.delete(reply.id);
    if (![...this.pending.values()].some((call) => call.worker === worker)) worker.unref();
    if (reply.ok) pending.resolve(reply.outcome);
    else pending.reject(revivePushFailure(reply.failure));
  }

  private died(worker: Worker, err: Error): void {
    if (this.worker === worker) this.worker = undefined;
    this.fail(worker, err);
  }

  /** Fail the calls `worker` had not answered. */
  private fail(worker: Worker, err: Error): void {
    for (const [id, call] of this.pending) {
      if (call.worker !== worker) continue;
      this.pending.delete(id);
      call.reject(err);
    }
  }
}
