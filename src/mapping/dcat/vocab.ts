/**
 * The RDF vocabularies DCAT catalogues use: namespace IRIs, the few terms the connector and the
 * mapping name, and compact names (`dct:title`) for the keys of extensions.sourceExtras.
 */

export const NS = {
  adms: 'http://www.w3.org/ns/adms#',
  cnt: 'http://www.w3.org/2011/content#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dcatap: 'http://data.europa.eu/r5r/',
  dct: 'http://purl.org/dc/terms/',
  dc: 'http://purl.org/dc/elements/1.1/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  geo: 'http://www.opengis.net/ont/geosparql#',
  hydra: 'http://www.w3.org/ns/hydra/core#',
  locn: 'http://www.w3.org/ns/locn#',
  odrl: 'http://www.w3.org/ns/odrl/2/',
  org: 'http://www.w3.org/ns/org#',
  owl: 'http://www.w3.org/2002/07/owl#',
  prov: 'http://www.w3.org/ns/prov#',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  schema: 'http://schema.org/',
  sdo: 'https://schema.org/',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  spdx: 'http://spdx.org/rdf/terms#',
  time: 'http://www.w3.org/2006/time#',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
} as const;

type Prefix = keyof typeof NS;

/** `term('dct', 'title')` → `http://purl.org/dc/terms/title`. */
export function term(prefix: Prefix, local: string): string {
  return NS[prefix] + local;
}

export const RDF_TYPE = term('rdf', 'type');
export const XSD_STRING = term('xsd', 'string');
export const RDF_LANG_STRING = term('rdf', 'langString');

/** Classes whose instances are records: one national record each. */
export const RECORD_CLASSES = [term('dcat', 'Dataset'), term('dcat', 'DatasetSeries')] as const;

/**
 * Classes whose instances are records or catalogues of their own: the subgraph of one dataset
 * links to them but does not take in their descriptions (a series, a related dataset, the
 * catalogue are not part of the dataset).
 */
export const STANDALONE_CLASSES = [...RECORD_CLASSES, term('dcat', 'Catalog'), term('dcat', 'CatalogRecord')] as const;

/** Longest namespace first, so `sdo:` (https) is not shadowed and nested namespaces resolve right. */
const BY_LENGTH = (Object.entries(NS) as Array<[Prefix, string]>).sort((a, b) => b[1].length - a[1].length);

/** `http://purl.org/dc/terms/title` → `dct:title`; an IRI in no known namespace stays whole. */
export function compactIri(iri: string): string {
  for (const [prefix, namespace] of BY_LENGTH) {
    if (iri.startsWith(namespace) && iri.length > namespace.length) {
      const local = iri.slice(namespace.length);
      if (/^[A-Za-z_][\w.-]*$/.test(local)) return `${prefix}:${local}`;
    }
  }
  return iri;
}

/** `dct:title` → `http://purl.org/dc/terms/title`: the inverse of compactIri (anything else is returned as is). */
export function expandIri(compact: string): string {
  const colon = compact.indexOf(':');
  if (colon <= 0) return compact;
  const prefix = compact.slice(0, colon);
  return Object.hasOwn(NS, prefix) ? NS[prefix as Prefix] + compact.slice(colon + 1) : compact;
}
