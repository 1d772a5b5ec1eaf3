/**
 * Reading the API's RDF outputs back with independent parsers and comparing graphs, for the
 * DCAT content-negotiation and catalogue tests.
 *
 * Every syntax is parsed into n3 terms (so language tags are compared the way n3 writes them,
 * lower-cased, as RDF allows) and canonicalised with RDFC-1.0 (jsonld.canonize), which makes
 * blank node labels irrelevant: two outputs are equal when they are the same graph.
 */
import jsonld from 'jsonld';
import type { JsonLdDocument } from 'jsonld';
import { DataFactory, Parser, Writer, type Quad } from 'n3';
import type { Quad as RdfJsQuad } from '@rdfjs/types';
import { RdfXmlParser } from 'rdfxml-streaming-parser';
import { PROCESSING_OPTIONS } from '../helpers/dcat-ap.js';

export type Syntax = 'jsonld' | 'turtle' | 'ntriples' | 'rdfxml';

/** The triples of a response body in the given syntax, as n3 quads. */
export async function parseRdf(body: string, syntax: Syntax): Promise<Quad[]> {
  switch (syntax) {
    case 'jsonld': {
      // Safe mode: anything the processor would have to drop fails the test instead.
      const nquads = await ((jsonld.toRDF as (input: unknown, options: unknown) => Promise<unknown>)(JSON.parse(body) as JsonLdDocument, {
        ...PROCESSING_OPTIONS,
        format: 'application/n-quads',
      }) as Promise<unknown>);
      return new Parser({ format: 'N-Quads' }).parse(nquads as unknown as string);
    }
    case 'turtle':
      return new Parser({ format: 'Turtle' }).parse(body);
    case 'ntriples':
      return new Parser({ format: 'N-Triples' }).parse(body);
    case 'rdfxml':
      return parseRdfXml(body);
  }
}

function parseRdfXml(body: string): Promise<Quad[]> {
  return new Promise((resolve, reject) => {
    const quads: Quad[] = [];
    const parser = new RdfXmlParser({ dataFactory: DataFactory as never });
    parser.on('data', (q: Quad) => quads.push(DataFactory.quad(q.subject, q.predicate, q.object)));
    parser.on('error', reject);
    parser.on('end', () => resolve(quads));
    parser.write(body);
    parser.end();
  });
}

/** The graph's canonical N-Quads (RDFC-1.0): equal strings, same graph. */
export async function canonical(quads: readonly RdfJsQuad[]): Promise<string> {
  const nquads = await new Promise<string>((resolve, reject) => {
    const writer = new Writer({ format: 'N-Quads' });
    writer.addQuads([...quads]);
    writer.end((error: Error | null, result: string) => (error ? reject(error) : resolve(result)));
  });
  return (await ((jsonld.canonize as (input: unknown, options: unknown) => Promise<unknown>)(
    nquads as never,
    { algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads', format: 'application/n-quads' } as never,
  ) as Promise<unknown>)) as unknown as string;
}

/** A body's canonical graph. */
export async function canonicalGraph(body: string, syntax: Syntax): Promise<string> {
  return canonical(await parseRdf(body, syntax));
}
