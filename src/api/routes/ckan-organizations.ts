/**
 * organization_list and organization_show. The organizations are the publishers of the live
 * catalogue (see ckan-directory.ts); their datasets are found with searchDatasets' publisher
 * filter, the same one package_search's `organization:` uses.
 */
import type { CkanDict, CkanOrganizationFacts } from '../../views/ckan-organization.js';
import { toCkanOrganization } from '../../views/ckan-organization.js';
import { ckanDirectory, organizationCondition, type CkanDirectory, type CkanSession } from './ckan-directory.js';
import { notFoundError } from './ckan-envelope.js';
import { packageDicts } from './ckan-packages.js';
import type { ParamReader } from './ckan-params.js';

/**
 * CKAN's ckan.group_and_organization_list_max. (CKAN caps all_fields lists at 25 because its
 * dicts are expensive to build; ours are not, so both are capped at 1000.)
 */
export const MAX_ORGANIZATIONS = 1000;

/** Datasets organization_show lists with include_datasets (as many as one package_search page). */
export const MAX_ORGANIZATION_DATASETS = 1000;

type OrganizationSort = { field: 'name' | 'title' | 'package_count'; descending: boolean };

export async function organizationList(session: CkanSession, params: ParamReader): Promise<Array<string | CkanDict>> {
  const allFields = params.boolean('all_fields', false);
  const limit = params.naturalNumber('limit', { default: MAX_ORGANIZATIONS, max: MAX_ORGANIZATIONS })!;
  const offset = params.naturalNumber('offset', { default: 0 })!;
  const sortText = params.text('sort') ?? params.text('order_by');
  const q = params.text('q')?.trim().toLowerCase();
  const only = params.jsonStringList('organizations');
  const includeDatasetCount = params.boolean('include_dataset_count', true);
  const includeExtras = params.boolean('include_extras', false);
  const sort = organizationSort(sortText);
  if (typeof sort === 'string') params.fail('sort', sort);
  params.done();

  let organizations = [...(await ckanDirectory(session)).organizations];
  if (q) organizations = organizations.filter((org) => org.name.includes(q) || org.publisher.toLowerCase().includes(q));
  if (only !== undefined) {
    const names = new Set(only);
    organizations = organizations.filter((org) => names.has(org.name));
  }
  organizations.sort(comparator(sort as OrganizationSort));
  const page = organizations.slice(offset, offset + limit);
  return allFields ? page.map((org) => toCkanOrganization(org, { includeDatasetCount, includeExtras })) : page.map((org) => org.name);
}

export async function organizationShow(session: CkanSession, params: ParamReader): Promise<CkanDict> {
  const id = params.requiredText('id');
  const includeDatasets = params.boolean('include_datasets', false);
  const includeDatasetCount = params.boolean('include_dataset_count', true);
  const includeExtras = params.boolean('include_extras', true);
  params.done();
  const directory = await ckanDirectory(session);
  const organization = findOrganization(directory, id!);
  if (organization === undefined) throw notFoundError('Organization was not found.');
  const dict = toCkanOrganization(organization, { includeDatasetCount, includeExtras });
  if (includeDatasets) {
    const conditions = [organizationCondition(directory, [organization], false)];
    const { identifiers } = await session.reads.search.searchDatasets({ conditions, sort: 'modified', limit: MAX_ORGANIZATION_DATASETS, offset: 0 });
    dict['packages'] = await packageDicts(session.reads, identifiers, directory);
  }
  return dict;
}

/** By name (any case: a name is often the agency code, `A41000000G`), id, or the publisher's name itself. */
function findOrganization(directory: CkanDirectory, key: string): CkanOrganizationFacts | undefined {
  return directory.find(key) ?? directory.find(key.toLowerCase()) ?? directory.ofPublisher(key);
}

/**
 * CKAN's organization_list sort: `name`, `title` or `package_count` (`packages`), asc or desc;
 * `title asc` by default; package_count without a direction is most datasets first, as CKAN
 * has it. A message when the text is none of those.
 */
function organizationSort(text: string | undefined): OrganizationSort | string {
  if (text === undefined || text.trim() === '' || text.trim() === 'relevance') return { field: 'title', descending: false };
  const match = /^\s*(name|title|package_count|packages)(?:\s+(asc|desc))?\s*$/i.exec(text);
  if (!match) return `Cannot sort by "${text.trim()}": sort by name, title or package_count, asc or desc`;
  const field = match[1]!.toLowerCase() === 'title' ? 'title' : match[1]!.toLowerCase() === 'name' ? 'name' : 'package_count';
  const direction = match[2]?.toLowerCase();
  return { field, descending: direction === undefined ? field === 'package_count' : direction === 'desc' };
}

function comparator(sort: OrganizationSort): (a: CkanOrganizationFacts, b: CkanOrganizationFacts) => number {
  const sign = sort.descending ? -1 : 1;
  const byName = (a: CkanOrganizationFacts, b: CkanOrganizationFacts): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  switch (sort.field) {
    case 'title':
      return (a, b) => sign * a.publisher.localeCompare(b.publisher, 'zh-Hant') || byName(a, b);
    case 'package_count':
      return (a, b) => sign * (a.packageCount - b.packageCount) || byName(a, b);
    case 'name':
      return (a, b) => sign * byName(a, b);
  }
}
