/**
 * A gateway to push to, for the push tests: a store (optionally with a harvested fixture source),
 * the API on loopback, keys issued through the same code the CLI uses, and a snapshot of
 * everything stored, to show a refused call changed nothing.
 */
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/app.js';
import { pushResolutionScheduler } from '../../src/api/routes/push.js';
import type { ResolutionSchedule } from '../../src/push/resolution-scheduler.js';
import { issueApiKey } from '../../src/push/issue-api-key.js';
import type { ServerHttpSettings } from '../../src/config/types.js';
import type { Db } from '../../src/store/database.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { startHarvestedPlatform } from '../helpers/federation.js';
import { openTestDb, silentLog, tempDir, testConfig } from '../helpers/gateway.js';

export const PUBLIC_URL = 'https://gateway.example.tw';

/**
 * Resolve what was pushed as soon as the resolution before it ends. The push tests read what they
 * pushed after `settled()`; with the gateway's default schedule each of those waits out the
 * coalescing gap (a second or more) for a resolution of a few records. Tests of the coalescing
 * itself, or that need a push left pending, ask for DEFAULT_RESOLUTION_SCHEDULE.
 */
export const PROMPT_RESOLUTION: ResolutionSchedule = { minGapMs: 0, durationFactor: 0, retryMs: 30_000 };

export interface PushGateway {
  db: Db;
  api: FastifyInstance;
  base: string;
  /** A new key for a publisher (org code A41000000G unless given). */
  issue(options?: { publisher?: string; orgCode?: string; allow?: string[] }): Promise<string>;
  /** Until the resolution of what was pushed so far is done: the read API serves it after. */
  settled(): Promise<void>;
  /** Every row of every table, as sorted JSON lines: equal snapshots mean nothing stored changed. */
  snapshot(): string[];
  request(
    method: string,
    path: string,
    options?: { key?: string; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> },
  ): Promise<Response>;
}

export interface PushGatewayOptions {
  http?: Partial<ServerHttpSettings>;
  /** Records a `crossplatform` fixture source ("fixture", priority 0) serves; harvested before the API starts. */
  harvested?: Array<Record<string, unknown>>;
  /** When pushes are resolved; PROMPT_RESOLUTION unless given. */
  resolution?: ResolutionSchedule;
}

export async function startPushGateway(t: Test, options: PushGatewayOptions = {}): Promise<PushGateway> {
  let db: Db;
  if (options.harvested) {
    const harvested = await startHarvestedPlatform(t, options.harvested);
    await harvested.harvester.run('fixture');
    db = harvested.db;
  } else {
    const { dir, cleanup } = tempDir();
    db = openTestDb(testConfig(join(dir, 'catalog.db'), 'http://127.0.0.1:9', { sources: [] }));
    t.teardown(() => {
      db.close();
      cleanup();
    });
  }
  const api = await buildApi({
    store: sqliteStoreOn(db),
    publicUrl: PUBLIC_URL,
    logger: silentLog,
    http: { rateLimit: { max: 100_000, timeWindowMs: 60_000, allowList: [] }, ...options.http },
    pushResolution: options.resolution ?? PROMPT_RESOLUTION,
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  // Registered last, so it runs first: the API closes before the store.
  t.teardown(() => api.close());
  const base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;

  return {
    db,
    api,
    base,
    issue: async (issue = {}) =>
      (
        await issueApiKey(sqliteStoreOn(db), {
          publisher: issue.publisher ?? '國家發展委員會',
          orgCode: issue.orgCode ?? 'A41000000G',
          allow: issue.allow ?? [],
        })
      ).key,
    settled: () => pushResolutionScheduler(api)!.settled(),
    snapshot: () => snapshotStore(db),
    request: (method, path, request = {}) => {
      const headers: Record<string, string> = { ...request.headers };
      if (request.key !== undefined) headers['authorization'] = request.key;
      let body: string | Buffer | undefined = request.rawBody;
      if (request.body !== undefined) {
        body = JSON.stringify(request.body);
        headers['content-type'] ??= 'application/json';
      }
      return fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    },
  };
}

export function snapshotStore(db: Db): string[] {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  const lines: string[] = [];
  for (const table of tables) {
    for (const row of db.prepare(`SELECT * FROM "${table}"`).raw().all() as unknown[][]) {
      lines.push(`${table}\t${JSON.stringify(row, (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('hex') : value))}`);
    }
  }
  return lines.sort();
}

/** A record that meets the national standard (gen-1 keys). */
export function validRecord(identifier: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const orgCode = identifier.split('-')[0];
  return {
    categoryCode: 'I00',
    identifier,
    title: `資料集 ${identifier}`,
    description: '機關推送的資料集描述。',
    fieldDescription: '年度、數量',
    type: 'rawData',
    license: '政府資料開放授權條款-第1版',
    licenseURL: 'https://data.gov.tw/license',
    cost: '免費',
    organization: '國家發展委員會',
    organizationContactName: '王大明 先生',
    organizationContactPhone: '02-23165300',
    organizationContactEmail: 'contact@ndc.gov.tw',
    publisher: '國家發展委員會',
    publisherContactName: '林小華 小姐',
    publisherContactPhone: '02-23165301',
    publisherContactEmail: 'open@ndc.gov.tw',
    publisherOrgCode: orgCode,
    accrualPeriodicity: '每日',
    modified: '2026-03-01 10:00:00',
    keyword: ['推送', '測試'],
    distribution: [
      {
        resourceID: `${identifier}-001`,
        resourceDescription: 'CSV 檔',
        format: 'CSV',
        characterSetCode: 'UTF-8',
        downloadURL: `https://opendata.example.gov.tw/${identifier}.csv`,
      },
    ],
    ...overrides,
  };
}

/** The same dataset in gen-2 keys (data.gov.tw API v2's write body). */
export function validGen2Record(identifier: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    categoryTheme: '001',
    categoryService: 'I00',
    categoryDataset: 'A',
    identifier,
    title: `資料集 ${identifier}`,
    description: '機關以 v2 推送的資料集描述。',
    license: '1',
    cost: 'free',
    dataProvider: 'loginaccount',
    publisherOID: '2.16.886.101.20003.20069 | 國家發展委員會',
    publisherContactName: '林小華 小姐',
    publisherContactPhone: '02-23165301',
    publisherContactEmail: 'open@ndc.gov.tw',
    updateFrequency: '每日',
    modifiedDate: '2026-03-01 10:00:00',
    spatialCoverage: '臺灣',
    language: 'zh',
    relatedUrl: 'https://www.ndc.gov.tw/',
    keyword: ['OpenData', '推送'],
    distribution: [
      {
        resourceDescription: 'CSV 檔',
        resourceField: '年度(year)、數量(count)',
        resourceFormat: 'CSV',
        resourceCharacterEncoding: 'UTF-8',
        resourceDownloadUrl: `https://opendata.example.gov.tw/${identifier}.csv`,
        resourceAmount: '100',
      },
    ],
    ...overrides,
  };
}

export interface SpecErrorBody {
  success: false;
  error: { identifier?: string; error_type: string; message: string; field?: string };
}

export async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
