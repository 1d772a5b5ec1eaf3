/**
 * What the CKAN API must know about the whole catalogue to name things consistently:
 *
 * - organizations: one per publisher of a live dataset, with a name unique among them (the
 *   agency code its datasets carry, else a slug), the number of its datasets and when its first
 *   dataset arrived. Every package, facet, filter and organization action reads names from here,
 *   so `organization:<name>` in fq finds exactly the datasets whose package says that name.
 *   Datasets whose records name no publisher are the organization `no-publisher` (NO_PUBLISHER).
 * - package ids and hashed names → dataset identifiers, for package_show (a UUID cannot be
 *   turned back into the identifier it was made from).
 *
 * Each is built once per store (the package index only when a lookup needs it) and then kept
 * up to date from the change feed: a request reads the last change id (one indexed read), and
 * when the catalogue changed, only the datasets named by the new changes are read again. A
 * change of more than a tenth of the catalogue (a full re-harvest) rebuilds instead.
 */
import type { CatalogueReads } from '../../store/contract/catalogue.js';
import type { PublisherFacts } from '../../store/publisher-facts.js';
import { publisherOf } from '../../store/search.js';
import type { NationalRecord } from '../../model/record.js';
import { candidateIdentifierOfName, fallbackOrganizationName, packageName, packageUuid, preferredOrganizationName } from '../../views/ckan-ids.js';
import { NO_PUBLISHER, noPublisherOrganization, organizationId, type CkanOrganizationFacts } from '../../views/ckan-organization.js';
import type { FieldCondition } from '../../store/search.js';

/**
 * The catalogue as one CKAN action reads it: a read snapshot (CatalogueStore.readSnapshot), and
 * the store whose indexes it keeps current (`cacheKey`: one directory per store, however many
 * snapshots read it). Snapshots of one store run one at a time, so an index is never updated by
 * two actions at once.
 */
export interface CkanSession {
  reads: CatalogueReads;
  cacheKey: object;
}

export interface CkanDirectory {
  /** Every organization, most datasets first. */
  readonly organizations: readonly CkanOrganizationFacts[];
  ofPublisher(publisher: string): CkanOrganizationFacts | undefined;
  /** By name, or by id (UUID, any case). */
  find(nameOrId: string): CkanOrganizationFacts | undefined;
  /** The organization of live datasets naming no publisher; undefined when every one names one. */
  readonly noPublisher: CkanOrganizationFacts | undefined;
}

/**
 * The searchDatasets condition "belongs to one of these organizations" (negated: to none of
 * them). The no-publisher organization holds the datasets without a publisher, which the
 * search cannot name: "no publisher, or one of these" is "none of the other publishers".
 */
export function organizationCondition(directory: CkanDirectory, organizations: readonly CkanOrganizationFacts[], negated: boolean): FieldCondition {
  const named = organizations.filter((org) => !org.noPublisher).map((org) => org.publisher);
  if (!organizations.some((org) => org.noPublisher)) return { field: 'publisher', anyOf: named, negated };
  const chosen = new Set(named);
  const others = directory.organizations.filter((org) => !org.noPublisher && !chosen.has(org.publisher)).map((org) => org.publisher);
  return { field: 'publisher', anyOf: others, negated: !negated };
}

/** An index kept current from the change feed. */
interface Maintained {
  version: number;
  /** The datasets named by changes: read again and re-filed. */
  update(reads: CatalogueReads, identifiers: ReadonlySet<string>): Promise<void>;
  /** How many datasets it holds: more changes than a tenth of that rebuild instead. */
  readonly size: number;
}

const CHANGE_PAGE = 1000;

/** The index for this database, brought up to date, or built by `build` when there is none or too much changed. */
async function current<T extends Maintained>(cache: WeakMap<object, T>, session: CkanSession, build: () => Promise<T>): Promise<T> {
  const { reads, cacheKey } = session;
  const version = await reads.catalogue.catalogueVersion();
  const held = cache.get(cacheKey);
  if (held && held.version === version) return held;
  // A version lower than the one held means the change feed was pruned: rebuild.
  if (held && held.version < version) {
    const changed = await changesSince(reads, held.version, Math.max(1000, held.size / 10));
    if (changed !== undefined) {
      await held.update(reads, changed.identifiers);
      held.version = changed.version;
      return held;
    }
  }
  // The version is read before the data: a change in between is applied again next time
  // (re-reading a dataset is idempotent), never missed.
  const built = await build();
  built.version = version;
  cache.set(cacheKey, built);
  return built;
}

