/**
 * Mirrors of another gateway's change feed: a source `mirror-<host>`, its cursor kept with each
 * page it writes. (The mirror area defines the methods: see src/mirror/mirror-store.ts today.)
 */
export interface MirrorStore {
  /** The mirror sources' ids, in order. */
  listMirrorSourceIds(): Promise<string[]>;
}
