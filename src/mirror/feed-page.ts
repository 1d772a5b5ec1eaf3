/**
 * One page of another gateway's change feed (GET /api/changes, docs/api.md), read and checked
 * against the contract before anything of it is stored:
 *
 *   {"success":true,"result":{"changes":[{"identifier","kind","at","record"?,"national"?,"movedTo"?}…],
 *                             "nextCursor":"…","more":true|false}}
 *
 * A page that breaks the contract (not the envelope, a change without an identifier or a kind, a
 * created/updated change without its record, an identifier twice in one page, a cursor that does
 * not move while changes remain) is a FeedPageError naming the URL, the change and the field: the
 * sync stops there, keeping every page stored before it. What a record says is not judged here:
 * that is the mapping's job, per record (a record the mapping rejects does not stop the sync).
 */
import { describeValue } from '../model/national-record-shape.js';

export type FeedChangeKind = 'created' | 'updated' | 'withdrawn';

/** A dataset's current state as the upstream gateway serves it. */
export interface FeedUpsert {
  identifier: string;
  kind: 'created' | 'updated';
  at: string;
  /** What GET /api/v1/rest/dataset/{identifier} answers as `result` upstream (gen-1 JSON). */
  record: Record<string, unknown>;
  /**
   * The dataset as the upstream stores it (its national record, extensions included), when the
   * upstream sends it (older gateways do not). Not checked here: a bad one is an error of that
   * record (national-record.ts), not of the page.
   */
  national?: unknown;
}

/** The dataset is no longer live upstream: withdrawn, or merged into `movedTo`. */
export interface FeedWithdrawal {
  identifier: string;
  kind: 'withdrawn';
  at: string;
  movedTo?: string | undefined;
}

export type FeedChange = FeedUpsert | FeedWithdrawal;

export interface FeedPage {
  changes: FeedChange[];
  /** Pass as `since` next time, also when `more` is false. */
  nextCursor: string;
  /** More changes follow right now. */
  more: boolean;
}

/** A page that is not what the contract promises; nothing of it was stored. */
export class FeedPageError extends Error {
  constructor(
    readonly url: string,
    /** Short cause name, as run reports group errors: not-an-envelope, missing-field, cursor-stuck … */
    readonly rule: string,
    /** Where in the page: `result.nextCursor`, `changes[3].record` … */
    readonly field: string | undefined,
    message: string,
    /** The change's dataset identifier, when the fault is in one change. */
    readonly identifier?: string | undefined,
  ) {
    super(`${url}: ${field ? `${field}: ` : ''}${message}`);
    this.name = 'FeedPageError';
  }
}

const KINDS: ReadonlySet<string> = new Set<FeedChangeKind>(['created', 'updated', 'withdrawn']);
/** Longer identifiers or cursors are not something a gateway issues: refuse them rather than store them. */
const MAX_IDENTIFIER_LENGTH = 1000;
const MAX_CURSOR_LENGTH = 1000;

/**
 * Check a parsed page. `since` is the cursor the page was asked with (undefined: from the
 * beginning), to refuse a cursor that does not move while the page says more follow or carries
 * changes (a client would otherwise ask for the same page for ever).
 */
export function parseFeedPage(json: unknown, url: string, since: string | undefined): FeedPage {
  const fail = (rule: string, field: string | undefined, message: string, identifier?: string): never => {
    throw new FeedPageError(url, rule, field, message, identifier);
  };
  if (!isObject(json)) fail('not-an-envelope', undefined, `expected the feed's JSON object {"success":true,"result":{…}}, got ${describeValue(json)}`);
  const envelope = json as Record<string, unknown>;
  if (envelope['success'] !== true) fail('not-success', 'success', `expected true, got ${describeValue(envelope['success'])}`);
  const result = envelope['result'];
  if (!isObject(result)) fail('missing-field', 'result', `expected an object with changes, nextCursor and more, got ${describeValue(result)}`);
  const body = result as Record<string, unknown>;

  const nextCursor = body['nextCursor'];
  if (typeof nextCursor !== 'string' || nextCursor.length === 0)
    fail('missing-field', 'result.nextCursor', `expected a non-empty string, got ${describeValue(nextCursor)}`);
  if ((nextCursor as string).length > MAX_CURSOR_LENGTH) fail('too-long', 'result.nextCursor', `longer than ${MAX_CURSOR_LENGTH} characters`);
  const more = body['more'];
  if (typeof more !== 'boolean') fail('missing-field', 'result.more', `expected true or false, got ${describeValue(more)}`);
  const list = body['changes'];
  if (!Array.isArray(list)) fail('missing-field', 'result.changes', `expected an array, got ${describeValue(list)}`);

  const seen = new Set<string>();
  const changes = (list as unknown[]).map((item, index): FeedChange => {
    const field = `result.changes[${index}]`;
    if (!isObject(item)) return fail('not-a-change', field, `expected an object, got ${describeValue(item)}`);
    const change = item as Record<string, unknown>;
    const identifier = change['identifier'];
    if (typeof identifier !== 'string' || identifier.trim() === '')
      return fail('missing-field', `${field}.identifier`, `expected a non-empty string, got ${describeValue(identifier)}`);
    if (identifier.length > MAX_IDENTIFIER_LENGTH) return fail('too-long', `${field}.identifier`, `longer than ${MAX_IDENTIFIER_LENGTH} characters`);
    if (seen.has(identifier))
      return fail('duplicate-identifier', `${field}.identifier`, `${identifier} appears twice in one page (the feed is compacted: once per walk)`, identifier);
    seen.add(identifier);
    const kind = change['kind'];
    if (typeof kind !== 'string' || !KINDS.has(kind))
      return fail('bad-kind', `${field}.kind`, `expected created, updated or withdrawn, got ${describeValue(kind)}`, identifier);
    const at = change['at'];
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at)))
      return fail('missing-field', `${field}.at`, `expected a date-time, got ${describeValue(at)}`, identifier);
    if (kind === 'withdrawn') {
      const movedTo = change['movedTo'];
      if (movedTo !== undefined && (typeof movedTo !== 'string' || movedTo.trim() === '')) {
        return fail('bad-moved-to', `${field}.movedTo`, `expected a dataset identifier, got ${describeValue(movedTo)}`, identifier);
      }
      return { identifier, kind, at: at as string, ...(movedTo !== undefined ? { movedTo: movedTo as string } : {}) };
    }
    const record = change['record'];
    if (!isObject(record))
      return fail('missing-field', `${field}.record`, `a ${kind} change carries the dataset's record, got ${describeValue(record)}`, identifier);
    const national = change['national'];
    return {
      identifier,
      kind: kind as 'created' | 'updated',
      at: at as string,
      record: record as Record<string, unknown>,
      ...(national !== undefined ? { national } : {}),
    };
  });

  // A cursor that stays put while the page has changes, or says more follow, would be asked for again and again.
  if (since !== undefined && nextCursor === since && (changes.length > 0 || more === true)) {
    fail(
      'cursor-stuck',
      'result.nextCursor',
      `the cursor did not move (${since}) although the page ${changes.length > 0 ? `carries ${changes.length} changes` : 'says more follow'}`,
    );
  }
  return { changes, nextCursor: nextCursor as string, more: more as boolean };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
