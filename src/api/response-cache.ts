import type { Db } from '../store/database.js';

/**
 * Rendered answers of expensive read routes (a DCAT catalogue page is ~500 KB of JSON-LD built
 * from 100 records), kept while the catalogue has not changed. The catalogue's version is the
 * newest row of the change feed: every dataset created, updated, withdrawn or reinstated adds
 * one, in this process or another writing the same file, so an entry is never served after the
 * data it was built from changed. Bounded by entries and bytes; least recently used goes first.
 */
export interface CachedAnswer {
  body: string;
  contentType: string;
  /** Its strong ETag, computed once when cached (http-caching.ts keeps a tag a route set). */
  etag: string;
  headers: Record<string, string>;
}

export interface ResponseCacheLimits {
  maxEntries: number;
  maxBytes: number;
}

// Hot pages only (page 1 of common filters, what crawlers re-read): the budget counts against the
// process's memory, which the whole-catalogue export also needs.
export const DEFAULT_RESPONSE_CACHE_LIMITS: ResponseCacheLimits = { maxEntries: 64, maxBytes: 16 * 1024 * 1024 };

export class ResponseCache {
  private readonly entries = new Map<string, CachedAnswer>();
  private version = -1;
  private bytes = 0;
  private readonly readVersion;

  constructor(
    db: Db,
    private readonly limits: ResponseCacheLimits = DEFAULT_RESPONSE_CACHE_LIMITS,
  ) {
    this.readVersion = db.prepare('SELECT COALESCE(MAX(id), 0) FROM changes').pluck();
  }

  /**
   * The answer cached under `key` for the catalogue as it is now, if any, and the version to
   * store a fresh one under (read BEFORE rendering: see store).
   */
  lookup(key: string): { hit: CachedAnswer | undefined; version: number } {
    this.syncVersion();
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Most recently used last: Map iteration order is the eviction order.
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return { hit, version: this.version };
  }

  /**
   * Keep an answer rendered after `lookup` gave `version`. If the catalogue changed meanwhile the
   * answer may mix old and new data: it is not kept.
   */
  store(key: string, version: number, answer: CachedAnswer): void {
    this.syncVersion();
    if (version !== this.version) return;
    const size = answer.body.length * 2;
    if (size > this.limits.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous !== undefined) {
      this.bytes -= previous.body.length * 2;
      this.entries.delete(key);
    }
    this.entries.set(key, answer);
    this.bytes += size;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.body.length * 2;
    }
  }

  /** A changed catalogue makes every entry stale: drop them all at once. */
  private syncVersion(): void {
    const version = this.readVersion.get() as number;
    if (version === this.version) return;
    this.version = version;
    this.entries.clear();
    this.bytes = 0;
  }
}
