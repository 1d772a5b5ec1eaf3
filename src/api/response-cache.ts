import type { CatalogueStore } from '../store/contract/catalogue.js';

/**
 * Rendered answers of expensive read routes (a DCAT catalogue page is ~550 KB of JSON-LD built
 * from 100 records), kept while the catalogue has not changed. The catalogue's version is the
 * newest row of the change feed: every dataset created, updated, withdrawn or reinstated adds
 * one, in this process or another writing the same file, so an entry is never served after the
 * data it was built from changed. Bounded by entries and bytes; least recently used goes first.
 *
 * Bodies are kept encoded (a Buffer): a hit is sent as it is, with no UTF-8 encoding of half a
 * megabyte per request.
 *
 * The byte budget may be shared with a tenant (the per-dataset fragment cache): the tenant uses
 * what the answers leave (`spareBytes`) and gives it back as answers are stored, so the two
 * together never exceed `maxBytes`, and whole answers, which serve a request without any
 * work, come first.
 */
export interface CachedAnswer {
  /** The encoded body, sent as it is. */
  body: Buffer;
  contentType: string;
  /** Its strong ETag, computed once when cached (http-caching.ts keeps a tag a route set). */
  etag: string;
  headers: Record<string, string>;
}

export interface ResponseCacheLimits {
  maxEntries: number;
  maxBytes: number;
}

/** A cache living in the budget another leaves free: told how much it may keep now. */
export interface BudgetTenant {
  shrinkTo(maxBytes: number): void;
}

/**
 * 64 MiB: the 100 pages of 100 datasets that `npm run bench:serve` cycles over (~550 KB each
 * for its synthetic records, 53 MiB) fit with room to spare. The budget counts against the
 * process's memory, which the whole-catalogue export also needs (peak RSS target 300 MB).
 */
export const DEFAULT_RESPONSE_CACHE_LIMITS: ResponseCacheLimits = { maxEntries: 1024, maxBytes: 64 * 1024 * 1024 };

/** What an entry costs besides its body (key, headers, tag, Map slot): an estimate, so tiny answers are bounded too. */
const ENTRY_OVERHEAD_BYTES = 512;

interface Entry {
  answer: CachedAnswer;
  bytes: number;
}

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private version = -1;
  private bytes = 0;

  constructor(
    /** The catalogue's change counter (the newest change id): the version entries are kept for. */
    private readonly catalogue: Pick<CatalogueStore, 'catalogueVersion'>,
    private readonly limits: ResponseCacheLimits = DEFAULT_RESPONSE_CACHE_LIMITS,
    private readonly tenant?: BudgetTenant,
  ) {}

  /**
   * The answer cached under `key` for the catalogue as it is now, if any, and the version to
   * store a fresh one under (read BEFORE rendering: see store).
   */
  async lookup(key: string): Promise<{ hit: CachedAnswer | undefined; version: number }> {
    this.syncVersion(await this.catalogue.catalogueVersion());
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      // Most recently used last: Map iteration order is the eviction order.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return { hit: entry?.answer, version: this.version };
  }

  /**
   * Keep an answer rendered after `lookup` gave `version`. If the catalogue changed meanwhile the
   * answer may mix old and new data: it is not kept.
   */
  async store(key: string, version: number, answer: CachedAnswer): Promise<void> {
    this.syncVersion(await this.catalogue.catalogueVersion());
    if (version !== this.version) return;
    const bytes = entryBytes(key, answer);
    if (bytes > this.limits.maxBytes || this.limits.maxEntries < 1) return;
    const previous = this.entries.get(key);
    if (previous !== undefined) {
      this.bytes -= previous.bytes;
      this.entries.delete(key);
    }
    this.entries.set(key, { answer, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
    this.tenant?.shrinkTo(this.spareBytes());
  }

  /** Bytes of the budget the answers leave free (what a tenant may use). */
  spareBytes(): number {
    return Math.max(0, this.limits.maxBytes - this.bytes);
  }

  /** A changed catalogue makes every entry stale: drop them all at once. */
  private syncVersion(version: number): void {
    if (version === this.version) return;
    this.version = version;
    this.entries.clear();
    this.bytes = 0;
  }
}

function entryBytes(key: string, answer: CachedAnswer): number {
  let headerChars = answer.contentType.length + answer.etag.length;
  for (const [name, value] of Object.entries(answer.headers)) headerChars += name.length + value.length;
  return answer.body.length + 2 * (key.length + headerChars) + ENTRY_OVERHEAD_BYTES;
}
