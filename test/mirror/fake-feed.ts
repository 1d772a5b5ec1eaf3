import { join } from 'node:path';
import type { Test } from 'tap';
import { HttpClient } from '../../src/http/http-client.js';
import type { RunProgress } from '../../src/harvest/run.js';
import { FeedClient } from '../../src/mirror/feed-client.js';
import { syncMirror, type MirrorSyncSummary } from '../../src/mirror/sync.js';
import { parseUpstream } from '../../src/mirror/upstream.js';
import type { Db } from '../../src/store/database.js';
import type { Store } from '../../src/store/contract/store.js';
import { openStore, sqliteHandleOf } from '../../src/store/sqlite-store.js';
import type { RecordLimits } from '../../src/harvest/record-door.js';
import { serveLoopback } from '../helpers/loopback.js';
import { readFixture, silentLog, tempDir } from '../helpers/gateway.js';

/**
 * A change feed served from a script, on loopback, for what a real gateway never sends: pages
 * broken in every way, cursors that stick or loop, records that do not map, a merge that a
 * careless mirror would get wrong.
 *
 * `pages[i]` is answered to `since=c{i}` (page 0 to no `since`), with `nextCursor` c{i+1} and
 * `more` while pages follow; past the last page, an empty page at the last cursor. Pages can be
 * added as the test goes (the upstream changed). `override` answers instead, when it returns.
 */
export interface FakeFeed {
  url: string;
  pages: unknown[][];
  /** The `since` of every request, in order ('' for none). */
  requests: string[];
  /** The `limit` of every request, in order. */
  limits: number[];
  override?: ((since: string | undefined, limit: number) => { status?: number; body: unknown } | undefined) | undefined;
}

export async function startFakeFeed(t: Test, pages: unknown[][] = []): Promise<FakeFeed> {
  const feed: FakeFeed = { url: '', pages, requests: [], limits: [] };
  const { url } = await serveLoopback(t, (req, res) => {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const since = query.get('since') ?? undefined;
    feed.requests.push(since ?? '');
    feed.limits.push(Number(query.get('limit')));
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const custom = feed.override?.(since, Number(query.get('limit')));
    if (custom) return send(custom.status ?? 200, custom.body);
    const index = since === undefined ? 0 : Number(/^c(\d+)$/.exec(since)?.[1] ?? NaN);
    if (!Number.isInteger(index) || index > feed.pages.length) {
      return send(400, { success: false, error: { error_type: 'ER0210:輸入的參數內容格式錯誤。', message: 'since is not a cursor of this feed' } });
    }
    if (index === feed.pages.length) return send(200, { success: true, result: { changes: [], nextCursor: since ?? 'c0', more: false } });
    send(200, { success: true, result: { changes: feed.pages[index], nextCursor: `c${index + 1}`, more: index + 1 < feed.pages.length } });
  });
  feed.url = url;
  return feed;
}

export interface MirrorStore {
  store: Store;
  /** The store's SQLite handle, to inspect what it holds. */
  db: Db;
  sourceId: string;
  sync(options?: {
    signal?: AbortSignal;
    onProgress?: (p: RunProgress) => void;
    limits?: RecordLimits;
    allowPrivateAddresses?: boolean;
  }): Promise<MirrorSyncSummary>;
  /** The stored cursor. */
  cursor(): string | undefined;
  /** Live datasets: identifier → served record. */
  live(): Map<string, Record<string, unknown>>;
}

/** A fresh store mirroring `feedBase` (its mirror source created), synced through the real HTTP client. */
export async function mirrorStore(t: Test, feedBase: string): Promise<MirrorStore> {
  const { dir, cleanup } = tempDir();
  const store = await openStore(join(dir, 'mirror.db'));
  const db = sqliteHandleOf(store);
  t.teardown(async () => {
    await store.close();
    cleanup();
  });
  const upstream = parseUpstream(feedBase);
  await store.mirror.ensureMirrorSource({ sourceId: upstream.sourceId, url: upstream.baseUrl });
  return {
    store,
    db,
    sourceId: upstream.sourceId,
    sync: async (options = {}) => {
      const http = new HttpClient({
        timeoutMs: 3000,
        connectTimeoutMs: 1000,
        maxResponseBytes: 1024 * 1024,
        retries: 1,
        retryBaseDelayMs: 5,
        allowPrivateAddresses: options.allowPrivateAddresses ?? true,
        userAgent: 'test',
      });
      try {
        return await syncMirror({
          store,
          sourceId: upstream.sourceId,
          feed: new FeedClient(http, upstream.feedUrl, 50),
          log: silentLog,
          signal: options.signal,
          onProgress: options.onProgress,
          ...(options.limits ? { limits: options.limits } : {}),
        });
      } finally {
        await http.close();
      }
    },
    cursor: () =>
      (db.prepare('SELECT value FROM store_state WHERE key = ?').pluck().get(`mirror_cursor:${upstream.sourceId}`) as string | undefined) ?? undefined,
    live: () =>
      new Map(
        (
          db.prepare('SELECT identifier, record FROM datasets WHERE withdrawn_at IS NULL ORDER BY identifier').all() as Array<{
            identifier: string;
            record: string;
          }>
        ).map((row) => [row.identifier, JSON.parse(row.record) as Record<string, unknown>]),
      ),
  };
}

const TEMPLATE = readFixture<Array<Record<string, unknown>>>('crossplatform', 'own-records.json')[0]!;

/** A gen-1 record as a gateway's v1 API serves it: the fixture's complete record (no rule broken), renamed. */
export function feedRecord(identifier: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...TEMPLATE,
    identifier,
    title: `資料集 ${identifier}`,
    publisherOrgCode: identifier.split('-')[0],
    distribution: [
      {
        resourceID: `${identifier}-001`,
        resourceDescription: '資料',
        format: 'CSV',
        characterSetCode: 'UTF-8',
        downloadURL: `https://data.example.gov.tw/${identifier}.csv`,
        resourceModified: '2026-05-01 10:00:00',
      },
    ],
    ...overrides,
  };
}

const AT = '2026-11-24T01:02:03Z';
export const created = (identifier: string, overrides: Record<string, unknown> = {}) => ({
  identifier,
  kind: 'created',
  at: AT,
  record: feedRecord(identifier, overrides),
});
export const updated = (identifier: string, overrides: Record<string, unknown> = {}) => ({
  identifier,
  kind: 'updated',
  at: AT,
  record: feedRecord(identifier, overrides),
});
export const withdrawn = (identifier: string, movedTo?: string) => ({ identifier, kind: 'withdrawn', at: AT, ...(movedTo ? { movedTo } : {}) });
