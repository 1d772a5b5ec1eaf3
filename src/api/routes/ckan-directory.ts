/**
 * What the CKAN API must know about the whole catalogue to name things consistently:
 *
 * - organizations: one per publisher of a live dataset, with a name unique among them (the
 *   agency code its datasets carry, else a slug), the number of its datasets and when its first
 *   dataset arrived. Every package, facet, filter and organization action reads names from here,
 *   so `organization:<name>` in fq finds exactly the datasets whose package says that name.
 * - package ids and hashed names → dataset identifiers, for package_show (a UUID cannot be
 *   turned back into the identifier it was made from).
 *
 * Both are built from the store and kept per database until the catalogue changes (its version
 * is the last row of the change feed, one indexed read per request). The package index is built
 * only when a lookup needs it.
 */
import type { Db } from '../../store/database.js';
import { getDataset, listIdentifiers } from '../../store/catalogue.js';
import { publisherOf } from '../../store/search.js';
import type { NationalRecord } from '../../model/record.js';
import { fallbackOrganizationName, organizationUuid, packageName, packageUuid, preferredOrganizationName, candidateIdentifierOfName } from '../../views/ckan-ids.js';
import type { CkanOrganizationFacts } from '../../views/ckan-organization.js';
import { catalogueVersion, livePublisherFacts, type PublisherFacts } from './ckan-catalogue-reads.js';

export interface CkanDirectory {
  /** Every organization, most datasets first. */
  readonly organizations: readonly CkanOrganizationFacts[];
  ofPublisher(publisher: string): CkanOrganizationFacts | undefined;
  /** By name, or by id (UUID, any case). */
  find(nameOrId: string): CkanOrganizationFacts | undefined;
}

interface PackageIndex {
  byUuid: ReadonlyMap<string, string>;
  /** Only hashed names: a plain name is its identifier lower-cased. */
  byHashedName: ReadonlyMap<string, string>;
}

interface Cached<T> {
  version: number;
  value: T;
}

const directories = new WeakMap<Db, Cached<CkanDirectory>>();
const packageIndexes = new WeakMap<Db, Cached<PackageIndex>>();

function cached<T>(cache: WeakMap<Db, Cached<T>>, db: Db, build: () => T): T {
  // The version is read before the data: a change in between makes the entry look older than it
  // is, so it is rebuilt once more rather than served stale.
  const version = catalogueVersion(db);
  const entry = cache.get(db);
  if (entry && entry.version === version) return entry.value;
  const value = build();
  cache.set(db, { version, value });
  return value;
}

export function ckanDirectory(db: Db): CkanDirectory {
  return cached(directories, db, () => buildDirectory(livePublisherFacts(db)));
}

/**
 * The identifier a package_show `id` names: a package id (UUID), a package name, or the dataset
 * identifier itself. Withdrawn datasets are found by name and identifier (the index holds live
 * ones only).
 */
export function resolvePackageIdentifier(db: Db, idOrName: string): string | undefined {
  const key = idOrName.trim();
  if (key === '') return undefined;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(key)) {
    const identifier = packageIndex(db).byUuid.get(key.toLowerCase());
    if (identifier !== undefined) return identifier;
  }
  const candidate = candidateIdentifierOfName(key);
  if (candidate !== undefined && getDataset(db, candidate) !== undefined) return candidate;
  if (getDataset(db, key) !== undefined) return key;
  return packageIndex(db).byHashedName.get(key);
}

function packageIndex(db: Db): PackageIndex {
  return cached(packageIndexes, db, () => {
    const byUuid = new Map<string, string>();
    const byHashedName = new Map<string, string>();
    for (const identifier of listIdentifiers(db, {})) {
      byUuid.set(packageUuid(identifier), identifier);
      const name = packageName(identifier);
      if (name !== identifier.toLowerCase()) byHashedName.set(name, identifier);
    }
    return { byUuid, byHashedName };
  });
}

interface PublisherTally {
  publisher: string;
  count: number;
  createdAt: string;
  codes: Map<string, number>;
  oids: Map<string, number>;
}

function buildDirectory(facts: readonly PublisherFacts[]): CkanDirectory {
  const tallies = new Map<string, PublisherTally>();
  for (const fact of facts) {
    // Exactly searchDatasets' reading of "publisher" (its filter and facet), on the same raw values.
    const publisher = publisherOf({ identifier: '', title: '', publisher: stringOf(fact.publisher), organization: stringOf(fact.organization) } as NationalRecord);
    if (publisher === undefined) continue;
    let tally = tallies.get(publisher);
    if (!tally) {
      tally = { publisher, count: 0, createdAt: fact.createdAt, codes: new Map(), oids: new Map() };
      tallies.set(publisher, tally);
    }
    tally.count += 1;
    if (fact.createdAt < tally.createdAt) tally.createdAt = fact.createdAt;
    countValue(tally.codes, textOf(fact.publisherOrgCode));
    countValue(tally.oids, textOf(fact.publisherOID));
  }

  // Bigger publishers choose first: when two publisher names carry one agency code (a renamed
  // agency, a typo), the one with more datasets keeps the code as its name.
  const ordered = [...tallies.values()].sort((a, b) => b.count - a.count || compare(a.publisher, b.publisher));
  const organizations: CkanOrganizationFacts[] = [];
  const byPublisher = new Map<string, CkanOrganizationFacts>();
  const byName = new Map<string, CkanOrganizationFacts>();
  const byId = new Map<string, CkanOrganizationFacts>();
  for (const tally of ordered) {
    const orgCode = mostCommon(tally.codes);
    const name = [preferredOrganizationName(tally.publisher, orgCode), fallbackOrganizationName(tally.publisher)].find((candidate) => !byName.has(candidate)) ?? uniqueName(byName, fallbackOrganizationName(tally.publisher));
    const organization: CkanOrganizationFacts = {
      publisher: tally.publisher,
      name,
      createdAt: tally.createdAt,
      packageCount: tally.count,
      orgCode,
      oid: mostCommon(tally.oids),
    };
    organizations.push(organization);
    byPublisher.set(tally.publisher, organization);
    byName.set(name, organization);
    byId.set(organizationUuid(tally.publisher), organization);
  }
  return {
    organizations,
    ofPublisher: (publisher) => byPublisher.get(publisher),
    find: (nameOrId) => byName.get(nameOrId) ?? byId.get(nameOrId.toLowerCase()),
  };
}

/** Two hashes colliding: number the later one. */
function uniqueName(taken: ReadonlyMap<string, unknown>, base: string): string {
  for (let n = 2; ; n += 1) {
    const candidate = `${base.slice(0, 95)}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function countValue(counts: Map<string, number>, value: string | undefined): void {
  if (value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
}

/** The value most datasets carry; the smaller text on a tie, so the choice does not depend on row order. */
function mostCommon(counts: ReadonlyMap<string, number>): string | undefined {
  let best: [string, number] | undefined;
  for (const entry of counts) {
    if (!best || entry[1] > best[1] || (entry[1] === best[1] && entry[0] < best[0])) best = entry;
  }
  return best?.[0];
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
