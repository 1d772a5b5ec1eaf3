import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { buildApi } from '../../src/api/app.js';
import { Harvester } from '../../src/harvest/harvester.js';
import type { RunProgress } from '../../src/harvest/run.js';
import { HttpClient } from '../../src/http/http-client.js';
import { FeedClient } from '../../src/mirror/feed-client.js';
import { syncMirror, type MirrorSyncSummary } from '../../src/mirror/sync.js';
import { parseUpstream } from '../../src/mirror/upstream.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { startFixturePlatform, type FixturePlatform } from '../helpers/crossplatform-server.js';
import { serveLoopback } from '../helpers/loopback.js';
import { openTestDb, silentLog, tempDir, testConfig } from '../helpers/gateway.js';

/**
 * Two real gateways on loopback for mirroring tests: an upstream harvesting fixture platforms
 * (an agency's own platform, priority 10, a hub that republishes, priority 0, and optionally
 * data.gov.tw's gen-2 copies, priority 0) and serving its API, and a downstream store with its
 * own API, fed only by the mirror.
 */

export const UPSTREAM_PUBLIC_URL = 'https://upstream.example.tw';
export const DOWNSTREAM_PUBLIC_URL = 'https://mirror.example.tw';

type Raw = Record<string, unknown>;

export interface UpstreamGateway {
  db: Db;
  harvester: Harvester;
  city: FixturePlatform;
  hub: FixturePlatform;
  /** data.gov.tw's platform, when records were given for it. */
  gov: FixturePlatform | undefined;
  base: string;
  /** Harvest one platform; throws unless the run succeeded. */
  harvest(source: 'city' | 'hub' | 'gov'): Promise<void>;
}

export interface DownstreamGateway {
  db: Db;
  dbPath: string;
  base: string;
  sourceId: string;
  /** One sync of the upstream's feed into this store (`pageSize` changes per page). */
  sync(upstreamBase: string, options?: { pageSize?: number; signal?: AbortSignal; onProgress?: (progress: RunProgress) => void }): Promise<MirrorSyncSummary>;
}

export async function startUpstream(t: Test, records: { city: Raw[]; hub: Raw[]; gov?: Raw[] }): Promise<UpstreamGateway> {
  const city = await startFixturePlatform(records.city);
  const hub = await startFixturePlatform(records.hub);
  const gov = records.gov ? await startFixturePlatform(records.gov) : undefined;
  const { dir, cleanup } = tempDir();
  const source = (id: string, url: string, priority: number) => ({
    id,
    name: id,
    type: 'crossplatform',
    url,
    schedule: '0 3 * * *',
    priority,
    withdrawAfterHours: 0,
    maxMissingShare: 1,
    options: { pageSize: 3 },
  });
  const sources = [source('city', city.url, 10), source('hub', hub.url, 0), ...(gov ? [source('gov', gov.url, 0)] : [])];
  const config = testConfig(join(dir, 'upstream.db'), '', { sources });
  const db = openTestDb(config);
  const api = await buildApi({ store: sqliteStoreOn(db), publicUrl: UPSTREAM_PUBLIC_URL, logger: silentLog });
  await api.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await api.close();
    db.close();
    await city.close();
    await hub.close();
    await gov?.close();
    cleanup();
  });
  const harvester = new Harvester(sqliteStoreOn(db), config, silentLog);
  return {
    db,
    harvester,
    city,
    hub,
    gov,
    base: `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`,
    harvest: async (id) => {
      const run = await harvester.run(id, { full: true });
      if (run?.status !== 'succeeded') throw new Error(`harvest of ${id}: ${run?.status} ${run?.message ?? ''}`);
    },
  };
}

