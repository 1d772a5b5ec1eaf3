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
import { PageGraph, type TermLike } from './page-graph.js';
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

/** Each triple as the parser reads it (any graph name dropped: a page is read as one graph). */
type QuadSink = (subject: TermLike, predicate: TermLike, object: TermLike) => void;

/** The page's quads as n3 quads (tests, and whoever wants them all). */
export async function parseRdf(page: PageToParse): Promise<Quad[]> {
  const quads: Quad[] = [];
  await parseInto(page, (s, p, o) => quads.push(quad(rebuild(s) as Quad['subject'], namedNode(p.value), rebuild(o) as Quad['object'], defaultGraph())));
  return quads;
}

/**
 * The page straight into a PageGraph, quad by quad as the parser reads them: no array of every
 * quad, no second copy of the terms.
 */
export async function parsePage(page: PageToParse): Promise<PageGraph> {
  const graph = new PageGraph();
  await parseInto(page, (s, p, o) => graph.add(s, p, o));
  return graph;
}

function parseInto(page: PageToParse, sink: QuadSink): Promise<void> {
  switch (page.format) {
    case 'turtle':
      return parseTurtle(page, sink);
    case 'rdfxml':
      return parseRdfXml(page, sink);
    case 'jsonld':
      return parseJsonLd(page, sink);
  }
}

/** n3 hands a string's quads to the callback from a microtask, then null at the end (or one error). */
function parseTurtle(page: PageToParse, sink: QuadSink): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const fail = (err: unknown): void => {
      if (done) return;
      done = true;
      const line = (err as { context?: { line?: unknown } }).context?.line;
      reject(new DcatParseError(page.sourceId, page.url, 'turtle', 'malformed-turtle', typeof line === 'number' ? line : undefined, (err as Error).message));
    };
    try {
      new TurtleParser({ baseIRI: page.url, format: 'text/turtle' }).parse(page.body, (error, q) => {
        if (done) return;
        if (error) fail(error);
        else if (q) sink(q.subject, q.predicate, q.object);
        else {
          done = true;
          resolve();
        }
      });
    } catch (err) {
      fail(err);
    }
  });
}

function parseRdfXml(page: PageToParse, sink: QuadSink): Promise<void> {
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
    const parser = new RdfXmlParser({ baseIRI: page.url, trackPosition: true });
    let failed = false;
    parser.on('data', (q: Quad) => {
      if (!failed) sink(q.subject, q.predicate, q.object);
    });
    parser.on('error', (err: Error) => {
      if (failed) return;
      failed = true;
      reject(new DcatParseError(page.sourceId, page.url, 'rdfxml', 'malformed-rdfxml', xmlErrorLine(err.message), err.message));
    });
    parser.on('end', () => {
      if (!failed) resolve();
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

async function parseJsonLd(page: PageToParse, sink: QuadSink): Promise<void> {
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
  for (const q of dataset as JsonLdQuad[]) {
    const converted = fromJsonLdQuad(q);
    sink(converted.subject, converted.predicate, converted.object);
  }
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

/** Parsers build RDF/JS terms of their own factories: rebuilt as n3 terms. */
function rebuild(term: TermLike): Term {
  if (term.termType === 'BlankNode') return blankNode(term.value);
  if (term.termType === 'Literal')
    return term.language ? literal(term.value, term.language) : literal(term.value, term.datatype ? namedNode(term.datatype.value) : undefined);
  return namedNode(term.value);
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < Math.min(index, text.length); i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}
