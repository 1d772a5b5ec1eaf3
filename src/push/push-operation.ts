/**
 * One push call as data: what the write routes hand to a PushWriter, in this thread or in the
 * push thread (push-thread.ts). The body travels as the text the client sent and is parsed where
 * the record is read, so that neither parsing nor reading a record of 10,000 distributions (a
 * megabyte or more) is done on the event loop that answers requests.
 *
 * Failures cross the thread boundary as data too (describePushFailure / revivePushFailure): a
 * PushError keeps its status, code and field, a store that cannot be written keeps its file and
 * condition (a 503), anything else is a bug and stays a plain Error (a 500).
 */
import secureJson from 'secure-json-parse';
import { MAX_BODY_DEPTH, nestsDeeperThan, tooDeepMessage } from '../model/json-depth.js';
import type { ApiKey } from '../store/api-keys.js';
import type { Store } from '../store/contract/store.js';
import { StoreUnavailableError, storeErrorOf, type StoreCondition } from '../store/store-errors.js';
import { PUSH_ERROR_CODES, PushError, type PushErrorStatus } from './push-errors.js';
import { createDataset, deleteDataset, replaceDataset, type PushOutcome, type PushTarget } from './push-service.js';
import type { PushVocabulary } from './pushed-record.js';

export type PushOperation =
  | { op: 'create'; key: ApiKey; vocabulary: PushVocabulary; body: string }
  | { op: 'replace'; key: ApiKey; vocabulary: PushVocabulary; target: PushTarget; body: string }
  | { op: 'delete'; key: ApiKey; target: PushTarget };

/**
 * Who carries out push operations: here (push-writer.ts) or in the push thread (push-thread.ts).
 * Declared beside the operation so both implementations, and push-writer.ts's choice between
 * them, import it without importing each other.
 */
export interface PushWriter {
  /** Resolves to the outcome; rejects with the PushError (or store error) that refused the call. */
  perform(operation: PushOperation): Promise<PushOutcome>;
  close(): Promise<void>;
}

/** Carry out one push call on `store` (one IMMEDIATE transaction, push-service.ts); rejects with what it refuses. */
export async function performPush(store: Store, operation: PushOperation): Promise<PushOutcome> {
  switch (operation.op) {
    case 'create':
      return createDataset(store, operation.key, parseBody(operation.body), operation.vocabulary);
    case 'replace':
      return replaceDataset(store, operation.key, operation.target, parseBody(operation.body), operation.vocabulary);
    case 'delete':
      return deleteDataset(store, operation.key, operation.target);
  }
}

/**
 * The body as JSON, refused as the API's own parser refuses it: empty, nested deeper than 64
 * levels, malformed, or carrying `__proto__` / `constructor.prototype` keys (prototype poisoning
 * of whoever reads it later). Parsed before the call looks anything up, so the order of refusals
 * is the other routes'. The record door (pushed-record.ts) then checks the record itself.
 */
function parseBody(text: string): unknown {
  if (text.trim() === '') throw new PushError(400, PUSH_ERROR_CODES.badRequest, 'the body is empty: send one dataset record as a JSON object');
  // Before anything else, as the API's parser does for every other route: a body nested too deep
  // is refused for that, whatever else is wrong with it (the path's dataset included).
  if (nestsDeeperThan(text, MAX_BODY_DEPTH)) throw new PushError(400, PUSH_ERROR_CODES.badRequest, tooDeepMessage(MAX_BODY_DEPTH));
  try {
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    throw new PushError(400, PUSH_ERROR_CODES.badRequest, `the body is not valid JSON: ${(err as Error).message}`);
  }
}

export type PushFailure =
  | { kind: 'push'; status: PushErrorStatus; errorType: string; message: string; identifier?: string | undefined; field?: string | undefined }
  | { kind: 'store'; path: string; condition: StoreCondition; code: string }
  | { kind: 'error'; name: string; message: string; stack?: string | undefined };

export function describePushFailure(err: unknown, storePath: string): PushFailure {
  if (err instanceof PushError)
    return { kind: 'push', status: err.status, errorType: err.errorType, message: err.message, identifier: err.identifier, field: err.field };
  const store = storeErrorOf(err, storePath);
  if (store !== undefined) return { kind: 'store', path: store.path, condition: store.condition, code: store.code };
  const error = err instanceof Error ? err : new Error(String(err));
  return { kind: 'error', name: error.name, message: error.message, stack: error.stack };
}

export function revivePushFailure(failure: PushFailure): Error {
  switch (failure.kind) {
    case 'push':
      return new PushError(failure.status, failure.errorType, failure.message, failure.identifier, failure.field);
    case 'store':
      return new StoreUnavailableError(failure.path, failure.condition, failure.code);
    case 'error':
      return Object.assign(new Error(failure.message), { name: failure.name, stack: failure.stack });
  }
}
