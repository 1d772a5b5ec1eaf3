/**
 * A publisher as a CKAN organization dict (organization_show, organization_list with
 * all_fields, and the `organization` of every package).
 *
 * The gateway harvests; it has no organizations of its own. An organization is a publisher of
 * the federated catalogue (record.publisher, else record.organization, as the search filters
 * read it), so everything that filters or counts by organization agrees with package_search.
 */
import { ckanTimestamp } from './ckan-time.js';
import { organizationUuid } from './ckan-ids.js';

export interface CkanOrganizationFacts {
  /** The publisher's name as the records write it: the organization's title. */
  publisher: string;
  /** Unique among the catalogue's organizations (chosen by the API's directory). */
  name: string;
  /** UTC instant: when the first of its datasets was first harvested. */
  createdAt: string;
  /** Live datasets it publishes. */
  packageCount: number;
  /** 機關代碼 its datasets carry (the most common one), when they carry one. */
  orgCode?: string | undefined;
  /** 機關 OID its datasets carry (the most common one), when they carry one. */
  oid?: string | undefined;
  /**
   * The organization of the datasets whose records name no publisher (NO_PUBLISHER): CKAN
   * clients expect every package to have an organization and an owner_org, and the gateway
   * does not invent a publisher a source did not state.
   */
  noPublisher?: true | undefined;
}

/** The name, id and title of the organization of datasets that name no publisher. */
export const NO_PUBLISHER = {
  name: 'no-publisher',
  // Not a uuidv5 of any publisher's name: a NUL cannot be part of one (organizationUuid(name) is).
  id: organizationUuid('\u0000no publisher'),
  title: 'No publisher named (未載明提供機關)',
  description: 'Datasets whose sources name no publisher.',
} as const;

/** The no-publisher organization, for `packageCount` live datasets, the first harvested at `createdAt`. */
export function noPublisherOrganization(createdAt: string, packageCount: number): CkanOrganizationFacts {
  return { publisher: NO_PUBLISHER.title, name: NO_PUBLISHER.name, createdAt, packageCount, noPublisher: true };
}

/** The organization's id: a UUID of its publisher's name (NO_PUBLISHER.id for none). */
export function organizationId(org: CkanOrganizationFacts): string {
  return org.noPublisher ? NO_PUBLISHER.id : organizationUuid(org.publisher);
}

export type CkanDict = Record<string, unknown>;

/** The organization as it is embedded in a package (CKAN's package_show shape). */
export function toCkanOrganizationSummary(org: CkanOrganizationFacts): CkanDict {
  return {
    id: organizationId(org),
    name: org.name,
    title: org.publisher,
    type: 'organization',
    description: org.noPublisher ? NO_PUBLISHER.description : '',
    image_url: '',
    created: ckanTimestamp(org.createdAt),
    is_organization: true,
    approval_status: 'approved',
    state: 'active',
  };
}

export interface OrganizationDictOptions {
  includeDatasetCount: boolean;
  includeExtras: boolean;
}

/** The organization as organization_show and organization_list (all_fields) give it. */
export function toCkanOrganization(org: CkanOrganizationFacts, options: OrganizationDictOptions): CkanDict {
  const dict: CkanDict = {
    ...toCkanOrganizationSummary(org),
    display_name: org.publisher,
    image_display_url: '',
    num_followers: 0,
    // CKAN's organization_show lists the groups the organization belongs to (a hierarchy the
    // gateway does not have): CKAN clients read the list, so it is there, empty.
    groups: [],
  };
  if (options.includeDatasetCount) dict['package_count'] = org.packageCount;
  if (options.includeExtras) dict['extras'] = organizationExtras(org);
  return dict;
}

/** What identifies the agency in Taiwan's registries, under the national standard's names. */
function organizationExtras(org: CkanOrganizationFacts): Array<{ key: string; value: string }> {
  const extras: Array<{ key: string; value: string }> = [];
  if (org.oid !== undefined) extras.push({ key: 'publisherOID', value: org.oid });
  if (org.orgCode !== undefined) extras.push({ key: 'publisherOrgCode', value: org.orgCode });
  return extras;
}
