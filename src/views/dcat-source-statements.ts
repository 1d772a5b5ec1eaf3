/**
 * DCAT in, DCAT out: what a DCAT source said that the national record has no field for, served
 * again in the DCAT views as the source said it.
 *
 * The DCAT mapping (src/mapping/dcat.ts) keeps such statements in extensions.sourceExtras under
 * compact IRIs (src/mapping/dcat/graph.ts gives the shape). These are served:
 * - `dcat:theme`, `dcatap:hvdCategory`, `dcatap:applicableLegislation`: IRIs of EU vocabularies
 *   (data themes, HVD categories, ELI), served as bare IRIs exactly as the source wrote them; their
 *   labels are the vocabularies' to publish. A literal (not valid DCAT-AP) stays in the record.
 * - `dct:spatial`: each place the source gave, in place of the place-name text of the record: an
 *   IRI as that IRI (with the names, geometry, bounding box and centroid the source gave it, in
 *   their languages and datatypes); a dct:Location without IRI likewise; a literal as the name
 *   of a dct:Location. Nested nodes under a place (a geometry given as a node) are not served:
 *   they stay in the stored record.
 * - `dct:title`, `dct:description`, `dcat:keyword` in the source's other languages: the record
 *   holds one language of each (the configured one first); the rest are served beside it.
 * - a distribution's `dcatap:applicableLegislation` (addDcatDistributionStatements).
 * Other vocabularies' records have no such extras: nothing is added for them.
 */
import { NO_LANGUAGE } from '../mapping/dcat/languages.js';
import { expandIri } from '../mapping/dcat/vocab.js';
import { isWellFormedString, toWellFormedString as wellFormed } from '../model/well-formed-string.js';
import type { JsonLdNode } from './json-ld-node.js';

const DCT_LOCATION = 'dct:Location';

/** An absolute IRI RDF accepts: a scheme, and none of the characters Turtle forbids in an IRIREF. */
const ABSOLUTE_IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\u0000-\u0020<>"{}|\\^`\u007F]*$/u;

/** The source's DCAT statements the record lacks, added to `node`; true when dct:spatial was served from them. */
export function addDcatSourceStatements(node: JsonLdNode, extensions: unknown): boolean {
  const extras = dcatSourceExtras(extensions);
  if (extras === undefined) return false;
  // The source's other languages of the texts the record holds one of (src/mapping/dcat/languages.ts).
  for (const property of ['dct:title', 'dct:description', 'dcat:keyword']) {
    const others = otherLanguageLiterals(extras[property]);
    if (others.length > 0) node[property] = [...asList(node[property]), ...others];
  }
  const themes = iriNodes(extras['dcat:theme']);
  if (themes.length > 0) node['dcat:theme'] = mergeById(node['dcat:theme'], themes);
  for (const property of ['dcatap:hvdCategory', 'dcatap:applicableLegislation']) {
    const iris = iriNodes(extras[property]);
    if (iris.length > 0) node[property] = iris;
  }
  const places = asList(extras['dct:spatial'])
    .map(placeNode)
    .filter((place): place is JsonLdNode => place !== undefined);
  if (places.length === 0) return false;
  node['dct:spatial'] = places;
  return true;
}

/**
 * What a DCAT source said about one distribution (`resourceID`) that the national record has no
 * field for, kept in the dataset's sourceExtras under `dcat:distribution`: its applicable
 * legislation (HVD: required on every distribution of a high-value dataset) as the same IRIs.
 */
export function addDcatDistributionStatements(node: JsonLdNode, datasetExtensions: unknown, resourceId: string): void {
  const extras = dcatSourceExtras(datasetExtensions);
  if (extras === undefined) return;
  const kept = asList(extras['dcat:distribution']).find((entry) => isPlainObject(entry) && entry['resourceID'] === resourceId);
  if (!isPlainObject(kept)) return;
  const legislation = iriNodes(kept['dcatap:applicableLegislation']);
  if (legislation.length > 0) node['dcatap:applicableLegislation'] = legislation;
}

/**
 * `{ "en": "Title", "@none": "…", "de": ["a", "b"] }` (texts by language tag, as the mapping kept
 * them) → literals in those languages; a tag JSON-LD would refuse is left out.
 */
