/**
 * Which source records are one dataset: union-find over shared identity keys, under constraints.
 * Pure: the store loads the records, keys and operator decisions; this decides; assign.ts names.
 *
 * The rules, in the order they apply:
 *   1. An operator's join (must-link) is applied first, whatever the keys say.
 *   2. Strong keys (agency identifier, data.gov.tw datasetId, URIs, landing and download URLs),
 *      strongest kind first, join the records that share them.
 *   3. A fuzzy key (normalised title + publisher) joins two records of different sources only
 *      when a weaker signal corroborates it (same description, same resource path, same issue
 *      date); otherwise the pair is a candidate for review and stays apart.
 *   4. A lookalike key (title + description of a record naming no publisher) joins nothing: two
 *      records of different sources sharing one, in different clusters, are a candidate.
 * Never joined, whatever the keys: two records an operator split (cannot-link), and two records
 * of one source that the source lists now: one source publishes a dataset once, so two of its
 * listed records sharing a key are two datasets (and, for an identifier, a collision to report).
 * A record the source stopped listing may join a listed one of the same source: that is how a
 * source that renumbered its records but kept their URLs keeps its datasets.
 * Not joined by a URL key (rule 2's landing and download) or a fuzzy key (rule 3): two clusters
 * that each hold identifiers of one veto class (UUIDs; data.gov.tw dataset ids: identity-keys.ts
 * vetoKeyOf), share none of them, and hold them in records of different sources. The
 * identifiers say they are two datasets, which a shared URL or title does not outweigh; the pair
 * is a candidate. (Records of one source with different UUIDs may still join by URL: a source
 * that re-created its records keeps its datasets, as above.)
 *
 * Deterministic: the same input gives the same clusters, so re-harvests do not shuffle datasets.
 */
import { URL_KEY_KINDS, type IdentityKeyKind } from '../model/identity-keys.js';
import type { KeyGroup } from '../store/identity.js';

export interface ClusterMember {
  sourceId: string;
  /** Listed by its source now (neither missing nor withdrawn). */
  listed: boolean;
  /** Signals that corroborate a fuzzy match (see identity-keys.ts corroborationSignals). */
  signals?: readonly string[];
}

/**
 * The records to cluster, by index 0 … count − 1, read through accessors so that a catalogue of
 * 100,000 records is a few typed arrays rather than 100,000 objects (see resolve.ts). An index
 * no record has (a gap) appears in no key group and stays alone.
 */
export interface ClusterMembers {
  count: number;
  /** The same number for two members exactly when they come from one source. */
  sourceOf(i: number): number;
  sourceName(source: number): string;
  isListed(i: number): boolean;
  signalsOf(i: number): readonly string[] | undefined;
  /**
   * The member's veto keys (`<class>:<value>`, identity-keys.ts vetoKeyOf); needed only for members of
   * URL and fuzzy groups. Absent: nothing is vetoed.
   */
  vetoKeysOf?(i: number): readonly string[] | undefined;
}

/** A list of members as ClusterMembers (small inputs, tests). */
export function membersFromList(list: readonly ClusterMember[]): ClusterMembers {
  const names = [...new Set(list.map((m) => m.sourceId))];
  const numbers = new Map(names.map((name, n) => [name, n]));
  return {
    count: list.length,
    sourceOf: (i) => numbers.get(list[i]!.sourceId)!,
    sourceName: (source) => names[source]!,
    isListed: (i) => list[i]!.listed,
    signalsOf: (i) => list[i]!.signals,
  };
}

export interface ClusterInput {
  members: ClusterMembers;
  /** Strong key groups, strongest kind first (the order decides which union wins a conflict). */
  strongGroups: Iterable<KeyGroup>;
  fuzzyGroups: Iterable<KeyGroup>;
  /** Lookalike key groups: they give candidates only. */
  lookalikeGroups?: Iterable<KeyGroup>;
  mustLink: ReadonlyArray<readonly [number, number]>;
  cannotLink: ReadonlyArray<readonly [number, number]>;
}