/** Identifiers changed after `after`, and the last change id; undefined when more than `max` changed. */
async function changesSince(reads: CatalogueReads, after: number, max: number): Promise<{ identifiers: Set<string>; version: number } | undefined> {
  const identifiers = new Set<string>();
  let version = after;
  for (;;) {
    const page = await reads.changes.listChanges(version, CHANGE_PAGE);
    for (const change of page) identifiers.add(change.identifier);
    if (identifiers.size > max) return undefined;
    if (page.length < CHANGE_PAGE) return { identifiers, version: page.at(-1)?.id ?? version };
    version = page.at(-1)!.id;
  }
}

// ---------------------------------------------------------------------------------------------
// Organizations
// ---------------------------------------------------------------------------------------------

const directories = new WeakMap<object, OrganizationDirectory>();

export async function ckanDirectory(session: CkanSession): Promise<CkanDirectory> {
  return current(directories, session, async () => new OrganizationDirectory(await session.reads.catalogue.livePublisherFacts()));
}

/** What one live dataset says about its publisher. */
interface DatasetFacts {
  publisher: string;
  orgCode: string | undefined;
  oid: string | undefined;
  createdAt: string;
}

class OrganizationDirectory implements CkanDirectory, Maintained {
  version = 0;
  organizations: CkanOrganizationFacts[] = [];
  private readonly facts = new Map<string, DatasetFacts>();
  /** Live datasets naming no publisher → when each was first harvested. */
  private readonly unnamed = new Map<string, string>();
  noPublisher: CkanOrganizationFacts | undefined;
  /** Publisher → the identifiers of its live datasets. */
  private readonly members = new Map<string, Set<string>>();
  /** Publisher → its organization before a name is chosen (name left empty). */
  private readonly tallies = new Map<string, CkanOrganizationFacts>();
  private byPublisher = new Map<string, CkanOrganizationFacts>();
  private byName = new Map<string, CkanOrganizationFacts>();
  private byId = new Map<string, CkanOrganizationFacts>();

  constructor(all: readonly PublisherFacts[]) {
    for (const row of all) this.file(row);
    for (const publisher of this.members.keys()) this.tally(publisher);
    this.name();
  }

  get size(): number {
    return this.facts.size + this.unnamed.size;
  }

  async update(reads: CatalogueReads, identifiers: ReadonlySet<string>): Promise<void> {
    const live = new Map((await reads.catalogue.livePublisherFactsOf([...identifiers])).map((row) => [row.identifier, row]));
    const touched = new Set<string>();
    for (const identifier of identifiers) {
      this.unnamed.delete(identifier);
      const before = this.facts.get(identifier);
      if (before) {
        touched.add(before.publisher);
        this.facts.delete(identifier);
        this.members.get(before.publisher)?.delete(identifier);
      }
      const row = live.get(identifier);
      const filed = row === undefined ? undefined : this.file(row);
      if (filed !== undefined) touched.add(filed);
    }
    for (const publisher of touched) this.tally(publisher);
    this.name();
  }

  ofPublisher(publisher: string): CkanOrganizationFacts | undefined {
    return this.byPublisher.get(publisher);
  }

  find(nameOrId: string): CkanOrganizationFacts | undefined {
    return this.byName.get(nameOrId) ?? this.byId.get(nameOrId.toLowerCase());
  }

  /** Files one dataset under its publisher; the publisher, or undefined when it names none. */
  private file(row: PublisherFacts): string | undefined {
    // Exactly searchDatasets' reading of "publisher" (its filter and facet), on the same raw values.
    const publisher = publisherOf({
      identifier: row.identifier,
      title: '',
      publisher: stringOf(row.publisher),
      organization: stringOf(row.organization),
    } as NationalRecord);
    if (publisher === undefined) {
      this.unnamed.set(row.identifier, row.createdAt);
      return undefined;
    }
    this.facts.set(row.identifier, { publisher, orgCode: textOf(row.publisherOrgCode), oid: textOf(row.publisherOID), createdAt: row.createdAt });
    let members = this.members.get(publisher);
    if (!members) this.members.set(publisher, (members = new Set()));
    members.add(row.identifier);
    return publisher;
  }

  /** Recounts one publisher from its datasets. */
  private tally(publisher: string): void {
    const members = this.members.get(publisher);
    if (!members || members.size === 0) {
      this.members.delete(publisher);
      this.tallies.delete(publisher);
      return;
    }
    const codes = new Map<string, number>();
    const oids = new Map<string, number>();
    let createdAt: string | undefined;
    for (const identifier of members) {
      const facts = this.facts.get(identifier)!;
      countValue(codes, facts.orgCode);
      countValue(oids, facts.oid);
      if (createdAt === undefined || facts.createdAt < createdAt) createdAt = facts.createdAt;
    }
    this.tallies.set(publisher, { publisher, name: '', createdAt: createdAt!, packageCount: members.size, orgCode: mostCommon(codes), oid: mostCommon(oids) });
  }

