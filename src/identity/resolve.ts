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
 *
 * All of it is one resolution session of the store (contract/identity.ts): one transaction that
 * no other writer interleaves with. The algorithms (cluster, assign, merge) are synchronous, so
 * what they need is read before they run; the clusters are then written a batch at a time.
 */
import { createHash } from 'node:crypto';
import type { ValidationIssue } from '../model/record.js';
import { validateNationalRecord, uniqueIssues } from '../model/validate.js';
import type { Store } from '../store/contract/store.js';
import type { KeyGroupFilter, ResolutionSession } from '../store/contract/identity.js';
import type { Change } from '../store/changes.js';
import type { DatasetState, DatasetUpsert, MemberPayload, MembershipMove } from '../store/dataset-writes.js';
import { recordModifiedAt, type MemberTable, type StoredMember } from '../store/identity.js';
import { nowUtc } from '../store/time.js';
import { foldIdentifierCase } from '../model/identifier.js';
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
  /**
   * Test hook: runs first inside the resolution's transaction, holding the write lock, as the
   * resolution of a big catalogue does (tests read meanwhile). Not for use.
   */
  whileLocked?: () => void | Promise<void>;
}

/**
 * Clusters written per batch: each batch reads its members, dataset states and payloads and
 * hands over its writes in a few calls of the session, so 100,000 records cost about a thousand
 * round trips, not one per record. Small enough that a batch's objects die young: at 500 they
 * outlived the young generation, and the heap (peak RSS) grew by a quarter at 100,000 records.
 */
const WRITE_BATCH = 100;

/**
 * A fuzzy group can join records only across sources, and a big one is a generic title of a
 * prolific publisher. Same-title records of one source (yearly editions, per-district tables)
 * are common: the store drops those groups while reading, which spares buffering them and
 * computing signals.
 */
const USEFUL_FUZZY_GROUP: KeyGroupFilter = { maxHolders: MAX_FUZZY_GROUP, acrossSources: true };

/** What writing a dataset needs of one member: its stored record's facts and its place in the member table. */
interface MemberDetails extends StoredMember {
  listed: boolean;
  withdrawn: boolean;
  priority: number;
  /** The dataset the record belonged to after the last resolution. */
  datasetId: string | null;
}