/** Two or more listed records of one source claiming one identifier: reported, never merged. */
export interface Collision {
  sourceId: string;
  kind: IdentityKeyKind;
  value: string;
  members: number[];
}

/**
 * A pair kept apart that an operator should look at: a fuzzy match nothing corroborated, a join
 * by a URL or fuzzy key that conflicting identifiers vetoed, or two records that look alike.
 */
export interface Candidate {
  a: number;
  b: number;
  value: string;
}

export interface ClusterResult {
  /** Cluster of each member: the index of one member of it (the same for all its members). */
  clusterOf: Int32Array;
  collisions: Collision[];
  candidates: Candidate[];
}

/** Kinds whose sharing by two listed records of one source is the source's error, not a coincidence. */
const IDENTIFIER_KINDS: ReadonlySet<IdentityKeyKind> = new Set(['agency', 'datasetId', 'uri']);
/**
 * A fuzzy key held by more records than this is a generic title ("預算書", "統計資料") of a
 * prolific publisher: it says nothing about identity, and comparing every pair would be quadratic.
 */
export const MAX_FUZZY_GROUP = 20;

export function clusterRecords(input: ClusterInput): ClusterResult {
  const sets = new ConstrainedSets(input.members, input.cannotLink);
  const collisions: Collision[] = [];
  const candidates: Candidate[] = [];

  for (const [a, b] of input.mustLink) sets.union(a, b, { ignoreSources: true });

  for (const group of input.strongGroups) {
    const usable = withoutSameSourceDuplicates(group, input.members, collisions);
    if (URL_KEY_KINDS.has(group.kind)) joinGroupUnlessVetoed(sets, usable, group.value, candidates);
    else joinGroup(sets, usable);
  }

  for (const group of input.fuzzyGroups) {
    if (group.members.length > MAX_FUZZY_GROUP) continue;
    for (const [a, b] of pairsOf(withoutSameSourceDuplicates(group, input.members, undefined))) {
      if (input.members.sourceOf(a) === input.members.sourceOf(b) || sets.find(a) === sets.find(b)) continue;
      if (corroborated(input.members.signalsOf(a), input.members.signalsOf(b))) {
        if (sets.vetoes(a, b) || !sets.union(a, b)) candidates.push({ a, b, value: group.value });
      } else {
        candidates.push({ a, b, value: group.value });
      }
    }
  }

  for (const group of input.lookalikeGroups ?? []) {
    if (group.members.length > MAX_FUZZY_GROUP) continue;
    for (const [a, b] of pairsOf(withoutSameSourceDuplicates(group, input.members, undefined))) {
      if (input.members.sourceOf(a) !== input.members.sourceOf(b)) candidates.push({ a, b, value: group.value });
    }
  }

  const clusterOf = new Int32Array(input.members.count);
  for (let i = 0; i < clusterOf.length; i += 1) clusterOf[i] = sets.find(i);
  // A candidate that ended up in one cluster by another path needs no review.
  return { clusterOf, collisions, candidates: candidates.filter((c) => clusterOf[c.a] !== clusterOf[c.b]) };
}

/**
 * The group's members, less the listed records of any source that has two or more listed
 * records in it (that key does not tell its records apart). Identifier kinds report it.
 */
function withoutSameSourceDuplicates(group: KeyGroup, members: ClusterMembers, collisions: Collision[] | undefined): readonly number[] {
  if (group.members.length < 2) return group.members;
  const listedBySource = new Map<number, number[]>();
  for (const index of group.members) {
    if (!members.isListed(index)) continue;
    const source = members.sourceOf(index);
    const list = listedBySource.get(source);
    if (list) list.push(index);
    else listedBySource.set(source, [index]);
  }
  let ambiguous: Set<number> | undefined;
  for (const [source, list] of listedBySource) {
    if (list.length < 2) continue;
    (ambiguous ??= new Set()).add(source);
    if (collisions && IDENTIFIER_KINDS.has(group.kind))
      collisions.push({ sourceId: members.sourceName(source), kind: group.kind, value: group.value, members: list });
  }
  if (!ambiguous) return group.members;
  // The source's unlisted records go too: which of its listed ones they were is unknowable.
  return group.members.filter((index) => !ambiguous.has(members.sourceOf(index)));
}

