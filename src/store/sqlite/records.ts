import type { RecordStore } from '../contract/records.js';
import { storedStates, writeRecordPage } from '../records.js';
import { withdrawDeleted, withdrawMissing } from '../withdrawals.js';
import type { SqliteConnection } from './connection.js';

export function sqliteRecords(connection: SqliteConnection): RecordStore {
  return {
    storedStates: connection.call(storedStates),
    writeRecordPage: connection.call(writeRecordPage),
    withdrawMissing: connection.call(withdrawMissing),
    withdrawDeleted: connection.call(withdrawDeleted),
  };
}
