import type { PushStore, PushTransaction } from '../contract/push.js';
import type { Db } from '../database.js';
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
    inPushTransaction: <T>(work: (tx: PushTransaction) => Promise<T>) => connection.exclusive((db) => inImmediateTransaction(db, work)),
  };
}

/**
 * BEGIN IMMEDIATE, the work, COMMIT (ROLLBACK when it throws). better-sqlite3's `transaction`
 * cannot span awaits, so the statements are issued here; the store functions the work calls
 * that open transactions of their own become savepoints of this one (better-sqlite3 nests them).
 */
async function inImmediateTransaction<T>(db: Db, work: (tx: PushTransaction) => Promise<T>): Promise<T> {
  let open = true;
  const inside =
    <A extends unknown[], R>(fn: (db: Db, ...args: A) => R) =>
    (...args: A): Promise<R> => {
      if (!open) return Promise.reject(new Error('this push transaction has ended: its methods are usable only inside inPushTransaction'));
      try {
        return Promise.resolve(fn(db, ...args));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    };
  const tx: PushTransaction = {
    pushedNativeIdOf: inside(pushedNativeIdOf),
    pushedRecordState: inside(pushedRecordState),
    pushDatasetIdOf: inside(pushDatasetIdOf),
    pushedRecordOfDatasetId: inside(pushedRecordOfDatasetId),
    assignPushDatasetId: inside(assignPushDatasetId),
    writePushedRecord: inside(writePushedRecord),
    withdrawPushedRecord: inside(withdrawPushedRecord),
    touchApiKey: inside(touchApiKey),
  };
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = await work(tx);
    open = false;
    db.exec('COMMIT');
    return result;
  } catch (err) {
    open = false;
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