/** Join every member of one key group that the constraints allow, into as few clusters as they allow. */
function joinGroup(sets: ConstrainedSets, members: readonly number[]): void {
  if (members.length < 2) return;
  const heads: number[] = [members[0]!];
  for (let i = 1; i < members.length; i += 1) {
    const member = members[i]!;
    if (!heads.some((head) => sets.union(head, member))) heads.push(member);
  }
}

/**
 * joinGroup for a URL key: a member that conflicting identifiers keep from every head it could
 * join is not joined but listed as a candidate with the first head that vetoed it.
 */
function joinGroupUnlessVetoed(sets: ConstrainedSets, members: readonly number[], value: string, candidates: Candidate[]): void {
  if (members.length < 2) return;
  const heads: number[] = [members[0]!];
  for (let i = 1; i < members.length; i += 1) {
    const member = members[i]!;
    let vetoedBy: number | undefined;
    const joined = heads.some((head) => {
      if (!sets.vetoes(head, member)) return sets.union(head, member);
      vetoedBy ??= head;
      return false;
    });
    if (joined) continue;
    heads.push(member);
    if (vetoedBy !== undefined) candidates.push({ a: vetoedBy, b: member, value });
  }
}

function corroborated(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (!a?.length || !b?.length) return false;
  const theirs = new Set(b);
  return a.some((signal) => theirs.has(signal));
}

/**
 * Union-find that refuses a union which would put two listed records of one source, or two
 * records an operator split, in one cluster. Per root it keeps the sources of its listed
 * members and its members that have cannot-links (few), so a check costs little.
 */
class ConstrainedSets {
  private readonly parent: Int32Array;
  private readonly rank: Uint8Array;
  /** Per root, the sources of its listed members (most clusters: one record, one source). */
  private readonly listedSources: Array<number[] | undefined>;
  private readonly constrained = new Map<number, number[]>();
  private readonly forbidden = new Map<number, number[]>();
  /** Per root that absorbed another, its members' veto keys (most roots: none, not stored). */
  private readonly vetoKeys = new Map<number, VetoKey[]>();

  constructor(
    private readonly members: ClusterMembers,
    cannotLink: ReadonlyArray<readonly [number, number]>,
  ) {
    this.parent = new Int32Array(members.count);
    this.rank = new Uint8Array(members.count);
    this.listedSources = new Array<number[] | undefined>(members.count);
    for (let i = 0; i < members.count; i += 1) this.parent[i] = i;
    for (const [a, b] of cannotLink) {
      if (a === b) continue;
      this.forbid(a, b);
      this.forbid(b, a);
    }
    for (const member of this.forbidden.keys()) this.constrained.set(member, [member]);
  }

