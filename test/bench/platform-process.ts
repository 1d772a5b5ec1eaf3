/**
 * A synthetic agency platform for the benchmark, run as a CHILD PROCESS so that serving does
 * not share the harvester's event loop. It serves the synthetic catalogue in one of two shapes:
 *
 * `crossplatform`, the cross-platform spec's read API (synthetic-catalogue.ts):
 *   GET /api/v1/rest/dataset?modified=&limit=&offset=  → {"success":true,"result":[identifiers]}
 *   GET /api/v1/rest/dataset/{identifier}              → {"success":true,"result":{record}}
 *
 * `ckan`, CKAN 2.9+'s Action API (synthetic-ckan.ts), as much of it as connectors/ckan.ts uses:
 *   GET /api/3/action/package_search?q=*:*&fq=&sort=metadata_modified asc,id asc&rows=&start=&fl=
 *       → {"success":true,"result":{"count":N,"results":[package | {"id"} with fl=id]}}
 *       fq: none, or `metadata_modified:[<UTC instant> TO *]` (parenthesised or not); rows
 *       capped at 1000 as CKAN's default ckan.search.rows_max does. Anything else it does not
 *       implement (another q, sort, fl or fq) is answered 409 rather than silently ignored, so
 *       the bench cannot pass on an answer a real site would not give.
 *   GET /api/3/action/package_show?id={id or name}  → {"success":true,"result":{package}}
 *
 * plus GET /__bench/cpu: this process's CPU time (µs) and what it has answered so far: record
 * requests (a record by id: `/dataset/{id}`, package_show), list requests (`/dataset?…`,
 * package_search) and records served whole (in either), so the orchestrator can tell how busy
 * the platform was during a harvest and what the harvester asked for; and `held`, the requests
 * waiting at the gate.
 *
 * `gated` (third argument): every request of the API is held, unanswered, until
 * GET /__bench/release, so the orchestrator decides when a harvest that `serve` started on its
 * own gets its records (bench:busy measures the idle API first), as hostile-platform.ts does.
 *
 * Usage: node platform-process.js N [crossplatform|ckan] [gated]. Listens on 127.0.0.1:0 and prints
 * the port as its first stdout line. Every record is serialised once up front, so serving costs
 * little more than a socket write (a package_search page is a concatenation of ready buffers).
 * Exits when stdin closes (the orchestrator died) or on SIGTERM.
 */
import { createServer, type ServerResponse } from 'node:http';
import { stopWhenParentGoes } from './child-lifetime.js';
import type { AddressInfo } from 'node:net';
import { modifiedEpoch, syntheticCatalogue } from './synthetic-catalogue.js';
import { syntheticPackage } from './synthetic-ckan.js';

interface Answer {
  status: number;
  body: Buffer;
}

/** Answers a request path and query string; undefined: not this API's path. */
type Api = (path: string, query: string) => Answer | undefined;

