/**
 * The served datasets as identity resolution (src/identity/resolve.ts) reads and writes them,
 * in batches of clusters: the stored state of each dataset, the payloads of members to merge,
 * membership, the datasets themselves, absorptions, orphans, the change feed and the candidate
 * pairs. Run inside the resolution's transaction (sqlite/identity.ts resolveExclusively).
 */
import type Database from 'better-sqlite3';
import type { Db } from './database.js';
import type { NationalRecord, ValidationIssue } from '../model/record.js';
import type { RecordRef } from './identity.js';
import { recordChange, type Change } from './changes.js';

/** A stored dataset as resolution compares it with what its cluster makes of it now. */
export interface DatasetState {
  /** The source of its best member when last written. */
  sourceId: string;
  createdAt: string;
  signature: string | null;
  contentHash: string | null;
  withdrawnAt: string | null;
  mergedInto: string | null;
  modifiedAt: string;
}

/** Every stored dataset, as columns (one entry per dataset). */
export interface DatasetIndex {
  identifiers: string[];
  createdAt: string[];
  /** Redirects to another dataset (merged_into). */
  absorbed: Uint8Array;
  /** Neither absorbed nor withdrawn. */
  live: Uint8Array;
}

/** A member's stored record and mapping notes, for merging. */
export interface MemberPayload {
  record: NationalRecord;
  issues: ValidationIssue[];
}

/** A record that now belongs to another dataset. */
export interface MembershipMove {
  sourceId: string;
  nativeId: string;
  datasetId: string;
}

/** A dataset as written by resolution (record and issues null: its one member's, served as mapped). */
export interface DatasetUpsert {
  identifier: string;
  sourceId: string;
  nativeId: string;
  priority: number;
  title: string;
  modifiedAt: string;
  recordJson: string | null;
  issuesJson: string | null;
  contentHash: string;
  provenance: string | null;
  signature: string;
  withdrawnAt: string | null;
}

/** Two records of different sources that look alike but were not joined, and the key they share. */
export interface ResolutionCandidate {
  a: RecordRef;
  b: RecordRef;
  key: string;
}

type Statement = Database.Statement<unknown[]>;

interface Statements {
  state: Statement;
  payload: Statement;
  setDataset: Statement;
  upsert: Statement;
  absorb: Statement;
  orphan: Statement;
}

const statementsByDb = new WeakMap<Db, Statements>();

function statementsFor(db: Db): Statements {
  let statements = statementsByDb.get(db);
  if (!statements) {
    statements = {
      state: db
        .prepare('SELECT source_id, created_at, signature, content_hash, withdrawn_at, merged_into, modified_at FROM dataset_entries WHERE identifier = ?')
        .raw(),
      payload: db.prepare('SELECT record, issues FROM source_payloads WHERE source_id = ? AND native_id = ?').raw(),
      setDataset: db.prepare('UPDATE source_records SET dataset_id = ? WHERE source_id = ? AND native_id = ?'),
      upsert: db.prepare(
        `INSERT INTO dataset_entries (identifier, source_id, native_id, priority, title, modified_at, record, issues, content_hash, provenance, signature,
           created_at, updated_at, withdrawn_at, merged_into)
         VALUES (@identifier, @source_id, @native_id, @priority, @title, @modified_at, @record, @issues, @content_hash, @provenance, @signature,
           @now, @now, @withdrawn_at, NULL)
         ON CONFLICT(identifier) DO UPDATE SET source_id = excluded.source_id, native_id = excluded.native_id, priority = excluded.priority,
           title = excluded.title, modified_at = excluded.modified_at, record = excluded.record, issues = excluded.issues,
           content_hash = excluded.content_hash, provenance = excluded.provenance, signature = excluded.signature,
           updated_at = CASE WHEN dataset_entries.content_hash IS excluded.content_hash THEN dataset_entries.updated_at ELSE excluded.updated_at END,
           withdrawn_at = excluded.withdrawn_at, merged_into = NULL`,
      ),
      absorb: db.prepare(
        'UPDATE dataset_entries SET merged_into = ?, withdrawn_at = COALESCE(withdrawn_at, ?), signature = NULL, updated_at = ? WHERE identifier = ?',
      ),
      orphan: db.prepare('UPDATE dataset_entries SET withdrawn_at = ?, signature = NULL, updated_at = ? WHERE identifier = ?'),
    };
    statementsByDb.set(db, statements);
  }
  return statements;
}

