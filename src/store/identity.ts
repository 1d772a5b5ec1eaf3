/**
 * The store side of cross-source identity (src/identity): each record's keys, written with the
 * record; what resolution reads (members, key groups, signals, overrides, datasets); a flag that
 * says whether anything that bears on identity changed since the last resolution.
 */
import type Database from 'better-sqlite3';
import type { Db } from './database.js';
import type { NationalRecord } from '../model/record.js';
import { corroborationSignals, identityKeys, VETO_KEY_RANGES, vetoKeyOf, type IdentityKeyKind } from '../model/identity-keys.js';
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
    const rows = db.prepare('SELECT source_id, native_id, record FROM source_payloads').all() as Array<{
      source_id: string;
      native_id: string;
      record: string;
    }>;
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

/**
 * What clustering needs of every source record, indexed by its rowid: typed arrays and two
 * string columns, not an object per record, so that resolving 100,000 records stays within the
 * harvest's memory (docs/benchmarks.md). Rowids are stable for the length of a resolution.
 */
export interface MemberTable {
  /** Largest rowid + 1: the members are 0 … count − 1, some of them gaps. */
  count: number;
  /** Records present. */
  records: number;
  exists: Uint8Array;
  /** Index into `sources`. */
  source: Uint16Array;
  /** Listed by its source now: neither missing nor withdrawn. */
  listed: Uint8Array;
  withdrawn: Uint8Array;
  /** The dataset the record belonged to after the last resolution. */
  datasetId: Array<string | null>;
  /** The record's own identifier (what a new dataset is named after). */
  identifier: string[];
  sources: string[];
  priorities: number[];
}

export function loadMemberTable(db: Db): MemberTable {
  const sourceRows = db.prepare('SELECT id, priority FROM sources ORDER BY id').raw().all() as Array<[string, number]>;
  const sourceIndex = new Map(sourceRows.map(([id], n) => [id, n]));
  const count = ((db.prepare('SELECT MAX(rowid) FROM source_records').pluck().get() as number | null) ?? -1) + 1;
  const table: MemberTable = {
    count,
    records: 0,
    exists: new Uint8Array(count),
    source: new Uint16Array(count),
    listed: new Uint8Array(count),
    withdrawn: new Uint8Array(count),
    datasetId: new Array<string | null>(count).fill(null),
    identifier: new Array<string>(count).fill(''),
    sources: sourceRows.map(([id]) => id),
    priorities: sourceRows.map(([, priority]) => priority),
  };
  const rows = db
    .prepare('SELECT rowid, source_id, missing_since IS NULL AND withdrawn_at IS NULL, withdrawn_at IS NOT NULL, dataset_id, identifier FROM source_records')
    .raw()
    .iterate() as IterableIterator<[number, string, number, number, string | null, string]>;
  for (const [rowid, sourceId, listed, withdrawn, datasetId, identifier] of rows) {
    table.exists[rowid] = 1;
    table.source[rowid] = sourceIndex.get(sourceId) ?? 0;
    table.listed[rowid] = listed;
    table.withdrawn[rowid] = withdrawn;
    table.datasetId[rowid] = datasetId;
    table.identifier[rowid] = identifier;
    table.records += 1;
  }
  return table;
}

/** What writing a dataset needs of one member's stored record, read when its cluster is written. */
export interface StoredMember {
  rowid: number;
  sourceId: string;
  nativeId: string;
  identifier: string;
  contentHash: string;
  firstSeenAt: string;
  /** The record's title (its identifier when it has none). */
  title: string;
  /** The record's own modified, UTC; null when it has none. */
  modifiedAt: string | null;
}

const memberStatements = new WeakMap<Db, Database.Statement<[number], [string, string, string, string, string, string | null, string | null]>>();

