/**
 * XML as the CSW and OAI-PMH connectors read it: parsed safely into a plain, JSON-serialisable
 * element tree whose names do not depend on the prefixes a server chose.
 *
 * Safety: DOCTYPE declarations are refused before parsing (no internal subset, no entity
 * expansion, no external entities), entity processing is off in the parser, and only the five
 * predefined entities and numeric character references are decoded here, which cannot expand.
 *
 * Names: every element and attribute name is rewritten to a canonical prefix chosen by its
 * namespace URI (`gmd:title` whatever the document called the prefix, `dc:title` for an
 * oai_dc element bound through a default namespace). Elements of namespaces we do not know
 * are written `{uri}local`, so they can never be mistaken for a known one; elements in no
 * namespace keep their bare local name. The tree is what connectors store as a record's raw
 * payload and what the mappers read.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** One element: canonical name, attributes (canonical names, xmlns declarations dropped), children, text. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (text and CDATA children joined), trimmed. */
  text: string;
}

/** Namespace URIs we read → the prefix the gateway always uses for them. */
const CANONICAL_PREFIXES: Readonly<Record<string, string>> = {
  'http://www.opengis.net/cat/csw/2.0.2': 'csw',
  'http://www.opengis.net/cat/csw/apiso/1.0': 'apiso',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/dc/terms/': 'dct',
  'http://www.opengis.net/ows': 'ows',
  'http://www.opengis.net/ows/1.1': 'ows',
  'http://www.opengis.net/ows/2.0': 'ows',
  'http://www.opengis.net/ogc': 'ogc',
  'http://www.isotc211.org/2005/gmd': 'gmd',
  'http://www.isotc211.org/2005/gco': 'gco',
  'http://www.isotc211.org/2005/gmx': 'gmx',
  'http://www.isotc211.org/2005/gmi': 'gmi',
  'http://www.isotc211.org/2005/srv': 'srv',
  'http://www.isotc211.org/2005/gts': 'gts',
  'http://www.opengis.net/gml': 'gml',
  'http://www.opengis.net/gml/3.2': 'gml',
  'http://www.w3.org/1999/xlink': 'xlink',
  'http://www.w3.org/2001/XMLSchema-instance': 'xsi',
  'http://www.w3.org/XML/1998/namespace': 'xml',
  'http://www.w3.org/1999/xhtml': 'html',
  'http://www.openarchives.org/OAI/2.0/': 'oai',
  'http://www.openarchives.org/OAI/2.0/oai_dc/': 'oai_dc',
  'http://datacite.org/schema/kernel-2.2': 'datacite',
  'http://datacite.org/schema/kernel-3': 'datacite',
  'http://datacite.org/schema/kernel-4': 'datacite',
  'http://schema.datacite.org/oai/oai-1.0/': 'oai_datacite',
  'http://schema.datacite.org/oai/oai-1.1/': 'oai_datacite',
};

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/** Why a body could not be read as XML; the rule names the cause in run reports. */
export type XmlFailureRule = 'malformed-xml' | 'html-page' | 'doctype-refused' | 'not-xml' | 'too-deep';

export class XmlDocumentError extends Error {
  constructor(
    readonly rule: XmlFailureRule,
    message: string,
  ) {
    super(message);
    this.name = 'XmlDocumentError';
  }
}

/** fast-xml-parser's own cap on nested elements (its default), named here for messages. */
const XML_MAX_DEPTH = 100;

const parser = new XMLParser({
  maxNestedTags: XML_MAX_DEPTH,
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Entities stay as written; decodeReferences() handles the predefined ones without expansion.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  commentPropName: false,
});

/**
 * The root element of an XML document. Throws XmlDocumentError for an HTML page (a portal's error
 * page sent with 200), a DOCTYPE (refused: entity expansion is an attack surface), a body that is
 * not XML at all, or malformed XML (with the parser's line and column).
 */
