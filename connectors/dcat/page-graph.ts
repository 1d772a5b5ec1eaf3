/**
 * A parsed catalogue page, held compactly: quads filed by subject as (predicate, object) pairs,
 * every distinct term one shared object, duplicates dropped as they arrive. What the connector
 * asks of a page is all by subject (a node's description, its types, whether it is described),
 * plus three questions by object, indexed on the way in: who points at a blank node (a nested
 * dataset), which catalogue records are about a dataset (foaf:primaryTopic), and the Hydra next
 * links.
 *
 * It replaces an n3 Store of every quad beside the parser's quad array: for a national file
 * (5,181 datasets, 180,000 triples) that pair cost about half the harvest's CPU (indexing and
 * garbage) and most of its peak memory (docs/benchmarks.md, "Issue 15: DCAT, CSW and OAI-PMH
 * shapes").
 */
import { DataFactory, Literal, type Quad, type Term } from 'n3';
import { RDF_TYPE, term } from '../../src/mapping/dcat/vocab.js';

const { namedNode, blankNode, literal } = DataFactory;

type Subject = Quad['subject'];
type Obj = Quad['object'];

const PRIMARY_TOPIC = term('foaf', 'primaryTopic');
const NEXT_PREDICATES = new Set([term('hydra', 'next'), term('hydra', 'nextPage')]);
/** A subject with more pairs than this gets a set of its pairs, so a duplicate is found without a scan. */
const SCAN_LIMIT = 32;

/** The parts of an RDF/JS term the page needs, from any factory (n3's, rdfxml-streaming-parser's, jsonld's). */
export interface TermLike {
  termType: string;
  value: string;
  language?: string;
  datatype?: { value: string };
}

interface Description {
  /** predicate, object, predicate, object … */
  pairs: Term[];
  /** The pairs as keys (pairKey), once the description is long. */
  seen?: Set<number | string>;
}

export class PageGraph {
  /** IRIs and blank nodes by their value (the key is the term's own string: no copy). Literals are not shared: they rarely repeat. */
  private readonly named = new Map<string, Term>();
  private readonly blank = new Map<string, Term>();
  private readonly ids = new Map<Term, number>();
  private readonly described = new Map<Term, Description>();
  /** Blank node → the (subject, predicate) pairs that point at it. */
  private readonly blankReferrers = new Map<Term, Term[]>();
  /** Dataset → catalogue records whose foaf:primaryTopic it is. */
  private readonly topicOf = new Map<Term, Term[]>();
  private readonly next: Term[] = [];
  private count = 0;

  /** Quads added (duplicates not counted). */
  get size(): number {
    return this.count;
  }

  /** A page of these quads (tests, JSON-LD). */
  static of(quads: Iterable<Quad>): PageGraph {
    const graph = new PageGraph();
    for (const q of quads) graph.add(q.subject, q.predicate, q.object);
    return graph;
  }

  /** Add one triple (any graph name is folded into the default graph, as a page is read as one graph). */
  add(subject: TermLike, predicate: TermLike, object: TermLike): void {
    const s = this.intern(subject);
    const p = this.intern(predicate);
    const o = this.intern(object);
    // An n3 literal's text is a concatenation over a slice of the parser's input piece: reading
    // it once makes V8 copy it flat, so the pieces of the document are not all kept alive by
    // the literals of datasets whose payloads are not built yet.
    if (o.termType === 'Literal') void o.value;
    let description = this.described.get(s);
    if (description === undefined) this.described.set(s, (description = { pairs: [] }));
    if (!this.addPair(description, p, o)) return;
    this.count += 1;
    if (o.termType === 'BlankNode') push(this.blankReferrers, o, s, p);
    if (p.value === PRIMARY_TOPIC) push(this.topicOf, o, s);
    if (NEXT_PREDICATES.has(p.value)) this.next.push(o);
  }

