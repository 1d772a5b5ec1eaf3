import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Test } from 'tap';
import { Harvester } from '../../src/harvest/harvester.js';
import type { NationalRecord } from '../../src/model/record.js';
import type { Db } from '../../src/store/database.js';
import { openTestDb, silentLog, tempDir, testConfig } from './gateway.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';

/** What a fake source answers to one request. */
export interface Answer {
  status?: number;
  contentType?: string;
  body: string | Buffer;
}

export interface FakeSource {
  url: string;
  /** The query of every request received, in order. */
  requests: URLSearchParams[];
}

/** A loopback server at `path` answering each request from its query string; closed with the test. */
export async function startFakeSource(t: Test, path: string, defaultContentType: string, answer: (params: URLSearchParams) => Answer): Promise<FakeSource> {
  const source: FakeSource = { url: '', requests: [] };
  const server = createServer((req, res) => {
    const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
    source.requests.push(params);
    const reply = answer(params);
    res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? defaultContentType });
    res.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  source.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return source;
}

export interface HarvestedSource {
  db: Db;
  harvester: Harvester;
  /** The served (not withdrawn) datasets, by identifier. */
  datasets(): Map<string, NationalRecord>;
}

/** A gateway store with one source of `type` at `url`, harvested by the real Harvester; closed with the test. */
export function harvestSource(
  t: Test,
  source: { id: string; name: string; type: string; url: string },
  options: Record<string, unknown> = {},
  settings: Record<string, unknown> = {},
): HarvestedSource {
  const { dir, cleanup } = tempDir();
  const config = testConfig(join(dir, 'catalog.db'), source.url, {
    sources: [{ ...source, schedule: '0 3 * * *', options, ...settings }],
  });
  const db = openTestDb(config);
  t.teardown(() => {
    db.close();
    cleanup();
  });
  return {
    db,
    harvester: new Harvester(sqliteStoreOn(db), config, silentLog),
    datasets: () =>
      new Map(
        (
          db.prepare('SELECT identifier, record FROM datasets WHERE withdrawn_at IS NULL ORDER BY identifier').all() as Array<{
            identifier: string;
            record: string;
          }>
        ).map((row) => [row.identifier, JSON.parse(row.record) as NationalRecord]),
      ),
  };
}