export function parseXmlDocument(body: string): XmlElement {
  const start = body.replace(/^\uFEFF/, '').trimStart();
  if (start === '') throw new XmlDocumentError('not-xml', 'the body is empty');
  if (looksLikeHtml(start)) throw new XmlDocumentError('html-page', `the body is an HTML page, not XML: ${excerpt(start)}`);
  if (!start.startsWith('<')) throw new XmlDocumentError('not-xml', `the body is not XML: ${excerpt(start)}`);
  if (/<!DOCTYPE/i.test(body))
    throw new XmlDocumentError('doctype-refused', 'the document has a DOCTYPE declaration; refused (no DTDs or entity declarations are read)');
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    throw new XmlDocumentError('malformed-xml', `malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  }
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(body) as OrderedNode[];
  } catch (err) {
    // fast-xml-parser stops at 100 nested elements (its maxNestedTags): no real record nests that
    // deep, and a document that does is refused whole, typed, rather than as an untyped error.
    const message = (err as Error).message;
    if (/nested tags/i.test(message)) throw new XmlDocumentError('too-deep', `the document nests elements more than ${XML_MAX_DEPTH} deep; refused`);
    throw new XmlDocumentError('malformed-xml', `the XML could not be read: ${message}`);
  }
  const roots = nodes.filter((node) => elementName(node) !== undefined);
  if (roots.length !== 1) throw new XmlDocumentError('malformed-xml', `an XML document has one root element; found ${roots.length}`);
  const root = toElement(roots[0]!, new Map([['xml', XML_NAMESPACE]]));
  if (root.name === 'html' || root.name === 'html:html') throw new XmlDocumentError('html-page', 'the body is an XHTML page, not the XML asked for');
  return root;
}

function looksLikeHtml(start: string): boolean {
  return /^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])/i.test(start);
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return JSON.stringify(flat.length > 120 ? `${flat.slice(0, 120)}…` : flat);
}

/** fast-xml-parser's preserveOrder node: `{ [name]: children, ':@'?: attributes }` or `{ '#text': … }`. */
type OrderedNode = Record<string, unknown>;

function elementName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text' && key !== '#cdata');
}

function toElement(node: OrderedNode, inherited: ReadonlyMap<string, string>): XmlElement {
  const rawName = elementName(node)!;
  const rawAttributes = (node[':@'] ?? {}) as Record<string, string>;
  const scope = new Map(inherited);
  for (const [name, value] of Object.entries(rawAttributes)) {
    if (name === 'xmlns') scope.set('', decodeReferences(value));
    else if (name.startsWith('xmlns:')) scope.set(name.slice(6), decodeReferences(value));
  }
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(rawAttributes)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    // Unprefixed attributes are in no namespace (the default namespace does not apply to them).
    attributes[name.includes(':') ? canonicalName(name, scope) : name] = decodeReferences(String(value));
  }
  const children: XmlElement[] = [];
  let text = '';
  for (const child of (node[rawName] ?? []) as OrderedNode[]) {
    if ('#text' in child) text += decodeReferences(String(child['#text']));
    else if ('#cdata' in child) text += ((child['#cdata'] ?? []) as OrderedNode[]).map((part) => String(part['#text'] ?? '')).join('');
    else if (elementName(child) !== undefined) children.push(toElement(child, scope));
  }
  return { name: canonicalName(rawName, scope), attributes, children, text: text.trim() };
}

function canonicalName(qualified: string, scope: ReadonlyMap<string, string>): string {
  const colon = qualified.indexOf(':');
  const prefix = colon < 0 ? '' : qualified.slice(0, colon);
  const local = colon < 0 ? qualified : qualified.slice(colon + 1);
  const uri = scope.get(prefix);
  // An unbound prefix is a namespace error; keep the name as written rather than guess.
  if (uri === undefined || uri === '') return qualified;
  const canonical = CANONICAL_PREFIXES[uri] ?? CANONICAL_PREFIXES[uri.endsWith('/') ? uri.slice(0, -1) : `${uri}/`];
  return canonical === undefined ? `{${uri}}${local}` : `${canonical}:${local}`;
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The five predefined entities and numeric references; anything else stays as written. */
function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, reference: string) => {
    if (reference.startsWith('#')) {
      const code = reference[1] === 'x' || reference[1] === 'X' ? parseInt(reference.slice(2), 16) : parseInt(reference.slice(1), 10);
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED[reference] ?? whole;
  });
}

// ---- Reading the tree ----------------------------------------------------------------------

/** Whether a stored payload is an element tree of this module (the run hands mappers raw payloads). */
export function isXmlElement(value: unknown): value is XmlElement {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const candidate = value as Partial<XmlElement>;
  return (
    typeof candidate.name === 'string' &&
    typeof candidate.text === 'string' &&
    Array.isArray(candidate.children) &&
    typeof candidate.attributes === 'object' &&
    candidate.attributes !== null
  );
}

/** The local part of a canonical name: `gmd:title` → `title`, `{urn:x}a` → `a`. */
export function localName(name: string): string {
  const brace = name.lastIndexOf('}');
  if (brace >= 0) return name.slice(brace + 1);
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** A step matches an element by canonical name, or `*:local` by local name in any namespace, or `*` any. */
function matches(element: XmlElement, step: string): boolean {
  if (step === '*') return true;
  if (step.startsWith('*:')) return localName(element.name) === step.slice(2);
  return element.name === step;
}

/** Children of `element` matching `step`. */
export function childrenNamed(element: XmlElement | undefined, step: string): XmlElement[] {
  return element === undefined ? [] : element.children.filter((child) => matches(child, step));
}

/** Every element reached by following `path` (steps separated by `/`) from `element`. */
export function all(element: XmlElement | undefined, path: string): XmlElement[] {
  let current = element === undefined ? [] : [element];
  for (const step of path.split('/')) {
    current = current.flatMap((node) => childrenNamed(node, step));
  }
  return current;
}

/** The first element reached by `path`. */
export function first(element: XmlElement | undefined, path: string): XmlElement | undefined {
  return all(element, path)[0];
}

/** The text of the first element at `path` that has any; undefined when none does. */
export function textAt(element: XmlElement | undefined, path: string): string | undefined {
  return all(element, path).find((node) => node.text !== '')?.text;
}

/** The non-empty texts of every element at `path`, in document order, without repeats. */
export function textsAt(element: XmlElement | undefined, path: string): string[] {
  return [
    ...new Set(
      all(element, path)
        .map((node) => node.text)
        .filter((text) => text !== ''),
    ),
  ];
}

/** Every element below `element` (depth first) matching `step`. */
export function descendants(element: XmlElement, step: string): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (node: XmlElement): void => {
    for (const child of node.children) {
      if (matches(child, step)) found.push(child);
      walk(child);
    }
  };
  walk(element);
  return found;
}

/**
 * An element as plain JSON for the extras bag: text, attributes and children by name (repeated
 * children become arrays). Loses sibling order across names, which metadata does not rely on.
 */
export function toPlainValue(element: XmlElement): unknown {
  const attributeCount = Object.keys(element.attributes).length;
  if (element.children.length === 0 && attributeCount === 0) return element.text;
  const value: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(element.attributes)) value[`@${name}`] = attribute;
  if (element.text !== '') value['#text'] = element.text;
  const groups = new Map<string, unknown[]>();
  for (const child of element.children) {
    const group = groups.get(child.name) ?? [];
    group.push(toPlainValue(child));
    groups.set(child.name, group);
  }
  for (const [name, group] of groups) value[name] = group.length === 1 ? group[0] : group;
  return value;
}
