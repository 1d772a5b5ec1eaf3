import type { PushedRecordState } from '../push-records.js';

/**
 * Agency pushes: records of the source `push:<org code>`, written one call at a time.
 * (The push area defines the write operations: see below.)
 */
export interface PushStore {
  ensurePushSource(orgCode: string, publisher: string): Promise<string>;
  pushedRecordState(sourceId: string, identifier: string): Promise<PushedRecordState | undefined>;
}
