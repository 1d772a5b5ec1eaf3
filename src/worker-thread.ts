/**
 * What the gateway's worker threads (the harvest thread, the push thread, the resolution thread)
 * share: how one is started and how it is ended. Each thread's own file says what it does and
 * what its messages are.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';

export interface WorkerHandlers<Reply> {
  message(reply: Reply): void;
  /** The thread ended or failed: an error outside the work it was given, out of memory, terminated. */
  ended(err: Error): void;
}

/**
 * Start the compiled worker file `url` (a sibling .js in dist) with `workerData`. It starts
 * unref'd: it holds the process open only while its owner `ref()`s it for pending work.
 * `resourceLimits` caps its heap: past the cap the thread ends with ERR_WORKER_OUT_OF_MEMORY
 * (handlers.ended), not the process.
 */
export function startWorker<Reply>(url: URL, workerData: unknown, name: string, handlers: WorkerHandlers<Reply>, resourceLimits?: ResourceLimits): Worker {
  const worker = new Worker(url, { workerData, ...(resourceLimits ? { resourceLimits } : {}) });
  worker.unref();
  worker.on('message', (reply: Reply) => handlers.message(reply));
  worker.on('error', (err) => handlers.ended(err));
  worker.on('exit', (code) => handlers.ended(new Error(`the ${name} ended (exit code ${code})`)));
  return worker;
}

/**
 * Ask the thread to finish (`closeMessage`: it closes its connection and ends), wait for it to
 * exit, and terminate it if it has not within `graceMs` (`onGraceExpired` is told first).
 */
export async function endWorker(worker: Worker, closeMessage: unknown, graceMs: number, onGraceExpired?: () => void): Promise<void> {
  const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.ref();
  worker.postMessage(closeMessage);
  const grace = setTimeout(() => {
    onGraceExpired?.();
    void worker.terminate();
  }, graceMs);
  await ended;
  clearTimeout(grace);
}