/** A store fed only by the mirror, with its API on loopback; `dbPath` to share it with a CLI. */
export async function startDownstream(t: Test, dbPath?: string): Promise<DownstreamGateway> {
  let path = dbPath;
  if (!path) {
    const { dir, cleanup } = tempDir();
    t.teardown(cleanup);
    path = join(dir, 'mirror.db');
  }
  const db = openDatabase(path);
  const api = await buildApi({ store: sqliteStoreOn(db), publicUrl: DOWNSTREAM_PUBLIC_URL, logger: silentLog });
  await api.listen({ port: 0, host: '127.0.0.1' });
  const http = new HttpClient({
    timeoutMs: 5000,
    connectTimeoutMs: 2000,
    maxResponseBytes: 50 * 1024 * 1024,
    retries: 1,
    retryBaseDelayMs: 10,
    allowPrivateAddresses: true,
    userAgent: 'ogd-gateway test mirror',
  });
  t.teardown(async () => {
    await http.close();
    await api.close();
    db.close();
  });
  // The API is given its connection (buildApi takes a database until the API is converted); the
  // mirror syncs on a store over the same connection.
  const store = sqliteStoreOn(db);
  let sourceId = '';
  return {
    db,
    dbPath: path,
    base: `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`,
    get sourceId() {
      return sourceId;
    },
    sync: async (upstreamBase, options = {}) => {
      const upstream = parseUpstream(upstreamBase);
      sourceId = upstream.sourceId;
      await store.mirror.ensureMirrorSource({ sourceId, url: upstream.baseUrl });
      return syncMirror({
        store,
        sourceId,
        feed: new FeedClient(http, upstream.feedUrl, options.pageSize ?? 4),
        log: silentLog,
        signal: options.signal,
        onProgress: options.onProgress,
      });
    },
  };
}

export interface Exports {
  csv: string;
  jsonld: string;
}

/** GET /export/catalog.csv and /export/catalog.jsonld of a gateway. */
export async function exportsOf(base: string): Promise<Exports> {
  const get = async (path: string): Promise<string> => {
    const res = await fetch(`${base}${path}`);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
    return res.text();
  };
  return { csv: await get('/export/catalog.csv'), jsonld: await get('/export/catalog.jsonld') };
}

/**
 * The exports of both, with the one difference that is the point of having two gateways: each
 * names its datasets under its own public URL (`{publicUrl}/dataset/{identifier}`, the
 * catalogue `{publicUrl}/catalog`). The upstream's URL is written as the mirror's.
 */
export async function comparableExports(upstreamBase: string, downstreamBase: string): Promise<{ upstream: Exports; downstream: Exports }> {
  const upstream = await exportsOf(upstreamBase);
  const downstream = await exportsOf(downstreamBase);
  return { upstream: { csv: upstream.csv, jsonld: upstream.jsonld.split(UPSTREAM_PUBLIC_URL).join(DOWNSTREAM_PUBLIC_URL) }, downstream };
}

/** A dataset record of the city's platform (gen-1 keys), with a later `modified` when revised. */
export function cityRecord(serial: number, overrides: Raw = {}): Raw {
  const id = `379000000A-${String(serial).padStart(6, '0')}`;
  return {
    identifier: id,
    title: `臺北市公共自行車租賃站${serial}`,
    description: '臺北市公共自行車（YouBike）各租賃站位置及即時車位。',
    type: 'rawData',
    categoryCode: 'I00',
    license: '政府資料開放授權條款-第1版',
    cost: '免費',
    organization: '臺北市政府',
    publisher: '臺北市政府交通局',
    publisherOrgCode: '379000000A',
    accrualPeriodicity: '每5分鐘',
    issued: '2020-03-01 09:00:00',
    modified: '2026-05-01 10:00:00',
    keyword: ['自行車', '交通'],
    landingPage: `https://data.taipei/dataset/detail?id=${serial}`,
    distribution: [{ resourceID: `${id}-001`, format: 'JSON', downloadURL: `https://data.taipei/download?rid=${serial}`, resourceDescription: '租賃站' }],
    ...overrides,
  };
}

/**
 * data.gov.tw's copy of a city dataset (gen-2 keys and spellings, datasetId 1000 + serial): what
 * it adds, gen-1 has no place for (datasetId, categoryTheme, dataQuality, the resource's fields
 * and row count, a key no vocabulary defines), except a contact the city left out.
 */
