/**
 * Identity resolution: from every stored source record to the served datasets. Runs after each
 * harvest run that changed something bearing on identity (and at start-up after a crash):
 *
 *   store (members, key groups, signals, overrides) → cluster.ts → assign.ts (stable ids)
 *     → merge.ts for each cluster whose members changed → datasets, changes, candidates
 *
 * It recomputes the clusters of the whole catalogue every time (union-find over integers; the
 * keys are read in index order), which keeps it simple and exact: a record that joins, leaves or
 * renumbers is seen wherever its keys lead. Only clusters whose member list, contents or states
 * changed are merged and written again, so an unchanged catalogue costs a read, not a rewrite.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../store/database.js';
import type { NationalRecord, ValidationIssue } from '../model/record.js';
import { validateNationalRecord, uniqueIssues } from '../model/validate.js';
import { recordChange } from '../store/changes.js';
import {
  backfillRecordKeys,
  clearIdentityDirty,
  keyGroupsOf,
  listOverrides,
  loadMembers,
  memberKey,
  needsKeyBackfill,
  recordModifiedAt,
  signalsOf,
  type StoredMember,
} from '../store/identity.js';
import { nowUtc } from '../store/time.js';
import { assignDatasetIds } from './assign.js';
import { clusterRecords, MAX_FUZZY_GROUP, type ClusterMember, type Collision, type KeyGroup } from './cluster.js';
import { STRONG_KEY_KINDS } from './keys.js';
import { compareMembers, mergeRecords } from './merge.js';

export interface ResolutionCollision {
  sourceId: string;
  kind: string;
  value: string;
  nativeIds: string[];
}

export interface ResolutionOutcome {
  records: number;
  datasets: number;
  created: number;
  updated: number;
  withdrawn: number;
  reinstated: number;
  absorbed: number;
  candidates: number;
  collisions: ResolutionCollision[];
  durationMs: number;
}

export interface ResolveOptions {
  /** The run that triggered this resolution: its changes are attributed to it. */
  runId?: number | null;
}

interface DatasetState {
  /** The source of its best member when last written. */
  sourceId: string;
  createdAt: string;
  signature: string | null;
  contentHash: string | null;
  withdrawnAt: string | null;
  mergedInto: string | null;
  modifiedAt: string;
}

export function resolveIdentity(db: Db, options: ResolveOptions = {}): ResolutionOutcome {
  const started = performance.now();
  if (needsKeyBackfill(db)) backfillRecordKeys(db);
  const runId = options.runId ?? null;
  const now = nowUtc();

  return db.transaction((): ResolutionOutcome => {
    const members = loadMembers(db);
    const index = new Map<string, number>();
    members.forEach((m, i) => index.set(memberKey(m.sourceId, m.nativeId), i));

    const clusterMembers: ClusterMember[] = members.map((m) => ({ sourceId: m.sourceId, listed: m.listed }));
    // Fuzzy groups are few and small: their members' corroboration signals are computed from
    // their records here rather than stored for every record.
    const fuzzyGroups = [...keyGroupsOf(db, 'fuzzy', index)].filter((group) => group.members.length <= MAX_FUZZY_GROUP && spansSources(group, members));
    const fuzzyMembers = new Set(fuzzyGroups.flatMap((group) => group.members));
    const signals = signalsOf(db, [...fuzzyMembers].map((i) => members[i]!));
    for (const i of fuzzyMembers) clusterMembers[i] = { ...clusterMembers[i]!, signals: signals.get(memberKey(members[i]!.sourceId, members[i]!.nativeId)) ?? [] };
    const { mustLink, cannotLink } = overridePairs(db, index);
    const result = clusterRecords({ members: clusterMembers, strongGroups: strongGroups(db, index), fuzzyGroups, mustLink, cannotLink });

    const clusters = groupByCluster(result.clusterOf, members);
    const datasets = loadDatasetStates(db);
    const existing = new Map<string, string>();
    for (const [id, state] of datasets) if (state.mergedInto === null) existing.set(id, state.createdAt);
    const assignment = assignDatasetIds({
      clusters: clusters.map((cluster) => cluster.map((i) => ({ previousDatasetId: members[i]!.datasetId, naturalId: members[i]!.identifier, sourceId: members[i]!.sourceId }))),
      existing,
    });

    const outcome: ResolutionOutcome = {
      records: members.length,
      datasets: clusters.length,
      created: 0,
      updated: 0,
      withdrawn: 0,
      reinstated: 0,
      absorbed: 0,
      candidates: result.candidates.length,
      collisions: result.collisions.map((c) => describeCollision(c, members)),
      durationMs: 0,
    };
    const writer = new DatasetWriter(db, runId, now, outcome);
    const held = new Set<string>();
    clusters.forEach((cluster, c) => {
      const datasetId = assignment.datasetIds[c]!;
      held.add(datasetId);
      writer.setMembership(cluster.map((i) => members[i]!), datasetId);
      writer.write(datasetId, cluster.map((i) => members[i]!), datasets.get(datasetId));
    });
    for (const [datasetId, cluster] of assignment.absorbed) {
      writer.absorb(datasetId, assignment.datasetIds[cluster]!, datasets.get(datasetId));
      held.add(datasetId);
    }
    // A live dataset nobody holds any more (its records are gone from the store) leaves the catalogue.
    for (const [datasetId, state] of datasets) if (!held.has(datasetId) && state.mergedInto === null) writer.orphan(datasetId, state);

    replaceCandidates(db, result.candidates.map((c) => [members[c.a]!, members[c.b]!, c.value]));
    clearIdentityDirty(db);
    outcome.durationMs = Math.round(performance.now() - started);
    return outcome;
  }).immediate();
}

