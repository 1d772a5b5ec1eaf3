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
 * Bounded by entries and by bytes (record text and body both count); least recently used goes first.
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
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly contentType: string,
    private readonly limits: RenderedRecordCacheLimits = DEFAULT_RENDERED_RECORD_CACHE_LIMITS,
  ) {}

  /** The answer kept for `identifier` if the store is still at the version it was checked under. */
  unchanged(identifier: string, version: string): RenderedRecord | undefined {
    const entry = this.entries.get(identifier);
    if (entry === undefined || entry.version !== version) return undefined;
    // Most recently used last: Map iteration order is the eviction order.
    this.entries.delete(identifier);
    this.entries.set(identifier, entry);
    return entry;
  }

  /**
   * The answer for `identifier` from its row as just read, under the store `version` read BEFORE
   * the row: the kept one if the record text is the same, else rendered now (and kept).
   */
  answer(identifier: string, stored: StoredRecordText, version: string, render: (source: string) => string): RenderedRecord {
    const cached = this.entries.get(identifier);
    if (cached !== undefined) {
      this.entries.delete(identifier);
      if (cached.source === stored.recordJson) {
        cached.version = version;
        cached.updatedAt = stored.updatedAt;
        this.entries.set(identifier, cached);
        return cached;
      }
      this.bytes -= cached.bytes;
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
    if (entry.bytes <= this.limits.maxBytes && this.limits.maxEntries > 0) {
      this.entries.set(identifier, entry);
      this.bytes += entry.bytes;
      for (const [oldest, old] of this.entries) {
        if (this.entries.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) break;
        this.entries.delete(oldest);
        this.bytes -= old.bytes;
      }
    }
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }
}