/** The stored facts of these records by rowid, in the order asked (undefined: no such record). */
export function storedMembers(db: Db, rowids: readonly number[]): Array<StoredMember | undefined> {
  let read = memberStatements.get(db);
  if (!read) {
    read = db
      .prepare<[number], [string, string, string, string, string, string | null, string | null]>(
        'SELECT source_id, native_id, identifier, content_hash, first_seen_at, title, modified_at FROM source_records WHERE rowid = ?',
      )
      .raw();
    memberStatements.set(db, read);
  }
  return rowids.map((rowid) => {
    const row = read.get(rowid);
    if (row === undefined) return undefined;
    const [sourceId, nativeId, identifier, contentHash, firstSeenAt, title, modifiedAt] = row;
    return { rowid, sourceId, nativeId, identifier, contentHash, firstSeenAt, title: title ?? identifier, modifiedAt };
  });
}

/** The rowid of a stored record, or undefined. */
export function rowidReader(db: Db): (sourceId: string, nativeId: string) => number | undefined {
  const read = db.prepare('SELECT rowid FROM source_records WHERE source_id = ? AND native_id = ?').pluck();
  return (sourceId, nativeId) => read.get(sourceId, nativeId) as number | undefined;
}

/** A group filter applied while the key table is read, before any group is buffered. */
export interface KeyGroupFilter {
  /** Leave out groups held by more records than this. */
  maxHolders?: number;
  /** Leave out groups whose records all come from one source. */
  acrossSources?: boolean;
}

/** An operator override between two stored records, by member number (rowid). */
export interface OverridePair {
  kind: OverrideKind;
  a: number;
  b: number;
}

/**
 * Every member holding one key value, as loaded from the store (one group per kind + value):
 * what keyGroupsOf yields and src/identity/cluster.ts joins on.
 */
export interface KeyGroup {
  kind: IdentityKeyKind;
  value: string;
  members: readonly number[];
}

/**
 * The groups of records sharing a key of this kind, in value order, as rowids: only groups of
 * two or more. The rows come in primary-key order, so a group is a run of equal values: no
 * sorting, no temporary table; and most values belong to one record, so rowids are looked up
 * only once a second row shares a value. Rows are buffered per group, not per kind, because
 * better-sqlite3 runs no other statement on the connection while an iterator is open.
 */
export function* keyGroupsOf(
  db: Db,
  kind: IdentityKeyKind,
  rowidOf: (sourceId: string, nativeId: string) => number | undefined,
  /** Keep only groups whose holders pass this (checked before any lookup or buffering). */
  filter: KeyGroupFilter = {},
): Generator<KeyGroup> {
  const wanted = groupWanted(filter);
  const shared: Array<{ value: string; holders: Array<[string, string]> }> = [];
  let value: string | undefined;
  let run: Array<[string, string]> = [];
  const rows = db
    .prepare('SELECT value, source_id, native_id FROM record_keys WHERE kind = ? ORDER BY value, source_id, native_id')
    .raw()
    .iterate(kind) as IterableIterator<[string, string, string]>;
  for (const [rowValue, sourceId, nativeId] of rows) {
    if (rowValue !== value) {
      if (run.length > 1 && wanted(run)) shared.push({ value: value!, holders: run });
      value = rowValue;
      run = [];
    }
    run.push([sourceId, nativeId]);
  }
  if (run.length > 1 && wanted(run)) shared.push({ value: value!, holders: run });
  for (const group of shared) {
    const members: number[] = [];
    for (const [sourceId, nativeId] of group.holders) {
      const rowid = rowidOf(sourceId, nativeId);
      if (rowid !== undefined) members.push(rowid);
    }
    if (members.length > 1) yield { kind, value: group.value, members };
  }
}

/**
 * A filter on a group's holders, checked before anything is buffered. A group held by one
 * source's records alone is left out when only cross-source joins count (fuzzy keys: a big
 * same-source group is a generic title of a prolific publisher).
 */
