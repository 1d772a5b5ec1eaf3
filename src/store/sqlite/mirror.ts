import type { MirrorStore } from '../contract/mirror.js';
import { mirroredStates, writeMirrorPage } from '../mirror-pages.js';
import { countLiveMirroredRecords, ensureMirrorSource, listMirrors, listMirrorSourceIds, readMirror, resetMirror } from '../mirror-sources.js';
import type { SqliteConnection } from './connection.js';

export function sqliteMirror(connection: SqliteConnection): MirrorStore {
  return {
    listMirrorSourceIds: connection.call(listMirrorSourceIds),
    ensureMirrorSource: connection.call(ensureMirrorSource),
    readMirror: connection.call(readMirror),
    listMirrors: connection.call(listMirrors),
    resetMirror: connection.call(resetMirror),
    writeMirrorPage: connection.call(writeMirrorPage),
    mirroredStates: connection.call(mirroredStates),
    countLiveMirroredRecords: connection.call(countLiveMirroredRecords),
  };
}
