import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { request } from 'undici';
import { buildApi, type ApiOptions } from '../../src/api/app.js';
import { sqliteStoreOn } from '../../src/store/sqlite-store.js';
import { startHarvestedPlatform, type HarvestedPlatform } from '../helpers/federation.js';
import { silentLog } from '../helpers/gateway.js';

/** A harvested fixture platform and the gateway's API over it, built with the given HTTP settings. */
export interface HttpGateway extends HarvestedPlatform {
  base: string;
}

export async function startHttpGateway(
  t: Test,
  records: Array<Record<string, unknown>>,
  http: ApiOptions['http'] = {},
  publicUrl = 'https://gateway.example.tw',
): Promise<HttpGateway> {
  const harvested = await startHarvestedPlatform(t, records);
  if (records.length > 0) await harvested.harvester.run('fixture');
  const api = await buildApi({ store: sqliteStoreOn(harvested.db), publicUrl, logger: silentLog, http });
  await api.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => api.close());
  return { ...harvested, base: `http://127.0.0.1:${(api.server.address() as AddressInfo).port}` };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  /** The bytes as sent: not decompressed. */
  body: Buffer;
}

/** One request with undici, which (unlike fetch) leaves the body compressed and sends HEAD as asked. */
export async function raw(url: string, options: { method?: 'GET' | 'HEAD' | 'OPTIONS'; headers?: Record<string, string> } = {}): Promise<RawAnswer> {
  const res = await request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} });
  const body = Buffer.from(await res.body.arrayBuffer());
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return { status: res.statusCode, headers, body };
}
