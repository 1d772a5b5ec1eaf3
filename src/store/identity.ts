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

type Statement = Database.Statement<unknown[]>;

const keyStatements = new WeakMap<Db, { deleteKeys: Statement; deleteSignals: Statement; insertKey: Statement; insertSignal: Statement; dirty: Statement }>();

function statementsFor(db: Db) {
  let statements = keyStatements.get(db);
  if (!statements) {
    statements = {
      deleteKeys: db.prepare('DELETE FROM record_keys WHERE source_id = ? AND native_id = ?'),
      deleteSignals: db.prepare('DELETE FROM record_signals WHERE source_id = ? AND native_id = ?'),
      insertKey: db.prepare('INSERT OR IGNORE INTO record_keys (kind, value, source_id, native_id) VALUES (?, ?, ?, ?)'),
      insertSignal: db.prepare('INSERT OR IGNORE INTO record_signals (source_id, native_id, signal) VALUES (?, ?, ?)'),
      dirty: db.prepare("INSERT INTO store_state (key, value) VALUES ('identity_dirty', '1') ON CONFLICT(key) DO UPDATE SET value = '1'"),
    };
    keyStatements.set(db, statements);
  }
  return statements;
}

/** Replace a record's identity keys and signals (inside the caller's transaction). */
export function replaceRecordKeys(db: Db, sourceId: string, nativeId: string, record: NationalRecord, existed: boolean): void {
  const s = statementsFor(db);
  if (existed) {
    s.deleteKeys.run(sourceId, nativeId);
    s.deleteSignals.run(sourceId, nativeId);
  }
  let fuzzy = false;
  for (const key of identityKeys(record)) {
    s.insertKey.run(key.kind, key.value, sourceId, nativeId);
    if (key.kind === 'fuzzy') fuzzy = true;
  }
  // Signals only matter to a record that can be fuzzy-matched.
  if (fuzzy) for (const signal of corroborationSignals(record)) s.insertSignal.run(sourceId, nativeId, signal);
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

/** Compute the keys of every stored record (once, after the migration that introduced them). */
export function backfillRecordKeys(db: Db): number {
  let count = 0;
  db.transaction(() => {
    const rows = db.prepare('SELECT source_id, native_id, record FROM source_payloads').iterate() as IterableIterator<{ source_id: string; native_id: string; record: string }>;
    const pending: Array<{ source_id: string; native_id: string; record: string }> = [];
    for (const row of rows) pending.push(row);
    for (const row of pending) {
      replaceRecordKeys(db, row.source_id, row.native_id, JSON.parse(row.record) as NationalRecord, true);
      count += 1;
    }
    db.prepare("INSERT INTO store_state (key, value) VALUES ('identity_keys_backfilled', '1') ON CONFLICT(key) DO UPDATE SET value = '1'").run();
    markIdentityDirty(db);
  })();
  return count;
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
}

export function loadMembers(db: Db): StoredMember[] {
  const rows = db
    .prepare(
      `SELECT r.source_id, r.native_id, r.identifier, r.content_hash, r.first_seen_at, r.missing_since, r.withdrawn_at, r.dataset_id, s.priority
       FROM source_records r JOIN sources s ON s.id = r.source_id
       ORDER BY r.source_id, r.native_id`,
    )
    .raw()
    .all() as Array<[string, string, string, string, string, string | null, string | null, string | null, number]>;
  return rows.map(([sourceId, nativeId, identifier, contentHash, firstSeenAt, missingSince, withdrawnAt, datasetId, priority]) => ({
    sourceId,
    nativeId,
    identifier,
    contentHash,
    firstSeenAt,
    listed: missingSince === null && withdrawnAt === null,
    withdrawn: withdrawnAt !== null,
    priority,
    datasetId,
  }));
}

/** `source\0native` → member index, for turning stored pairs into indices. */
export type MemberIndex = ReadonlyMap<string, number>;

export function memberKey(sourceId: string, nativeId: string): string {
  return `${sourceId}\u0000${nativeId}`;
}

/** The groups of records sharing a key of this kind, in value order: only groups of two or more. */
export function* keyGroupsOf(db: Db, kind: IdentityKeyKind, index: MemberIndex): Generator<KeyGroup> {
  const rows = db
    .prepare(
      `SELECT k.value, k.source_id, k.native_id FROM record_keys k
       WHERE k.kind = ? AND k.value IN (SELECT value FROM record_keys WHERE kind = ? GROUP BY value HAVING COUNT(*) > 1)
       ORDER BY k.value, k.source_id, k.native_id`,
    )
    .raw()
    .iterate(kind, kind) as IterableIterator<[string, string, string]>;
  let current: { value: string; members: number[] } | undefined;
  for (const [value, sourceId, nativeId] of rows) {
    const member = index.get(memberKey(sourceId, nativeId));
    if (member === undefined) continue;
    if (current?.value !== value) {
      if (current && current.members.length > 1) yield { kind, value: current.value, members: current.members };
      current = { value, members: [] };
    }
    current.members.push(member);
  }
  if (current && current.members.length > 1) yield { kind, value: current.value, members: current.members };
}

/** Corroboration signals of the records that have a fuzzy key shared with another record. */
export function loadSignals(db: Db, index: MemberIndex): Map<number, string[]> {
  const signals = new Map<number, string[]>();
  const rows = db
    .prepare(
      `SELECT g.source_id, g.native_id, g.signal FROM record_signals g
       WHERE EXISTS (SELECT 1 FROM record_keys k WHERE k.source_id = g.source_id AND k.native_id = g.native_id AND k.kind = 'fuzzy'
                     AND k.value IN (SELECT value FROM record_keys WHERE kind = 'fuzzy' GROUP BY value HAVING COUNT(*) > 1))`,
    )
    .raw()
    .iterate() as IterableIterator<[string, string, string]>;
  for (const [sourceId, nativeId, signal] of rows) {
    const member = index.get(memberKey(sourceId, nativeId));
    if (member === undefined) continue;
    const list = signals.get(member);
    if (list) list.push(signal);
    else signals.set(member, [signal]);
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