export async function resolveIdentity(store: Store, options: ResolveOptions = {}): Promise<ResolutionOutcome> {
  const started = performance.now();
  const runId = options.runId ?? null;
  return store.identity.resolveExclusively(async (session) => {
    await options.whileLocked?.();
    const now = nowUtc();
    const table = await session.memberTable();

    // Fuzzy groups are few once same-source ones are dropped: their members' corroboration
    // signals are computed from their records here rather than stored for every record.
    const fuzzyGroups = await session.keyGroups('fuzzy', USEFUL_FUZZY_GROUP);
    const lookalikeGroups = await session.keyGroups('lookalike', USEFUL_FUZZY_GROUP);
    const signals = await session.signals(new Set(fuzzyGroups.flatMap((group) => group.members)));
    const strongGroups = [];
    for (const kind of STRONG_KEY_KINDS) strongGroups.push(...(await session.keyGroups(kind)));
    // Only joins by URL or fuzzy key can be vetoed: only their members' identifiers are read.
    const vetoable = new Set([...strongGroups.filter((group) => URL_KEY_KINDS.has(group.kind)), ...fuzzyGroups].flatMap((group) => group.members));
    const vetoKeys = await session.vetoKeys(vetoable);
    const members: ClusterMembers = {
      count: table.count,
      sourceOf: (i) => table.source[i]!,
      sourceName: (source) => table.sources[source] ?? String(source),
      isListed: (i) => table.listed[i] === 1,
      signalsOf: (i) => signals.get(i),
      vetoKeysOf: (i) => vetoKeys.get(i),
    };
    const mustLink: Array<[number, number]> = [];
    const cannotLink: Array<[number, number]> = [];
    for (const pair of await session.overridePairs()) (pair.kind === 'join' ? mustLink : cannotLink).push([pair.a, pair.b]);
    const result = clusterRecords({ members, strongGroups, fuzzyGroups, lookalikeGroups, mustLink, cannotLink });
    const clusters = new Clusters(result.clusterOf, table);
    await clusters.loadGroups(session);

    const index = await session.datasetIndex();
    // Built at the first question only: an unchanged catalogue names no new dataset and ranks no claim.
    let heldFolded: Set<string> | undefined;
    let createdAt: Map<string, string> | undefined;
    const assignment = assignDatasetIds({
      clusterCount: clusters.count,
      membersOf: (c) => clusters.assignMembers(c),
      // Held, in this case or another (src/model/identifier.ts), by a dataset that has not been
      // absorbed: a new cluster may not take it.
      isTaken: (id) => {
        heldFolded ??= new Set(index.identifiers.filter((_, i) => index.absorbed[i] === 0).map(foldIdentifierCase));
        return heldFolded.has(foldIdentifierCase(id));
      },
      createdAt: (id) => {
        createdAt ??= new Map(index.identifiers.map((identifier, i) => [identifier, index.createdAt[i]!]));
        return createdAt.get(id);
      },
    });
    heldFolded = undefined;
    createdAt = undefined;

    const named = await namedMembers(session, table, [...result.collisions.flatMap((c) => c.members), ...result.candidates.flatMap((c) => [c.a, c.b])]);
    const outcome: ResolutionOutcome = {
      records: table.records,
      datasets: clusters.count,
      created: 0,
      updated: 0,
      withdrawn: 0,
      reinstated: 0,
      absorbed: 0,
      candidates: result.candidates.length,
      collisions: result.collisions.map((c) => describeCollision(c, named)),
      durationMs: 0,
    };
    const writer = new DatasetWriter(session, runId, now, outcome);
    const held = new Set<string>();
    for (let start = 0; start < clusters.count; start += WRITE_BATCH) {
      const end = Math.min(clusters.count, start + WRITE_BATCH);
      const batch = await clusters.detailsOf(session, start, end);
      const datasetIds = assignment.datasetIds.slice(start, end);
      for (const datasetId of datasetIds) held.add(datasetId);
      await writer.writeClusters(datasetIds.map((datasetId, n) => ({ datasetId, cluster: batch[n]! })));
    }
    const absorbed = [...assignment.absorbed].map(([datasetId, cluster]) => ({ datasetId, into: assignment.datasetIds[cluster]! }));
    for (const { datasetId } of absorbed) held.add(datasetId);
    for (let start = 0; start < absorbed.length; start += WRITE_BATCH) await writer.absorb(absorbed.slice(start, start + WRITE_BATCH));
    // A live dataset nobody holds any more (its records are gone from the store) leaves the catalogue.
    const orphans = index.identifiers.filter((identifier, i) => index.live[i] === 1 && !held.has(identifier));
    for (let start = 0; start < orphans.length; start += WRITE_BATCH) await writer.orphan(orphans.slice(start, start + WRITE_BATCH));

    await session.replaceCandidates(
      result.candidates.map((c) => {
        const a = named.get(c.a)!;
        const b = named.get(c.b)!;
        return { a: { sourceId: a.sourceId, nativeId: a.nativeId }, b: { sourceId: b.sourceId, nativeId: b.nativeId }, key: c.value };
      }),
    );
    await session.clearIdentityDirty();
    outcome.durationMs = Math.round(performance.now() - started);
    return outcome;
  });
}

/** The member table's facts joined to a stored record's. */
function detailsOf(stored: StoredMember | undefined, rowid: number, table: MemberTable): MemberDetails {
  // The table was read in this session's transaction: its records cannot have gone since.
  if (stored === undefined) throw new Error(`record ${rowid} of the member table is no longer stored`);
  // Written out, not spread: one object of one shape per member (tens of thousands are held until written).
  return {
    rowid: stored.rowid,
    sourceId: stored.sourceId,
    nativeId: stored.nativeId,
    identifier: stored.identifier,
    contentHash: stored.contentHash,
    firstSeenAt: stored.firstSeenAt,
    title: stored.title,
    modifiedAt: stored.modifiedAt,
    listed: table.listed[rowid] === 1,
    withdrawn: table.withdrawn[rowid] === 1,
    priority: table.priorities[table.source[rowid]!] ?? 0,
    datasetId: table.datasetId[rowid] ?? null,
  };
}

