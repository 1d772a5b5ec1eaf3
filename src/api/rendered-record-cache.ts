import { strongEtag } from './http-caching.js';

/**
 * Rendered answers of a one-record route (GET /api/v1/rest/dataset/{identifier}), kept per
 * identifier with the stored record text they were rendered from.
 *
 * Two checks, both exact:
 * - `unchanged`: nothing was written to the store since the entry was last checked (the same
 *   store version, src/store/data-version.ts): the kept answer, its dataset's state and its
 *   Last-Modified all still hold, and the row need not be read at all. This is the usual case
 *   between harvests, and it costs a fraction of reading the row.
 * - `answer`: after a write somewhere in the store, the row is read again, and the kept body is
 *   used only if the record text is the very text it was rendered from (the body is a function
 *   of that text alone). A harvest, a merge, a new payload served through the `datasets` view:
 *   whatever wrote it, a changed text is rendered again; nothing needs invalidating.
 *
 * What a hit saves is reading the row, parsing, rendering, serialising and hashing.
 *
 * Which records are kept:
 * - Only records asked for twice while the "seen once" set remembers them: a crawler walking the
 *   whole catalogue once would otherwise fill the cache with records nobody asks for again, and
 *   the churn (entries promoted to the old generation of the heap, then dropped) cost more than
 *   rendering: measured, a miss took half again as long with that churn as without any cache.
 * - Two generations, as quick-lru does: entries go into the current one; when it is full it
 *   becomes the previous one (whose entries are dropped at once) and a hit there moves the entry
 *   back to the current. Recently used records stay, nothing is ever scanned, and the whole is
 *   bounded by the limits (each generation holds half).
 */
export interface RenderedRecord {
  /** UTF-8, encoded once: a string body would be measured and encoded again for every answer. */
  body: Buffer;
  /** The strong ETag http-caching.ts would compute for this body and content type, computed once. */
  etag: string;
  /** The dataset's last change (its Last-Modified), as read with the record. */
  updatedAt: string;
}

/** A stored dataset as the route reads it: its record text and when it last changed. */
export interface StoredRecordText {
  recordJson: string;
  updatedAt: string;
}

export interface RenderedRecordCacheLimits {
  maxEntries: number;
  maxBytes: number;
}

/**
 * The records a portal or a crawler keeps coming back to. A gen-1 record and its answer take
 * about 5 KB together (record text as UTF-16, body as UTF-8), so the byte bound is what usually
 * applies: some 3,000 records in 16 MB, the budget the catalogue page cache has too.
 */
export const DEFAULT_RENDERED_RECORD_CACHE_LIMITS: RenderedRecordCacheLimits = { maxEntries: 10_000, maxBytes: 16 * 1024 * 1024 };

interface Entry extends RenderedRecord {
  source: string;
  /** The store version under which the row last read as `source`. */
  version: string;
  bytes: number;
}

export class RenderedRecordCache {
  private current = new Map<string, Entry>();
  private previous = new Map<string, Entry>();
  private currentBytes = 0;
  private previousBytes = 0;
  /** Identifiers asked for once and not kept yet: kept if asked for again before this is cleared. */
  private readonly seenOnce = new Set<string>();
  private readonly generationEntries: number;
  private readonly generationBytes: number;

  constructor(
    private readonly contentType: string,
    limits: RenderedRecordCacheLimits = DEFAULT_RENDERED_RECORD_CACHE_LIMITS,
  ) {
    this.generationEntries = Math.floor(limits.maxEntries / 2);
    this.generationBytes = Math.floor(limits.maxBytes / 2);
  }

  /** The answer kept for `identifier` if the store is still at the version it was checked under. */
  unchanged(identifier: string, version: string): RenderedRecord | undefined {
    const entry = this.find(identifier);
    return entry !== undefined && entry.version === version ? entry : undefined;
  }

  /**
   * The answer for `identifier` from its row as just read, under the store `version` read BEFORE
   * the row: the kept one if the record text is the same, else rendered now (and kept if asked
   * for before).
   */
  answer(identifier: string, stored: StoredRecordText, version: string, render: (source: string) => string): RenderedRecord {
    const cached = this.find(identifier);
    if (cached !== undefined && cached.source === stored.recordJson) {
      cached.version = version;
      cached.updatedAt = stored.updatedAt;
      return cached;
    }
    const body = Buffer.from(render(stored.recordJson), 'utf8');
    const entry: Entry = {
      body,
      etag: strongEtag(this.contentType, body),
      updatedAt: stored.updatedAt,
      source: stored.recordJson,
      version,
      bytes: body.length + 2 * (stored.recordJson.length + identifier.length),
    };
    if (cached !== undefined) {
      // A changed record that was kept: keep its new answer in its place.
      this.current.delete(identifier);
      this.currentBytes -= cached.bytes;
      this.keep(identifier, entry);
    } else if (this.seenOnce.delete(identifier)) {
      this.keep(identifier, entry);
    } else {
      if (this.seenOnce.size >= Math.max(1, this.generationEntries)) this.seenOnce.clear();
      this.seenOnce.add(identifier);
    }
    return entry;
  }

  /** Records kept now. */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  /** Bytes counted for the records kept now. */
  get bytes(): number {
    return this.currentBytes + this.previousBytes;
  }

  /** The kept entry, moved to the current generation if it was in the previous one. */
  private find(identifier: string): Entry | undefined {
    const recent = this.current.get(identifier);
    if (recent !== undefined) return recent;
    const older = this.previous.get(identifier);
    if (older === undefined) return undefined;
    this.previous.delete(identifier);
    this.previousBytes -= older.bytes;
    this.keep(identifier, older);
    return older;
  }

  private keep(identifier: string, entry: Entry): void {
    if (entry.bytes > this.generationBytes || this.generationEntries === 0) return;
    if (this.current.size >= this.generationEntries || this.currentBytes + entry.bytes > this.generationBytes) {
      this.previous = this.current;
      this.previousBytes = this.currentBytes;
      this.current = new Map();
      this.currentBytes = 0;
    }
    this.current.set(identifier, entry);
    this.currentBytes += entry.bytes;
  }
}
