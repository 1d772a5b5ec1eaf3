/**
 * A writer of flat RDF/XML (https://www.w3.org/TR/rdf-syntax-grammar/): one rdf:Description per
 * subject, one property element per triple, nothing nested.
 *
 * Hand-written because npm has no maintained, typed RDF/XML serialiser that fits: the RDF/JS
 * family (@rdfjs/serializer-*) has none, graphy's XML scribe ships no types and has had no
 * substantive release in years, and rdflib.js would bring a whole RDF store and HTTP stack for
 * one function. Flat RDF/XML is small and fully specified; the tests parse every output back
 * with rdfxml-streaming-parser and compare triples.
 *
 * What RDF/XML cannot say:
 * - A predicate IRI that cannot be split into namespace + XML local name cannot be an element
 *   name. Our predicates all come from the fixed JSON-LD context, so meeting one is a bug of
 *   ours: it throws rather than write something else.
 * - XML 1.0 cannot carry most C0 control characters, even as character references. A literal
 *   holding one (a publisher's stray \u0001) gets U+FFFD in its place, the only lossy step, and
 *   it only touches characters no XML document can contain.
 */
import type { Quad, Term } from '@rdfjs/types';

const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string';
const RDF_LANG_STRING = `${RDF}langString`;

/** Names of the rdf: namespace that RDF/XML reserves for its syntax: never property elements. */
const RESERVED_RDF_NAMES = new Set([
  'RDF',
  'ID',
  'about',
  'parseType',
  'resource',
  'nodeID',
  'datatype',
  'Description',
  'li',
  'aboutEach',
  'aboutEachPrefix',
  'bagID',
]);

// XML 1.0 (5th edition) NameStartChar and NameChar, without the colon (NCName).
const NAME_START =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
// The ranges include combining marks (U+0300–U+036F) on purpose: XML allows them after the first character.
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
/** The longest tail of an IRI that is an NCName: the local part of a property element name. */
// eslint-disable-next-line no-misleading-character-class -- NAME_CHAR holds combining marks on purpose (above)
const LOCAL_NAME_TAIL = new RegExp(`[${NAME_START}][${NAME_CHAR}]*$`, 'u');
// eslint-disable-next-line no-misleading-character-class -- as above
const NC_NAME = new RegExp(`^[${NAME_START}][${NAME_CHAR}]*$`, 'u');

/** Characters XML 1.0 allows in a document (tab, line feed, carriage return and up). */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export class RdfXmlError extends Error {}

/**
 * RDF/XML of the triples of `quads` (graph names are ignored: RDF/XML holds one graph).
 * `prefixes` (prefix → namespace IRI) name the namespaces they cover; others get ns1, ns2 ….
 */
export function writeRdfXml(quads: Iterable<Quad>, prefixes: Readonly<Record<string, string>> = {}): string {
  const namespaces = new NamespaceTable(prefixes);
  const blankIds = new Map<string, string>();
  const blankId = (term: Term): string => {
    let id = blankIds.get(term.value);
    if (id === undefined) {
      // Our own labels: a blank node label in N-Quads or Turtle need not be an XML name.
      id = `b${blankIds.size}`;
      blankIds.set(term.value, id);
    }
    return id;
  };

  // Subjects in order of first appearance, each with its property elements.
  const subjects = new Map<string, { opening: string; properties: string[] }>();
  for (const { subject, predicate, object } of quads) {
    const key = `${subject.termType}\u0000${subject.value}`;
    let entry = subjects.get(key);
    if (entry === undefined) {
      entry = { opening: subjectOpening(subject, blankId), properties: [] };
      subjects.set(key, entry);
    }
    entry.properties.push(propertyElement(namespaces.qualifiedName(predicate), object, blankId));
  }

  const lines = ['<?xml version="1.0" encoding="utf-8"?>', `<rdf:RDF${namespaces.declarations()}>`];
  for (const { opening, properties } of subjects.values()) {
    lines.push(`  <rdf:Description ${opening}>`);
    for (const property of properties) lines.push(`    ${property}`);
    lines.push('  </rdf:Description>');
  }
  lines.push('</rdf:RDF>', '');
  return lines.join('\n');
}