interface Counters {
  recordRequests: number;
  listRequests: number;
  recordsServed: number;
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const ok = (body: Buffer): Answer => ({ status: 200, body });

// ---------------------------------------------------------------------------------------------
// The cross-platform spec
// ---------------------------------------------------------------------------------------------

/** The `modified` parameter: RFC 3339, or Taipei local `YYYY-MM-DD hh:mm:ss`. */
function sinceEpoch(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const text = value.includes('T') ? value : `${value.replace(' ', 'T')}+08:00`;
  const epoch = Date.parse(text);
  return Number.isNaN(epoch) ? undefined : epoch;
}

function crossPlatformApi(count: number, counters: Counters): Api {
  const bodies = new Map<string, Buffer>();
  const listing: Array<{ id: string; modified: number }> = [];
  for (const record of syntheticCatalogue(count)) {
    const id = String(record.identifier);
    bodies.set(id, json({ success: true, result: record }));
    listing.push({ id, modified: modifiedEpoch(record) });
  }
  listing.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Identifier listings are small: each distinct query is built once.
  const listCache = new Map<string, Buffer>();
  const notFound: Answer = { status: 404, body: json({ success: false, error: { error_type: 'ER0100', message: 'not found' } }) };
  const prefix = '/api/v1/rest/dataset/';

  const list = (query: string): Buffer => {
    const params = new URLSearchParams(query);
    const since = sinceEpoch(params.get('modified'));
    const ids = listing.filter((entry) => since === undefined || entry.modified >= since).map((entry) => entry.id);
    const offset = Number(params.get('offset') ?? 0) || 0;
    const limit = params.has('limit') ? Number(params.get('limit')) : ids.length;
    return json({ success: true, result: ids.slice(offset, offset + limit) });
  };

  return (path, query) => {
    if (path.startsWith(prefix)) {
      counters.recordRequests += 1;
      const body = bodies.get(decodeURIComponent(path.slice(prefix.length)));
      if (!body) return notFound;
      counters.recordsServed += 1;
      return ok(body);
    }
    if (path !== '/api/v1/rest/dataset') return undefined;
    counters.listRequests += 1;
    let body = listCache.get(query);
    if (!body) listCache.set(query, (body = list(query)));
    return ok(body);
  };
}

// ---------------------------------------------------------------------------------------------
// CKAN's Action API
// ---------------------------------------------------------------------------------------------

const CKAN_SORT = 'metadata_modified asc,id asc';
const CKAN_ROWS_MAX = 1000;
const SINCE_FILTER = /^\(?metadata_modified:\[(\S+) TO \*\]\)?$/;

/** CKAN's error answer: Validation Error is 409 there, Not Found Error 404. */
function ckanError(action: string, status: 404 | 409, type: string, message: string): Answer {
  return { status, body: json({ help: helpUrl(action), success: false, error: { __type: type, message } }) };
}

function helpUrl(action: string): string {
  return `http://127.0.0.1/api/3/action/help_show?name=${action}`;
}

/** The site's packages in package_search's stable order, each serialised once. */
interface CkanIndex {
  /** Package JSON, sorted by (metadata_modified, id). */
  bodies: Buffer[];
  /** `{"id":…}` per package, same order: the fl=id results. */
  idBodies: Buffer[];
  /** metadata_modified as epoch ms, same order (so ascending). */
  modified: number[];
  /** Package id and name → position. */
  byIdOrName: Map<string, number>;
}

function ckanIndex(count: number): CkanIndex {
  const entries: Array<{ id: string; name: string; modifiedText: string; body: Buffer }> = [];
  for (let i = 1; i <= count; i += 1) {
    const pkg = syntheticPackage(i);
    entries.push({ id: String(pkg.id), name: String(pkg.name), modifiedText: String(pkg.metadata_modified), body: json(pkg) });
  }
  // CKAN's naive timestamps all have the same form, so they sort as text; id breaks ties.
  entries.sort((a, b) => (a.modifiedText !== b.modifiedText ? (a.modifiedText < b.modifiedText ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byIdOrName = new Map<string, number>();
  entries.forEach((entry, position) => {
    byIdOrName.set(entry.id, position);
    byIdOrName.set(entry.name, position);
  });
  return {
    bodies: entries.map((entry) => entry.body),
    idBodies: entries.map((entry) => json({ id: entry.id })),
    modified: entries.map((entry) => Date.parse(`${entry.modifiedText}Z`)),
    byIdOrName,
  };
}

/** First position whose metadata_modified is at or after `since` (binary search: modified ascends). */
function firstModifiedFrom(modified: readonly number[], since: number): number {
  let low = 0;
  let high = modified.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (modified[mid]! < since) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** A non-negative integer parameter, its default when absent; null when it is not one. */
function naturalParam(params: URLSearchParams, name: string, fallback: number): number | null {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  return raw.trim() !== '' && Number.isInteger(value) && value >= 0 ? value : null;
}

const COMMA = Buffer.from(',');
const SEARCH_TAIL = Buffer.from(']}}');

/** `{"help":…,"success":true,"result":{"count":N,…,"results":[` + the parts joined by commas + `]}}`. */
function searchBody(count: number, parts: readonly Buffer[]): Buffer {
  const head = Buffer.from(
    `{"help":"${helpUrl('package_search')}","success":true,"result":{"count":${count},"facets":{},"search_facets":{},"sort":"${CKAN_SORT}","results":[`,
  );
  const pieces: Buffer[] = [head];
  parts.forEach((part, n) => {
    if (n > 0) pieces.push(COMMA);
    pieces.push(part);
  });
  pieces.push(SEARCH_TAIL);
  return Buffer.concat(pieces);
}

function ckanApi(count: number, counters: Counters): Api {
  const index = ckanIndex(count);
  const showHead = Buffer.from(`{"help":"${helpUrl('package_show')}","success":true,"result":`);
  const showTail = Buffer.from('}');

  const search = (params: URLSearchParams): Answer => {
    const unsupported = (name: string): Answer =>
      ckanError('package_search', 409, 'Validation Error', `the bench platform does not implement ${name}=${params.get(name)}`);
    const q = params.get('q');
    if (q !== null && q !== '*:*') return unsupported('q');
    const sort = params.get('sort');
    if (sort !== null && sort !== CKAN_SORT) return unsupported('sort');
    const fl = params.get('fl');
    if (fl !== null && fl !== 'id') return unsupported('fl');
    const fq = params.get('fq');
    const sinceText = fq === null ? undefined : SINCE_FILTER.exec(fq)?.[1];
    const since = sinceText === undefined ? undefined : Date.parse(sinceText);
    if (fq !== null && (since === undefined || Number.isNaN(since))) return unsupported('fq');
    const rows = naturalParam(params, 'rows', 10);
    const start = naturalParam(params, 'start', 0);
    if (rows === null) return unsupported('rows');
    if (start === null) return unsupported('start');

    const from = since === undefined ? 0 : firstModifiedFrom(index.modified, since);
    const first = Math.min(from + start, count);
    const last = Math.min(first + Math.min(rows, CKAN_ROWS_MAX), count);
    const parts = (fl === 'id' ? index.idBodies : index.bodies).slice(first, last);
    if (fl !== 'id') counters.recordsServed += parts.length;
    return ok(searchBody(count - from, parts));
  };

  const show = (params: URLSearchParams): Answer => {
    const position = index.byIdOrName.get(params.get('id') ?? '');
    if (position === undefined) return ckanError('package_show', 404, 'Not Found Error', 'Not found');
    counters.recordsServed += 1;
    return ok(Buffer.concat([showHead, index.bodies[position]!, showTail]));
  };

  return (path, query) => {
    if (path === '/api/3/action/package_search') {
      counters.listRequests += 1;
      return search(new URLSearchParams(query));
    }
    if (path === '/api/3/action/package_show') {
      counters.recordRequests += 1;
      return show(new URLSearchParams(query));
    }
    return undefined;
  };
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

const APIS: Readonly<Record<string, (count: number, counters: Counters) => Api>> = { crossplatform: crossPlatformApi, ckan: ckanApi };

function fail(message: string): never {
  process.stderr.write(`platform-process: ${message}\n`);
  process.exit(2);
}

const count = Number(process.argv[2] ?? process.env.BENCH_RECORDS ?? 5000);
if (!Number.isInteger(count) || count < 1) fail(`record count must be a positive integer, got ${process.argv[2]}`);
const shape = process.argv[3] ?? 'crossplatform';
const makeApi = APIS[shape] ?? fail(`shape must be one of ${Object.keys(APIS).join(', ')}, got ${shape}`);

const gated = process.argv[4] === 'gated';
if (process.argv[4] !== undefined && !gated) fail(`the third argument can only be "gated", got ${process.argv[4]}`);

const counters: Counters = { recordRequests: 0, listRequests: 0, recordsServed: 0 };
const api = makeApi(count, counters);
const notFound: Answer = { status: 404, body: json({ success: false, error: { message: 'not found' } }) };

function send(res: ServerResponse, { status, body }: Answer): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
}

let released = !gated;
const held: Array<() => void> = [];

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  const path = mark === -1 ? url : url.slice(0, mark);
  const query = mark === -1 ? '' : url.slice(mark + 1);
  if (path === '/__bench/cpu') {
    const usage = process.cpuUsage();
    return send(res, ok(json({ userUs: usage.user, systemUs: usage.system, ...counters, held: held.length })));
  }
  if (path === '/__bench/release') {
    released = true;
    for (const answer of held.splice(0)) answer();
    return send(res, ok(json({ released: true })));
  }
  const answer = (): void => send(res, api(path, query) ?? notFound);
  if (released) answer();
  else held.push(answer);
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${port}\n`);
});

stopWhenParentGoes(server);
