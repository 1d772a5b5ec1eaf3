import type { PushStore, PushTransaction } from '../contract/push.js';
import { touchApiKey } from '../api-keys.js';
import {
  assignPushDatasetId,
  pushDatasetIdOf,
  pushedNativeIdOf,
  pushedRecordOfDatasetId,
  pushedRecordState,
  withdrawPushedRecord,
  writePushedRecord,
} from '../push-records.js';
import { ensurePushSource } from '../push-sources.js';
import type { SqliteConnection } from './connection.js';

export function sqlitePush(connection: SqliteConnection): PushStore {
  return {
    ensurePushSource: connection.call(ensurePushSource),
    pushedRecordState: connection.call(pushedRecordState),
    // IMMEDIATE: the write lock at once, so two processes cannot both create one dataset.
    inPushTransaction: <T>(work: (tx: PushTransaction) => Promise<T>) => connection.transaction('BEGIN IMMEDIATE', (session) => work(pushTransaction(session))),
  };
}

/** The reads and writes of one push call, bound to its transaction's session. */
function pushTransaction(session: SqliteConnection): PushTransaction {
  return {
    pushedNativeIdOf: session.call(pushedNativeIdOf),
    pushedRecordState: session.call(pushedRecordState),
    pushDatasetIdOf: session.call(pushDatasetIdOf),
    pushedRecordOfDatasetId: session.call(pushedRecordOfDatasetId),
    assignPushDatasetId: session.call(assignPushDatasetId),
    writePushedRecord: session.call(writePushedRecord),
    withdrawPushedRecord: session.call(withdrawPushedRecord),
    touchApiKey: session.call(touchApiKey),
  };
}
