/**
 * Canonical N-Quads (RDFC-1.0) of one dataset's subgraph, without jsonld.canonize when the
 * subgraph lets RDFC-1.0 name its blank nodes by their first-degree hashes alone: no blank
 * nodes at all (sorted lines), or blank nodes whose first-degree hashes all differ (the vCard
 * contact point, the period of time, the place — every DCAT-AP export we know). That is the
 * algorithm's own first step (RDFC-1.0 §4.4 steps 3–5, §4.6), so the text is byte for byte what
 * jsonld.canonize writes; test/connectors/dcat-canonical.test.ts compares the two. Anything
 * else (two blank nodes that look alike: the N-degree hashing) goes to jsonld.canonize.
 *
 * jsonld.canonize re-parses the N-Quads text it is given and schedules its work as promises: for
 * 5,181 datasets it cost about 1 s of a 3.3 s re-harvest (docs/benchmarks.md).
 */
import { createHash } from 'node:crypto';
import jsonld from 'jsonld';
import { DataFactory, Writer, type Quad, type Term } from 'n3';

const { blankNode, quad } = DataFactory;

const RDF_LANG_STRING = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString';
const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string';

/** jsonld.canonize with N-Quads in and out (its published types only know JSON-LD input). */
const canonize = jsonld.canonize as unknown as (input: string, options: Record<string, unknown>) => Promise<string>;

/** rdf-canonize's escapes (lib/NQuads.js), so the text is the same. */
const LITERAL_ESCAPE = /[\u0000-\u001F\u007F"\\]/g;
const IRI_ESCAPE = /[\u0000-\u0020<>"{}|^`\\]/g;
const ECHAR: Readonly<Record<string, string>> = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r', '"': '\\"', '\\': '\\\\' };
const uchar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

function escapeLiteral(text: string): string {
  LITERAL_ESCAPE.lastIndex = 0;
  return LITERAL_ESCAPE.test(text) ? text.replace(LITERAL_ESCAPE, (c) => ECHAR[c] ?? uchar(c)) : text;
}

function escapeIri(text: string): string {
  IRI_ESCAPE.lastIndex = 0;
  return IRI_ESCAPE.test(text) ? text.replace(IRI_ESCAPE, uchar) : text;
}

/** IRIs as written, per term object: a page's terms are shared (PageGraph), so most are written many times. */
const iriTexts = new WeakMap<Term, string>();

/** One term as canonical N-Quads writes it; a blank node by the label `blank` gives it. */
function termText(t: Term, blank: (node: Term) => string): string {
  if (t.termType === 'NamedNode') {
    let text = iriTexts.get(t);
    if (text === undefined) iriTexts.set(t, (text = `<${escapeIri(t.value)}>`));
    return text;
  }
  if (t.termType === 'BlankNode') return `_:${blank(t)}`;
  if (t.termType !== 'Literal') return `<${escapeIri(t.value)}>`;
  const datatype = t.datatype.value;
  if (datatype === RDF_LANG_STRING) return `"${escapeLiteral(t.value)}"${t.language ? `@${t.language}` : ''}`;
  if (datatype === XSD_STRING) return `"${escapeLiteral(t.value)}"`;
  return `"${escapeLiteral(t.value)}"^^<${escapeIri(datatype)}>`;
}

function line(q: Quad, blank: (node: Term) => string): string {
  return `${termText(q.subject, blank)} ${termText(q.predicate, blank)} ${termText(q.object, blank)} .\n`;
}

/**
 * The canonical labels of the blank nodes of `quads` from their first-degree hashes; undefined
 * when two of them hash alike (RDFC-1.0 would go on to N-degree hashing).
 */
function firstDegreeLabels(quads: readonly Quad[]): Map<Term, string> | undefined {
  const mentions = new Map<Term, Quad[]>();
  const mention = (node: Term, q: Quad): void => {
    const list = mentions.get(node);
    if (list === undefined) mentions.set(node, [q]);
    else if (list[list.length - 1] !== q) list.push(q);
  };
  for (const q of quads) {
    if (q.subject.termType === 'BlankNode') mention(q.subject, q);
    if (q.object.termType === 'BlankNode') mention(q.object, q);
  }
  const byHash = new Map<string, Term>();
  for (const [node, mentioned] of mentions) {
    const text = mentioned
      .map((q) => line(q, (other) => (other === node || other.value === node.value ? 'a' : 'z')))
      .sort()
      .join('');
    const hash = createHash('sha256').update(text).digest('hex');
    if (byHash.has(hash)) return undefined;
    byHash.set(hash, node);
  }
  const labels = new Map<Term, string>();
  [...byHash.keys()].sort().forEach((hash, n) => labels.set(byHash.get(hash)!, `c14n${n}`));
  return labels;
}

/** Sorted canonical lines, each quad once; and the quads in that order, blank nodes under their canonical labels. */
function sortedLines(quads: readonly Quad[], blank: (node: Term) => string): CanonicalForm {
  const byLine = new Map<string, Quad>();
  for (const q of quads) byLine.set(line(q, blank), q);
  const lines = [...byLine.keys()].sort();
  const relabel = <T extends Term>(t: T): T => (t.termType === 'BlankNode' ? (blankNode(blank(t)) as unknown as T) : t);
  return {
    text: lines.join(''),
    quads: lines.map((text) => {
      const q = byLine.get(text)!;
      return quad(relabel(q.subject), q.predicate, relabel(q.object));
    }),
  };
}

export interface CanonicalForm {
  text: string;
  /**
   * The quads of `text` in its order, as parsing it would give them (blank nodes labelled
   * c14n…): the mapping takes them instead of parsing the text again. Undefined when
   * jsonld.canonize wrote the text.
   */
  quads?: Quad[];
}

/**
 * `quads` (one subgraph, default graph) as canonical N-Quads. Blank nodes are compared by label:
 * within one page a label names one node.
 */
export async function canonicalForm(quads: readonly Quad[]): Promise<CanonicalForm> {
  if (!quads.some((q) => q.subject.termType === 'BlankNode' || q.object.termType === 'BlankNode')) {
    return sortedLines(quads, (node) => node.value);
  }
  const labels = firstDegreeLabels(quads);
  if (labels !== undefined) {
    const byValue = new Map([...labels].map(([node, label]) => [node.value, label]));
    return sortedLines(quads, (node) => byValue.get(node.value)!);
  }
  const nquads = new Writer({ format: 'N-Quads' }).quadsToString([...quads]);
  try {
    return { text: await canonize(nquads, { inputFormat: 'application/n-quads', format: 'application/n-quads', algorithm: 'RDFC-1.0' }) };
  } catch {
    // Canonicalisation refuses pathological blank-node graphs (its work cap): keep the parser's
    // labels, sorted. The record still maps; it may only hash differently on the next run.
    return {
      text:
        nquads
          .split('\n')
          .filter((text) => text !== '')
          .sort()
          .join('\n') + '\n',
    };
  }
}

/** The canonical text alone. */
export async function canonicalNQuads(quads: readonly Quad[]): Promise<string> {
  return (await canonicalForm(quads)).text;
}

/** What jsonld.canonize writes for the same quads (the reference the tests compare with). */
export function referenceCanonicalNQuads(quads: readonly Quad[]): Promise<string> {
  const nquads = new Writer({ format: 'N-Quads' }).quadsToString([...quads]);
  return canonize(nquads, { inputFormat: 'application/n-quads', format: 'application/n-quads', algorithm: 'RDFC-1.0' });
}
