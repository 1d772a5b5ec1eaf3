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
 * `csw` (CSW 2.0.2 GetRecords, csw:Record pages), `oai-pmh` (ListRecords with resumptionToken,
 * oai_dc) and `dcat-turtle` / `dcat-rdfxml` (the whole catalogue as ONE DCAT-AP document at
 * /catalog.ttl or /catalog.rdf): see the functions below; for these a listing request is one
 * page or the document, and recordsServed counts the records in it.
 *
 * Usage: node platform-process.js N [crossplatform|ckan|csw|oai-pmh|dcat-turtle|dcat-rdfxml] [gated]. Listens on 127.0.0.1:0 and prints
 * the port as its first stdout line. Every record is serialised once up front, so serving costs
 * little more than a socket write (a package_search page is a concatenation of ready buffers).
 * Exits when stdin closes (the orchestrator died) or on SIGTERM.
 */
import { createServer, type ServerResponse } from 'node:http';
import { stopWhenParentGoes } from './child-lifetime.js';
import type { AddressInfo } from 'node:net';
import { modifiedEpoch, syntheticCatalogue } from './synthetic-catalogue.js';
import { syntheticPackage } from './synthetic-ckan.js';
import { DCAT_MEDIA_TYPES, DCAT_PATHS, dcatDocumentBytes, type DcatSyntax } from './synthetic-dcat.js';
import { cswRecordXml, oaiRecordXml } from './synthetic-xml-records.js';

