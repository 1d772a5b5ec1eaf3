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
  loadMemberTable,
  memberDetailsReader,
  needsKeyBackfill,
  recordModifiedAt,
  rowidReader,
  signalsOf,
  vetoKeysOf,
  type MemberDetails,
  type MemberTable,
} from '../store/identity.js';
import { nowUtc } from '../store/time.js';
import { datasetCaseVariants } from '../store/catalogue.js';
import { assignDatasetIds, type AssignMember } from './assign.js';
import { clusterRecords, MAX_FUZZY_GROUP, type ClusterMembers, type Collision } from './cluster.js';
import { STRONG_KEY_KINDS, URL_KEY_KINDS } from '../model/identity-keys.js';
import { compareMembers, mergeRecords, type MergedRecord } from './merge.js';

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
    const table = loadMemberTable(db);
    const rowidOf = rowidReader(db);

    // Fuzzy groups are few once same-source ones are dropped: their members' corroboration
    // signals are computed from their records here rather than stored for every record.
    const fuzzyGroups = [...keyGroupsOf(db, 'fuzzy', rowidOf, usefulFuzzyGroup)];
    const lookalikeGroups = [...keyGroupsOf(db, 'lookalike', rowidOf, usefulFuzzyGroup)];
    const signals = signalsOf(db, new Set(fuzzyGroups.flatMap((group) => group.members)));
    const strongGroups = STRONG_KEY_KINDS.flatMap((kind) => [...keyGroupsOf(db, kind, rowidOf)]);
    // Only joins by URL or fuzzy key can be vetoed: only their members' identifiers are read.
    const vetoable = new Set([...strongGroups.filter((group) => URL_KEY_KINDS.has(group.kind)), ...fuzzyGroups].flatMap((group) => group.members));
    const vetoKeys = vetoKeysOf(db, vetoable);
    const members: ClusterMembers = {
      count: table.count,
      sourceOf: (i) => table.source[i]!,
      sourceName: (source) => table.sources[source] ?? String(source),
      isListed: (i) => table.listed[i] === 1,
      signalsOf: (i) => signals.get(i),
      vetoKeysOf: (i) => vetoKeys.get(i),
    };
    const { mustLink, cannotLink } = overridePairs(db, rowidOf);
    const result = clusterRecords({ members, strongGroups, fuzzyGroups, lookalikeGroups, mustLink, cannotLink });
    const clusters = new Clusters(result.clusterOf, table, memberDetailsReader(db, table));

    const datasets = new DatasetStates(db);
    const assignment = assignDatasetIds({
      clusterCount: clusters.count,
      membersOf: (c) => clusters.assignMembers(c),
      isTaken: (id) => datasets.held(id),
      createdAt: (id) => datasets.get(id)?.createdAt,
    });

    const readDetails = memberDetailsReader(db, table);
    const outcome: ResolutionOutcome = {
      records: table.records,
      datasets: clusters.count,
      created: 0,
      updated: 0,
      withdrawn: 0,
      reinstated: 0,
      absorbed: 0,
      candidates: result.candidates.length,
      collisions: result.collisions.map((c) => describeCollision(c, readDetails)),
      durationMs: 0,
    };
    const writer = new DatasetWriter(db, runId, now, outcome);
    const held = new Set<string>();
    for (let c = 0; c < clusters.count; c += 1) {
      const datasetId = assignment.datasetIds[c]!;
      held.add(datasetId);
      const cluster = clusters.details(c);
      writer.setMembership(cluster, datasetId);
      writer.write(datasetId, cluster, datasets.get(datasetId));
    }
    for (const [datasetId, cluster] of assignment.absorbed) {
      writer.absorb(datasetId, assignment.datasetIds[cluster]!, datasets.get(datasetId));
      held.add(datasetId);
    }
    // A live dataset nobody holds any more (its records are gone from the store) leaves the catalogue.
    for (const [datasetId, state] of datasets.unheld(held)) writer.orphan(datasetId, state);

    replaceCandidates(db, result.candidates.map((c) => [readDetails(c.a), readDetails(c.b), c.value]));
    clearIdentityDirty(db);
    outcome.durationMs = Math.round(performance.now() - started);
    return outcome;
  }).immediate();
}

/**
 * A fuzzy group can join records only across sources, and a big one is a generic title of a
 * prolific publisher. Same-title records of one source (yearly editions, per-district tables)
 * are common: dropping those groups while reading spares buffering them and computing signals.
 */
