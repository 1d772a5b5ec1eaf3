/** How the bench's processes end: children with their parent, orchestrators on a signal or a failure. */
import type { Server } from 'node:http';

/**
 * A bench child's end: SIGTERM, SIGINT, or its stdin closing (the bench holds it: when the bench
 * goes away, even by a crash, so does the child) closes the server and exits.
 */
export function stopWhenParentGoes(server: Server): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

/**
 * The end of a bench child that prints its figures and exits (harvest-worker.ts, dcat-parse.ts):
 * it exits when the bench stops holding its stdin (the bench went away), 0 when `main` settles,
 * 1 with `what failed: …` on stderr when it throws.
 */
export function runChildMain(what: string, main: () => Promise<void>): void {
  process.stdin.on('end', () => process.exit(1));
  process.stdin.on('error', () => process.exit(1));
  process.stdin.resume();
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      reportFailure(what, err);
      process.exit(1);
    },
  );
}

/** `what failed: …` on stderr, with the stack when there is one. */
function reportFailure(what: string, err: unknown): void {
  process.stderr.write(`${what} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
}

/** A bench's orchestrator (`npm run bench*`): a failure is reported and the exit status is 1. */
export function runBenchMain(what: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    reportFailure(what, err);
    process.exitCode = 1;
  });
}

/**
 * `work`, then `stopAll` (the bench's children, its files) however it ends; on SIGINT or SIGTERM
 * meanwhile, `stopAll` and exit 130, so an interrupted bench leaves no child process behind.
 */
export async function withStopOnSignal(stopAll: () => Promise<void>, work: () => Promise<void>): Promise<void> {
  const onSignal = (): void => {
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await work();
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await stopAll();
  }
}
