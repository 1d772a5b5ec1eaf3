/**
 * Each dataset's DCAT-AP node as JSON text (UTF-8), rendered once and reused by every catalogue
 * page that lists the dataset: a page is then its catalogue header and footer around cached
 * fragments, joined (dcat-catalog.ts dcatCatalogJsonFrame), instead of 100 records read, parsed,
 * turned into nodes and serialised.
 *
 * A fragment is kept with the stamp of what was served for its dataset when it was rendered
 * (src/store/catalogue-page.ts); a lookup with another stamp misses and drops it, so a changed
 * dataset is rendered afresh while the rest of the catalogue keeps its fragments. Nothing here
 * depends on the catalogue's version: a harvest that changes ten datasets costs ten renders,
 * not a whole page of them per page.
 *
 * Bounded by bytes, least recently used first. The budget is a function: the fragment cache
 * lives in what the page cache (response-cache.ts) leaves of their shared budget.
 */
import type { BudgetTenant } from './response-cache.js';

/** What an entry costs besides its text (key, stamp, Map slot): an estimate. */
const ENTRY_OVERHEAD_BYTES = 160;

interface Fragment {
  stamp: string;
  json: Buffer;
  bytes: number;
}

export class DatasetFragmentCache implements BudgetTenant {
  private readonly entries = new Map<string, Fragment>();
  private bytes = 0;

  /** `budget`: how many bytes the cache may hold now. */
  constructor(private readonly budget: () => number) {}

  /** The fragment rendered for `identifier` from what `stamp` names, if kept. */
  get(identifier: string, stamp: string): Buffer | undefined {
    const entry = this.entries.get(identifier);
    if (entry === undefined) return undefined;
    this.entries.delete(identifier);
    // Another stamp: the dataset changed since; the old text will never be asked for again.
    if (entry.stamp !== stamp) {
      this.bytes -= entry.bytes;
      return undefined;
    }
    // Most recently used last: Map iteration order is the eviction order.
    this.entries.set(identifier, entry);
    return entry.json;
  }

  set(identifier: string, stamp: string, json: Buffer): void {
    const previous = this.entries.get(identifier);
    if (previous !== undefined) {
      this.entries.delete(identifier);
      this.bytes -= previous.bytes;
    }
    const bytes = json.length + 2 * (identifier.length + stamp.length) + ENTRY_OVERHEAD_BYTES;
    const budget = this.budget();
    if (bytes <= budget) {
      this.entries.set(identifier, { stamp, json, bytes });
      this.bytes += bytes;
    }
    // The budget may have shrunk since the last call (the pages grew): keep within it either way.
    this.shrinkTo(budget);
  }

  /** Evicts the least recently used fragments until the cache holds at most `maxBytes`. */
  shrinkTo(maxBytes: number): void {
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }

  /** Bytes held (texts and the estimated overhead). */
  get heldBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.entries.size;
  }
}
