/**
 * The harvest thread runs below the API's priority. A run is background work that may take a
 * core for minutes (100,000 records: fetch, map, write, resolve, index); the API's answers are
 * what people and machines wait for. On a machine with few cores the two compete for the CPU,
 * and at equal priority a full harvest took two thirds of the reads the API answered idle
 * (docs/benchmarks.md, bench:busy).
 *
 * Linux keeps a nice value per thread, and `setpriority(PRIO_PROCESS, 0, …)` (os.setPriority
 * with no pid) sets the calling thread's alone (setpriority(2), "BUGS"): called in the harvest
 * thread, it lowers that thread and leaves the API's thread as it was. Elsewhere the call
 * would lower the whole process, API included, so it is made on Linux only.
 */
import { platform, setPriority } from 'node:os';
import type { Logger } from 'pino';

/** Lower the calling thread to `nice` (0–19; 0 leaves it). Answers whether it was lowered. */
export function lowerThisThread(nice: number, log: Logger): boolean {
  if (nice === 0 || platform() !== 'linux') return false;
  try {
    setPriority(nice);
    return true;
  } catch (err) {
    // A container without the right to change it: run at the same priority, say so once.
    log.warn({ err, nice }, 'could not lower the harvest thread’s CPU priority; it runs at the API’s');
    return false;
  }
}
