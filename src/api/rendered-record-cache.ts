import { strongEtag } from './http-caching.js';

/**
 * Rendered answers of one-record routes (GET /api/v1/rest/dataset/{identifier}), kept per
 * identifier with the stored record text they were rendered from. The body is a function of
 * that text alone, so an entry is used only while the row still holds the very same text: a
 * harvest, a merge, a new payload served through the `datasets` view all change it, whatever
 * wrote them and whenever; nothing needs invalidating. The route still reads the row on every
 * request (it needs the dataset's state and Last-Modified anyway); what a hit saves is parsing,
 * rendering, serialising and hashing, about two thirds of the route's own work.
 *
 * Bounded by entries and by bytes (record text and body both count); least recently used goes first.
 */
export interface RenderedRecord {
  /** UTF-8, encoded once: a string body would be measured and encoded again for every answer. */
  body: Buffer;
  /** The strong ETag http-caching.ts would compute for this body and content type, computed once. */
  etag: string;
}

export interface RenderedRecordCacheLimits {
  maxEntries: number;
  maxBytes: number;
}

/**
 * Enough for the records a portal or a crawler keeps coming back to; a gen-1 record and its
 * answer take about 4-8 KB together (UTF-16), so the byte bound is what usually applies.
 */
export const DEFAULT_RENDERED_RECORD_CACHE_LIMITS: RenderedRecordCacheLimits = { maxEntries: 10_000, maxBytes: 16 * 1024 * 1024 };

interface Entry extends RenderedRecord {
  source: string;
  bytes: number;
}

export class RenderedRecordCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly contentType: string,
    private readonly limits: RenderedRecordCacheLimits = DEFAULT_RENDERED_RECORD_CACHE_LIMITS,
  ) {}

  /** The answer for `identifier` rendered from `source` (the stored record text): cached, or rendered now and kept. */
  answer(identifier: string, source: string, render: (source: string) => string): RenderedRecord {
    const cached = this.entries.get(identifier);
    if (cached !== undefined) {
      this.entries.delete(identifier);
      if (cached.source === source) {
        // Most recently used last: Map iteration order is the eviction order.
        this.entries.set(identifier, cached);
        return cached;
      }
      this.bytes -= cached.bytes;
    }
    const body = Buffer.from(render(source), 'utf8');
    const entry: Entry = { body, etag: strongEtag(this.contentType, body), source, bytes: body.length + 2 * (source.length + identifier.length) };
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