export function datasetIndex(db: Db): DatasetIndex {
  const read = db.prepare('SELECT identifier, created_at, merged_into IS NOT NULL, merged_into IS NULL AND withdrawn_at IS NULL FROM dataset_entries').raw();
  const count = db.prepare('SELECT COUNT(*) FROM dataset_entries').pluck().get() as number;
  const index: DatasetIndex = { identifiers: [], createdAt: [], absorbed: new Uint8Array(count), live: new Uint8Array(count) };
  // Row by row (not .all()): the whole table's rows never sit in memory beside the index.
  let i = 0;
  for (const [identifier, createdAt, absorbed, live] of read.iterate() as IterableIterator<[string, string, number, number]>) {
    index.identifiers.push(identifier);
    index.createdAt.push(createdAt);
    index.absorbed[i] = absorbed;
    index.live[i] = live;
    i += 1;
  }
  return index;
}

export function datasetStates(db: Db, identifiers: readonly string[]): Map<string, DatasetState> {
  const read = statementsFor(db).state;
  const states = new Map<string, DatasetState>();
  for (const identifier of identifiers) {
    const row = read.get(identifier) as [string, string, string | null, string | null, string | null, string | null, string] | undefined;
    if (row)
      states.set(identifier, {
        sourceId: row[0],
        createdAt: row[1],
        signature: row[2],
        contentHash: row[3],
        withdrawnAt: row[4],
        mergedInto: row[5],
        modifiedAt: row[6],
      });
  }
  return states;
}

export function payloadsOf(db: Db, members: readonly RecordRef[]): Array<MemberPayload | undefined> {
  const read = statementsFor(db).payload;
  return members.map((m) => {
    const row = read.get(m.sourceId, m.nativeId) as [string, string] | undefined;
    return row === undefined ? undefined : { record: JSON.parse(row[0]) as NationalRecord, issues: JSON.parse(row[1]) as ValidationIssue[] };
  });
}

export function writeMembership(db: Db, moves: readonly MembershipMove[]): void {
  const setDataset = statementsFor(db).setDataset;
  for (const move of moves) setDataset.run(move.datasetId, move.sourceId, move.nativeId);
}

export function upsertDatasets(db: Db, datasets: readonly DatasetUpsert[], now: string): void {
  const upsert = statementsFor(db).upsert;
  for (const d of datasets) {
    upsert.run({
      identifier: d.identifier,
      source_id: d.sourceId,
      native_id: d.nativeId,
      priority: d.priority,
      title: d.title,
      modified_at: d.modifiedAt,
      record: d.recordJson,
      issues: d.issuesJson,
      content_hash: d.contentHash,
      provenance: d.provenance,
      signature: d.signature,
      now,
      withdrawn_at: d.withdrawnAt,
    });
  }
}

export function absorbDatasets(db: Db, absorptions: ReadonlyArray<{ identifier: string; into: string }>, now: string): void {
  const absorb = statementsFor(db).absorb;
  for (const { identifier, into } of absorptions) absorb.run(into, now, now, identifier);
}

export function orphanDatasets(db: Db, identifiers: readonly string[], now: string): void {
  const orphan = statementsFor(db).orphan;
  for (const identifier of identifiers) orphan.run(now, now, identifier);
}

export function recordChanges(db: Db, changes: ReadonlyArray<Omit<Change, 'id'>>): void {
  for (const change of changes) recordChange(db, change);
}

export function replaceCandidates(db: Db, candidates: readonly ResolutionCandidate[]): void {
  db.prepare('DELETE FROM identity_candidates').run();
  const insert = db.prepare('INSERT OR IGNORE INTO identity_candidates (a_source, a_native, b_source, b_native, key) VALUES (?, ?, ?, ?, ?)');
  for (const { a, b, key } of candidates) insert.run(a.sourceId, a.nativeId, b.sourceId, b.nativeId, key);
}
