import type { ChangeFeedStore } from '../contract/changes.js';
import { feedState, readFeed } from '../change-feed.js';
import { listChanges } from '../changes.js';
import type { SqliteConnection } from './connection.js';

export function sqliteChanges(connection: SqliteConnection): ChangeFeedStore {
  return {
    listChanges: connection.call(listChanges),
    feedState: connection.call(feedState),
    readFeed: connection.call(readFeed),
  };
}
