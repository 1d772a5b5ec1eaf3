/**
 * Stable dataset identifiers for clusters (cluster.ts): a dataset keeps its identifier across
 * re-harvests, when a new source joins it, and, as far as possible, when its first source
 * leaves. Pure: the store says which dataset each record belonged to before and which
 * identifiers exist; this decides, for each cluster, the identifier it is served under.
 *
 *   - A cluster whose members were in dataset D keeps D. When two clusters both come from D
 *     (a split), D goes to the one holding more of D's records; the other gets a new identifier.
 *   - Clusters that joined (several previous datasets) keep the one most members held, then the
 *     oldest; the others are absorbed into it (their identifiers redirect to it).
 *   - A new cluster is named after its best member's own identifier (the agency identifier the
 *     publisher gave it), or, when that is taken by another dataset, the identifier followed by
 *     `~` and the source id (then `~2`, `~3` ...): never two datasets under one identifier,
 *     nor under two that differ only in letter case.
 */
import { foldIdentifierCase } from '../model/identifier.js';

export interface AssignMember {
  /** The dataset the record belonged to after the last resolution, if any. */
  previousDatasetId: string | null;
  /** The record's own identifier (what a new dataset is named after). */
  naturalId: string;
  sourceId: string;
}

export interface AssignInput {
  clusterCount: number;
  /** Members of cluster c, best-ranked first (see merge.ts compareMembers). */
  membersOf(c: number): readonly AssignMember[];
  /** A dataset (live or withdrawn, not absorbed) holds this identifier now, in this case or another. */
  isTaken(id: string): boolean;
  /** When the dataset with this identifier was created, if it exists. */
  createdAt(id: string): string | undefined;
}

export interface Assignment {
  /** The identifier of each cluster, by cluster index. */
  datasetIds: string[];
  /** Previous identifiers no cluster holds any more, and the cluster that took most of their records. */
  absorbed: Map<string, number>;
}

/**
 * Cluster by cluster, a catalogue is mostly clusters whose records all came from one dataset
 * that no other cluster claims: those keep it at once. Only contested identifiers (claimed by
 * several clusters: a split) and clusters with several (a join) or none (new) go through the
 * ranking below.
 */
export function assignDatasetIds(input: AssignInput): Assignment {
  const datasetIds = new Array<string | undefined>(input.clusterCount);
  const claimants = new Map<string, number>();
  const contested = new Set<string>();
  for (let c = 0; c < input.clusterCount; c += 1) {
    for (const member of input.membersOf(c)) {
      const id = member.previousDatasetId;
      if (id === null) continue;
      const claimant = claimants.get(id);
      if (claimant === undefined) claimants.set(id, c);
      else if (claimant !== c) contested.add(id);
    }
  }

  const claims: Array<{ cluster: number; id: string; count: number }> = [];
  for (let c = 0; c < input.clusterCount; c += 1) {
    const counts = new Map<string, number>();
    for (const member of input.membersOf(c)) {
      if (member.previousDatasetId !== null) counts.set(member.previousDatasetId, (counts.get(member.previousDatasetId) ?? 0) + 1);
    }
    if (counts.size === 1) {
      const [id] = counts.keys();
      if (!contested.has(id!)) {
        datasetIds[c] = id;
        continue;
      }
    }
    for (const [id, count] of counts) claims.push({ cluster: c, id, count });
  }
  // Most members first; on a tie the older dataset, then the identifier: deterministic.
  claims.sort((a, b) => b.count - a.count || compareCreated(input, a.id, b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : a.cluster - b.cluster));

  const taken = new Set<string>();
  // New identifiers are kept apart from these in any case too: identifiers differing only in
  // case name one dataset to a reader (src/model/identifier.ts), so two must not exist.
  const takenFolded = new Set<string>();
  const take = (id: string): void => {
    taken.add(id);
    takenFolded.add(foldIdentifierCase(id));
  };
  for (const id of datasetIds) if (id !== undefined) take(id);
  const bestClaim = new Map<string, number>();
  for (const claim of claims) {
    if (!bestClaim.has(claim.id)) bestClaim.set(claim.id, claim.cluster);
    if (datasetIds[claim.cluster] !== undefined || taken.has(claim.id)) continue;
    datasetIds[claim.cluster] = claim.id;
    take(claim.id);
  }

  for (let c = 0; c < input.clusterCount; c += 1) {
    if (datasetIds[c] !== undefined) continue;
    const best = input.membersOf(c)[0]!;
    const id = freeIdentifier(best.naturalId, best.sourceId, (candidate) => takenFolded.has(foldIdentifierCase(candidate)) || input.isTaken(candidate));
    datasetIds[c] = id;
    take(id);
  }

  const absorbed = new Map<string, number>();
  for (const [id, cluster] of bestClaim) if (!taken.has(id)) absorbed.set(id, cluster);
  return { datasetIds: datasetIds as string[], absorbed };
}

function compareCreated(input: AssignInput, a: string, b: string): number {
  const ca = input.createdAt(a) ?? '\uffff';
  const cb = input.createdAt(b) ?? '\uffff';
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

function freeIdentifier(natural: string, sourceId: string, isTaken: (id: string) => boolean): string {
  if (!isTaken(natural)) return natural;
  const qualified = `${natural}~${sourceId}`;
  if (!isTaken(qualified)) return qualified;
  for (let n = 2; ; n += 1) {
    const numbered = `${qualified}~${n}`;
    if (!isTaken(numbered)) return numbered;
  }
}