  /**
   * Chooses every organization's name. Bigger publishers choose first: when two publisher names
   * carry one agency code (a renamed agency, a typo), the one with more datasets keeps the code.
   */
  private name(): void {
    const ordered = [...this.tallies.values()].sort((a, b) => b.packageCount - a.packageCount || compare(a.publisher, b.publisher));
    this.organizations = [];
    this.byPublisher = new Map();
    this.byName = new Map();
    this.byId = new Map();
    this.noPublisher = undefined;
    if (this.unnamed.size > 0) {
      // Named first, so it keeps its name whoever else would like it.
      let createdAt: string | undefined;
      for (const at of this.unnamed.values()) if (createdAt === undefined || at < createdAt) createdAt = at;
      this.noPublisher = noPublisherOrganization(createdAt!, this.unnamed.size);
      this.byName.set(NO_PUBLISHER.name, this.noPublisher);
      this.byId.set(NO_PUBLISHER.id, this.noPublisher);
    }
    for (const tally of ordered) {
      const preferred = [preferredOrganizationName(tally.publisher, tally.orgCode), fallbackOrganizationName(tally.publisher)].find(
        (candidate) => !this.byName.has(candidate),
      );
      const organization = { ...tally, name: preferred ?? uniqueName(this.byName, fallbackOrganizationName(tally.publisher)) };
      this.organizations.push(organization);
      this.byPublisher.set(organization.publisher, organization);
      this.byName.set(organization.name, organization);
      this.byId.set(organizationId(organization), organization);
    }
    // Listed in its place by size, as the others.
    if (this.noPublisher !== undefined) {
      const at = this.organizations.findIndex((org) => org.packageCount < this.noPublisher!.packageCount);
      this.organizations.splice(at === -1 ? this.organizations.length : at, 0, this.noPublisher);
    }
  }
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

// ---------------------------------------------------------------------------------------------
// Packages
// ---------------------------------------------------------------------------------------------

const packageIndexes = new WeakMap<object, PackageIndex>();

/** Package ids and hashed names of live datasets → their identifiers. */
class PackageIndex implements Maintained {
  version = 0;
  readonly byUuid = new Map<string, string>();
  /** Only hashed names: a plain name is its identifier lower-cased. */
  readonly byHashedName = new Map<string, string>();
  private readonly entries = new Map<string, { uuid: string; hashedName: string | undefined }>();

  constructor(identifiers: Iterable<string>) {
    for (const identifier of identifiers) this.add(identifier);
  }

  get size(): number {
    return this.entries.size;
  }

  async update(reads: CatalogueReads, identifiers: ReadonlySet<string>): Promise<void> {
    for (const identifier of identifiers) {
      const live = await reads.catalogue.getDataset(identifier);
      const isLive = live !== undefined && live.withdrawnAt === null && live.mergedInto === null;
      if (isLive && !this.entries.has(identifier)) this.add(identifier);
      else if (!isLive && this.entries.has(identifier)) this.remove(identifier);
    }
  }

  private add(identifier: string): void {
    const uuid = packageUuid(identifier);
    const name = packageName(identifier);
    const hashedName = name === identifier.toLowerCase() ? undefined : name;
    this.entries.set(identifier, { uuid, hashedName });
    this.byUuid.set(uuid, identifier);
    if (hashedName !== undefined) this.byHashedName.set(hashedName, identifier);
  }

  private remove(identifier: string): void {
    const entry = this.entries.get(identifier)!;
    this.entries.delete(identifier);
    this.byUuid.delete(entry.uuid);
    if (entry.hashedName !== undefined) this.byHashedName.delete(entry.hashedName);
  }
}

async function packageIndex(session: CkanSession): Promise<PackageIndex> {
  return current(packageIndexes, session, async () => new PackageIndex(await session.reads.catalogue.listIdentifiers({})));
}

/**
 * The identifier a package_show `id` names: a package id (UUID), a package name, or the dataset
 * identifier itself. Withdrawn datasets are found by name and identifier (the index holds live
 * ones only).
 */
export async function resolvePackageIdentifier(session: CkanSession, idOrName: string): Promise<string | undefined> {
  const { catalogue } = session.reads;
  const key = idOrName.trim();
  if (key === '') return undefined;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(key)) {
    const identifier = (await packageIndex(session)).byUuid.get(key.toLowerCase());
    if (identifier !== undefined) return identifier;
  }
  const candidate = candidateIdentifierOfName(key);
  if (candidate !== undefined && (await catalogue.getDataset(candidate)) !== undefined) return candidate;
  if ((await catalogue.getDataset(key)) !== undefined) return key;
  return (await packageIndex(session)).byHashedName.get(key);
}
