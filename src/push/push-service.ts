/**
 * The push (write) operations of the cross-platform spec, v1 and v2, over the store:
 *
 *   create   POST   — refused 409 (ER0040) when the publisher's dataset is live already, so a
 *                     replayed POST changes nothing; a dataset DELETEd before is created again.
 *   replace  PUT    — refused 404 (ER0050 / ER0051) when there is no live dataset to modify, and
 *                     409 (ER005001 / ER005101) when the body's `modified` is older than the
 *                     stored record's: a request overtaken by a later one (reordered, or replayed
 *                     after it) does not roll the dataset back. There is no force flag: to go back
 *                     to older content, send it with a current `modified`, which is what it then is.
 *                     Without a `modified` on either side the order cannot be told, and the PUT
 *                     is applied. The same content again changes nothing and is answered 200.
 *   delete   DELETE — withdraws at once (no grace period); refused 404 (ER0060 / ER0052) when
 *                     there is no live dataset, so a replayed DELETE is answered as not found.
 *
 * Identifiers are compared in their canonical form (upper case, src/model/identifier.ts): a POST
 * of `a41000000g-000903` after `A41000000G-000903` is a replay, and a PUT or DELETE path in any
 * case names the dataset. A record is stored under its canonical identifier, or under the native
 * id a record of that identifier already has (one an earlier version stored in lower case).
 *
 * Every call is one IMMEDIATE transaction (store.push.inPushTransaction): its checks and its writes see one state of the store
 * (two processes cannot both create one dataset), and a refusal writes nothing, not even the
 * key's last use. An accepted write marks identity dirty; the served catalogue follows at the next
 * identity resolution (src/push/resolution-scheduler.ts).
 */
import type { Store } from '../store/contract/store.js';
import type { PushTransaction } from '../store/contract/push.js';
import type { ApiKey } from '../store/api-keys.js';
import type { NationalRecord } from '../model/record.js';
import { contentHash } from '../store/records.js';
import { recordModifiedAt } from '../store/identity.js';
import { nowUtc } from '../store/time.js';
import { canonicalIdentifier } from '../model/identifier.js';
import { PUSH_ERROR_CODES, PushError } from './push-errors.js';
import { readPushedRecord, type PushVocabulary, type PushWarning } from './pushed-record.js';

export interface PushOutcome {
  identifier: string;
  /** The gateway's datasetId for the dataset (gen-2's platform id). */
  datasetId: number;
  /** Whether anything stored changed (false: the same content again). */
  changed: boolean;
  warnings: PushWarning[];
}

/** What a PUT or DELETE names: v1 by identifier, v2 by datasetId (as the path gave it). */
export type PushTarget = { identifier: string } | { datasetId: string };

export async function createDataset(store: Store, key: ApiKey, body: unknown, vocabulary: PushVocabulary): Promise<PushOutcome> {
  const read = readPushedRecord(body, { vocabulary, orgCode: key.orgCode });
  const identifier = read.record.identifier;
  return store.push.inPushTransaction(async (tx): Promise<PushOutcome> => {
    const sourceId = key.sourceId;
    const nativeId = (await tx.pushedNativeIdOf(sourceId, identifier)) ?? identifier;
    const before = await tx.pushedRecordState(sourceId, nativeId);
    if (before !== undefined && !before.withdrawn) {
      const datasetId = await tx.pushDatasetIdOf(sourceId, nativeId);
      const how = vocabulary === 'gen1' ? `PUT /api/v1/rest/dataset/${identifier}` : `PUT /api/v2/rest/dataset/${datasetId}`;
      throw new PushError(
        409,
        PUSH_ERROR_CODES.alreadyExists,
        `dataset ${identifier} exists already (datasetId ${datasetId}); to change it, ${how}`,
        identifier,
      );
    }
    const at = nowUtc();
    const datasetId = await tx.assignPushDatasetId(sourceId, nativeId, at);
    await write(tx, key, sourceId, nativeId, read, datasetId, before?.record, at);
    return { identifier, datasetId, changed: true, warnings: read.warnings };
  });
}

export async function replaceDataset(store: Store, key: ApiKey, target: PushTarget, body: unknown, vocabulary: PushVocabulary): Promise<PushOutcome> {
  return store.push.inPushTransaction(async (tx): Promise<PushOutcome> => {
    const { sourceId, nativeId, identifier, datasetId } = await locate(tx, key, target, 'replace');
    const before = await tx.pushedRecordState(sourceId, nativeId);
    if (before === undefined || before.withdrawn || datasetId === undefined) throw notFound(target, 'replace');
    const read = readPushedRecord(body, { vocabulary, orgCode: key.orgCode, identifier, datasetId: 'datasetId' in target ? target.datasetId : undefined });
    const incoming = recordModifiedAt(read.record);
    if (incoming !== null && before.modifiedAt !== null && incoming < before.modifiedAt) {
      throw new PushError(
        409,
        vocabulary === 'gen1' ? PUSH_ERROR_CODES.v1UpdateStale : PUSH_ERROR_CODES.v2UpdateStale,
        `the body's ${vocabulary === 'gen1' ? 'modified' : 'modifiedDate'} (${incoming}) is older than the stored record's (${before.modifiedAt}): this request was overtaken by a later one; to apply it anyway, send it with a current ${vocabulary === 'gen1' ? 'modified' : 'modifiedDate'}`,
        identifier,
        vocabulary === 'gen1' ? 'modified' : 'modifiedDate',
      );
    }
    const at = nowUtc();
    const changed = contentHash(read.payloadJson) !== before.contentHash;
    if (changed) await write(tx, key, sourceId, nativeId, read, datasetId, before.record, at);
    else await tx.touchApiKey(key.id, at);
    return { identifier, datasetId, changed, warnings: read.warnings };
  });
}

