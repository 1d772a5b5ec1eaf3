/**
 * The DCAT views in the RDF syntaxes other than JSON-LD: Turtle, N-Triples and RDF/XML.
 *
 * The JSON-LD we build is the source of truth: the other syntaxes are its triples, as a JSON-LD
 * processor (jsonld.toRDF) reads them, so every syntax says exactly the same thing. Turtle and
 * N-Triples are written by n3, RDF/XML by ./rdf-xml.ts.
 *
 * No document is ever fetched: our documents carry their context inline, and the document
 * loader refuses every URL, so a context that somehow named a remote one fails loudly instead
 * of making the server reach the network while answering a request.
 */
import jsonld from 'jsonld';
import type { JsonLdDocument } from 'jsonld';
import { DataFactory, Writer } from 'n3';
import type { Quad, Quad_Object, Quad_Subject } from '@rdfjs/types';
import { writeRdfXml } from './rdf-xml.js';
import type { JsonLdNode } from './json-ld-node.js';
import type { JsonLdQuad, JsonLdTerm } from '../model/jsonld-quad.js';

const { blankNode, defaultGraph, literal, namedNode, quad } = DataFactory;

export type RdfSyntax = 'jsonld' | 'turtle' | 'ntriples' | 'rdfxml';

async function refuseEveryDocument(url: string): Promise<never> {
  throw new Error(`no JSON-LD document is ever fetched, yet ${url} was asked for`);
}

/**
 * The RDF merge of self-contained JSON-LD documents (often just one): their triples together,
 * as n3 terms in the default graph (our documents have no named graphs), each document's blank
 * nodes kept apart from the others' (labels d0b0, d1b0 …).
 *
 * jsonld.toRDF costs a few milliseconds per dataset and does not let go of the event loop
 * while it works: between documents this yields, so a long catalogue page in Turtle does not
 * stall every other request the server is answering.
 */
export async function jsonLdMergedTriples(documents: readonly JsonLdNode[]): Promise<Quad[]> {
  const triples: Quad[] = [];
  for (const [index, document] of documents.entries()) {
    if (index > 0) await new Promise((resolve) => setImmediate(resolve));
    triples.push(...(await documentTriples(document, `d${index}`)));
  }
  return triples;
}

async function documentTriples(document: JsonLdNode, blankPrefix: string): Promise<Quad[]> {
  // Not safe mode: whatever a JSON-LD consumer of the document would drop is dropped here too,
  // so all syntaxes agree; the tests prove in safe mode that our documents drop nothing.
  const dataset: unknown = await jsonld.toRDF(document as JsonLdDocument, { documentLoader: refuseEveryDocument } as Parameters<typeof jsonld.toRDF>[1]);
  if (!Array.isArray(dataset)) throw new Error('jsonld.toRDF returned no RDF dataset');
  const term = new TermReader(blankPrefix);
  return (dataset as JsonLdQuad[]).map((q) => quad(term.subject(q.subject), namedNode(q.predicate.value), term.object(q.object), defaultGraph()));
}

class TermReader {
  constructor(private readonly blankPrefix: string) {}

  subject(term: JsonLdTerm): Quad_Subject {
    return term.termType === 'BlankNode' ? blankNode(this.blankPrefix + term.value.replace(/^_:/, '')) : namedNode(term.value);
  }

  object(term: JsonLdTerm): Quad_Object {
    if (term.termType !== 'Literal') return this.subject(term);
    if (term.language) return literal(term.value, term.language);
    return literal(term.value, term.datatype ? namedNode(term.datatype.value) : undefined);
  }
}

/**
 * The namespace prefixes of a JSON-LD context (its string-valued terms naming a namespace), for
 * Turtle and RDF/XML: the same short names as the JSON-LD.
 */
export function contextPrefixes(context: Readonly<Record<string, unknown>>): Record<string, string> {
  const prefixes: Record<string, string> = {};
  for (const [term, value] of Object.entries(context)) {
    if (typeof value === 'string' && !term.startsWith('@') && /[#/]$/.test(value)) prefixes[term] = value;
  }
  return prefixes;
}

export type TripleSyntax = Exclude<RdfSyntax, 'jsonld'>;

/**
 * Triples in Turtle, N-Triples or RDF/XML. `prefixes` name namespaces in Turtle and RDF/XML
 * (see contextPrefixes); N-Triples has none.
 */
export async function writeTriples(triples: readonly Quad[], syntax: TripleSyntax, prefixes: Readonly<Record<string, string>>): Promise<string> {
  if (syntax === 'rdfxml') return writeRdfXml(triples, prefixes);
  return writeWithN3(triples, syntax === 'turtle' ? { format: 'Turtle', prefixes: { ...prefixes } } : { format: 'N-Triples' });
}

function writeWithN3(triples: readonly Quad[], options: { format: string; prefixes?: Record<string, string> }): Promise<string> {
  const writer = new Writer(options);
  writer.addQuads([...triples]);
  return new Promise((resolve, reject) => {
    writer.end((error: Error | null, result: string) => (error ? reject(error) : resolve(result)));
  });
}
