import type { MirrorStore } from '../contract/mirror.js';
import type { SqliteConnection } from './connection.js';

export function sqliteMirror(connection: SqliteConnection): MirrorStore {
  return {
    listMirrorSourceIds: connection.call((db) => db.prepare("SELECT id FROM sources WHERE type = 'mirror' ORDER BY id").pluck().all() as string[]),
  };
}
