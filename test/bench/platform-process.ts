/**
 * A synthetic agency platform for the benchmark, run as a CHILD PROCESS so that serving does
 * not share the harvester's event loop. It speaks the cross-platform spec's read API:
 *   GET /api/v1/rest/dataset?modified=&limit=&offset=  → {"success":true,"result":[identifiers]}
 *   GET /api/v1/rest/dataset/{identifier}              → {"success":true,"result":{record}}
 * plus GET /__bench/cpu (this process's CPU time, µs, and how many record and list requests it
 * has answered) so the orchestrator can tell how busy the platform was during a harvest and what
 * the harvester asked for.
 *
 * Usage: node platform-process.js N. Listens on 127.0.0.1:0 and prints the port as its first
 * stdout line. Every record response is serialised once up front, so serving costs little
 * more than a socket write. Exits when stdin closes (the orchestrator died) or on SIGTERM.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { modifiedEpoch, syntheticCatalogue } from './synthetic-catalogue.js';

const count = Number(process.argv[2] ?? process.env.BENCH_RECORDS ?? 5000);
if (!Number.isInteger(count) || count < 1) {
  process.stderr.write(`platform-process: record count must be a positive integer, got ${process.argv[2]}\n`);
  process.exit(2);
}

const records = syntheticCatalogue(count);
const bodies = new Map<string, Buffer>();
const listing: Array<{ id: string; modified: number }> = [];
for (const record of records) {
  const id = String(record.identifier);
  bodies.set(id, Buffer.from(JSON.stringify({ success: true, result: record })));
  listing.push({ id, modified: modifiedEpoch(record) });
}
listing.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const listCache = new Map<string, Buffer>();
let recordRequests = 0;
let listRequests = 0;
const notFound = Buffer.from(JSON.stringify({ success: false, error: { error_type: 'ER0100', message: 'not found' } }));

function send(res: ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
}

/** The `modified` parameter: RFC 3339, or Taipei local `YYYY-MM-DD hh:mm:ss`. */
function sinceEpoch(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const text = value.includes('T') ? value : `${value.replace(' ', 'T')}+08:00`;
  const epoch = Date.parse(text);
  return Number.isNaN(epoch) ? undefined : epoch;
}

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  const prefix = '/api/v1/rest/dataset/';
  if (path.startsWith(prefix)) {
    recordRequests += 1;
    const body = bodies.get(decodeURIComponent(path.slice(prefix.length)));
    return body ? send(res, 200, body) : send(res, 404, notFound);
  }
  if (path === '/api/v1/rest/dataset') {
    listRequests += 1;
    const key = query === -1 ? '' : url.slice(query + 1);
    let body = listCache.get(key);
    if (!body) {
      const params = new URLSearchParams(key);
      const since = sinceEpoch(params.get('modified'));
      const ids = listing.filter((entry) => since === undefined || entry.modified >= since).map((entry) => entry.id);
      const offset = Number(params.get('offset') ?? 0) || 0;
      const limit = params.has('limit') ? Number(params.get('limit')) : ids.length;
      body = Buffer.from(JSON.stringify({ success: true, result: ids.slice(offset, offset + limit) }));
      listCache.set(key, body);
    }
    return send(res, 200, body);
  }
  if (path === '/__bench/cpu') {
    const usage = process.cpuUsage();
    return send(res, 200, Buffer.from(JSON.stringify({ userUs: usage.user, systemUs: usage.system, recordRequests, listRequests })));
  }
  send(res, 404, notFound);
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${port}\n`);
});

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// The orchestrator holds our stdin: when it goes away (even by a crash), so do we.
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
