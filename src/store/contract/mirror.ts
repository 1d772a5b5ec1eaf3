import type { MirrorSource } from '../mirror-sources.js';
import type { MirrorPageResult, MirrorPageWrite } from '../mirror-pages.js';

/**
 * Mirrors of another gateway's change feed (src/mirror/sync.ts): a source `mirror-<host>`, its
 * cursor kept with each page it writes (mirror-sources.ts, mirror-pages.ts).
 */
export interface MirrorStore {
  /** The mirror sources' ids, in order. */
  listMirrorSourceIds(): Promise<string[]>;
  /**
   * The mirror's source row, created when absent (its first sync walks the feed from the
   * beginning); `priority`, when given, replaces the stored one. Rejects with NotAMirrorError
   * when the id is another kind of source's.
   */
  ensureMirrorSource(options: { sourceId: string; url: string; priority?: number | undefined }): Promise<MirrorSource>;
  /** The mirror with its cursor; undefined when there is no such mirror. */
  readMirror(sourceId: string): Promise<MirrorSource | undefined>;
  /** Every mirror with its cursor, in id order. */
  listMirrors(): Promise<MirrorSource[]>;
  /** Forgets the cursor: the next sync walks from the beginning and withdraws what it did not see. */
  resetMirror(sourceId: string): Promise<void>;
  /**
   * One page and the cursor it moves to, in one transaction; at the end of a walk from the
   * beginning, withdraws what the walk did not mention. Rejects with CursorMovedError, writing
   * nothing, when the stored cursor is not the one the page was asked with.
   */
  writeMirrorPage(page: MirrorPageWrite): Promise<MirrorPageResult>;
  /** What the store holds of these mirrored records (content hash, withdrawn), by native id. */
  mirroredStates(sourceId: string, nativeIds: readonly string[]): Promise<Map<string, { contentHash: string; withdrawn: boolean }>>;
  /** How many of the mirror's records are live: the datasets it holds. */
  countLiveMirroredRecords(sourceId: string): Promise<number>;
}
