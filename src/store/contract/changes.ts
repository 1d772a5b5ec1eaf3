import type { Change } from '../changes.js';
import type { FeedPage, FeedState } from '../change-feed.js';

/** The change feed: every change resolution made to what is served, read compacted. */
export interface ChangeFeedStore {
  listChanges(afterId?: number, limit?: number): Promise<Change[]>;
  feedState(): Promise<FeedState>;
  readFeed(since: number, limit: number, onUnreadable?: (identifier: string, error: Error) => void): Promise<FeedPage>;
}
