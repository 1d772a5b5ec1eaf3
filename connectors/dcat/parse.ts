/**
 * One catalogue page → RDF quads, in Turtle (n3), RDF/XML (rdfxml-streaming-parser) or JSON-LD
 * (jsonld, with the local-only document loader). Every failure is a DcatParseError naming the
 * page, the format and, where the parser knows it, the line.
 *
 * Hostile input: no parser here ever fetches anything. Turtle and RDF/XML have no way to; XML
 * DOCTYPE declarations (the door to external and expanding entities) are refused outright;
 * JSON-LD contexts come only from mappings/jsonld-contexts.
 */
import jsonld from 'jsonld';
import type { JsonLdDocument } from 'jsonld';
import { DataFactory, Parser as TurtleParser, type Quad, type Term } from 'n3';
import { RdfXmlParser } from 'rdfxml-streaming-parser';
import { SourceProtocolError } from '../connector.js';
import type { RdfFormat } from './formats.js';
import { localDocumentLoader } from './jsonld-loader.js';
import type { JsonLdQuad, JsonLdTerm } from '../../src/model/jsonld-quad.js';

const { namedNode, blankNode, literal, quad, defaultGraph } = DataFactory;

/** Why a page could not be read; the run report groups whole-run failures by `rule`. */
export type ParseRule = 'malformed-turtle' | 'malformed-rdfxml' | 'malformed-jsonld' | 'xml-doctype' | 'context-refused' | 'not-rdf' | 'no-triples';

/** A catalogue page that is not readable RDF: the whole run fails (what was stored stays). */
export class DcatParseError extends SourceProtocolError {
  constructor(
    sourceId: string,
    readonly url: string,
    readonly format: RdfFormat | undefined,
    readonly rule: ParseRule,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(sourceId, `${url}${format ? ` (${FORMAT_NAMES[format]})` : ''}${line !== undefined ? `, line ${line}` : ''}: ${detail}`);
    this.name = 'DcatParseError';
  }
}

export const FORMAT_NAMES: Readonly<Record<RdfFormat, string>> = { turtle: 'Turtle', rdfxml: 'RDF/XML', jsonld: 'JSON-LD' };

export interface PageToParse {
  sourceId: string;
  url: string;
  body: string;
  format: RdfFormat;
}

export async function parseRdf(page: PageToParse): Promise<Quad[]> {
  switch (page.format) {
    case 'turtle':
      return parseTurtle(page);
    case 'rdfxml':
      return parseRdfXml(page);
    case 'jsonld':
      return parseJsonLd(page);
  }
}

function parseTurtle(page: PageToParse): Quad[] {
  try {
    return new TurtleParser({ baseIRI: page.url, format: 'text/turtle' }).parse(page.body);
  } catch (err) {
    const line = (err as { context?: { line?: unknown } }).context?.line;
    throw new DcatParseError(page.sourceId, page.url, 'turtle', 'malformed-turtle', typeof line === 'number' ? line : undefined, (err as Error).message);
  }
}

