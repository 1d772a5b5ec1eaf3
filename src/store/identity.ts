/**
 * The store side of cross-source identity (src/identity): each record's keys, written with the
 * record; what resolution reads (members, key groups, signals, overrides, datasets); a flag that
 * says whether anything that bears on identity changed since the last resolution.
 */
import type Database from 'better-sqlite3';
import type { Db } from './database.js';
import type { NationalRecord } from '../model/record.js';
import { corroborationSignals, identityKeys, type IdentityKeyKind } from '../identity/keys.js';
import type { KeyGroup } from '../identity/cluster.js';
import { nowUtc } from './time.js';
import { toUtcInstant } from '../model/dates.js';

type Statement = Database.Statement<unknown[]>;

const keyStatements = new WeakMap<Db, { deleteKey: Statement; insertKey: Statement; dirty: Statement }>();

function statementsFor(db: Db) {
  let statements = keyStatements.get(db);
  if (!statements) {
    statements = {
      deleteKey: db.prepare('DELETE FROM record_keys WHERE kind = ? AND value = ? AND source_id = ? AND native_id = ?'),
      insertKey: db.prepare('INSERT OR IGNORE INTO record_keys (kind, value, source_id, native_id) VALUES (?, ?, ?, ?)'),
      dirty: db.prepare("INSERT INTO store_state (key, value) VALUES ('identity_dirty', '1') ON CONFLICT(key) DO UPDATE SET value = '1'"),
    };
    keyStatements.set(db, statements);
  }
  return statements;
}

/**
 * Replace a record's identity keys (inside the caller's transaction). `previous` is the record
 * as stored before, whose keys are removed: the key table has no index by record (see
 * migration 3), so the old keys are found by computing them again.
 */
export function replaceRecordKeys(db: Db, sourceId: string, nativeId: string, record: NationalRecord, previous?: NationalRecord): void {
  const s = statementsFor(db);
  const keys = identityKeys(record);
  if (previous) {
    const kept = new Set(keys.map((key) => `${key.kind}\u0000${key.value}`));
    for (const key of identityKeys(previous)) {
      if (!kept.has(`${key.kind}\u0000${key.value}`)) s.deleteKey.run(key.kind, key.value, sourceId, nativeId);
    }
  }
  for (const key of keys) s.insertKey.run(key.kind, key.value, sourceId, nativeId);
}

/** Something that bears on identity changed: the next resolution must run. */
export function markIdentityDirty(db: Db): void {
  statementsFor(db).dirty.run();
}

export function isIdentityDirty(db: Db): boolean {
  return db.prepare("SELECT value FROM store_state WHERE key = 'identity_dirty'").pluck().get() === '1';
}

export function clearIdentityDirty(db: Db): void {
  db.prepare("UPDATE store_state SET value = '0' WHERE key = 'identity_dirty'").run();
}

/** Records stored before identity existed have no keys: resolution computes them first. */
export function needsKeyBackfill(db: Db): boolean {
  return db.prepare("SELECT value FROM store_state WHERE key = 'identity_keys_backfilled'").pluck().get() !== '1';
}

/** Compute the keys, title and modified of every stored record (once, after migration 3). */
export function backfillRecordKeys(db: Db): number {
  let count = 0;
  db.transaction(() => {
    const setSummary = db.prepare('UPDATE source_records SET title = ?, modified_at = ? WHERE source_id = ? AND native_id = ?');
    const rows = db.prepare('SELECT source_id, native_id, record FROM source_payloads').all() as Array<{ source_id: string; native_id: string; record: string }>;
    for (const row of rows) {
      const record = JSON.parse(row.record) as NationalRecord;
      replaceRecordKeys(db, row.source_id, row.native_id, record);
      setSummary.run(record.title, recordModifiedAt(record), row.source_id, row.native_id);
      count += 1;
    }
    db.prepare("INSERT INTO store_state (key, value) VALUES ('identity_keys_backfilled', '1') ON CONFLICT(key) DO UPDATE SET value = '1'").run();
    markIdentityDirty(db);
  })();
  return count;
}

/** The record's own `modified` as a UTC instant, when it has a readable one. */
export function recordModifiedAt(record: NationalRecord): string | null {
  return (record.modified && toUtcInstant(record.modified)) || null;
}

/** A source record as identity resolution sees it. */
export interface StoredMember {
  sourceId: string;
  nativeId: string;
  identifier: string;
  contentHash: string;
  firstSeenAt: string;
  /** Listed by its source now: neither missing nor withdrawn. */
  listed: boolean;
  withdrawn: boolean;
  priority: number;
  datasetId: string | null;
  title: string;
  /** The record's own modified, UTC; null when it has none. */
  modifiedAt: string | null;
}

export function loadMembers(db: Db): StoredMember[] {
  const rows = db
    .prepare(
      `SELECT r.source_id, r.native_id, r.identifier, r.content_hash, r.first_seen_at, r.missing_since, r.withdrawn_at, r.dataset_id, s.priority, r.title, r.modified_at
       FROM source_records r JOIN sources s ON s.id = r.source_id`,
    )
    .raw()
    .all() as Array<[string, string, string, string, string, string | null, string | null, string | null, number, string | null, string | null]>;
  return rows.map(([sourceId, nativeId, identifier, contentHash, firstSeenAt, missingSince, withdrawnAt, datasetId, priority, title, modifiedAt]) => ({
    sourceId,
    nativeId,
    identifier,
    contentHash,
    firstSeenAt,
    listed: missingSince === null && withdrawnAt === null,
    withdrawn: withdrawnAt !== null,
    priority,
    datasetId,
    title: title ?? identifier,
    modifiedAt,
  }));
}

