/**
 * Reading one dataset's subgraph: the values of a node's properties, and what was left unread.
 *
 * Every read marks (node, property) as consumed; what no reader consumed is what the national
 * record has no field for, and goes to extensions.sourceExtras as compact JSON-LD-like values
 * (`{"@id": …}` for IRIs, strings for plain literals, `{"@value", "@language" | "@type"}`
 * otherwise), keyed by compact IRI. Nothing is dropped silently.
 */
import type { Term } from 'n3';
import type { PayloadGraph } from './payload.js';
import { RDF_LANG_STRING, RDF_TYPE, XSD_STRING, compactIri, term } from './vocab.js';

/** Nested descriptions in extras stop here: deeper nodes are given by @id (or not at all, for blank ones). */
const MAX_EXTRAS_DEPTH = 4;

/** Types that only restate what the property already says (a dcat:distribution is a dcat:Distribution): not kept as extras. */
const EXPECTED_TYPES = new Set([
  term('dcat', 'Distribution'),
  term('dct', 'PeriodOfTime'),
  term('dct', 'Location'),
  term('dct', 'LicenseDocument'),
  term('dct', 'Frequency'),
  term('vcard', 'Kind'),
]);

export class DatasetGraph {
  private readonly consumed = new Set<string>();

  /** `root` (the dataset) is never described inside extras: a link back to it stays an @id. */
  constructor(
    readonly store: PayloadGraph,
    private readonly root: Term,
  ) {}

  /** The objects of `node predicate ?`, in a stable order; marks the property consumed. */
  objects(node: Term, predicate: string): Term[] {
    this.consumed.add(consumedKey(node, predicate));
    return sortTerms(this.store.objects(node, predicate));
  }

  /** The first property (in the order given) that has values, marking all of them consumed. */
  firstOf(node: Term, predicates: readonly string[]): Term[] {
    let found: Term[] = [];
    for (const predicate of predicates) {
      const values = this.objects(node, predicate);
      if (found.length === 0) found = values;
    }
    return found;
  }

  types(node: Term): string[] {
    return this.store
      .objects(node, RDF_TYPE)
      .map((type) => type.value)
      .sort();
  }

  /** Nodes that point at `node` with `predicate` (catalogue records about the dataset). */
  subjectsPointingAt(node: Term, predicate: string): Term[] {
    return sortTerms(this.store.subjects(predicate, node));
  }

  isDescribed(node: Term): boolean {
    return (node.termType === 'NamedNode' || node.termType === 'BlankNode') && this.store.isDescribed(node);
  }

  consume(node: Term, predicate: string): void {
    this.consumed.add(consumedKey(node, predicate));
  }

  /** The properties of `node` no reader consumed, as extras (compact IRI → value; rdf:type as @type). */
  leftovers(node: Term): Record<string, unknown> {
    const extras: Record<string, unknown> = {};
    const predicates = [...new Set(this.store.quadsOf(node).map((q) => q.predicate.value))].sort();
    for (const predicate of predicates) {
      if (this.consumed.has(consumedKey(node, predicate))) continue;
      const objects = this.store.objects(node, predicate);
      if (predicate === RDF_TYPE) {
        const types = objects.map((type) => type.value).filter((type) => !EXPECTED_TYPES.has(type));
        if (types.length > 0) extras['@type'] = singleOrList(types.map(compactIri).sort());
        continue;
      }
      extras[compactIri(predicate)] = this.toJson(objects, new Set([termKey(node), termKey(this.root)]), 1);
    }
    return extras;
  }

  /** A node's whole description (or a literal) as an extras value. */
  describe(term: Term): unknown {
    return this.termToJson(term, new Set([termKey(this.root)]), 0);
  }

  /**
   * Extras for a node whose properties were partly mapped: its @id (an IRI names the thing: the
   * record's text fields do not) and whatever was left. Undefined for a blank node fully mapped,
   * or, with `keepId: false`, for an IRI the record already holds as a URL.
   */
  remainder(node: Term, keepId = true): Record<string, unknown> | undefined {
    const rest = this.leftovers(node);
    if (Object.keys(rest).length === 0 && !(keepId && node.termType === 'NamedNode')) return undefined;
    return node.termType === 'NamedNode' ? { '@id': node.value, ...rest } : rest;
  }

  private toJson(terms: Term[], path: Set<string>, depth: number): unknown {
    const values = sortTerms(terms).map((term) => this.termToJson(term, path, depth));
    return values.length === 1 ? values[0] : values;
  }

  private termToJson(term: Term, path: Set<string>, depth: number): unknown {
    if (term.termType === 'Literal') return literalJson(term);
    const key = termKey(term);
    const described = this.isDescribed(term) && !path.has(key) && depth < MAX_EXTRAS_DEPTH;
    if (!described) return term.termType === 'NamedNode' ? { '@id': term.value } : {};
    const inner = new Set(path).add(key);
    const json: Record<string, unknown> = term.termType === 'NamedNode' ? { '@id': term.value } : {};
    const predicates = [...new Set(this.store.quadsOf(term).map((q) => q.predicate.value))].sort();
    for (const predicate of predicates) {
      const objects = this.store.objects(term, predicate);
      json[predicate === RDF_TYPE ? '@type' : compactIri(predicate)] =
        predicate === RDF_TYPE ? singleOrList(objects.map((type) => compactIri(type.value)).sort()) : this.toJson(objects, inner, depth + 1);
    }
    return json;
  }
}

export function literalJson(term: Term): unknown {
  if (term.termType !== 'Literal') return { '@id': term.value };
  if (term.language) return { '@value': term.value, '@language': term.language };
  const datatype = term.datatype.value;
  if (datatype === XSD_STRING || datatype === RDF_LANG_STRING) return term.value;
  return { '@value': term.value, '@type': compactIri(datatype) };
}

function singleOrList<T>(values: T[]): T | T[] {
  return values.length === 1 ? values[0]! : values;
}

function termKey(term: Term): string {
  return `${term.termType}:${term.value}`;
}

function consumedKey(node: Term, predicate: string): string {
  return `${termKey(node)}\u0000${predicate}`;
}

/** Stable order: IRIs, then literals by value and language, then blank nodes (canonical labels). */
function sortTerms(terms: Term[]): Term[] {
  const rank = (term: Term): number => (term.termType === 'NamedNode' ? 0 : term.termType === 'Literal' ? 1 : 2);
  return [...terms].sort((a, b) => {
    const byKind = rank(a) - rank(b);
    if (byKind !== 0) return byKind;
    const left = `${a.value}\u0000${a.termType === 'Literal' ? a.language : ''}`;
    const right = `${b.value}\u0000${b.termType === 'Literal' ? b.language : ''}`;
    return left < right ? -1 : left > right ? 1 : 0;
  });
}
