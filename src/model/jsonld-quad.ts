/**
 * jsonld.toRDF's quads: RDF/JS-shaped plain objects (its type declarations say only `object`).
 * Read by the DCAT connector (parsing harvested JSON-LD) and the RDF views (writing our own).
 */
export interface JsonLdTerm {
  termType: 'NamedNode' | 'BlankNode' | 'Literal' | 'DefaultGraph';
  value: string;
  language?: string;
  datatype?: { value: string };
}

export interface JsonLdQuad {
  subject: JsonLdTerm;
  predicate: JsonLdTerm;
  object: JsonLdTerm;
}