/**
 * A fuzzy group can join records only across sources. Same-title records of one source (yearly
 * editions, per-district tables) are common and never joined by it: skipping those groups here
 * spares computing their signals.
 */
function spansSources(group: KeyGroup, members: readonly StoredMember[]): boolean {
  const first = members[group.members[0]!]!.sourceId;
  return group.members.some((i) => members[i]!.sourceId !== first);
}

function* strongGroups(db: Db, index: ReadonlyMap<string, number>): Generator<KeyGroup> {
  for (const kind of STRONG_KEY_KINDS) yield* keyGroupsOf(db, kind, index);
}

function overridePairs(db: Db, index: ReadonlyMap<string, number>): { mustLink: Array<[number, number]>; cannotLink: Array<[number, number]> } {
  const mustLink: Array<[number, number]> = [];
  const cannotLink: Array<[number, number]> = [];
  for (const override of listOverrides(db)) {
    const a = index.get(memberKey(override.a.sourceId, override.a.nativeId));
    const b = index.get(memberKey(override.b.sourceId, override.b.nativeId));
    if (a === undefined || b === undefined) continue;
    (override.kind === 'join' ? mustLink : cannotLink).push([a, b]);
  }
  return { mustLink, cannotLink };
}

/** Member indices per cluster, best-ranked first; clusters in the order of their first member. */
function groupByCluster(clusterOf: Int32Array, members: readonly StoredMember[]): number[][] {
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < clusterOf.length; i += 1) {
    const root = clusterOf[i]!;
    const list = byRoot.get(root);
    if (list) list.push(i);
    else byRoot.set(root, [i]);
  }
  const clusters = [...byRoot.values()];
  for (const cluster of clusters) if (cluster.length > 1) cluster.sort((a, b) => compareMembers(members[a]!, members[b]!));
  return clusters;
}

function loadDatasetStates(db: Db): Map<string, DatasetState> {
  const states = new Map<string, DatasetState>();
  const rows = db
    .prepare('SELECT identifier, source_id, created_at, signature, content_hash, withdrawn_at, merged_into, modified_at FROM dataset_entries')
    .raw()
    .iterate() as IterableIterator<[string, string, string, string | null, string | null, string | null, string | null, string]>;
  for (const [identifier, sourceId, createdAt, signature, contentHash, withdrawnAt, mergedInto, modifiedAt] of rows) {
    states.set(identifier, { sourceId, createdAt, signature, contentHash, withdrawnAt, mergedInto, modifiedAt });
  }
  return states;
}