interface Answer {
  status: number;
  body: Buffer;
  /** JSON unless said. */
  contentType?: string;
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
// One DCAT catalogue document
// ---------------------------------------------------------------------------------------------

/** GET /catalog.ttl or /catalog.rdf: the whole catalogue in one document, built once (synthetic-dcat.ts). */
function dcatApi(syntax: DcatSyntax): (count: number, counters: Counters) => Api {
  return (count, counters) => {
    const body = dcatDocumentBytes(count, syntax);
    const answer: Answer = { status: 200, body, contentType: DCAT_MEDIA_TYPES[syntax] };
    return (path) => {
      if (path !== DCAT_PATHS[syntax]) return undefined;
      counters.listRequests += 1;
      counters.recordsServed += count;
      return answer;
    };
  };
}

// ---------------------------------------------------------------------------------------------
// Paged XML: CSW GetRecords and OAI-PMH ListRecords
// ---------------------------------------------------------------------------------------------

const XML = 'application/xml; charset=utf-8';
const xmlAnswer = (status: number, text: string): Answer => ({ status, body: Buffer.from(text), contentType: XML });
const CSW_NS =
  'xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dct="http://purl.org/dc/terms/" xmlns:ows="http://www.opengis.net/ows"';
/** pycsw's and GeoNetwork's own cap on maxRecords is lower; the connector asks for 100 by default. */
const CSW_MAX_RECORDS = 1000;

function cswException(code: string, locator: string, text: string): Answer {
  return xmlAnswer(
    400,
    `<?xml version="1.0" encoding="UTF-8"?><ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows" version="1.2.0"><ows:Exception exceptionCode="${code}" locator="${locator}"><ows:ExceptionText>${text}</ows:ExceptionText></ows:Exception></ows:ExceptionReport>`,
  );
}

/**
 * GET /csw?service=CSW&request=GetRecords&typeNames=csw:Record&outputSchema=…csw/2.0.2&startPosition=&maxRecords=
 * (what connectors/csw.ts sends for outputSchema dc, without a constraint): csw:Record pages in
 * identifier order, nextRecord 0 on the last. Anything else is an ows:ExceptionReport.
 */
function cswApi(count: number, counters: Counters): Api {
  const records = Array.from({ length: count }, (_, n) => Buffer.from(cswRecordXml(n + 1)));
  return (path, query) => {
    if (path !== '/csw') return undefined;
    counters.listRequests += 1;
    const params = new URLSearchParams(query);
    if (params.get('request') !== 'GetRecords') return cswException('OperationNotSupported', 'request', `the bench platform implements GetRecords only`);
    if (params.get('typeNames') !== 'csw:Record' || params.get('outputSchema') !== 'http://www.opengis.net/cat/csw/2.0.2')
      return cswException('InvalidParameterValue', 'outputSchema', 'the bench platform serves csw:Record only');
    if (params.has('constraint')) return cswException('InvalidParameterValue', 'constraint', 'the bench platform implements no constraint');
    const start = Number(params.get('startPosition') ?? 1);
    const max = Math.min(Number(params.get('maxRecords') ?? 10), CSW_MAX_RECORDS);
    if (!Number.isInteger(start) || start < 1 || !Number.isInteger(max) || max < 1) return cswException('InvalidParameterValue', 'startPosition', 'bad paging');
    const page = records.slice(start - 1, start - 1 + max);
    counters.recordsServed += page.length;
    const last = start - 1 + page.length;
    const next = last >= count ? 0 : last + 1;
    const head = Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?><csw:GetRecordsResponse ${CSW_NS} version="2.0.2"><csw:SearchStatus timestamp="2026-01-01T00:00:00Z"/>` +
        `<csw:SearchResults numberOfRecordsMatched="${count}" numberOfRecordsReturned="${page.length}" nextRecord="${next}" recordSchema="http://www.opengis.net/cat/csw/2.0.2" elementSet="full">`,
    );
    return { status: 200, body: Buffer.concat([head, ...page, Buffer.from('</csw:SearchResults></csw:GetRecordsResponse>')]), contentType: XML };
  };
}

/** Records per ListRecords answer: DSpace's and OJS's default. */
const OAI_PAGE = 100;

function oaiError(code: string, text: string): Answer {
  return xmlAnswer(
    200,
    `<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-01T00:00:00Z</responseDate><request>http://127.0.0.1/oai</request><error code="${code}">${text}</error></OAI-PMH>`,
  );
}

/**
 * GET /oai?verb=ListRecords&metadataPrefix=oai_dc, then &resumptionToken=…: oai_dc records in
 * pages of 100, the token the next offset; no token on the last page. Identify for incremental
 * runs; anything else is an OAI-PMH error.
 */
function oaiPmhApi(count: number, counters: Counters): Api {
  const records = Array.from({ length: count }, (_, n) => Buffer.from(oaiRecordXml(n + 1).xml));
  return (path, query) => {
    if (path !== '/oai') return undefined;
    counters.listRequests += 1;
    const params = new URLSearchParams(query);
    const verb = params.get('verb');
    if (verb === 'Identify') {
      return xmlAnswer(
        200,
        `<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-01T00:00:00Z</responseDate><request verb="Identify">http://127.0.0.1/oai</request><Identify><repositoryName>bench</repositoryName><baseURL>http://127.0.0.1/oai</baseURL><protocolVersion>2.0</protocolVersion><adminEmail>bench@example.gov.tw</adminEmail><earliestDatestamp>2013-01-01T00:00:00Z</earliestDatestamp><deletedRecord>no</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify></OAI-PMH>`,
      );
    }
    if (verb !== 'ListRecords') return oaiError('badVerb', 'the bench platform implements Identify and ListRecords');
    const token = params.get('resumptionToken');
    if (token === null && params.get('metadataPrefix') !== 'oai_dc') return oaiError('cannotDisseminateFormat', 'oai_dc only');
    if (token === null && (params.has('from') || params.has('set'))) return oaiError('badArgument', 'the bench platform implements neither from nor set');
    const offset = token === null ? 0 : Number(token);
    if (!Number.isInteger(offset) || offset < 0 || offset >= count) return oaiError('badResumptionToken', `unknown token ${token}`);
    const page = records.slice(offset, offset + OAI_PAGE);
    counters.recordsServed += page.length;
    const next = offset + page.length;
    const tail = next < count ? `<resumptionToken completeListSize="${count}" cursor="${offset}">${next}</resumptionToken>` : '';
    const head = Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-01T00:00:00Z</responseDate><request verb="ListRecords" metadataPrefix="oai_dc">http://127.0.0.1/oai</request><ListRecords>`,
    );
    return { status: 200, body: Buffer.concat([head, ...page, Buffer.from(`${tail}</ListRecords></OAI-PMH>`)]), contentType: XML };
  };
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

const APIS: Readonly<Record<string, (count: number, counters: Counters) => Api>> = {
  crossplatform: crossPlatformApi,
  ckan: ckanApi,
  csw: cswApi,
  'oai-pmh': oaiPmhApi,
  'dcat-turtle': dcatApi('turtle'),
  'dcat-rdfxml': dcatApi('rdfxml'),
};

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

function send(res: ServerResponse, { status, body, contentType }: Answer): void {
  res.writeHead(status, { 'content-type': contentType ?? 'application/json; charset=utf-8', 'content-length': body.length });
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
