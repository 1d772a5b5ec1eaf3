/**
 * data.gov.tw's daily change lists (異動資料集清單, `/api/front/dataset/changed/export?
 * format=…&report_date=YYYY-MM-DD`, docs/tw-standards.md §3.3): which report dates an
 * incremental run reads, and what one list says changed or was removed.
 *
 * The lists' columns are not documented beyond the export's (§3.4): a row names a dataset by
 * 資料集識別碼 and, in a change-type column, what happened to it. Removal words (刪除, 下架 …)
 * make a deletion; anything else — or no change-type column at all — is a change to re-fetch.
 */
import { EXPORT_ID_COLUMN } from '../../src/mapping/datagovtw-export.js';

const TAIPEI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** Change-type columns, in the order they are looked for. */
const CHANGE_TYPE_COLUMNS = ['異動類型', '異動狀態', '異動別', '異動項目', '狀態'];

/** What a removal is called (compared after trimming and lower-casing). */
const REMOVAL_WORDS = ['刪除', '下架', '移除', '停止', '停用', 'delete', 'deleted', 'unpublish', 'unpublished', 'removed'];

export interface ReportDates {
  /** Asia/Taipei calendar dates, oldest first, from the date of `since` through today. */
  dates: string[];
  /** More dates than allowed: read the whole export instead. */
  capped: boolean;
}

/**
 * The report dates that cover everything changed since `sinceUtc`. The date of `since` itself is
 * included (the run before may have ended that day), and today too: a list not published yet is
 * read again by the next run, whose `since` falls on today.
 */
export function reportDates(sinceUtc: string, nowMs: number, maxDays: number): ReportDates {
  const first = taipeiDayNumber(Date.parse(sinceUtc));
  const last = taipeiDayNumber(nowMs);
  const count = last - first + 1;
  if (!Number.isFinite(count) || count > maxDays) return { dates: [], capped: true };
  const dates: string[] = [];
  for (let day = first; day <= last; day += 1) dates.push(new Date(day * DAY_MS).toISOString().slice(0, 10));
  return { dates, capped: false };
}

/** Today's date in Taipei, to tell a list not yet published from one that is missing. */
export function taipeiToday(nowMs: number): string {
  return new Date(taipeiDayNumber(nowMs) * DAY_MS).toISOString().slice(0, 10);
}

function taipeiDayNumber(epochMs: number): number {
  return Math.floor((epochMs + TAIPEI_OFFSET_MS) / DAY_MS);
}

export type ChangeKind = 'changed' | 'deleted';

/** One row of a change list → the dataset id and what happened; null when the row names no dataset. */
export function readChangeRow(row: Record<string, unknown>): { datasetId: string; kind: ChangeKind } | null {
  const byName = new Map(Object.entries(row).map(([key, value]) => [key.trim(), value]));
  const id = byName.get(EXPORT_ID_COLUMN) ?? byName.get('nid') ?? byName.get('datasetId');
  const datasetId = typeof id === 'number' ? String(id) : typeof id === 'string' ? id.trim() : '';
  if (datasetId === '') return null;
  const type = CHANGE_TYPE_COLUMNS.map((column) => byName.get(column)).find((value) => typeof value === 'string' && value.trim() !== '');
  const word = typeof type === 'string' ? type.trim().toLowerCase() : '';
  return { datasetId, kind: REMOVAL_WORDS.some((removal) => word.includes(removal)) ? 'deleted' : 'changed' };
}