function subjectOpening(subject: Term, blankId: (term: Term) => string): string {
  if (subject.termType === 'NamedNode') return `rdf:about="${escapeAttribute(subject.value)}"`;
  if (subject.termType === 'BlankNode') return `rdf:nodeID="${blankId(subject)}"`;
  throw new RdfXmlError(`RDF/XML cannot have a ${subject.termType} as subject`);
}

function propertyElement(name: string, object: Term, blankId: (term: Term) => string): string {
  switch (object.termType) {
    case 'NamedNode':
      return `<${name} rdf:resource="${escapeAttribute(object.value)}"/>`;
    case 'BlankNode':
      return `<${name} rdf:nodeID="${blankId(object)}"/>`;
    case 'Literal': {
      let attributes = '';
      if (object.language !== '') attributes = ` xml:lang="${escapeAttribute(object.language)}"`;
      else if (object.datatype.value !== XSD_STRING && object.datatype.value !== RDF_LANG_STRING) {
        attributes = ` rdf:datatype="${escapeAttribute(object.datatype.value)}"`;
      }
      return `<${name}${attributes}>${escapeText(object.value)}</${name}>`;
    }
    default:
      throw new RdfXmlError(`RDF/XML cannot have a ${object.termType} as object`);
  }
}

/** Namespace IRI → prefix, filled as predicates are met; rdf: is always declared (the syntax needs it). */
class NamespaceTable {
  private readonly byNamespace = new Map<string, string>([[RDF, 'rdf']]);
  private readonly given = new Map<string, string>();
  private readonly used = new Set<string>(['rdf', 'xml']);
  private generated = 0;

  constructor(prefixes: Readonly<Record<string, string>>) {
    for (const [prefix, namespace] of Object.entries(prefixes)) {
      // A prefix must be an NCName and must not start with "xml" (reserved by Namespaces in XML).
      if (NC_NAME.test(prefix) && !/^xml/i.test(prefix) && namespace !== RDF && !this.given.has(namespace)) this.given.set(namespace, prefix);
    }
  }

  qualifiedName(predicate: Term): string {
    const iri = predicate.value;
    const local = LOCAL_NAME_TAIL.exec(iri)?.[0];
    const namespace = local === undefined ? '' : iri.slice(0, iri.length - local.length);
    if (local === undefined || namespace === '') throw new RdfXmlError(`the predicate <${iri}> has no XML local name: RDF/XML cannot write it`);
    if (namespace === RDF && RESERVED_RDF_NAMES.has(local)) throw new RdfXmlError(`rdf:${local} is RDF/XML syntax, not a property element`);
    return `${this.prefixFor(namespace)}:${local}`;
  }

  declarations(): string {
    return [...this.byNamespace].map(([namespace, prefix]) => `\n    xmlns:${prefix}="${escapeAttribute(namespace)}"`).join('');
  }

  private prefixFor(namespace: string): string {
    let prefix = this.byNamespace.get(namespace);
    if (prefix !== undefined) return prefix;
    prefix = this.given.get(namespace);
    while (prefix === undefined || this.used.has(prefix)) {
      this.generated += 1;
      prefix = `ns${this.generated}`;
    }
    this.used.add(prefix);
    this.byNamespace.set(namespace, prefix);
    return prefix;
  }
}

function xmlChars(value: string): string {
  return value.replace(NOT_XML_CHAR, '\uFFFD');
}

/** Element content: a carriage return is a reference, or XML line-end handling would turn it into \n. */
function escapeText(value: string): string {
  return xmlChars(value).replace(/[&<>\r]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' })[char] ?? char);
}

/** Attribute values: whitespace characters too, or attribute-value normalisation would turn them into spaces. */
function escapeAttribute(value: string): string {
  return xmlChars(value).replace(
    /[&<>"\t\n\r]/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' })[char] ?? char,
  );
}