  /** Every subject with one of `types` (rdf:type), in the order first described. */
  subjectsOfType(types: ReadonlySet<string>): Subject[] {
    const found: Subject[] = [];
    for (const [subject, { pairs }] of this.described) {
      for (let i = 0; i < pairs.length; i += 2) {
        if (pairs[i]!.value === RDF_TYPE && types.has(pairs[i + 1]!.value)) {
          found.push(subject as Subject);
          break;
        }
      }
    }
    return found;
  }

  /** The (predicate, object) pairs describing `node`; empty when the page does not describe it. */
  pairsOf(node: Term): readonly Term[] {
    return this.described.get(node)?.pairs ?? [];
  }

  isDescribed(node: Term): boolean {
    return this.described.has(node);
  }

  objectsOf(node: Term, predicate: string): Obj[] {
    const pairs = this.pairsOf(node);
    const objects: Obj[] = [];
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i]!.value === predicate) objects.push(pairs[i + 1] as Obj);
    return objects;
  }

  typesOf(node: Term): string[] {
    return this.objectsOf(node, RDF_TYPE).map((type) => type.value);
  }

  /** The (subject, predicate) pairs pointing at a blank node. */
  referrersOf(blank: Term): readonly Term[] {
    return this.blankReferrers.get(blank) ?? [];
  }

  /** Subjects whose foaf:primaryTopic is `node`. */
  recordsAbout(node: Term): readonly Term[] {
    return this.topicOf.get(node) ?? [];
  }

  /** Objects of hydra:next and hydra:nextPage, whoever states them. */
  nextLinks(): readonly Term[] {
    return this.next;
  }

  /** The page's quads (tests and the canonicaliser's fallback). */
  quadsOf(node: Term): Quad[] {
    const pairs = this.pairsOf(node);
    const quads: Quad[] = [];
    for (let i = 0; i < pairs.length; i += 2) quads.push(DataFactory.quad(node as Subject, pairs[i] as Quad['predicate'], pairs[i + 1] as Obj));
    return quads;
  }

  private addPair(description: Description, p: Term, o: Term): boolean {
    const { pairs } = description;
    if (description.seen === undefined) {
      const literal = o.termType === 'Literal';
      for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === p && (pairs[i + 1] === o || (literal && o.equals(pairs[i + 1]!)))) return false;
      pairs.push(p, o);
      if (pairs.length > SCAN_LIMIT * 2) {
        description.seen = new Set();
        for (let i = 0; i < pairs.length; i += 2) description.seen.add(this.pairKey(pairs[i]!, pairs[i + 1]!));
      }
      return true;
    }
    const key = this.pairKey(p, o);
    if (description.seen.has(key)) return false;
    description.seen.add(key);
    pairs.push(p, o);
    return true;
  }

  private pairKey(p: Term, o: Term): number | string {
    if (o.termType === 'Literal') return `${this.ids.get(p)!}\u0000${o.language}\u0000${o.datatype.value}\u0000${o.value}`;
    return this.ids.get(p)! * 2 ** 26 + this.ids.get(o)!;
  }

  /** One shared n3 term per distinct IRI or blank node; a literal as an n3 term of its own. */
  private intern(t: TermLike): Term {
    // n3's own literals are kept as the parser made them (the other parsers' are rebuilt).
    if (t.termType === 'Literal') return t instanceof Literal ? t : build(t);
    const table = t.termType === 'BlankNode' ? this.blank : this.named;
    let interned = table.get(t.value);
    if (interned === undefined) {
      // A copy of the text: the parser's is a slice of its input piece and would keep it alive.
      interned = build({ termType: t.termType, value: detached(t.value) });
      table.set(interned.value, interned);
      this.ids.set(interned, this.ids.size);
    }
    return interned;
  }
}

function push(index: Map<Term, Term[]>, key: Term, ...values: Term[]): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, values);
  else list.push(...values);
}

/** The same text in a string of its own (through UTF-16 bytes: lossless, lone surrogates included). */
function detached(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}

function build(t: TermLike): Term {
  if (t.termType === 'BlankNode') return blankNode(t.value);
  if (t.termType === 'Literal') return t.language ? literal(t.value, t.language) : literal(t.value, t.datatype ? namedNode(t.datatype.value) : undefined);
  return namedNode(t.value);
}
