/**
 * A DCAT catalogue page in JSON-LD, assembled from per-dataset fragments: the catalogue's
 * header, the page's datasets as JSON text (each rendered once per served version of the
 * dataset and kept in the fragment cache), the paging footer, as one UTF-8 Buffer. The bytes are
 * those of JSON.stringify(toDcatCatalog(page)) (dcat-catalog.ts dcatCatalogJsonFrame says why).
 *
 * The page is written into one Buffer allocated at its final size: a cached fragment is copied
 * in, a new one is encoded straight into it, and the fragment cache keeps a view of those bytes
 * (no Buffer of its own). A cold page used to cost a Buffer per dataset and then their
 * concatenation, twice the page's size in short-lived native memory, which the process's RSS
 * kept. A view keeps its whole page alive; the fragments of a page are used, and so evicted,
 * together, so what they hold is about what copies would.
 */
import type { CatalogueStore } from '../store/contract/catalogue.js';
import { dcatCatalogDatasetJson, dcatCatalogJsonFrame, type CatalogPageFrame, type DcatCatalogOptions } from '../views/dcat-catalog.js';
import type { DatasetFragmentCache } from './dataset-fragment-cache.js';

/** A dataset of the page: its cached bytes, or its new text with the stamp to cache it under. */
type Part = { cached: Buffer } | { identifier: string; stamp: string; json: string; bytes: number };

export class CatalogJsonLdPages {
  constructor(
    private readonly catalogue: Pick<CatalogueStore, 'readCataloguePage'>,
    private readonly fragments: DatasetFragmentCache,
    private readonly options: DcatCatalogOptions,
  ) {}

  /** The page of these datasets (those still served, in this order) as JSON-LD text. */
  async render(identifiers: readonly string[], frame: CatalogPageFrame): Promise<Buffer> {
    const entries = await this.catalogue.readCataloguePage(identifiers, (identifier, stamp) => this.fragments.get(identifier, stamp));
    const { before, after } = dcatCatalogJsonFrame(frame, this.options);
    const parts: Part[] = entries.map((entry) => {
      if (entry.record === undefined) return { cached: entry.rendered };
      const json = dcatCatalogDatasetJson(entry.record, this.options);
      return { identifier: entry.identifier, stamp: entry.stamp, json, bytes: Buffer.byteLength(json) };
    });
    // The datasets are separated by commas, one byte each.
    let size = Buffer.byteLength(before) + Buffer.byteLength(after) + Math.max(0, parts.length - 1);
    for (const part of parts) size += 'cached' in part ? part.cached.length : part.bytes;

    const page = Buffer.allocUnsafe(size);
    let at = page.write(before, 0);
    for (const [index, part] of parts.entries()) {
      if (index > 0) at += page.write(',', at);
      if ('cached' in part) {
        at += part.cached.copy(page, at);
      } else {
        const start = at;
        at += page.write(part.json, at);
        this.fragments.set(part.identifier, part.stamp, page.subarray(start, at));
      }
    }
    at += page.write(after, at);
    if (at !== size) throw new Error(`catalogue page: wrote ${at} bytes of ${size}`);
    return page;
  }
}
