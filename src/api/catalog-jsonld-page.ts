/**
 * A DCAT catalogue page in JSON-LD, assembled from per-dataset fragments: the catalogue's
 * header, the page's datasets as JSON text (each rendered once per served version of the
 * dataset and kept in the fragment cache), the paging footer, as one UTF-8 Buffer. The bytes are
 * those of JSON.stringify(toDcatCatalog(page)) (dcat-catalog.ts dcatCatalogJsonFrame says why).
 */
import type { CatalogueStore } from '../store/contract/catalogue.js';
import { dcatCatalogDatasetJson, dcatCatalogJsonFrame, type CatalogPageFrame, type DcatCatalogOptions } from '../views/dcat-catalog.js';
import type { DatasetFragmentCache } from './dataset-fragment-cache.js';

const COMMA = Buffer.from(',');

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
    const parts: Buffer[] = [Buffer.from(before)];
    for (const [index, entry] of entries.entries()) {
      let json: Buffer;
      if (entry.record === undefined) {
        json = entry.rendered;
      } else {
        json = Buffer.from(dcatCatalogDatasetJson(entry.record, this.options));
        this.fragments.set(entry.identifier, entry.stamp, json);
      }
      if (index > 0) parts.push(COMMA);
      parts.push(json);
    }
    parts.push(Buffer.from(after));
    return Buffer.concat(parts);
  }
}