function usefulFuzzyGroup(holders: ReadonlyArray<readonly [string, string]>): boolean {
  if (holders.length > MAX_FUZZY_GROUP) return false;
  const first = holders[0]![0];
  return holders.some(([sourceId]) => sourceId !== first);
}

function overridePairs(db: Db, rowidOf: (sourceId: string, nativeId: string) => number | undefined): { mustLink: Array<[number, number]>; cannotLink: Array<[number, number]> } {
  const mustLink: Array<[number, number]> = [];
  const cannotLink: Array<[number, number]> = [];
  for (const override of listOverrides(db)) {
    const a = rowidOf(override.a.sourceId, override.a.nativeId);
    const b = rowidOf(override.b.sourceId, override.b.nativeId);
    if (a === undefined || b === undefined) continue;
    (override.kind === 'join' ? mustLink : cannotLink).push([a, b]);
  }
  return { mustLink, cannotLink };
}

/**
 * The clusters, numbered 0 … count − 1 in the order of their first record. A cluster of one
 * record (most of a catalogue) is that record's rowid alone; only clusters of several keep a
 * member list, and only they keep their members' details between assignment and writing.
 */
class Clusters {
  readonly count: number;
  /** Per cluster: its one rowid, or −(index + 1) into `groups` for a cluster of several. */
  private readonly entries: Int32Array;
  private readonly groups: number[][] = [];
  private readonly ranked = new Map<number, MemberDetails[]>();

  constructor(
    clusterOf: Int32Array,
    private readonly table: MemberTable,
    private readonly readDetails: (rowid: number) => MemberDetails,
  ) {
    const size = new Int32Array(table.count);
    for (let i = 0; i < table.count; i += 1) if (table.exists[i]) size[clusterOf[i]!]! += 1;
    const groupOfRoot = new Map<number, number>();
    const entries: number[] = [];
    for (let i = 0; i < table.count; i += 1) {
      if (!table.exists[i]) continue;
      const root = clusterOf[i]!;
      if (size[root] === 1) {
        entries.push(i);
        continue;
      }
      let group = groupOfRoot.get(root);
      if (group === undefined) {
        group = this.groups.length;
        groupOfRoot.set(root, group);
        this.groups.push([]);
        entries.push(-(group + 1));
      }
      this.groups[group]!.push(i);
    }
    this.entries = Int32Array.from(entries);
    this.count = entries.length;
  }

  /** The members of cluster c as assignment needs them, best-ranked first. */
  assignMembers(c: number): AssignMember[] {
    const entry = this.entries[c]!;
    if (entry >= 0) return [{ previousDatasetId: this.table.datasetId[entry] ?? null, naturalId: this.table.identifier[entry]!, sourceId: this.table.sources[this.table.source[entry]!]! }];
    return this.details(c).map((m) => ({ previousDatasetId: m.datasetId, naturalId: m.identifier, sourceId: m.sourceId }));
  }

  /** The members of cluster c with their details, best-ranked first. */
  details(c: number): MemberDetails[] {
    const entry = this.entries[c]!;
    if (entry >= 0) return [this.readDetails(entry)];
    let ranked = this.ranked.get(c);
    if (!ranked) {
      ranked = this.groups[-entry - 1]!.map(this.readDetails).sort(compareMembers);
      this.ranked.set(c, ranked);
    }
    return ranked;
  }
}

/**
 * The stored datasets, read one at a time as clusters are written: never all at once, and not
 * cached (each is read before it is written and not needed after).
 */
class DatasetStates {
  private readonly read;

  constructor(private readonly db: Db) {
    this.read = db.prepare('SELECT source_id, created_at, signature, content_hash, withdrawn_at, merged_into, modified_at FROM dataset_entries WHERE identifier = ?').raw();
  }

  get(identifier: string): DatasetState | undefined {
    const row = this.read.get(identifier) as [string, string, string | null, string | null, string | null, string | null, string] | undefined;
    if (!row) return undefined;
    return { sourceId: row[0], createdAt: row[1], signature: row[2], contentHash: row[3], withdrawnAt: row[4], mergedInto: row[5], modifiedAt: row[6] };
  }

  /**
   * Held, in this case or another (src/model/identifier.ts), by a dataset that has not been
   * absorbed: a new cluster may not take it.
   */
  held(identifier: string): boolean {
    return datasetCaseVariants(this.db, identifier).some((variant) => !variant.absorbed);
  }

