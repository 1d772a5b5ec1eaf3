/**
 * The agency platform of `npm run bench:hostile`, a CHILD PROCESS speaking the cross-platform read
 * API on 127.0.0.1:0 (as platform-process.ts does), serving groups of bench records
 * (hostile-records.ts): e.g. 20 records of 10,000 distributions and 200 of 2. Every answer is
 * serialised once, up front, so the platform costs the harvest little more than socket writes.
 *
 *   GET /api/v1/rest/dataset?modified=&limit=&offset=  → {"success":true,"result":[identifiers]}
 *   GET /api/v1/rest/dataset/{identifier}              → {"success":true,"result":{record}}
 *
 * The **gate**: listing requests are held (not answered) until `GET /__bench/release`, so the bench
 * decides when the harvest that `serve` starts at start-up gets its records (it measures the idle
 * API first). `GET /__bench/state` → `{ held, released, listRequests, recordRequests, cpuMs }`.
 *
 * Usage: node hostile-platform.js '{"orgCode":"A17000000J","groups":[{"from":1,"count":20,"distributions":10000}]}'
 * Prints its port as its first stdout line; exits when stdin closes (the bench died) or on SIGTERM.
 */
import { createServer, type ServerResponse } from 'node:http';
import { stopWhenParentGoes } from './child-lifetime.js';
import type { AddressInfo } from 'node:net';
import { benchIdentifier, benchRecord } from './hostile-records.js';

export interface HostilePlatformSpec {
  orgCode: string;
  groups: Array<{ from: number; count: number; distributions: number }>;
}

const spec = JSON.parse(process.argv[2] ?? '') as HostilePlatformSpec;

const bodies = new Map<string, Buffer>();
for (const group of spec.groups) {
  for (let serial = group.from; serial < group.from + group.count; serial += 1) {
    const identifier = benchIdentifier(spec.orgCode, serial);
    bodies.set(identifier, Buffer.from(JSON.stringify({ success: true, result: benchRecord(identifier, group.distributions) })));
  }
}
const identifiers = [...bodies.keys()].sort();
const prefix = '/api/v1/rest/dataset/';
const notFound = Buffer.from(JSON.stringify({ success: false, error: { error_type: 'ER0100', message: 'not found' } }));

let released = false;
const held: Array<() => void> = [];
let listRequests = 0;
let recordRequests = 0;

function send(res: ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
}

function list(query: string): Buffer {
  const params = new URLSearchParams(query);
  const offset = Number(params.get('offset') ?? 0) || 0;
  const limit = params.has('limit') ? Number(params.get('limit')) : identifiers.length;
  // `modified` is ignored: every record is new to the bench's fresh store anyway.
  return Buffer.from(JSON.stringify({ success: true, result: identifiers.slice(offset, offset + limit) }));
}

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  const path = mark === -1 ? url : url.slice(0, mark);
  const query = mark === -1 ? '' : url.slice(mark + 1);
  if (path === '/__bench/state') {
    const usage = process.cpuUsage();
    return send(
      res,
      200,
      Buffer.from(JSON.stringify({ held: held.length, released, listRequests, recordRequests, cpuMs: (usage.user + usage.system) / 1000 })),
    );
  }
  if (path === '/__bench/release') {
    released = true;
    for (const answer of held.splice(0)) answer();
    return send(res, 200, Buffer.from('{"released":true}'));
  }
  if (path.startsWith(prefix)) {
    recordRequests += 1;
    const body = bodies.get(decodeURIComponent(path.slice(prefix.length)));
    return body ? send(res, 200, body) : send(res, 404, notFound);
  }
  if (path === '/api/v1/rest/dataset') {
    listRequests += 1;
    const answer = (): void => send(res, 200, list(query));
    if (released) answer();
    else held.push(answer);
    return;
  }
  send(res, 404, notFound);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});

stopWhenParentGoes(server);
