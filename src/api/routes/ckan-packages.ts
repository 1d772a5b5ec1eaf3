/**
 * package_list and package_show, and the one way every action turns a stored dataset into a
 * package dict.
 */
import type { CatalogueReads } from '../../store/contract/catalogue.js';
import type { DatasetEntry } from '../../store/catalogue.js';
import { publisherOf } from '../../store/search.js';
import { packageName, preferredOrganizationName } from '../../views/ckan-ids.js';
import { noPublisherOrganization, type CkanDict, type CkanOrganizationFacts } from '../../views/ckan-organization.js';
import { toCkanPackage } from '../../views/ckan-package.js';
import { ckanDirectory, resolvePackageIdentifier, type CkanDirectory, type CkanSession } from './ckan-directory.js';
import { notFoundError } from './ckan-envelope.js';
import type { ParamReader } from './ckan-params.js';

/** Names of live datasets, in identifier order (which is name order for national identifiers). */
export async function packageList(session: CkanSession, params: ParamReader): Promise<string[]> {
  const limit = params.naturalNumber('limit');
  const offset = params.naturalNumber('offset', { default: 0 })!;
  params.done();
  const { identifiers } = await session.reads.search.searchDatasets({ sort: 'identifier', limit: limit ?? Number.MAX_SAFE_INTEGER, offset });
  return identifiers.map(packageName);
}

/** One package by id, name or dataset identifier; a withdrawn or absorbed dataset is served with state "deleted". */
export async function packageShow(session: CkanSession, params: ParamReader): Promise<CkanDict> {
  // CKAN reads `id`, and `name_or_id` when there is no id.
  const id = params.has('id') || !params.has('name_or_id') ? params.requiredText('id') : params.requiredText('name_or_id');
  params.done();
  const identifier = await resolvePackageIdentifier(session, id!);
  const entry = identifier === undefined ? undefined : await session.reads.catalogue.getDataset(identifier);
  if (entry === undefined) throw notFoundError();
  return packageDict(session.reads, entry, await ckanDirectory(session));
}

/** Package dicts of live datasets, in the given order (identifiers a concurrent change removed are left out). */
export async function packageDicts(reads: CatalogueReads, identifiers: readonly string[], directory: CkanDirectory): Promise<CkanDict[]> {
  const packages: CkanDict[] = [];
  for (const identifier of identifiers) {
    const entry = await reads.catalogue.getDataset(identifier);
    if (entry !== undefined) packages.push(await packageDict(reads, entry, directory));
  }
  return packages;
}

export async function packageDict(reads: CatalogueReads, entry: DatasetEntry, directory: CkanDirectory): Promise<CkanDict> {
  const createdAt = (await reads.catalogue.datasetCreatedAt(entry.identifier)) ?? entry.updatedAt;
  const gone = entry.withdrawnAt !== null || entry.mergedInto !== null;
  return toCkanPackage({
    identifier: entry.identifier,
    record: entry.record,
    modifiedAt: entry.modifiedAt,
    createdAt,
    state: gone ? 'deleted' : 'active',
    organization: organizationOf(entry, directory, createdAt),
    mergedInto: entry.mergedInto,
  });
}

/**
 * The directory knows the publishers of live datasets. A withdrawn dataset whose publisher has
 * nothing live left still names it, as the organization it would have. A record naming no
 * publisher belongs to the no-publisher organization (CKAN clients expect one on every package).
 */
function organizationOf(entry: DatasetEntry, directory: CkanDirectory, createdAt: string): CkanOrganizationFacts {
  const publisher = publisherOf(entry.record);
  if (publisher === undefined) return directory.noPublisher ?? noPublisherOrganization(createdAt, 0);
  const known = directory.ofPublisher(publisher);
  if (known !== undefined) return known;
  const orgCode = typeof entry.record.publisherOrgCode === 'string' ? entry.record.publisherOrgCode.trim() || undefined : undefined;
  return { publisher, name: preferredOrganizationName(publisher, orgCode), createdAt, packageCount: 0, orgCode };
}
