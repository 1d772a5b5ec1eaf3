import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A platform speaking the cross-platform spec's read API on loopback, serving fixture records,
 * with switchable faults so tests can make it misbehave the way real platforms do.
 */
export interface FixturePlatform {
  url: string;
  records: Map<string, Record<string, unknown>>;
  /** Every request path+query received, in order. */
  requests: string[];
  faults: Faults;
  /** Record requests answered so far (for arming dieAfterRecords relative to now). */
  recordResponses(): number;
  /** Record requests answered 304 Not Modified so far. */
  notModifiedResponses(): number;
  close(): Promise<void>;
}

export interface Faults {
  /** Status for the identifier list (e.g. 500). */
  listStatus?: number;
  /** The list ignores offset and always returns the first page. */
  ignoreOffset?: boolean;
  /** Identifiers whose record request answers 500. */
  failRecords?: Set<string>;
  /** Identifiers whose record body is not valid JSON. */
  malformedRecords?: Set<string>;
  /** Identifiers listed but answering 404. */
  missingRecords?: Set<string>;
  /** Once this many record responses were made in all, the platform dies: every later connection is cut. */
  dieAfterRecords?: number;
  /** Delay before answering any request, ms. */
  delayMs?: number;
  /** Extra identifiers appended to the list (e.g. duplicates). */
  extraListed?: string[];
  /** Send an ETag with each record and answer 304 to a matching If-None-Match. */
  etags?: boolean;
  /** The list ignores limit: every identifier in one answer, as some platforms do. */
  ignoreLimit?: boolean;
  /** Record bodies sent as this JSON text instead of the stored record (values JSON.stringify cannot write, e.g. nested 10,000 deep). */
  rawRecords?: Map<string, string>;
  /** Answer the next N requests 429 with this Retry-After (seconds). */
  throttle?: { remaining: number; retryAfterSeconds: number };
}

const TAIPEI_OFFSET_MS = 8 * 3600 * 1000;

/** The record's `modified` as epoch ms; `YYYY-MM-DD hh:mm:ss` is Taipei local time. */
function modifiedEpoch(record: Record<string, unknown>): number {
  const value = String(record.modified ?? '');
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value);
  if (local) {
    const [, y, mo, d, h = '0', mi = '0', s = '0'] = local;
    return Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s) - TAIPEI_OFFSET_MS;
  }
  return Date.parse(value);
}

export async function startFixturePlatform(initial: Record<string, unknown>[]): Promise<FixturePlatform> {
  const records = new Map<string, Record<string, unknown>>();
  for (const record of initial) records.set(String(record.identifier), record);
  const requests: string[] = [];
  const faults: Faults = {};
  let recordResponses = 0;
  let notModified = 0;
  let dead = false;

  const send = (res: ServerResponse, status: number, body: string): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${url.pathname}${url.search}`);
    if (dead) {
      req.socket.destroy();
      return;
    }
    if (faults.throttle && faults.throttle.remaining > 0) {
      faults.throttle.remaining -= 1;
      res.writeHead(429, { 'retry-after': String(faults.throttle.retryAfterSeconds), 'content-type': 'application/json' });
      res.end('{"success":false}');
      return;
    }
    const list = url.pathname === '/api/v1/rest/dataset';
    const one = /^\/api\/v1\/rest\/dataset\/(.+)$/.exec(url.pathname);
    if (list) {
      if (faults.listStatus) return send(res, faults.listStatus, '{"success":false}');
      const since = url.searchParams.get('modified');
      const sinceEpoch = since ? Date.parse(since.includes('T') ? since : `${since.replace(' ', 'T')}+08:00`) : undefined;
      let ids = [...records.values()]
        .filter((r) => sinceEpoch === undefined || modifiedEpoch(r) >= sinceEpoch)
        .map((r) => String(r.identifier))
        .sort();
      ids = ids.concat(faults.extraListed ?? []);
      const limit = url.searchParams.has('limit') && !faults.ignoreLimit ? Number(url.searchParams.get('limit')) : ids.length;
      const offset = faults.ignoreOffset ? 0 : Number(url.searchParams.get('offset') ?? 0);
      return send(res, 200, JSON.stringify({ success: true, result: ids.slice(offset, offset + limit) }));
    }
    if (one) {
      const id = decodeURIComponent(one[1]!);
      recordResponses += 1;
      if (faults.dieAfterRecords !== undefined && recordResponses > faults.dieAfterRecords) {
        dead = true;
        req.socket.destroy();
        return;
      }
      if (faults.failRecords?.has(id)) return send(res, 500, '{"success":false}');
      if (faults.malformedRecords?.has(id)) return send(res, 200, '{"success":true,"result":{"identifier":');
      const raw = faults.rawRecords?.get(id);
      if (raw !== undefined) return send(res, 200, `{"success":true,"result":${raw}}`);
      const record = records.get(id);
      if (!record || faults.missingRecords?.has(id))
        return send(res, 404, JSON.stringify({ success: false, error: { identifier: id, error_type: 'ER0100', message: 'not found' } }));
      const body = JSON.stringify({ success: true, result: record });
      if (faults.etags) {
        const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
        if (req.headers['if-none-match'] === etag) {
          notModified += 1;
          res.writeHead(304, { etag });
          res.end();
          return;
        }
        res.setHeader('etag', etag);
      }
      return send(res, 200, body);
    }
    send(res, 404, '{}');
  };

  const server: Server = createServer((req, res) => {
    if (faults.delayMs) setTimeout(() => handle(req, res), faults.delayMs);
    else handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    records,
    requests,
    faults,
    recordResponses: () => recordResponses,
    notModifiedResponses: () => notModified,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
