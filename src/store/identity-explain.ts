/**
 * Why a dataset is what it is: its member records, the keys that join them, the member each
 * field of the served record came from, and the operator decisions that touch it. Read-only:
 * the explain endpoint and `ogd-gateway identity show` print this.
 */
import type { Db } from './database.js';
import { listOverrides, type IdentityOverride, type RecordRef } from './identity.js';
import { identityKeys } from '../model/identity-keys.js';
import type { NationalRecord } from '../model/record.js';
import { parseStoredJson } from './stored-json.js';

export type MemberState = 'listed' | 'missing' | 'withdrawn';

export interface MemberKeyExplanation {
  kind: string;
  value: string;
  /** The dataset's other members holding the same key: what joined them. */
  sharedWith: RecordRef[];
}

export interface MemberExplanation extends RecordRef {
  identifier: string;
  priority: number;
  state: MemberState;
  firstSeenAt: string;
  lastSeenAt: string;
  keys: MemberKeyExplanation[];
}

export interface DatasetExplanation {
  identifier: string;
  state: 'live' | 'withdrawn' | 'merged';
  mergedInto: string | null;
  members: MemberExplanation[];
  /** Field of the served record (or `extensions.key`) → the member it came from. */
  fields: Record<string, RecordRef>;
  overrides: IdentityOverride[];
}

interface StoredProvenance {
  members: RecordRef[];
  fields: Record<string, number>;
}

export function explainDataset(db: Db, identifier: string): DatasetExplanation | undefined {
  const dataset = db
    .prepare('SELECT record, provenance, withdrawn_at, merged_into, source_id, native_id FROM datasets WHERE identifier = ?')
    .get(identifier) as
    | { record: string | null; provenance: string | null; withdrawn_at: string | null; merged_into: string | null; source_id: string; native_id: string }
    | undefined;
  if (!dataset) return undefined;

  const rows = db
    .prepare(
      `SELECT r.source_id, r.native_id, r.identifier, s.priority, r.missing_since, r.withdrawn_at, r.first_seen_at, r.last_seen_at
       FROM source_records r JOIN sources s ON s.id = r.source_id WHERE r.dataset_id = ? ORDER BY s.priority DESC, r.first_seen_at, r.source_id, r.native_id`,
    )
    .all(identifier) as Array<{
    source_id: string;
    native_id: string;
    identifier: string;
    priority: number;
    missing_since: string | null;
    withdrawn_at: string | null;
    first_seen_at: string;
    last_seen_at: string;
  }>;
  // Computed from the member records (the key table has no index by record, see migration 3).
  const recordOf = db.prepare('SELECT record FROM source_payloads WHERE source_id = ? AND native_id = ?').pluck();
  const holders = new Map<string, RecordRef[]>();
  const memberKeys = rows.map((row) => {
    const json = recordOf.get(row.source_id, row.native_id) as string | undefined;
    const keys = json === undefined ? [] : identityKeys(parseStoredJson(json) as NationalRecord);
    for (const key of keys) {
      const id = `${key.kind}\u0000${key.value}`;
      const list = holders.get(id) ?? [];
      list.push({ sourceId: row.source_id, nativeId: row.native_id });
      holders.set(id, list);
    }
    return keys;
  });

  const members: MemberExplanation[] = rows.map((row, i) => ({
    sourceId: row.source_id,
    nativeId: row.native_id,
    identifier: row.identifier,
    priority: row.priority,
    state: row.withdrawn_at ? 'withdrawn' : row.missing_since ? 'missing' : 'listed',
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    keys: memberKeys[i]!.map((key) => ({
      kind: key.kind,
      value: key.value,
      sharedWith: (holders.get(`${key.kind}\u0000${key.value}`) ?? []).filter((ref) => ref.sourceId !== row.source_id || ref.nativeId !== row.native_id),
    })),
  }));

  const memberSet = new Set(rows.map((row) => `${row.source_id}\u0000${row.native_id}`));
  const touches = (ref: RecordRef): boolean => memberSet.has(`${ref.sourceId}\u0000${ref.nativeId}`);
  return {
    identifier,
    state: dataset.merged_into ? 'merged' : dataset.withdrawn_at ? 'withdrawn' : 'live',
    mergedInto: dataset.merged_into,
    members,
    fields: fieldSources(dataset),
    overrides: listOverrides(db).filter((o) => touches(o.a) || touches(o.b)),
  };
}

function fieldSources(dataset: { record: string | null; provenance: string | null; source_id: string; native_id: string }): Record<string, RecordRef> {
  const fields: Record<string, RecordRef> = {};
  if (dataset.provenance) {
    const provenance = parseStoredJson(dataset.provenance) as StoredProvenance;
    for (const [field, member] of Object.entries(provenance.fields)) {
      const ref = provenance.members[member];
      if (ref) fields[field] = ref;
    }
    return fields;
  }
  // One member: every field is its own.
  const only = { sourceId: dataset.source_id, nativeId: dataset.native_id };
  // No record (its payload row is gone, see getStoredDataset): no field to attribute.
  if (dataset.record === null) return fields;
  const record = parseStoredJson(dataset.record) as Record<string, unknown>;
  for (const [field, value] of Object.entries(record)) {
    if (field === 'extensions' && value && typeof value === 'object') {
      for (const key of Object.keys(value)) fields[`extensions.${key}`] = only;
    } else if (field !== 'identifier') {
      fields[field] = only;
    }
  }
  return fields;
}

export interface CandidatePair {
  a: RecordRef;
  b: RecordRef;
  key: string;
  aDataset: string | null;
  bDataset: string | null;
}

/** Fuzzy matches the last resolution kept apart for lack of corroboration: for an operator to join or dismiss. */
export function listCandidates(db: Db, limit = 100, offset = 0): CandidatePair[] {
  const rows = db
    .prepare(
      `SELECT c.a_source, c.a_native, c.b_source, c.b_native, c.key, ra.dataset_id AS a_dataset, rb.dataset_id AS b_dataset
       FROM identity_candidates c
       LEFT JOIN source_records ra ON ra.source_id = c.a_source AND ra.native_id = c.a_native
       LEFT JOIN source_records rb ON rb.source_id = c.b_source AND rb.native_id = c.b_native
       ORDER BY c.key, c.a_source, c.a_native, c.b_source, c.b_native LIMIT ? OFFSET ?`,
    )
    .raw()
    .all(limit, offset) as Array<[string, string, string, string, string, string | null, string | null]>;
  return rows.map(([aSource, aNative, bSource, bNative, key, aDataset, bDataset]) => ({
    a: { sourceId: aSource, nativeId: aNative },
    b: { sourceId: bSource, nativeId: bNative },
    key,
    aDataset,
    bDataset,
  }));
}
