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
