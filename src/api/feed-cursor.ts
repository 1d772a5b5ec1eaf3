/**
 * Change-feed cursors (GET /api/changes `since` / `nextCursor`): a position in one store's
 * change sequence. Opaque to clients: base64url of [version, epoch, seq].
 *
 * The epoch (migration 5) names the store: a cursor kept by a mirror of another gateway, or of
 * this one before its store was rebuilt, would otherwise point at an unrelated position and the
 * mirror would silently miss changes. Such a cursor, and one ahead of the feed, is refused.
 */
import type { FeedState } from '../store/change-feed.js';

const CURSOR_VERSION = 1;
export const MAX_FEED_CURSOR_LENGTH = 200;

export function encodeFeedCursor(epoch: string, seq: number): string {
  return Buffer.from(JSON.stringify([CURSOR_VERSION, epoch, seq]), 'utf8').toString('base64url');
}

/** The sequence a cursor names, or a message saying why it cannot be used here (400). */
export function decodeFeedCursor(text: string, state: FeedState): number | string {
  const notOurs = 'since is not a cursor of this feed: pass a nextCursor as given, or leave since out to start from the beginning';
  if (text.length > MAX_FEED_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) return notOurs;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return notOurs;
  }
  if (!Array.isArray(payload) || payload.length !== 3) return notOurs;
  const [version, epoch, seq] = payload as unknown[];
  if (version !== CURSOR_VERSION || typeof epoch !== 'string' || typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return notOurs;
  if (epoch !== state.epoch) {
    return 'since is a cursor of another catalogue (another gateway, or this one before its store was rebuilt): a mirror must start again from the beginning';
  }
  if (seq > state.latestSeq) return 'since is ahead of this feed (was the store restored from an older backup?): a mirror must start again from the beginning';
  return seq;
}
