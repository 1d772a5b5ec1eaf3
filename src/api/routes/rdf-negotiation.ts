/**
 * Which RDF syntax a DCAT request gets, and sending it. Shared by GET /catalog and
 * GET /dataset/{identifier}:
 * - a path suffix (`.jsonld`, `.ttl`, `.rdf`, `.nt`) names the syntax and wins over Accept;
 * - without one, the Accept header decides (q-values, wildcards), JSON-LD being the default for
 *   `*` and for no Accept at all; an Accept nothing matches is 406 in the spec's error shape.
 *   Those responses carry `Vary: Accept`, so caches keep one copy per syntax.
 */
import Negotiator from 'negotiator';
import type { FastifyReply } from 'fastify';
import { DCAT_CATALOG_CONTEXT } from '../../views/dcat-catalog.js';
import type { JsonLdNode } from '../../views/json-ld-node.js';
import { contextPrefixes, jsonLdMergedTriples, writeTriples, type RdfSyntax } from '../../views/rdf-serialise.js';
import { ERROR_CODES } from '../errors.js';
import { specError, type SpecErrorBody } from '../../views/spec-error.js';

export interface RdfRepresentation {
  syntax: RdfSyntax;
  mediaType: string;
  suffix: string;
  /** For OpenAPI and messages. */
  label: string;
}

/** In order of preference: the first is what `*\/*` and a missing Accept get. */
export const RDF_REPRESENTATIONS: readonly RdfRepresentation[] = [
  { syntax: 'jsonld', mediaType: 'application/ld+json', suffix: '.jsonld', label: 'JSON-LD' },
  { syntax: 'turtle', mediaType: 'text/turtle', suffix: '.ttl', label: 'Turtle' },
  { syntax: 'rdfxml', mediaType: 'application/rdf+xml', suffix: '.rdf', label: 'RDF/XML' },
  { syntax: 'ntriples', mediaType: 'application/n-triples', suffix: '.nt', label: 'N-Triples' },
];

const JSON_LD = RDF_REPRESENTATIONS[0]!;

/**
 * Plain JSON clients (Accept: application/json) get the JSON-LD document, labelled as what they
 * asked for: with its context inline it is complete as plain JSON too.
 */
const PLAIN_JSON = 'application/json';

const OFFERED = [...RDF_REPRESENTATIONS.map((r) => r.mediaType), PLAIN_JSON];

export interface Negotiated {
  representation: RdfRepresentation;
  /** The media type of the response (application/json for a plain JSON client). */
  mediaType: string;
}

/** What is served for this Accept header, or undefined when nothing offered is acceptable (406). */
export function negotiate(accept: string | undefined): Negotiated | undefined {
  // An empty Accept is sent by some clients that mean "anything"; RFC 9110 reads a missing one so.
  const header = accept === undefined || accept.trim() === '' ? undefined : withoutMediaTypeParameters(accept);
  const chosen = new Negotiator({ headers: header === undefined ? {} : { accept: header } }).mediaType(OFFERED);
  if (chosen === undefined) return undefined;
  if (chosen === PLAIN_JSON) return { representation: JSON_LD, mediaType: PLAIN_JSON };
  const representation = RDF_REPRESENTATIONS.find((r) => r.mediaType === chosen)!;
  return { representation, mediaType: representation.mediaType };
}

/**
 * Media-range parameters other than q cannot change which document we send (Turtle and
 * N-Triples are UTF-8 by definition; a JSON-LD profile asks for a form our compact documents
 * already satisfy or that the client can derive offline), but negotiator refuses a range whose
 * parameters the offer lacks. So `text/turtle;charset=utf-8` and
 * `application/ld+json;profile="…"` are read as their bare types. Commas and semicolons inside
 * quoted values do not split.
 */
function withoutMediaTypeParameters(accept: string): string {
  return splitOutsideQuotes(accept, ',')
    .map((range) => {
      const [type = '', ...parameters] = splitOutsideQuotes(range, ';');
      return [type, ...parameters.filter((p) => /^\s*q\s*=/i.test(p))].join(';');
    })
    .join(',');
}

function splitOutsideQuotes(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i += 1) {
    const char = value[i]!;
    if (quoted && char === '\\' && i + 1 < value.length) {
      current += char + value[i + 1]!;
      i += 1;
    } else if (char === '"') {
      quoted = !quoted;
      current += char;
    } else if (char === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

/** The 406 body: what was asked and what can be had. */
export function notAcceptable(accept: string | undefined): SpecErrorBody {
  const offered = RDF_REPRESENTATIONS.map((r) => `${r.mediaType} (or the ${r.suffix} suffix)`).join(', ');
  return specError(ERROR_CODES.badParameter, `none of the media types in Accept: ${accept ?? ''} can be served; available: ${offered}, ${PLAIN_JSON}`);
}

/** The representation a path suffix names, and the path without it; undefined when it has none of ours. */
export function splitSuffix(path: string): { stem: string; representation: RdfRepresentation } | undefined {
  const representation = RDF_REPRESENTATIONS.find((r) => path.endsWith(r.suffix));
  return representation === undefined ? undefined : { stem: path.slice(0, -representation.suffix.length), representation };
}

/** Adds a field to Vary, keeping what other hooks or plugins put there. */
export function addVary(reply: FastifyReply, field: string): void {
  const current = reply.getHeader('vary');
  const fields = typeof current === 'string' && current.trim() !== '' ? current.split(',').map((f) => f.trim()) : [];
  if (!fields.some((f) => f.toLowerCase() === field.toLowerCase() || f === '*')) fields.push(field);
  reply.header('vary', fields.join(', '));
}

/** Turtle and RDF/XML use the JSON-LD context's prefixes (Hydra's included), so the syntaxes read alike. */
const PREFIXES = contextPrefixes(DCAT_CATALOG_CONTEXT);

/**
 * What a DCAT route answers with: the JSON-LD document, and for the other syntaxes the
 * documents whose RDF merge is the same graph (just the document itself, or a catalogue split
 * into its datasets so it can be converted piece by piece). Built only for the syntax sent.
 */
export interface RdfAnswer {
  jsonLd(): JsonLdNode;
  graphDocuments(): readonly JsonLdNode[];
}

/** The answer written in the negotiated syntax, and its content type. */
export async function renderRdf(negotiated: Negotiated, answer: RdfAnswer): Promise<{ body: string; contentType: string }> {
  const { syntax } = negotiated.representation;
  const body = syntax === 'jsonld' ? JSON.stringify(answer.jsonLd()) : await writeTriples(await jsonLdMergedTriples(answer.graphDocuments()), syntax, PREFIXES);
  return { body, contentType: `${negotiated.mediaType}; charset=utf-8` };
}

/** Sends the answer in the negotiated syntax. */
export async function sendRdf(reply: FastifyReply, negotiated: Negotiated, answer: RdfAnswer): Promise<FastifyReply> {
  const { body, contentType } = await renderRdf(negotiated, answer);
  return reply.type(contentType).send(body);
}

/** OpenAPI `content` of a 200 for these representations. */
export function rdfResponseContent(representations: readonly RdfRepresentation[]): Record<string, { schema: Record<string, unknown> }> {
  const content: Record<string, { schema: Record<string, unknown> }> = {};
  for (const r of representations) {
    content[r.mediaType] = { schema: r.syntax === 'jsonld' ? { type: 'object', additionalProperties: true } : { type: 'string', description: r.label } };
  }
  return content;
}