/** These records' details by rowid, read in batches (the records named by collisions and candidates). */
async function namedMembers(session: ResolutionSession, table: MemberTable, rowids: readonly number[]): Promise<Map<number, MemberDetails>> {
  const wanted = [...new Set(rowids)];
  const named = new Map<number, MemberDetails>();
  for (let start = 0; start < wanted.length; start += WRITE_BATCH) {
    const chunk = wanted.slice(start, start + WRITE_BATCH);
    const stored = await session.memberDetails(chunk);
    chunk.forEach((rowid, n) => named.set(rowid, detailsOf(stored[n], rowid, table)));
  }
  return named;
}

/**
 * The clusters, numbered 0 … count − 1 in the order of their first record. A cluster of one
 * record (most of a catalogue) is that record's rowid alone; only clusters of several keep a
 * member list, and only they keep their members' details (read before assignment, which ranks
 * them) until they are written.
 */
class Clusters {
  readonly count: number;
  /** Per cluster: its one rowid, or −(index + 1) into `groups` for a cluster of several. */
  private readonly entries: Int32Array;
  private readonly groups: number[][] = [];
  /** Per group: its members' details, best-ranked first. */
  private readonly ranked: Array<MemberDetails[] | undefined> = [];

  constructor(
    clusterOf: Int32Array,
    private readonly table: MemberTable,
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

  /** Reads and ranks the members of every cluster of several (assignment ranks them). */
  async loadGroups(session: ResolutionSession): Promise<void> {
    const groupBatch = Math.max(1, Math.floor(WRITE_BATCH / 2));
    for (let start = 0; start < this.groups.length; start += groupBatch) {
      const groups = this.groups.slice(start, start + groupBatch);
      const rowids = groups.flat();
      const stored = await session.memberDetails(rowids);
      let n = 0;
      groups.forEach((group, g) => {
        const details = group.map((rowid) => detailsOf(stored[n++], rowid, this.table));
        this.ranked[start + g] = details.sort(compareMembers);
      });
    }
  }

  /** The members of cluster c as assignment needs them, best-ranked first. */
  assignMembers(c: number): AssignMember[] {
    const entry = this.entries[c]!;
    if (entry >= 0)
      return [
        {
          previousDatasetId: this.table.datasetId[entry] ?? null,
          naturalId: this.table.identifier[entry]!,
          sourceId: this.table.sources[this.table.source[entry]!]!,
        },
      ];
    return this.rankedGroup(-entry - 1).map((m) => ({ previousDatasetId: m.datasetId, naturalId: m.identifier, sourceId: m.sourceId }));
  }

  /** The members of clusters start … end − 1 with their details, best-ranked first; a group's are let go once handed out. */
  async detailsOf(session: ResolutionSession, start: number, end: number): Promise<MemberDetails[][]> {
    const singles: number[] = [];
    for (let c = start; c < end; c += 1) if (this.entries[c]! >= 0) singles.push(this.entries[c]!);
    const stored = singles.length > 0 ? await session.memberDetails(singles) : [];
    let n = 0;
    const details: MemberDetails[][] = [];
    for (let c = start; c < end; c += 1) {
      const entry = this.entries[c]!;
      if (entry >= 0) {
        details.push([detailsOf(stored[n++], entry, this.table)]);
        continue;
      }
      details.push(this.rankedGroup(-entry - 1));
      this.ranked[-entry - 1] = undefined;
    }
    return details;
  }

  private rankedGroup(group: number): MemberDetails[] {
    const ranked = this.ranked[group];
    if (!ranked) throw new Error(`the members of cluster group ${group} were not read`);
    return ranked;
  }
}

function describeCollision(collision: Collision, named: ReadonlyMap<number, MemberDetails>): ResolutionCollision {
  return { sourceId: collision.sourceId, kind: collision.kind, value: collision.value, nativeIds: collision.members.map((i) => named.get(i)!.nativeId) };
}

/** What a cluster is made of, as one string: equal signatures mean nothing to merge again. */
function signatureOf(datasetId: string, cluster: readonly MemberDetails[]): string {
  const hash = createHash('sha1').update(datasetId);
  for (const m of cluster)
    hash.update(`\u0000${m.sourceId}\u0000${m.nativeId}\u0000${m.contentHash}\u0000${m.listed ? 1 : 0}${m.withdrawn ? 1 : 0}\u0000${m.priority}`);
  return hash.digest('base64url');
}

/** A cluster whose dataset must be written again, and what decides how. */
interface PendingWrite {
  datasetId: string;
  before: DatasetState | undefined;
  signature: string;
  withdrawn: boolean;
  /** The members that speak for the dataset, best first. */
  speaking: readonly MemberDetails[];
  /** Merged from several records (or one served under another identifier), not served as mapped. */
  merges: boolean;
}

/** Works out the datasets and change feed of one resolution and hands them to the session, batch by batch. */
class DatasetWriter {
  constructor(
    private readonly session: ResolutionSession,
    private readonly runId: number | null,
    private readonly now: string,
    private readonly outcome: ResolutionOutcome,
  ) {}

