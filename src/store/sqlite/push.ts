import type { PushStore } from '../contract/push.js';
import { pushedRecordState } from '../push-records.js';
import { ensurePushSource } from '../push-sources.js';
import type { SqliteConnection } from './connection.js';

export function sqlitePush(connection: SqliteConnection): PushStore {
  return {
    ensurePushSource: connection.call(ensurePushSource),
    pushedRecordState: connection.call(pushedRecordState),
  };
}