function groupWanted(filter: KeyGroupFilter): (holders: ReadonlyArray<readonly [string, string]>) => boolean {
  const { maxHolders, acrossSources } = filter;
  if (maxHolders === undefined && !acrossSources) return () => true;
  return (holders) => {
    if (maxHolders !== undefined && holders.length > maxHolders) return false;
    if (!acrossSources) return true;
    const first = holders[0]![0];
    return holders.some(([sourceId]) => sourceId !== first);
  };
}

/**
 * The veto keys (identity-keys.ts vetoKeyOf) of these records, by rowid: a walk over the key table's
 * veto ranges in primary-key order (no index by record), keeping the rows of the records asked
 * about. Only records in URL and fuzzy groups are asked about: the only joins a veto can refuse.
 */
export function vetoKeysOf(db: Db, rowids: ReadonlySet<number>): Map<number, string[]> {
  const keys = new Map<number, string[]>();
  if (rowids.size === 0) return keys;
  const nameOf = db.prepare('SELECT source_id, native_id FROM source_records WHERE rowid = ?').raw();
  const records = new Map<string, number>();
  for (const rowid of rowids) {
    const row = nameOf.get(rowid) as [string, string] | undefined;
    if (row) records.set(`${row[0]}\u0000${row[1]}`, rowid);
  }
  for (const range of VETO_KEY_RANGES) {
    // Every value with the prefix sorts between the prefix and the prefix followed by U+FFFF.
    const rows = db
      .prepare('SELECT value, source_id, native_id FROM record_keys WHERE kind = ? AND value >= ? AND value < ?')
      .raw()
      .all(range.kind, range.prefix, `${range.prefix}\uffff`) as Array<[string, string, string]>;
    for (const [value, sourceId, nativeId] of rows) {
      const rowid = records.get(`${sourceId}\u0000${nativeId}`);
      const key = rowid === undefined ? undefined : vetoKeyOf(range.kind, value);
      if (key === undefined) continue;
      const list = keys.get(rowid!);
      if (list) list.push(key);
      else keys.set(rowid!, [key]);
    }
  }
  return keys;
}

/** Corroboration signals of these records, computed from their stored records (few: only cross-source fuzzy-group members). */
export function signalsOf(db: Db, rowids: Iterable<number>): Map<number, string[]> {
  const read = db
    .prepare('SELECT p.record FROM source_records r JOIN source_payloads p ON p.source_id = r.source_id AND p.native_id = r.native_id WHERE r.rowid = ?')
    .pluck();
  const signals = new Map<number, string[]>();
  for (const rowid of rowids) {
    const json = read.get(rowid) as string | undefined;
    if (json !== undefined) signals.set(rowid, corroborationSignals(JSON.parse(json) as NationalRecord));
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
  const rows = db.prepare('SELECT id, kind, a_source, a_native, b_source, b_native, note, created_at FROM identity_overrides ORDER BY id').raw().all() as Array<
    [number, OverrideKind, string, string, string, string, string | null, string]
  >;
  return rows.map(([id, kind, aSource, aNative, bSource, bNative, note, createdAt]) => ({
    id,
    kind,
    a: { sourceId: aSource, nativeId: aNative },
    b: { sourceId: bSource, nativeId: bNative },
    note,
    createdAt,
  }));
}

/** The overrides between records that are both stored, by rowid (what clustering takes). */
export function overridePairsOf(db: Db): OverridePair[] {
  const rowidOf = rowidReader(db);
  const pairs: OverridePair[] = [];
  for (const override of listOverrides(db)) {
    const a = rowidOf(override.a.sourceId, override.a.nativeId);
    const b = rowidOf(override.b.sourceId, override.b.nativeId);
    if (a !== undefined && b !== undefined) pairs.push({ kind: override.kind, a, b });
  }
  return pairs;
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
  return (
    db.prepare('SELECT source_id, native_id FROM source_records WHERE dataset_id = ? ORDER BY source_id, native_id').raw().all(datasetId) as Array<
      [string, string]
    >
  ).map(([sourceId, nativeId]) => ({ sourceId, nativeId }));
}
