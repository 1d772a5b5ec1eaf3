import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpError } from '../../src/http/http-client.js';

type Teardown = { teardown(fn: () => unknown): void };

/** An HTTP server on 127.0.0.1 answering with `handler`, closed (connections cut) with the test. */
export async function serveLoopback(t: Teardown, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; host: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` };
}

/** The HttpError a request must fail with; a request that succeeds fails the test. */
export async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (err) {
    return err as HttpError;
  }
  throw new Error('expected a rejection');
}
