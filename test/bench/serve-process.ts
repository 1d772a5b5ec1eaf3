/**
 * The gateway's API for `npm run bench:serve`, in a CHILD process so that the load generator
 * does not share its event loop. Usage (forked with IPC): serve-process.js DB_PATH.
 * Sends `{ port }` once listening; answers the message `rss` with `{ maxRssMB }`.
 * Rate limiting is off: the bench is one client hammering on purpose.
 */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildApi } from '../../src/api/app.js';
import { openStore } from '../../src/store/sqlite-store.js';

const path = process.argv[2];
if (!path || !process.send) {
  process.stderr.write('usage: fork serve-process.js DB_PATH (with an IPC channel)\n');
  process.exit(2);
}

const store = await openStore(path, { readonly: true });
const app = await buildApi({
  store,
  publicUrl: 'http://127.0.0.1',
  logger: pino({ level: 'silent' }),
  http: { rateLimit: { max: 0, timeWindowMs: 60_000, allowList: [] } },
});
await app.listen({ port: 0, host: '127.0.0.1' });
process.send({ port: (app.server.address() as AddressInfo).port });
process.on('message', (message) => {
  if (message === 'rss') process.send!({ maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) });
});
process.on('disconnect', () => process.exit(0));