function parseRdfXml(page: PageToParse): Promise<Quad[]> {
  const doctype = /<!(DOCTYPE|ENTITY)\b/i.exec(page.body);
  if (doctype) {
    const line = lineAt(page.body, doctype.index);
    return Promise.reject(
      new DcatParseError(
        page.sourceId,
        page.url,
        'rdfxml',
        'xml-doctype',
        line,
        `XML <!${doctype[1]}> declarations are refused: entities are never expanded or fetched`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const quads: Quad[] = [];
    const parser = new RdfXmlParser({ baseIRI: page.url, trackPosition: true });
    let failed = false;
    parser.on('data', (q: Quad) => quads.push(toN3Quad(q)));
    parser.on('error', (err: Error) => {
      if (failed) return;
      failed = true;
      reject(new DcatParseError(page.sourceId, page.url, 'rdfxml', 'malformed-rdfxml', xmlErrorLine(err.message), err.message));
    });
    parser.on('end', () => {
      if (!failed) resolve(quads);
    });
    parser.write(page.body);
    // The parser never tells its XML tokenizer the document ended, so a body cut short (a
    // truncated download) would parse "fine" up to the cut. Closing the tokenizer reports
    // every unclosed element as an error.
    const tokenizer = (parser as unknown as { saxParser?: { close?: () => void } }).saxParser;
    if (typeof tokenizer?.close !== 'function') {
      failed = true;
      reject(
        new DcatParseError(
          page.sourceId,
          page.url,
          'rdfxml',
          'malformed-rdfxml',
          undefined,
          'cannot check that the RDF/XML document is complete (rdfxml-streaming-parser changed)',
        ),
      );
      return;
    }
    try {
      tokenizer.close();
    } catch (err) {
      parser.emit('error', err);
    }
    parser.end();
  });
}

/** rdfxml-streaming-parser writes `Line 3 column 5: …`; saxes writes `3:5: …`. */
function xmlErrorLine(message: string): number | undefined {
  const match = /Line (\d+)/.exec(message) ?? /(?:^|:)(\d+):\d+: /.exec(message);
  return match?.[1] !== undefined ? Number(match[1]) : undefined;
}

async function parseJsonLd(page: PageToParse): Promise<Quad[]> {
  let document: unknown;
  try {
    document = JSON.parse(page.body);
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const line = position !== undefined ? lineAt(page.body, Number(position)) : lineAt(page.body, page.body.length);
    throw new DcatParseError(page.sourceId, page.url, 'jsonld', 'malformed-jsonld', line, `not valid JSON: ${message}`);
  }
  const loader = localDocumentLoader();
  let dataset: unknown;
  try {
    dataset = await jsonld.toRDF(document as JsonLdDocument, { base: page.url, documentLoader: loader.load } as Parameters<typeof jsonld.toRDF>[1]);
  } catch (err) {
    if (loader.refused.length > 0) {
      throw new DcatParseError(
        page.sourceId,
        page.url,
        'jsonld',
        'context-refused',
        undefined,
        `remote JSON-LD context ${loader.refused[0]} is not in the local context map (mappings/jsonld-contexts/map.json); it was not fetched`,
      );
    }
    throw new DcatParseError(page.sourceId, page.url, 'jsonld', 'malformed-jsonld', undefined, jsonLdErrorText(err));
  }
  if (!Array.isArray(dataset))
    throw new DcatParseError(page.sourceId, page.url, 'jsonld', 'malformed-jsonld', undefined, 'the JSON-LD processor returned no RDF dataset');
  return (dataset as JsonLdQuad[]).map(fromJsonLdQuad);
}

function jsonLdErrorText(err: unknown): string {
  const error = err as { name?: string; message?: string; details?: { code?: string } };
  const code = error.details?.code;
  return `${error.message ?? String(err)}${code ? ` (${code})` : ''}`;
}

/** Named graphs are folded into the default graph: a catalogue page is read as one graph. */
function fromJsonLdQuad(q: JsonLdQuad): Quad {
  return quad(jsonLdTerm(q.subject) as Quad['subject'], namedNode(q.predicate.value), jsonLdTerm(q.object) as Quad['object'], defaultGraph());
}

function jsonLdTerm(term: JsonLdTerm): Term {
  if (term.termType === 'BlankNode') return blankNode(term.value.replace(/^_:/, ''));
  if (term.termType === 'Literal') {
    return term.language ? literal(term.value, term.language) : literal(term.value, term.datatype ? namedNode(term.datatype.value) : undefined);
  }
  return namedNode(term.value);
}

/** rdfxml-streaming-parser builds RDF/JS terms of its own factory: rebuilt as n3 terms, default graph. */
function toN3Quad(q: Quad): Quad {
  return quad(rebuild(q.subject) as Quad['subject'], namedNode(q.predicate.value), rebuild(q.object) as Quad['object'], defaultGraph());
}

function rebuild(term: Term): Term {
  if (term.termType === 'BlankNode') return blankNode(term.value);
  if (term.termType === 'Literal') return term.language ? literal(term.value, term.language) : literal(term.value, namedNode(term.datatype.value));
  return namedNode(term.value);
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < Math.min(index, text.length); i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}
