/**
 * Identity resolution after pushes in a worker thread (resolution-worker.ts) with its own
 * connection to the store's file, so the API's event loop keeps answering reads while it runs
 * (one takes about 2.5 s at 100,000 datasets on 2 cores, longer under load).
 *
 * The thread is started at the first resolution, not before (an API that is never pushed to
 * never pays for it), and kept for the next ones. It holds the process open only while it
 * resolves: an idle thread does not keep a process alive that has nothing else to do. A thread
 * that dies (an exception outside a resolution, out of memory) fails the resolution it was
 * running; the next one starts a new thread.
 */
import type { Worker } from 'node:worker_threads';
import { endWorker, startWorker } from '../worker-thread.js';
import type { PushResolutionOptions, ResolutionAttempt, ResolutionRunner } from './push-resolution.js';
import type { ResolutionReply, ResolutionRequest, ResolutionWorkerData } from './resolution-worker.js';

/** How long `close` waits for the thread to close its connection before stopping it. */
const CLOSE_GRACE_MS = 10_000;

interface Pending {
  id: number;
  resolve: (attempt: ResolutionAttempt) => void;
  reject: (err: Error) => void;
}

export class ResolutionThread implements ResolutionRunner {
  private worker: Worker | undefined;
  private pending: Pending | undefined;
  private nextId = 1;

  /** `path`: the store's file (a store in memory cannot be opened by another thread: InThreadResolution). */
  constructor(private readonly path: string) {}

  /** Whether the thread is up (started by a resolution, not yet closed or ended). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  resolve(options: PushResolutionOptions = {}): Promise<ResolutionAttempt> {
    // The scheduler never asks for two at once; two would only queue behind each other's write lock.
    if (this.pending !== undefined) return Promise.reject(new Error('a resolution is already running in the resolution thread'));
    let worker: Worker;
    try {
      worker = this.worker ?? this.start();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending = { id, resolve, reject };
      worker.ref();
      const request: ResolutionRequest = { id, holdMs: options.holdMs ?? 0 };
      worker.postMessage(request);
    });
  }

  /** Close the thread's connection and end it (the next `resolve` would start a new one). */
  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    this.worker = undefined;
    this.lose(new Error('the resolution thread was closed'));
    await endWorker(worker, { close: true } satisfies ResolutionRequest, CLOSE_GRACE_MS);
  }

  private start(): Worker {
    const workerData: ResolutionWorkerData = { path: this.path };
    const worker: Worker = startWorker<ResolutionReply>(new URL('./resolution-worker.js', import.meta.url), workerData, 'resolution thread', {
      message: (reply) => this.answer(worker, reply),
      ended: (err) => this.died(worker, err),
    });
    this.worker = worker;
    return worker;
  }

  private answer(worker: Worker, reply: ResolutionReply): void {
    const pending = this.pending;
    if (pending === undefined || pending.id !== reply.id) return;
    this.pending = undefined;
    worker.unref();
    if (reply.ok) {
      pending.resolve({ resolution: reply.resolution ?? undefined, elapsedMs: reply.elapsedMs });
    } else {
      pending.reject(Object.assign(new Error(reply.error.message), reply.error));
    }
  }

  private died(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.lose(err);
  }

  private lose(err: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(err);
  }
}
