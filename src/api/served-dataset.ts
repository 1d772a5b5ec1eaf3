import type { CatalogueStore } from '../store/contract/catalogue.js';
import { parseStoredDataset, type DatasetEntry, type StoredDataset } from '../store/catalogue.js';
import { ERROR_CODES } from './errors.js';
import { specError, type SpecErrorBody } from '../views/spec-error.js';

/** A dataset absorbed by another (their records were one dataset): the client is sent there. */
export interface MovedDataset {
  status: 301;
  movedTo: string;
}

/** Withdrawn (410) or unknown (404), with the body to answer. */
export interface UnservedDataset {
  status: 404 | 410;
  error: SpecErrorBody;
}

/** The reads a lookup needs (the catalogue, or the catalogue of a read snapshot). */
export type ServedReads = Pick<CatalogueStore, 'getStoredDataset' | 'datasetCaseVariants'>;

/** Absorbed datasets can chain (A into B, later B into C); a loop would be a bug, so stop early. */
const MAX_REDIRECT_HOPS = 8;

/**
 * A dataset as every per-dataset route serves it: found, moved (301: absorbed into another when
 * identity resolution found their records to be one dataset, or asked in another letter case
 * than the one it is served under), gone (410: withdrawn, its identifier still answers so
 * clients can tell deleted from never existed), or unknown (404).
 */
export async function findServedDataset(catalogue: ServedReads, identifier: string): Promise<DatasetEntry | MovedDataset | UnservedDataset> {
  const found = await findServedStoredDataset(catalogue, identifier);
  return 'recordJson' in found ? parseStoredDataset(found) : found;
}

/** findServedDataset with the record left as stored JSON text, for a route that may not need it parsed. */
export async function findServedStoredDataset(catalogue: ServedReads, identifier: string): Promise<StoredDataset | MovedDataset | UnservedDataset> {
  const entry = await catalogue.getStoredDataset(identifier);
  if (!entry) {
    const variant = await caseVariant(catalogue, identifier);
    if (variant !== undefined) return { status: 301, movedTo: variant };
    return { status: 404, error: specError(ERROR_CODES.notFound, `no dataset with identifier "${identifier}"`, identifier) };
  }
  if (entry.mergedInto) {
    let target = entry.mergedInto;
    for (let hop = 1; hop < MAX_REDIRECT_HOPS; hop += 1) {
      const next = (await catalogue.getStoredDataset(target))?.mergedInto;
      if (!next) break;
      target = next;
    }
    return { status: 301, movedTo: target };
  }
  if (entry.withdrawnAt) {
    return {
      status: 410,
      error: specError(ERROR_CODES.withdrawn, `dataset "${identifier}" was withdrawn at ${entry.withdrawnAt}: no source publishes it any more`, identifier),
    };
  }
  return entry;
}

/**
 * The identifier a dataset asked in another case is served under (a41000000g-000903 for
 * A41000000G-000903: src/model/identifier.ts). A redirect, not the record under this address, so
 * each dataset keeps one URL (caches, links, the catalogue's IRIs). Stores from before new
 * datasets were kept apart in case may hold two variants: the live one, when only one is.
 */
async function caseVariant(catalogue: ServedReads, identifier: string): Promise<string | undefined> {
  const variants = await catalogue.datasetCaseVariants(identifier);
  if (variants.length === 1) return variants[0]!.identifier;
  const live = variants.filter((v) => !v.withdrawn && !v.absorbed);
  return live.length === 1 ? live[0]!.identifier : undefined;
}