function describeCollision(collision: Collision, members: readonly StoredMember[]): ResolutionCollision {
  return { sourceId: collision.sourceId, kind: collision.kind, value: collision.value, nativeIds: collision.members.map((i) => members[i]!.nativeId) };
}

function replaceCandidates(db: Db, candidates: ReadonlyArray<readonly [StoredMember, StoredMember, string]>): void {
  db.prepare('DELETE FROM identity_candidates').run();
  const insert = db.prepare('INSERT OR IGNORE INTO identity_candidates (a_source, a_native, b_source, b_native, key) VALUES (?, ?, ?, ?, ?)');
  for (const [a, b, key] of candidates) insert.run(a.sourceId, a.nativeId, b.sourceId, b.nativeId, key);
}

/** What a cluster is made of, as one string: equal signatures mean nothing to merge again. */
function signatureOf(datasetId: string, cluster: readonly StoredMember[]): string {
  const hash = createHash('sha1').update(datasetId);
  for (const m of cluster) hash.update(`\u0000${m.sourceId}\u0000${m.nativeId}\u0000${m.contentHash}\u0000${m.listed ? 1 : 0}${m.withdrawn ? 1 : 0}\u0000${m.priority}`);
  return hash.digest('base64url');
}

/** Writes dataset_entries and the change feed for one resolution. */
class DatasetWriter {
  private readonly statements;

  constructor(
    private readonly db: Db,
    private readonly runId: number | null,
    private readonly now: string,
    private readonly outcome: ResolutionOutcome,
  ) {
    this.statements = {
      setDataset: db.prepare('UPDATE source_records SET dataset_id = ? WHERE source_id = ? AND native_id = ?'),
      payload: db.prepare('SELECT record, issues FROM source_payloads WHERE source_id = ? AND native_id = ?').raw(),
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
      absorb: db.prepare('UPDATE dataset_entries SET merged_into = ?, withdrawn_at = COALESCE(withdrawn_at, ?), signature = NULL, updated_at = ? WHERE identifier = ?'),
      orphan: db.prepare('UPDATE dataset_entries SET withdrawn_at = ?, signature = NULL, updated_at = ? WHERE identifier = ?'),
    };
  }

  setMembership(cluster: readonly StoredMember[], datasetId: string): void {
    for (const m of cluster) {
      if (m.datasetId === datasetId) continue;
      this.statements.setDataset.run(datasetId, m.sourceId, m.nativeId);
    }
  }

  write(datasetId: string, cluster: readonly StoredMember[], before: DatasetState | undefined): void {
    const signature = signatureOf(datasetId, cluster);
    if (before && before.mergedInto === null && before.signature === signature) return;

    // Withdrawn members no longer speak for the dataset, unless they are all it has left.
    const active = cluster.filter((m) => !m.withdrawn);
    const withdrawn = active.length === 0;
    const speaking = withdrawn ? cluster : active;
    const best = speaking[0]!;
    const served = speaking.length === 1 && best.identifier === datasetId ? servedAsMapped(best) : this.merged(datasetId, speaking);

    const contentChanged = before === undefined || before.mergedInto !== null || before.contentHash !== served.contentHash;
    const wasWithdrawn = before !== undefined && before.withdrawnAt !== null;
    this.statements.upsert.run({
      identifier: datasetId,
      source_id: best.sourceId,
      native_id: best.nativeId,
      priority: best.priority,
      title: served.title,
      modified_at: served.modifiedAt ?? (contentChanged || !before ? this.now : before.modifiedAt),
      record: served.recordJson,
      issues: served.issuesJson,
      content_hash: served.contentHash,
      provenance: served.provenance,
      signature,
      now: this.now,
      withdrawn_at: withdrawn ? (before?.withdrawnAt ?? this.now) : null,
    });

    if (before === undefined) {
      this.change(datasetId, best.sourceId, withdrawn ? 'withdrawn' : 'created');
      if (!withdrawn) this.outcome.created += 1;
    } else if (withdrawn && !wasWithdrawn) {
      this.change(datasetId, best.sourceId, 'withdrawn');
      this.outcome.withdrawn += 1;
    } else if (!withdrawn && (wasWithdrawn || before.mergedInto !== null)) {
      this.change(datasetId, best.sourceId, 'reinstated');
      this.outcome.reinstated += 1;
    } else if (contentChanged && !withdrawn) {
      this.change(datasetId, best.sourceId, 'updated');
      this.outcome.updated += 1;
    }
  }

