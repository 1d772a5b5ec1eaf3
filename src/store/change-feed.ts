/**
 * The change feed's read side: what changed in the served catalogue after a sequence number,
 * compacted (as CouchDB's _changes): each dataset at most once, at its latest change, in its
 * current state. A client that applies a walk's events from any position it was given (upsert
 * the live ones, delete the others) ends with exactly the catalogue, deletions included.
 *
 * Why compacted: replaying every historical change would make a client fetch a record it is
 * about to delete, and a feed of every change grows with every run; the latest change per
 * dataset is all a mirror needs. Why exact: `changes` ids are assigned in commit order by
 * SQLite's single writer, so a reader never sees id N+1 without N; migration 5 keeps
 * dataset_entries.change_seq at the id of each dataset's latest change (a trigger on
 * changes), and a page is read in one transaction, so its records and positions agree. A
 * change made while a client pages gets a higher sequence than any the client has seen and
 * comes later in its walk.
 */
import type { Db } from './database.js';
import type { NationalRecord } from '../model/record.js';
import { parseStoredJson } from './stored-json.js';

export type FeedEventKind = 'created' | 'updated' | 'withdrawn';

export interface FeedEvent {
  /** The dataset's position in the feed: its latest change. */
  seq: number;
  identifier: string;
  /**
   * created: not live at the reader's position (never seen, or withdrawn then); updated: live
   * there and since changed; withdrawn: not live now.
   */
  kind: FeedEventKind;
  /** When the latest change was made (UTC instant). */
  at: string;
  /**
   * Live datasets: the served record as stored (the national record, `extensions` included). The
   * feed gives it as gen-1 (`record`, what every client reads) and as it is (`national`, what a
   * mirroring gateway stores, so that its views equal this gateway's).
   */
  record?: NationalRecord;
  /** A dataset merged into another: that one's identifier. */
  movedTo?: string;
}

export interface FeedPage {
  events: FeedEvent[];
  /** The position after this page: the last event's seq, or `since` when there were none. */
  nextSeq: number;
  /** More events follow right now. */
  more: boolean;
}

export interface FeedState {
  /** Names this store's sequence (migration 5): positions of another store mean nothing here. */
  epoch: string;
  /** The highest sequence written. */
  latestSeq: number;
}

type Row = [identifier: string, seq: number, withdrawnAt: string | null, mergedInto: string | null, at: string];

/** The feed's epoch and latest sequence. */
export function feedState(db: Db): FeedState {
  const epoch = db.prepare("SELECT value FROM store_state WHERE key = 'feed_epoch'").pluck().get() as string | undefined;
  if (epoch === undefined) throw new Error('the store has no feed epoch: migration 5 did not run');
  const latestSeq = db.prepare('SELECT COALESCE(MAX(id), 0) FROM changes').pluck().get() as number;
  return { epoch, latestSeq };
}

/** The datasets whose latest change is after `since`, oldest first, at most `limit`. */
export function readFeed(db: Db, since: number, limit: number, onUnreadable?: (identifier: string, error: Error) => void): FeedPage {
  return db.transaction(() => {
    const rows = db
      .prepare(
        `SELECT e.identifier, e.change_seq, e.withdrawn_at, e.merged_into, c.at
         FROM dataset_entries e JOIN changes c ON c.id = e.change_seq
         WHERE e.change_seq > ? ORDER BY e.change_seq LIMIT ?`,
      )
      .raw()
      .all(since, limit + 1) as Row[];
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    // Read after the rows are buffered: better-sqlite3 allows no other statement while an iterator is open.
    const lastKindAt = db.prepare('SELECT kind FROM changes WHERE identifier = ? AND id <= ? ORDER BY id DESC LIMIT 1').pluck();
    const recordOf = db.prepare('SELECT record FROM datasets WHERE identifier = ?').pluck();
    const events = page.flatMap(([identifier, seq, withdrawnAt, mergedInto, at]): FeedEvent[] => {
      if (withdrawnAt !== null || mergedInto !== null) {
        return [{ seq, identifier, kind: 'withdrawn', at, ...(mergedInto !== null ? { movedTo: mergedInto } : {}) }];
      }
      const before = lastKindAt.get(identifier, since) as string | undefined;
      const kind: FeedEventKind = before === undefined || before === 'withdrawn' ? 'created' : 'updated';
      const record = readRecord(identifier, recordOf.get(identifier) as string | null | undefined, onUnreadable);
      // A record that cannot be read (stored by an older gateway, e.g. under a native id that
      // lost its lone surrogate) is left out and reported, rather than failing the whole page.
      return record === undefined ? [] : [{ seq, identifier, kind, at, record }];
    });
    return { events, nextSeq: page.at(-1)?.[1] ?? since, more };
  })();
}

function readRecord(
  identifier: string,
  json: string | null | undefined,
  onUnreadable: ((identifier: string, error: Error) => void) | undefined,
): NationalRecord | undefined {
  try {
    if (json === null || json === undefined) throw new Error('the dataset has no stored record');
    const parsed = parseStoredJson(json);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the stored record is not a JSON object');
    return parsed as NationalRecord;
  } catch (error) {
    onUnreadable?.(identifier, error as Error);
    return undefined;
  }
}
