import type { Db } from '../store/database.js';
import { getDataset, type DatasetEntry } from '../store/catalogue.js';
import { ERROR_CODES, specError, type SpecErrorBody } from './errors.js';

/**
 * A dataset as every per-dataset route serves it: found, gone (410: withdrawn, its identifier
 * still answers so clients can tell deleted from never existed), or unknown (404).
 */
export function findServedDataset(db: Db, identifier: string): DatasetEntry | { status: 404 | 410; error: SpecErrorBody } {
  const entry = getDataset(db, identifier);
  if (!entry) return { status: 404, error: specError(ERROR_CODES.notFound, `no dataset with identifier "${identifier}"`, identifier) };
  if (entry.withdrawnAt) {
    return {
      status: 410,
      error: specError(ERROR_CODES.withdrawn, `dataset "${identifier}" was withdrawn at ${entry.withdrawnAt}: its source no longer lists it`, identifier),
    };
  }
  return entry;
}