  /** A batch of clusters with the identifiers assigned to them: membership, datasets, changes. */
  async writeClusters(batch: ReadonlyArray<{ datasetId: string; cluster: readonly MemberDetails[] }>): Promise<void> {
    const states = await this.session.datasetStates(batch.map((b) => b.datasetId));
    const moves: MembershipMove[] = [];
    const pending: PendingWrite[] = [];
    for (const { datasetId, cluster } of batch) {
      for (const m of cluster) if (m.datasetId !== datasetId) moves.push({ datasetId, sourceId: m.sourceId, nativeId: m.nativeId });
      const before = states.get(datasetId);
      const signature = signatureOf(datasetId, cluster);
      if (before && before.mergedInto === null && before.signature === signature) continue;
      // Withdrawn members no longer speak for the dataset, unless they are all it has left.
      const active = cluster.filter((m) => !m.withdrawn);
      const withdrawn = active.length === 0;
      const speaking = withdrawn ? cluster : active;
      const merges = !(speaking.length === 1 && speaking[0]!.identifier === datasetId);
      pending.push({ datasetId, before, signature, withdrawn, speaking, merges });
    }

    const toMerge = pending.filter((p) => p.merges);
    const payloads =
      toMerge.length > 0 ? await this.session.payloadsOf(toMerge.flatMap((p) => p.speaking.map((m) => ({ sourceId: m.sourceId, nativeId: m.nativeId })))) : [];
    let n = 0;
    const upserts: DatasetUpsert[] = [];
    const changes: Array<Omit<Change, 'id'>> = [];
    for (const p of pending) {
      const served = p.merges ? this.merged(p.datasetId, p.speaking, payloads.slice(n, (n += p.speaking.length))) : servedAsMapped(p.speaking[0]!);
      this.write(p, served, upserts, changes);
    }
    if (moves.length > 0) await this.session.writeMembership(moves);
    // The datasets before their changes: a change points its dataset at itself (change_seq).
    if (upserts.length > 0) await this.session.upsertDatasets(upserts, this.now);
    if (changes.length > 0) await this.session.recordChanges(changes);
  }

  private write(p: PendingWrite, served: ServedRecord, upserts: DatasetUpsert[], changes: Array<Omit<Change, 'id'>>): void {
    const { datasetId, before, withdrawn } = p;
    const best = p.speaking[0]!;
    const contentChanged = before === undefined || before.mergedInto !== null || before.contentHash !== served.contentHash;
    const wasWithdrawn = before !== undefined && before.withdrawnAt !== null;
    upserts.push({
      identifier: datasetId,
      sourceId: best.sourceId,
      nativeId: best.nativeId,
      priority: best.priority,
      title: served.title,
      modifiedAt: served.modifiedAt ?? (contentChanged || !before ? this.now : before.modifiedAt),
      recordJson: served.recordJson,
      issuesJson: served.issuesJson,
      contentHash: served.contentHash,
      provenance: served.provenance,
      signature: p.signature,
      withdrawnAt: withdrawn ? (before?.withdrawnAt ?? this.now) : null,
    });

    if (before === undefined) {
      changes.push(this.change(datasetId, best.sourceId, withdrawn ? 'withdrawn' : 'created'));
      if (!withdrawn) this.outcome.created += 1;
    } else if (withdrawn && !wasWithdrawn) {
      changes.push(this.change(datasetId, best.sourceId, 'withdrawn'));
      this.outcome.withdrawn += 1;
    } else if (!withdrawn && (wasWithdrawn || before.mergedInto !== null)) {
      changes.push(this.change(datasetId, best.sourceId, 'reinstated'));
      this.outcome.reinstated += 1;
    } else if (contentChanged && !withdrawn) {
      changes.push(this.change(datasetId, best.sourceId, 'updated'));
      this.outcome.updated += 1;
    }
  }

