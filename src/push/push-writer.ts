/**
 * Who carries out push calls. The API uses the push thread (push-thread.ts) for a store in a
 * file, so parsing, validating and writing a pushed record never hold up other requests; a store
 * in memory (tests) cannot be opened by another thread and is written here, as before.
 */
import type { Store } from '../store/contract/store.js';
import { performPush, type PushOperation, type PushWriter } from './push-operation.js';
import type { PushOutcome } from './push-service.js';
import { PushThread } from './push-thread.js';

export class InThreadPushWriter implements PushWriter {
  constructor(private readonly store: Store) {}

  perform(operation: PushOperation): Promise<PushOutcome> {
    return performPush(this.store, operation);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export type PushWritesIn = 'thread' | 'here';

export function pushWriterFor(store: Store, writesIn: PushWritesIn = 'thread'): PushWriter {
  return !store.reopenable || writesIn === 'here' ? new InThreadPushWriter(store) : new PushThread(store.location);
}