  /** Its records turned out to be another dataset's: it redirects there and leaves the lists. */
  absorb(datasetId: string, into: string, before: DatasetState | undefined): void {
    if (!before || before.mergedInto === into) return;
    this.statements.absorb.run(into, this.now, this.now, datasetId);
    if (before.withdrawnAt === null) this.change(datasetId, before.sourceId, 'withdrawn');
    this.outcome.absorbed += 1;
  }

  orphan(datasetId: string, before: DatasetState): void {
    if (before.withdrawnAt !== null) return;
    this.statements.orphan.run(this.now, this.now, datasetId);
    this.change(datasetId, before.sourceId, 'withdrawn');
    this.outcome.withdrawn += 1;
  }

  /** Several records (or one served under another identifier): merged field by field. */
  private merged(datasetId: string, speaking: readonly StoredMember[]): ServedRecord {
    const loaded = speaking.map((m) => {
      const [record, issues] = this.statements.payload.get(m.sourceId, m.nativeId) as [string, string];
      return { member: m, record: JSON.parse(record) as NationalRecord, issues: JSON.parse(issues) as ValidationIssue[] };
    });
    const merged = mergeRecords(
      datasetId,
      loaded.map((l) => l.record),
    );
    const recordJson = JSON.stringify(merged.record);
    return {
      recordJson,
      issuesJson: JSON.stringify(mergedIssues(merged.record, merged.provenance, loaded.map((l) => l.issues))),
      contentHash: createHash('sha1').update(recordJson).digest('base64url'),
      title: merged.record.title,
      modifiedAt: recordModifiedAt(merged.record),
      provenance:
        loaded.length > 1 ? JSON.stringify({ members: loaded.map((l) => ({ sourceId: l.member.sourceId, nativeId: l.member.nativeId })), fields: merged.provenance }) : null,
    };
  }

  private change(identifier: string, sourceId: string, kind: 'created' | 'updated' | 'withdrawn' | 'reinstated'): void {
    recordChange(this.db, { identifier, sourceId, kind, runId: this.runId, at: this.now });
  }
}

/** What a dataset serves: its record (null: its one member's, read from source_payloads) and summary. */
interface ServedRecord {
  recordJson: string | null;
  issuesJson: string | null;
  contentHash: string;
  title: string;
  modifiedAt: string | null;
  provenance: string | null;
}

/** The common case: one record, served as mapped, written without reading it. */
function servedAsMapped(member: StoredMember): ServedRecord {
  return { recordJson: null, issuesJson: null, contentHash: member.contentHash, title: member.title, modifiedAt: member.modifiedAt, provenance: null };
}

/**
 * The merged record's issues: the standard's rules checked again on the merged record, plus each
 * member's mapping notes (values it could not normalise) for the fields taken from it.
 */
function mergedIssues(record: NationalRecord, provenance: Readonly<Record<string, number>>, memberIssues: readonly ValidationIssue[][]): ValidationIssue[] {
  const notes: ValidationIssue[] = [];
  memberIssues.forEach((issues, member) => {
    for (const issue of issues) {
      if (issue.severity === 'error') continue;
      const field = issue.field.split(/[.[]/, 1)[0]!;
      if (provenance[field] === member) notes.push(issue);
    }
  });
  return uniqueIssues([...validateNationalRecord(record), ...notes]);
}