  /** Their records turned out to be another dataset's: each redirects there and leaves the lists. */
  async absorb(absorptions: ReadonlyArray<{ datasetId: string; into: string }>): Promise<void> {
    const states = await this.session.datasetStates(absorptions.map((a) => a.datasetId));
    const absorbed: Array<{ identifier: string; into: string }> = [];
    const changes: Array<Omit<Change, 'id'>> = [];
    for (const { datasetId, into } of absorptions) {
      const before = states.get(datasetId);
      if (!before || before.mergedInto === into) continue;
      absorbed.push({ identifier: datasetId, into });
      if (before.withdrawnAt === null) changes.push(this.change(datasetId, before.sourceId, 'withdrawn'));
      this.outcome.absorbed += 1;
    }
    if (absorbed.length > 0) await this.session.absorbDatasets(absorbed, this.now);
    if (changes.length > 0) await this.session.recordChanges(changes);
  }

  /** Live datasets no cluster holds: withdrawn. */
  async orphan(identifiers: readonly string[]): Promise<void> {
    const states = await this.session.datasetStates(identifiers);
    const orphaned: string[] = [];
    const changes: Array<Omit<Change, 'id'>> = [];
    for (const datasetId of identifiers) {
      const before = states.get(datasetId);
      if (!before || before.withdrawnAt !== null) continue;
      orphaned.push(datasetId);
      changes.push(this.change(datasetId, before.sourceId, 'withdrawn'));
      this.outcome.withdrawn += 1;
    }
    if (orphaned.length > 0) await this.session.orphanDatasets(orphaned, this.now);
    if (changes.length > 0) await this.session.recordChanges(changes);
  }

  /** Several records (or one served under another identifier): merged field by field. */
  private merged(datasetId: string, speaking: readonly MemberDetails[], payloads: ReadonlyArray<MemberPayload | undefined>): ServedRecord {
    // A member without a readable payload row (an id stored with a lone surrogate by an older
    // version: SQLite wrote it as U+FFFD, so the row is under another id) cannot speak: the others
    // do, instead of one such record failing every resolution of the store.
    const loaded = speaking.flatMap((m, i) => {
      const payload = payloads[i];
      return payload === undefined ? [] : [{ member: m, record: payload.record, issues: payload.issues }];
    });
    if (loaded.length === 0) return servedAsMapped(speaking[0]!);
    const merged = mergeRecords(
      datasetId,
      loaded.map((l) => l.record),
    );
    const recordJson = JSON.stringify(merged.record);
    return {
      recordJson,
      issuesJson: JSON.stringify(
        mergedIssues(
          merged,
          loaded.map((l) => l.issues),
        ),
      ),
      contentHash: createHash('sha1').update(recordJson).digest('base64url'),
      title: merged.record.title,
      modifiedAt: recordModifiedAt(merged.record),
      provenance:
        loaded.length > 1
          ? JSON.stringify({ members: loaded.map((l) => ({ sourceId: l.member.sourceId, nativeId: l.member.nativeId })), fields: merged.provenance })
          : null,
    };
  }

  private change(identifier: string, sourceId: string, kind: 'created' | 'updated' | 'withdrawn' | 'reinstated'): Omit<Change, 'id'> {
    return { identifier, sourceId, kind, runId: this.runId, at: this.now };
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
