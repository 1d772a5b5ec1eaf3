/**
 * The baseline of `npm run bench:serve`: a bare node:http server answering every request with
 * the same bytes from memory, in a child process like the gateway's. Forked with IPC: receives
 * `{ body, contentType }`, then sends `{ port }` once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

process.once('message', (message: { body: string; contentType: string }) => {
  const body = Buffer.from(message.body, 'base64');
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': message.contentType, 'content-length': body.length });
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
});
process.on('disconnect', () => process.exit(0));