  /** Live datasets whose identifier no cluster holds now. */
  *unheld(held: ReadonlySet<string>): Generator<[string, DatasetState]> {
    const orphans = (this.db.prepare('SELECT identifier FROM dataset_entries WHERE merged_into IS NULL AND withdrawn_at IS NULL').pluck().all() as string[]).filter((id) => !held.has(id));
    for (const id of orphans) {
      const state = this.get(id);
      if (state) yield [id, state];
    }
  }
}

function describeCollision(collision: Collision, readDetails: (rowid: number) => MemberDetails): ResolutionCollision {
  return { sourceId: collision.sourceId, kind: collision.kind, value: collision.value, nativeIds: collision.members.map((i) => readDetails(i).nativeId) };
}

function replaceCandidates(db: Db, candidates: ReadonlyArray<readonly [MemberDetails, MemberDetails, string]>): void {
  db.prepare('DELETE FROM identity_candidates').run();
  const insert = db.prepare('INSERT OR IGNORE INTO identity_candidates (a_source, a_native, b_source, b_native, key) VALUES (?, ?, ?, ?, ?)');
  for (const [a, b, key] of candidates) insert.run(a.sourceId, a.nativeId, b.sourceId, b.nativeId, key);
}

/** What a cluster is made of, as one string: equal signatures mean nothing to merge again. */
function signatureOf(datasetId: string, cluster: readonly MemberDetails[]): string {
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

  setMembership(cluster: readonly MemberDetails[], datasetId: string): void {
    for (const m of cluster) {
      if (m.datasetId === datasetId) continue;
      this.statements.setDataset.run(datasetId, m.sourceId, m.nativeId);
    }
  }

  write(datasetId: string, cluster: readonly MemberDetails[], before: DatasetState | undefined): void {
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
  private merged(datasetId: string, speaking: readonly MemberDetails[]): ServedRecord {
    // A member without a readable payload row (an id stored with a lone surrogate by an older
    // version: SQLite wrote it as U+FFFD, so the row is under another id) cannot speak: the others
    // do, instead of one such record failing every resolution of the store.
    const loaded = speaking.flatMap((m) => {
      const row = this.statements.payload.get(m.sourceId, m.nativeId) as [string, string] | undefined;
      return row === undefined ? [] : [{ member: m, record: JSON.parse(row[0]) as NationalRecord, issues: JSON.parse(row[1]) as ValidationIssue[] }];
    });
    if (loaded.length === 0) return servedAsMapped(speaking[0]!);
    const merged = mergeRecords(
      datasetId,
      loaded.map((l) => l.record),
    );
    const recordJson = JSON.stringify(merged.record);
    return {
      recordJson,
      issuesJson: JSON.stringify(mergedIssues(merged, loaded.map((l) => l.issues))),
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
function servedAsMapped(member: MemberDetails): ServedRecord {
  return { recordJson: null, issuesJson: null, contentHash: member.contentHash, title: member.title, modifiedAt: member.modifiedAt, provenance: null };
}

/** `distribution[3]` at the start of an issue's field: the item it is about. */
const DISTRIBUTION_ITEM = /^distribution\[(\d+)\]/;

/**
 * The merged record's issues: the standard's rules checked again on the merged record, plus each
 * member's mapping notes (values it could not normalise) for the fields taken from it. A note on
 * one of a member's distributions follows that distribution to its place in the merged list.
 */
function mergedIssues({ record, provenance, distributionOrigins }: MergedRecord, memberIssues: readonly ValidationIssue[][]): ValidationIssue[] {
  const notes: ValidationIssue[] = [];
  const mergedPosition = new Map(distributionOrigins.map((origin, position) => [`${origin.member}:${origin.index}`, position]));
  memberIssues.forEach((issues, member) => {
    for (const issue of issues) {
      if (issue.severity === 'error') continue;
      const item = DISTRIBUTION_ITEM.exec(issue.field);
      if (item !== null) {
        const position = mergedPosition.get(`${member}:${item[1]}`);
        if (position !== undefined) notes.push({ ...issue, field: `distribution[${position}]${issue.field.slice(item[0].length)}` });
        continue;
      }
      const field = issue.field.split(/[.[]/, 1)[0]!;
      if (provenance[field] === member) notes.push(issue);
    }
  });
  return uniqueIssues([...validateNationalRecord(record), ...notes]);
}
