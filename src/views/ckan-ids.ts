/**
 * The identifiers the CKAN-compatible API gives things that the national record names only by
 * text: package, resource, tag, group and organization ids (UUIDs, as CKAN's are) and URL-safe
 * names (CKAN's `^[a-z0-9_-]{2,100}$`).
 *
 * Every id is a UUID v5 of what it stands for, so it is the same on every request, after every
 * re-harvest and on every gateway installation: a CKAN harvester that stored a package id finds
 * the same dataset under it next time. Nothing here may change once released, or every harvester
 * downstream would see every dataset deleted and created again.
 */
import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';

/** The root of all our namespaces, itself derived from a URL we own the meaning of. */
const ROOT_NAMESPACE = uuidv5('https://ogd-gateway.example/ns/ckan', uuidv5.URL);
const PACKAGE_NAMESPACE = uuidv5('package', ROOT_NAMESPACE);
const RESOURCE_NAMESPACE = uuidv5('resource', ROOT_NAMESPACE);
const TAG_NAMESPACE = uuidv5('tag', ROOT_NAMESPACE);
const GROUP_NAMESPACE = uuidv5('group', ROOT_NAMESPACE);
const ORGANIZATION_NAMESPACE = uuidv5('organization', ROOT_NAMESPACE);

/** CKAN's rule for package, group and organization names. */
export const CKAN_NAME_PATTERN = /^[a-z0-9_-]{2,100}$/;

/** A national identifier (`A41000000G-000001`) and other upper-case codes become names by lower-casing alone. */
const UPPER_CASE_FORM = /^[A-Z0-9_-]{2,100}$/;

const HASH_LENGTH = 10;

export function packageUuid(identifier: string): string {
  return uuidv5(identifier, PACKAGE_NAMESPACE);
}

/**
 * Resources are told apart by their resourceID within the dataset; a resource without one (or
 * repeating one) by its position, which is as stable as the publisher's list.
 */
export function resourceUuid(identifier: string, resourceKey: string): string {
  return uuidv5(`${identifier}\u0000${resourceKey}`, RESOURCE_NAMESPACE);
}

export function tagUuid(keyword: string): string {
  return uuidv5(keyword, TAG_NAMESPACE);
}

export function groupUuid(categoryCode: string): string {
  return uuidv5(categoryCode, GROUP_NAMESPACE);
}

/** An organization is a publisher: its id follows the publisher's name, whatever code it gains later. */
export function organizationUuid(publisher: string): string {
  return uuidv5(publisher, ORGANIZATION_NAMESPACE);
}

/**
 * The package name of a dataset identifier, a pure function of it (no lookup, so every response
 * agrees): an identifier in the national upper-case form is lower-cased (`a41000000g-000001`),
 * which no other identifier in that form shares. Any other identifier (a URI, a UUID, one with
 * `~source`) is slugged and given a hash of itself, because slugging loses characters and two
 * identifiers must never share a name.
 */
export function packageName(identifier: string): string {
  if (UPPER_CASE_FORM.test(identifier)) return identifier.toLowerCase();
  return hashedSlug(identifier, 'dataset');
}

/**
 * The identifier a name would stand for if it is the lower-cased national form: a candidate to
 * look up (a hashed name upper-cased is one too, and simply finds nothing).
 */
export function candidateIdentifierOfName(name: string): string | undefined {
  const upper = name.toUpperCase();
  return UPPER_CASE_FORM.test(upper) && packageName(upper) === name ? upper : undefined;
}

/**
 * The name an organization would like: its agency code lower-cased when it has one (the code is
 * how Taiwan's platforms name agencies), else its name when that is already a clean slug, else
 * a slug with a hash (a Chinese name has no ASCII letters to keep).
 */
export function preferredOrganizationName(publisher: string, orgCode: string | undefined): string {
  if (orgCode !== undefined && UPPER_CASE_FORM.test(orgCode.toUpperCase()) && CKAN_NAME_PATTERN.test(orgCode.toLowerCase())) return orgCode.toLowerCase();
  if (CKAN_NAME_PATTERN.test(publisher)) return publisher;
  return hashedSlug(publisher, 'org');
}

/** A second choice for an organization whose preferred name another (larger) one took. */
export function fallbackOrganizationName(publisher: string): string {
  return hashedSlug(publisher, 'org');
}

/** Lower-case ASCII slug of the text, cut to leave room for `-` and the hash, then the hash. */
function hashedSlug(text: string, emptyPrefix: string): string {
  const hash = createHash('sha1').update(text).digest('hex').slice(0, HASH_LENGTH);
  const slug = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100 - HASH_LENGTH - 1)
    .replace(/-+$/, '');
  return `${slug === '' ? emptyPrefix : slug}-${hash}`;
}