/** `source\0native` → member index, for turning stored pairs into indices. */
export type MemberIndex = ReadonlyMap<string, number>;

export function memberKey(sourceId: string, nativeId: string): string {
  return `${sourceId}\u0000${nativeId}`;
}

/**
 * The groups of records sharing a key of this kind, in value order: only groups of two or
 * more. The rows come in primary-key order, so a group is a run of equal values: no sorting,
 * no temporary table, whatever the catalogue's size.
 */
export function* keyGroupsOf(db: Db, kind: IdentityKeyKind, index: MemberIndex): Generator<KeyGroup> {
  const rows = db
    .prepare('SELECT value, source_id, native_id FROM record_keys WHERE kind = ? ORDER BY value, source_id, native_id')
    .raw()
    .iterate(kind) as IterableIterator<[string, string, string]>;
  // Most values belong to one record: members are looked up only once a second row shares one.
  let value: string | undefined;
  let run: Array<[string, string]> = [];
  const close = (): KeyGroup | undefined => {
    if (run.length < 2) return undefined;
    const members: number[] = [];
    for (const [sourceId, nativeId] of run) {
      const member = index.get(memberKey(sourceId, nativeId));
      if (member !== undefined) members.push(member);
    }
    return members.length > 1 ? { kind, value: value!, members } : undefined;
  };
  for (const [rowValue, sourceId, nativeId] of rows) {
    if (rowValue !== value) {
      const group = close();
      if (group) yield group;
      value = rowValue;
      run = [];
    }
    run.push([sourceId, nativeId]);
  }
  const last = close();
  if (last) yield last;
}

/** Corroboration signals of these records, computed from their stored records (few: only fuzzy-group members). */
export function signalsOf(db: Db, refs: Iterable<RecordRef>): Map<string, string[]> {
  const read = db.prepare('SELECT record FROM source_payloads WHERE source_id = ? AND native_id = ?').pluck();
  const signals = new Map<string, string[]>();
  for (const ref of refs) {
    const json = read.get(ref.sourceId, ref.nativeId) as string | undefined;
    if (json !== undefined) signals.set(memberKey(ref.sourceId, ref.nativeId), corroborationSignals(JSON.parse(json) as NationalRecord));
  }
  return signals;
}

// ---------------------------------------------------------------------------------------------
// Operator overrides
// ---------------------------------------------------------------------------------------------

export type OverrideKind = 'split' | 'join';

export interface RecordRef {
  sourceId: string;
  nativeId: string;
}

export interface IdentityOverride {
  id: number;
  kind: OverrideKind;
  a: RecordRef;
  b: RecordRef;
  note: string | null;
  createdAt: string;
}

export function listOverrides(db: Db): IdentityOverride[] {
  const rows = db
    .prepare('SELECT id, kind, a_source, a_native, b_source, b_native, note, created_at FROM identity_overrides ORDER BY id')
    .raw()
    .all() as Array<[number, OverrideKind, string, string, string, string, string | null, string]>;
  return rows.map(([id, kind, aSource, aNative, bSource, bNative, note, createdAt]) => ({
    id,
    kind,
    a: { sourceId: aSource, nativeId: aNative },
    b: { sourceId: bSource, nativeId: bNative },
    note,
    createdAt,
  }));
}

/**
 * Record that a and b are (join) or are not (split) one dataset. The pair is stored in one
 * order, and a new decision about a pair replaces the old one: the last word is the operator's.
 */
export function saveOverride(db: Db, kind: OverrideKind, a: RecordRef, b: RecordRef, note?: string): void {
  const [first, second] = compareRefs(a, b) <= 0 ? [a, b] : [b, a];
  db.transaction(() => {
    db.prepare(
      `INSERT INTO identity_overrides (kind, a_source, a_native, b_source, b_native, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (a_source, a_native, b_source, b_native) DO UPDATE SET kind = excluded.kind, note = excluded.note, created_at = excluded.created_at`,
    ).run(kind, first.sourceId, first.nativeId, second.sourceId, second.nativeId, note ?? null, nowUtc());
    markIdentityDirty(db);
  })();
}

export function removeOverride(db: Db, id: number): boolean {
  return db.transaction(() => {
    const removed = db.prepare('DELETE FROM identity_overrides WHERE id = ?').run(id).changes > 0;
    if (removed) markIdentityDirty(db);
    return removed;
  })();
}

function compareRefs(a: RecordRef, b: RecordRef): number {
  if (a.sourceId !== b.sourceId) return a.sourceId < b.sourceId ? -1 : 1;
  return a.nativeId < b.nativeId ? -1 : a.nativeId > b.nativeId ? 1 : 0;
}

export function recordExists(db: Db, ref: RecordRef): boolean {
  return db.prepare('SELECT 1 FROM source_records WHERE source_id = ? AND native_id = ?').get(ref.sourceId, ref.nativeId) !== undefined;
}

/** The member records of a dataset, best first is the caller's business. */
export function datasetMembers(db: Db, datasetId: string): RecordRef[] {
  return (db.prepare('SELECT source_id, native_id FROM source_records WHERE dataset_id = ? ORDER BY source_id, native_id').raw().all(datasetId) as Array<[string, string]>).map(
    ([sourceId, nativeId]) => ({ sourceId, nativeId }),
  );
}
