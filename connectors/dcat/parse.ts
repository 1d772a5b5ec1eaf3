/**
 * One catalogue page → RDF quads, in Turtle (n3), RDF/XML (rdfxml-streaming-parser) or JSON-LD
 * (jsonld, with the local-only document loader). Every failure is a DcatParseError naming the
 * page, the format and, where the parser knows it, the line.
 *
 * Hostile input: no parser here ever fetches anything. Turtle and RDF/XML have no way to; XML
 * DOCTYPE declarations (the door to external and expanding entities) are refused outright;
 * JSON-LD contexts come only from mappings/jsonld-contexts.
 */
import { EventEmitter } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
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
  /**
   * The document: its text, or its bytes (UTF-8), which Turtle and RDF/XML are read from in
   * pieces, so that a big document is never also held whole as a string.
   */
  body: string | Buffer;
  format: RdfFormat;
}

/** Pieces of a document given as bytes, decoded as the parsers take them. */
const PIECE_BYTES = 256 * 1024;

function* textPieces(body: string | Buffer): Generator<string> {
  if (typeof body === 'string') {
    yield body;
    return;
  }
  const decoder = new StringDecoder('utf8');
  for (let at = 0; at < body.length; at += PIECE_BYTES) yield decoder.write(body.subarray(at, at + PIECE_BYTES));
  const rest = decoder.end();
  if (rest !== '') yield rest;
}

/**
 * The pieces as the stream n3's lexer reads (`data`, then `end`), one piece per turn of the event
 * loop: a big document does not hold the loop for its whole parse.
 */
function pieceStream(body: Buffer): EventEmitter {
  const stream = new EventEmitter();
  const pieces = textPieces(body);
  const next = (): void => {
    const piece = pieces.next();
    if (piece.done) stream.emit('end');
    else {
      stream.emit('data', piece.value);
      setImmediate(next);
    }
  };
  setImmediate(next);
  return stream;
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
      const input = typeof page.body === 'string' ? page.body : (pieceStream(page.body) as unknown as string);
      new TurtleParser({ baseIRI: page.url, format: 'text/turtle' }).parse(input, (error, q) => {
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
  const doctype = findDoctype(page.body);
  if (doctype) {
    const line = doctype.line;
    return Promise.reject(
      new DcatParseError(
        page.sourceId,
        page.url,
        'rdfxml',
        'xml-doctype',
        line,
        `XML <!${doctype.keyword}> declarations are refused: entities are never expanded or fetched`,
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
    for (const piece of textPieces(page.body)) parser.write(piece);
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

/** `<!DOCTYPE` or `<!ENTITY` (any case, then a word boundary) and its line, in text or in bytes. */
function findDoctype(body: string | Buffer): { keyword: string; line: number } | undefined {
  if (typeof body === 'string') {
    const found = /<!(DOCTYPE|ENTITY)\b/i.exec(body);
    return found ? { keyword: found[1]!, line: lineAt(body, found.index) } : undefined;
  }
  for (let at = body.indexOf('<!'); at !== -1; at = body.indexOf('<!', at + 2)) {
    for (const keyword of ['DOCTYPE', 'ENTITY']) {
      const word = body.toString('latin1', at + 2, at + 2 + keyword.length);
      const after = body[at + 2 + keyword.length];
      const boundary = after === undefined || !/[A-Za-z0-9_]/.test(String.fromCharCode(after));
      if (word.toUpperCase() === keyword && boundary) return { keyword: word, line: countNewlines(body, at) + 1 };
    }
  }
  return undefined;
}

function countNewlines(bytes: Buffer, end: number): number {
  let count = 0;
  for (let at = bytes.indexOf(10); at !== -1 && at < end; at = bytes.indexOf(10, at + 1)) count += 1;
  return count;
}

async function parseJsonLd(page: PageToParse, sink: QuadSink): Promise<void> {
  const text = typeof page.body === 'string' ? page.body : page.body.toString('utf8');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const line = position !== undefined ? lineAt(text, Number(position)) : lineAt(text, text.length);
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
