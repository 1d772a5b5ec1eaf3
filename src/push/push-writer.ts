/**
 * Who carries out push calls. The API uses the push thread (push-thread.ts) for a store in a
 * file, so parsing, validating and writing a pushed record never hold up other requests; a store
 * in memory (tests) cannot be opened by another thread and is written here, as before.
 */
import type { Db } from '../store/database.js';
import { performPush, type PushOperation, type PushWriter } from './push-operation.js';
import type { PushOutcome } from './push-service.js';
import { PushThread } from './push-thread.js';

export class InThreadPushWriter implements PushWriter {
  constructor(private readonly db: Db) {}

  perform(operation: PushOperation): Promise<PushOutcome> {
    try {
      return Promise.resolve(performPush(this.db, operation));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export type PushWritesIn = 'thread' | 'here';

export function pushWriterFor(db: Db, writesIn: PushWritesIn = 'thread'): PushWriter {
  return db.memory || writesIn === 'here' ? new InThreadPushWriter(db) : new PushThread(db.name);
}