export async function deleteDataset(store: Store, key: ApiKey, target: PushTarget): Promise<PushOutcome> {
  return store.push.inPushTransaction(async (tx): Promise<PushOutcome> => {
    const { sourceId, nativeId, identifier, datasetId } = await locate(tx, key, target, 'delete');
    const before = await tx.pushedRecordState(sourceId, nativeId);
    if (before === undefined || before.withdrawn || datasetId === undefined) throw notFound(target, 'delete');
    await tx.withdrawPushedRecord(sourceId, nativeId);
    await tx.touchApiKey(key.id, nowUtc());
    return { identifier, datasetId, changed: true, warnings: [] };
  });
}

/**
 * The pushed record a path names, once it is known to be the key's publisher's (its push source:
 * the key's): its native id, and its identifier in canonical form.
 */
async function locate(
  tx: PushTransaction,
  key: ApiKey,
  target: PushTarget,
  action: 'replace' | 'delete',
): Promise<{ sourceId: string; nativeId: string; identifier: string; datasetId: number | undefined }> {
  const sourceId = key.sourceId;
  if ('identifier' in target) {
    const prefix = target.identifier.split('-')[0]?.toUpperCase();
    if (prefix !== key.orgCode) {
      throw new PushError(
        403,
        PUSH_ERROR_CODES.otherPublisher,
        `this key writes the datasets of ${key.orgCode} (identifiers ${key.orgCode}-…); ${target.identifier} is not one of them`,
        target.identifier,
      );
    }
    const identifier = canonicalIdentifier(target.identifier);
    const nativeId = (await tx.pushedNativeIdOf(sourceId, identifier)) ?? identifier;
    return { sourceId, nativeId, identifier, datasetId: await tx.pushDatasetIdOf(sourceId, nativeId) };
  }
  const number = /^\d{1,15}$/.test(target.datasetId) ? Number(target.datasetId) : undefined;
  const found = number === undefined ? undefined : await tx.pushedRecordOfDatasetId(number);
  if (found === undefined) throw notFound(target, action);
  if (found.sourceId !== sourceId) {
    throw new PushError(
      403,
      PUSH_ERROR_CODES.otherPublisher,
      `datasetId ${target.datasetId} is another publisher's dataset (${found.identifier}): this key writes for ${key.orgCode}`,
      target.datasetId,
    );
  }
  return { sourceId, nativeId: found.identifier, identifier: canonicalIdentifier(found.identifier), datasetId: number };
}

function notFound(target: PushTarget, action: 'replace' | 'delete'): PushError {
  if ('identifier' in target) {
    return action === 'replace'
      ? new PushError(404, PUSH_ERROR_CODES.v1UpdateMissing, `no dataset ${target.identifier} was pushed (or it was deleted): POST it first`, target.identifier)
      : new PushError(404, PUSH_ERROR_CODES.v1DeleteMissing, `no dataset ${target.identifier} was pushed, or it was deleted already`, target.identifier);
  }
  return action === 'replace'
    ? new PushError(
        404,
        PUSH_ERROR_CODES.v2UpdateMissing,
        `no pushed dataset has datasetId ${target.datasetId} (or it was taken down): POST it first; datasetId is the number the POST answered`,
        target.datasetId,
      )
    : new PushError(
        404,
        PUSH_ERROR_CODES.v2DeleteMissing,
        `no pushed dataset has datasetId ${target.datasetId}, or it was taken down already`,
        target.datasetId,
      );
}

async function write(
  tx: PushTransaction,
  key: ApiKey,
  sourceId: string,
  nativeId: string,
  read: ReturnType<typeof readPushedRecord>,
  datasetId: number,
  previous: NationalRecord | undefined,
  at: string,
): Promise<void> {
  // The gateway's datasetId is the record's platform id, as data.gov.tw's is on its records.
  const record = { ...read.record, extensions: { ...read.record.extensions, datasetId: String(datasetId) } };
  await tx.writePushedRecord(
    { sourceId, nativeId, payloadJson: read.payloadJson, contentHash: contentHash(read.payloadJson), record, issues: read.issues },
    previous,
    at,
  );
  await tx.touchApiKey(key.id, at);
}