export function govRecord(serial: number, overrides: Raw = {}): Raw {
  return {
    datasetId: 1000 + serial,
    identifier: `379000000A-${String(serial).padStart(6, '0')}`,
    title: `台北市公共自行車租賃站${serial}`,
    description: '台北市公共自行車各租賃站。',
    categoryTheme: '交通',
    dataQuality: '銀標章',
    publisherOID: '2.16.886.101.20003.20065',
    license: '1',
    updateFrequency: '每5分鐘',
    organizationContactEmail: 'open@gov.taipei',
    modifiedDate: '2026-05-02 09:00:00',
    viewCount: 42,
    distribution: [
      {
        resourceFormat: 'JSON',
        resourceDownloadUrl: `https://data.taipei/download?rid=${serial}`,
        resourceField: 'sno(站點代號)、sna(場站名稱)',
        resourceAmount: 1200 + serial,
      },
    ],
    ...overrides,
  };
}

/** A dataset only data.gov.tw lists (gen-2, another agency). */
export function govOnlyRecord(datasetId: number, overrides: Raw = {}): Raw {
  return {
    datasetId,
    identifier: `A41000000G-${String(datasetId).padStart(6, '0')}`,
    title: `行政院資料集${datasetId}`,
    description: '行政院公開的統計資料。',
    categoryTheme: '政府',
    categoryService: 'I00',
    dataQuality: '金標章',
    publisher: '行政院',
    publisherOID: '2.16.886.101.20003',
    license: '1',
    updateFrequency: '每年',
    modifiedDate: '2026-03-01 12:00:00',
    distribution: [
      {
        resourceFormat: 'CSV',
        resourceDownloadUrl: `https://www.ey.gov.tw/files/${datasetId}.csv`,
        resourceField: 'year(年)、value(數值)',
        resourceAmount: 10,
      },
    ],
    ...overrides,
  };
}

/** A hub's own dataset (another id scheme, its own URLs), gen-1 keys. */
export function hubRecord(serial: number, overrides: Raw = {}): Raw {
  const id = `HUB0000001-${String(serial).padStart(6, '0')}`;
  return {
    identifier: id,
    title: `公民科技資料集${serial}`,
    description: '公民科技社群整理的資料。',
    type: 'rawData',
    license: '政府資料開放授權條款-第1版',
    cost: '免費',
    organization: '公民科技社群',
    publisher: '公民科技社群',
    publisherOrgCode: 'HUB0000001',
    accrualPeriodicity: '每月',
    modified: '2026-04-01 08:00:00',
    landingPage: `https://hub.example.org/d/${serial}`,
    distribution: [{ format: 'CSV', downloadURL: `https://hub.example.org/files/${serial}.csv` }],
    ...overrides,
  };
}

export interface FeedProxy {
  url: string;
  /** The `since` of every feed request passed on ('' for none), in order. */
  sinces: string[];
  /** Feed pages answered so far. */
  answered(): number;
  delayMs: number;
}

/**
 * A loopback proxy in front of a gateway that makes its change feed slow and its pages small
 * (it rewrites `limit`), so a test can stop a mirror process in the middle of a walk. Everything
 * else is passed on as is.
 */
export async function startFeedProxy(
  t: Test,
  target: string,
  options: {
    limit: number;
    delayMs: number;
    /** The first this many feed requests are passed on at once, the later ones after `delayMs`. */
    undelayedRequests?: number;
  },
): Promise<FeedProxy> {
  const sinces: string[] = [];
  let answered = 0;
  const proxy: FeedProxy = { url: '', sinces, answered: () => answered, delayMs: options.delayMs };
  const { url } = await serveLoopback(t, (req, res) => {
    const incoming = new URL(req.url ?? '/', 'http://localhost');
    const isFeed = incoming.pathname === '/api/changes';
    if (isFeed) {
      sinces.push(incoming.searchParams.get('since') ?? '');
      incoming.searchParams.set('limit', String(options.limit));
    }
    setTimeout(
      () => {
        fetch(`${target}${incoming.pathname}${incoming.search}`)
          .then(async (upstream) => {
            const body = Buffer.from(await upstream.arrayBuffer());
            res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
            res.end(body);
            if (isFeed) answered += 1;
          })
          .catch(() => res.destroy());
      },
      isFeed && sinces.length > (options.undelayedRequests ?? 0) ? proxy.delayMs : 0,
    );
  });
  proxy.url = url;
  return proxy;
}
