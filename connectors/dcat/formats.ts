/**
 * Which RDF serialisation a catalogue page is in. The body has the last word where it is
 * unmistakable (a JSON object, an XML document, an HTML page): servers label RDF wrongly far
 * more often than they send one syntax dressed as another on purpose. Otherwise the
 * Content-Type decides, then the file extension, then Turtle.
 */

export type RdfFormat = 'turtle' | 'rdfxml' | 'jsonld';

export const RDF_FORMATS: readonly RdfFormat[] = ['turtle', 'rdfxml', 'jsonld'];

/** The Accept header of a catalogue request: the formats the connector reads, Turtle first. */
export const ACCEPT_RDF = 'text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.8, application/json;q=0.5, application/xml;q=0.4, */*;q=0.1';

const BY_MEDIA_TYPE: Readonly<Record<string, RdfFormat>> = {
  'application/ld+json': 'jsonld',
  'application/json': 'jsonld',
  'text/turtle': 'turtle',
  'application/x-turtle': 'turtle',
  'application/turtle': 'turtle',
  'application/n-triples': 'turtle',
  'text/n3': 'turtle',
  'application/rdf+xml': 'rdfxml',
  'application/xml': 'rdfxml',
  'text/xml': 'rdfxml',
};

const BY_EXTENSION: Readonly<Record<string, RdfFormat>> = {
  jsonld: 'jsonld',
  json: 'jsonld',
  ttl: 'turtle',
  nt: 'turtle',
  n3: 'turtle',
  rdf: 'rdfxml',
  xml: 'rdfxml',
  owl: 'rdfxml',
};

/** What the first bytes of a body say it is; `unknown` when they do not say. */
export type Sniffed = RdfFormat | 'html' | 'empty' | 'unknown';

export interface FormatChoice {
  format: RdfFormat;
  /** Why: shown in logs and in parse errors, so an operator sees what the server claimed. */
  reason: string;
  /** The Content-Type or extension named another format than the body showed. */
  contradicted: boolean;
}

export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType === '' ? undefined : mediaType;
}

export function sniffBody(body: string): Sniffed {
  // Leading `#` lines are Turtle comments (no JSON or XML document starts with one).
  const start = body
    .replace(/^\uFEFF/, '')
    .replace(/^(\s*#[^\n]*\n)+/, '')
    .trimStart();
  if (start === '') return 'empty';
  if (start.startsWith('{') || start.startsWith('[')) return 'jsonld';
  if (/^<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])/i.test(start)) return 'html';
  // A Turtle IRI (<http://…>) also opens with <; an XML start tag is a name then space, > or /.
  if (/^<(\?xml|!--|!doctype|[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?[\s>/])/i.test(start)) return 'rdfxml';
  if (/^(@prefix|@base|prefix\s|base\s)/i.test(start)) return 'turtle';
  return 'unknown';
}

/** The format to parse `body` in, or `refused` when the body is an HTML page or empty. */
export function chooseFormat(
  url: string,
  contentType: string | undefined,
  body: string,
  forced?: RdfFormat,
): FormatChoice | { refused: Sniffed; reason: string } {
  const mediaType = mediaTypeOf(contentType);
  const sniffed = sniffBody(body);
  if (sniffed === 'html' || sniffed === 'empty') {
    return { refused: sniffed, reason: `the body is ${sniffed === 'html' ? 'an HTML page' : 'empty'} (Content-Type ${mediaType ?? 'none'})` };
  }
  if (forced) return { format: forced, reason: `options.format is ${forced}`, contradicted: false };

  const declared = mediaType === undefined ? undefined : BY_MEDIA_TYPE[mediaType];
  const extension = extensionOf(url);
  const byExtension = extension === undefined ? undefined : BY_EXTENSION[extension];
  const claimed = declared ?? byExtension;
  const claimedBy = declared !== undefined ? `Content-Type ${mediaType}` : byExtension !== undefined ? `extension .${extension}` : undefined;

  if (sniffed !== 'unknown') {
    const contradicted = claimed !== undefined && claimed !== sniffed;
    const reason = contradicted ? `the body is ${sniffed} although ${claimedBy} says ${claimed}` : `${claimedBy ?? 'the body'} says ${sniffed}`;
    return { format: sniffed, reason, contradicted };
  }
  if (claimed !== undefined) return { format: claimed, reason: `${claimedBy} says ${claimed}`, contradicted: false };
  return { format: 'turtle', reason: `neither Content-Type (${mediaType ?? 'none'}) nor extension names an RDF format: read as Turtle`, contradicted: false };
}

function extensionOf(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const match = /\.([A-Za-z0-9]+)$/.exec(path);
  return match?.[1]?.toLowerCase();
}
