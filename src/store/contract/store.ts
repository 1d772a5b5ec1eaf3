/**
 * The store's contract: everything the rest of the gateway may ask of the database, as
 * asynchronous interfaces, so that a network database (PostgreSQL, issue 20) can implement the
 * same contract as the embedded SQLite default (src/store/sqlite-store.ts).
 *
 * Nothing outside src/store writes SQL or holds a database handle: it holds a `Store` and calls
 * the functions named for what they do. Each area is one interface in its own file:
 *
 *   sources   configured sources                     runs      harvest runs, their errors, cancel
 *   records   harvested records, pages, withdrawals  identity  resolution, overrides, explanations
 *   catalogue served datasets, pages, streams        search    full-text and facet search
 *   changes   the change feed                        push      agency pushes (records of push:<org>)
 *   apiKeys   push API keys                          mirror    another gateway's feed, page by page
 *
 * Every method may reject with a StoreUnavailableError (store-errors.ts) when the database
 * refuses the work (full, read-only, gone): callers name the store's `location` to the operator.
 */
import type { SourceStore } from './sources.js';
import type { RunStore } from './runs.js';
import type { RecordStore } from './records.js';
import type { IdentityStore } from './identity.js';
import type { CatalogueStore } from './catalogue.js';
import type { SearchStore } from './search.js';
import type { ChangeFeedStore } from './changes.js';
import type { PushStore } from './push.js';
import type { ApiKeyStore } from './api-keys.js';
import type { MirrorStore } from './mirror.js';

export interface Store {
  /** Where the data lives, for messages: the SQLite file's path (or a database URL without credentials). */
  readonly location: string;
  /**
   * Other threads and processes can open this same store at `location`: false for a SQLite store
   * in memory (tests), which lives only on its own connection, so its work stays on this thread.
   */
  readonly reopenable: boolean;
  readonly sources: SourceStore;
  readonly runs: RunStore;
  readonly records: RecordStore;
  readonly identity: IdentityStore;
  readonly catalogue: CatalogueStore;
  readonly search: SearchStore;
  readonly changes: ChangeFeedStore;
  readonly push: PushStore;
  readonly apiKeys: ApiKeyStore;
  readonly mirror: MirrorStore;
  /** The schema version the store is at (migrations applied). */
  schemaVersion(): Promise<number>;
  /** Releases the connection(s). Calls after close reject. */
  close(): Promise<void>;
}