function otherLanguageLiterals(value: unknown): JsonLdNode[] {
  if (!isPlainObject(value)) return [];
  const literals: JsonLdNode[] = [];
  for (const [tag, texts] of Object.entries(value)) {
    if (tag !== NO_LANGUAGE && !LANGUAGE_TAG.test(tag)) continue;
    for (const text of asList(texts)) {
      if (typeof text !== 'string' || text.trim() === '') continue;
      literals.push(tag === NO_LANGUAGE ? { '@value': wellFormed(text.trim()) } : { '@value': wellFormed(text.trim()), '@language': tag });
    }
  }
  return literals;
}

/** The sourceExtras of a record harvested from DCAT, else undefined. */
function dcatSourceExtras(extensions: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(extensions) || extensions.sourceVocabulary !== 'dcat') return undefined;
  return isPlainObject(extensions.sourceExtras) ? extensions.sourceExtras : undefined;
}

/** `{"@id": iri}` for every value that is an IRI (a described node's @id counts). */
function iriNodes(value: unknown): JsonLdNode[] {
  const seen = new Set<string>();
  const nodes: JsonLdNode[] = [];
  for (const item of asList(value)) {
    const iri = isPlainObject(item) ? validIri(item['@id']) : undefined;
    if (iri === undefined || seen.has(iri)) continue;
    seen.add(iri);
    nodes.push({ '@id': iri });
  }
  return nodes;
}

/** The view's own themes (the gateway's service category, EU themes derived from it) and the source's, once each. */
function mergeById(existing: unknown, added: JsonLdNode[]): JsonLdNode[] {
  const merged = asList(existing).filter(isPlainObject);
  const ids = new Set(merged.map((item) => item['@id']));
  for (const node of added) if (!ids.has(node['@id'])) merged.push(node);
  return merged;
}

/** One place of the source as a JSON-LD node, or undefined when there is nothing to serve. */
function placeNode(value: unknown): JsonLdNode | undefined {
  const name = literal(value);
  if (name !== undefined) return { '@type': DCT_LOCATION, 'skos:prefLabel': name };
  if (!isPlainObject(value)) return undefined;
  const iri = validIri(value['@id']);
  const node: JsonLdNode = {};
  if (iri !== undefined) node['@id'] = iri;
  const types = asList(value['@type'])
    .filter((type): type is string => typeof type === 'string')
    .map(expandIri);
  if (types.length > 0) node['@type'] = types;
  let described = false;
  for (const [key, inner] of Object.entries(value)) {
    if (key.startsWith('@')) continue;
    const property = validIri(expandIri(key));
    const literals = asList(inner)
      .map(literal)
      .filter((item) => item !== undefined);
    if (property === undefined || literals.length === 0) continue;
    node[property] = literals;
    described = true;
  }
  if (iri === undefined && !described) return undefined;
  // A place with no IRI is known only by what it says: typed, so that DCAT-AP's Location shape applies.
  if (iri === undefined && types.length === 0) node['@type'] = DCT_LOCATION;
  return node;
}

/** An extras literal (`"text"`, `{"@value", "@language"}`, `{"@value", "@type": compact}`) as JSON-LD, else undefined. */
function literal(value: unknown): unknown {
  if (typeof value === 'string') return { '@value': wellFormed(value) };
  if (!isPlainObject(value) || typeof value['@value'] !== 'string') return undefined;
  const text = wellFormed(value['@value']);
  // A stored record may be damaged: a tag JSON-LD would refuse is left off rather than break the view.
  if (typeof value['@language'] === 'string' && LANGUAGE_TAG.test(value['@language'])) return { '@value': text, '@language': value['@language'] };
  const datatype = typeof value['@type'] === 'string' ? validIri(expandIri(value['@type'])) : undefined;
  return datatype === undefined ? { '@value': text } : { '@value': text, '@type': datatype };
}

/** BCP 47's shape, as JSON-LD checks it. */
const LANGUAGE_TAG = /^[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*$/;

function validIri(value: unknown): string | undefined {
  return typeof value === 'string' && ABSOLUTE_IRI.test(value) && isWellFormedString(value) ? value : undefined;
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
