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
 *     `~` and the source id (then `~2`, `~3` ...): never two datasets under one identifier.
 */

export interface AssignMember {
  /** The dataset the record belonged to after the last resolution, if any. */
  previousDatasetId: string | null;
  /** The record's own identifier (what a new dataset is named after). */
  naturalId: string;
  sourceId: string;
}

export interface AssignInput {
  /** Members of each cluster, best-ranked first (see merge.ts compareMembers). */
  clusters: ReadonlyArray<readonly AssignMember[]>;
  /** Every identifier a dataset row holds now, live, withdrawn or absorbed, with when it was created. */
  existing: ReadonlyMap<string, string>;
}

export interface Assignment {
  /** The identifier of each cluster, by cluster index. */
  datasetIds: string[];
  /** Previous identifiers no cluster holds any more, and the cluster that took most of their records. */
  absorbed: Map<string, number>;
}

export function assignDatasetIds(input: AssignInput): Assignment {
  const datasetIds = new Array<string | undefined>(input.clusters.length);
  const claims: Array<{ cluster: number; id: string; count: number }> = [];
  input.clusters.forEach((members, cluster) => {
    const counts = new Map<string, number>();
    for (const member of members) {
      if (member.previousDatasetId !== null) counts.set(member.previousDatasetId, (counts.get(member.previousDatasetId) ?? 0) + 1);
    }
    for (const [id, count] of counts) claims.push({ cluster, id, count });
  });
  // Most members first; on a tie the older dataset, then the identifier: deterministic.
  claims.sort((a, b) => b.count - a.count || compareCreated(input.existing, a.id, b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : a.cluster - b.cluster));

  const taken = new Set<string>();
  const bestClaim = new Map<string, number>();
  for (const claim of claims) {
    if (!bestClaim.has(claim.id)) bestClaim.set(claim.id, claim.cluster);
    if (datasetIds[claim.cluster] !== undefined || taken.has(claim.id)) continue;
    datasetIds[claim.cluster] = claim.id;
    taken.add(claim.id);
  }

  input.clusters.forEach((members, cluster) => {
    if (datasetIds[cluster] !== undefined) return;
    const best = members[0]!;
    const id = freeIdentifier(best.naturalId, best.sourceId, (candidate) => taken.has(candidate) || input.existing.has(candidate));
    datasetIds[cluster] = id;
    taken.add(id);
  });

  const absorbed = new Map<string, number>();
  for (const [id, cluster] of bestClaim) if (!taken.has(id)) absorbed.set(id, cluster);
  return { datasetIds: datasetIds as string[], absorbed };
}

function compareCreated(existing: ReadonlyMap<string, string>, a: string, b: string): number {
  const ca = existing.get(a) ?? '\uffff';
  const cb = existing.get(b) ?? '\uffff';
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
