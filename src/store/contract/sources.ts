import type { SourceConfig } from '../../config/types.js';
import type { SourceRow } from '../sources.js';

/** The configured sources, as the store keeps them (the configuration file is the truth). */
export interface SourceStore {
  /** Makes the stored sources match the configuration: adds, updates, keeps runs of removed ones. */
  syncSources(sources: readonly SourceConfig[]): Promise<void>;
  listSources(): Promise<SourceRow[]>;
}