  find(i: number): number {
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root]!;
    while (this.parent[i] !== root) {
      const next = this.parent[i]!;
      this.parent[i] = root;
      i = next;
    }
    return root;
  }

  /** Join the clusters of a and b; false (and nothing changes) when a constraint forbids it. */
  union(a: number, b: number, options: { ignoreSources?: boolean } = {}): boolean {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return true;
    if (!options.ignoreSources && this.sharesListedSource(ra, rb)) return false;
    if (this.split(ra, rb)) return false;
    const left = this.sourcesOf(ra);
    const right = this.sourcesOf(rb);
    if (this.rank[ra]! < this.rank[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    if (this.rank[ra] === this.rank[rb]) this.rank[ra]! += 1;
    this.listedSources[ra] = left.length >= right.length ? (left.push(...right), left) : (right.push(...left), right);
    this.listedSources[rb] = undefined;
    const moved = this.constrained.get(rb);
    if (moved) {
      this.constrained.set(ra, mergeLists(this.constrained.get(ra), moved)!);
      this.constrained.delete(rb);
    }
    const vetoes = mergeLists(this.vetoKeysOfRoot(ra), this.vetoKeysOfRoot(rb));
    this.vetoKeys.delete(rb);
    if (vetoes !== undefined && vetoes.length > 0) this.vetoKeys.set(ra, vetoes);
    return true;
  }

  /**
   * True when the clusters of a and b hold veto keys of one class, share none of that class, and
   * hold them in records of different sources: their identifiers say they are two datasets.
   */
  vetoes(a: number, b: number): boolean {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return false;
    const left = this.vetoKeysOfRoot(ra);
    const right = this.vetoKeysOfRoot(rb);
    if (!left?.length || !right?.length) return false;
    // Linear in the keys of both sides: a cluster can gather many records' keys.
    const rightValues = new Set<string>();
    const rightSources = new Map<string, Set<number>>();
    for (const key of right) {
      rightValues.add(key.value);
      const sources = rightSources.get(key.kind);
      if (sources) sources.add(key.source);
      else rightSources.set(key.kind, new Set([key.source]));
    }
    const shared = new Set(left.filter((key) => rightValues.has(key.value)).map((key) => key.kind));
    return left.some((l) => {
      if (shared.has(l.kind)) return false;
      const sources = rightSources.get(l.kind);
      return sources !== undefined && (sources.size > 1 || !sources.has(l.source));
    });
  }

  /** A root's veto keys: stored once it absorbed another; a lone record's, read from the members (copied: merging appends). */
  private vetoKeysOfRoot(root: number): VetoKey[] | undefined {
    const stored = this.vetoKeys.get(root);
    if (stored) return stored;
    const own = this.members.vetoKeysOf?.(root);
    if (!own?.length) return undefined;
    const source = this.members.sourceOf(root);
    return own.map((value) => ({ kind: value.slice(0, value.indexOf(':')), value, source }));
  }

  /**
   * A root's listed sources. Stored once the root has absorbed another; a root that never did is
   * one record, whose source is read from the members (no array per record up front).
   */
  private sourcesOf(root: number): number[] {
    return this.listedSources[root] ?? (this.members.isListed(root) ? [this.members.sourceOf(root)] : []);
  }

  private forbid(a: number, b: number): void {
    const list = this.forbidden.get(a);
    if (list) list.push(b);
    else this.forbidden.set(a, [b]);
  }

  private sharesListedSource(ra: number, rb: number): boolean {
    const right = this.sourcesOf(rb);
    return right.length > 0 && this.sourcesOf(ra).some((source) => right.includes(source));
  }

  private split(ra: number, rb: number): boolean {
    const members = this.constrained.get(ra) ?? [];
    for (const member of members) {
      for (const other of this.forbidden.get(member) ?? []) if (this.find(other) === rb) return true;
    }
    const others = this.constrained.get(rb) ?? [];
    for (const member of others) {
      for (const other of this.forbidden.get(member) ?? []) if (this.find(other) === ra) return true;
    }
    return false;
  }
}

/** A veto key (`uuid:<uuid>`), its class (`uuid`) and the source of the record holding it. */
interface VetoKey {
  kind: string;
  value: string;
  source: number;
}

function mergeLists<T>(a: T[] | undefined, b: T[] | undefined): T[] | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.length >= b.length ? (a.push(...b), a) : (b.push(...a), b);
}

/** Every unordered pair of a group's members, in order (a group is at most MAX_FUZZY_GROUP long). */
function* pairsOf<T>(members: readonly T[]): Generator<[T, T]> {
  for (let i = 0; i < members.length; i += 1) {
    for (let j = i + 1; j < members.length; j += 1) yield [members[i]!, members[j]!];
  }
}
