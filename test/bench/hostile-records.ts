/**
 * The records of `npm run bench:hostile` (issue 12): gen-1 records that meet the national standard
 * (the fields of test/api/push-harness.ts validRecord()), with as many valid distributions as asked,
 * up to the gateway's cap of 10,000 (the shape of test/harvest/harvest-thread.test.ts's heavy records).
 * A record of 10,000 is about 1.6 MB of JSON.
 *
 * Everything that identity resolution compares (title, download URLs) is unique per identifier,
 * so no two bench records are taken for copies of one dataset.
 */

import { validRecord } from '../api/push-harness.js';

/** The push key's agency: pushed records are `A41000000G-000001` … */
export const PUSH_ORG_CODE = 'A41000000G';
/** The harvested platform's agency (another one, so harvested and pushed records never meet). */
export const HARVEST_ORG_CODE = 'A17000000J';

/** `ORG-NNNNNN`: the standard's 機關代碼(10)-流水號(6). */
export function benchIdentifier(orgCode: string, serial: number): string {
  return `${orgCode}-${String(serial).padStart(6, '0')}`;
}

export function benchRecord(identifier: string, distributions: number): Record<string, unknown> {
  return {
    ...validRecord(identifier),
    title: `壓力測試資料集 ${identifier}`,
    description: `含 ${distributions} 個資源的資料集，用於量測 API 在處理大型詮釋資料時的延遲。`,
    modified: '2026-03-01 10:00:00',
    keyword: ['壓力測試'],
    distribution: Array.from({ length: distributions }, (_, j) => ({
      resourceID: `${identifier}-${j + 1}`,
      resourceDescription: `資源 ${j + 1}`,
      format: 'CSV',
      downloadURL: `https://data.example.gov.tw/${identifier}/${j + 1}.csv`,
    })),
  };
}
