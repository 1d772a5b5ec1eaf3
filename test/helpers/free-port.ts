import { createServer, type AddressInfo } from 'node:net';

/**
 * A TCP port free on loopback now, for a child process that must be told its port before it
 * starts (`serve` with PORT). Another process could take it in between: good enough on a test
 * machine, where nothing else picks ports at random.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
