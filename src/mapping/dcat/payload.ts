/**
 * What the DCAT connector stores per record and the DCAT mapping reads: one dataset's subgraph
 * as canonical N-Quads, and which node of it is the dataset.
 */
import { Parser, type Quad, type Term } from 'n3';
import { isPlainObject } from '../record-fields.js';

export interface DcatPayload {
  /** The dataset's IRI; BLANK_DATASET_IRI when the source gave it none (a blank node). */
  subject: string;
  /** The dataset's subgraph, canonical N-Quads (RDFC-1.0). */
  nquads: string;
}

/**
 * Stands in for a dataset that is a blank node in the source, so the mapping can find it after
 * canonicalisation renamed every blank node. Never used as the record's identifier.
 */
export const BLANK_DATASET_IRI = 'https://ogd-gateway.example/ns/unnamed-dataset';

export function isDcatPayload(value: unknown): value is DcatPayload {
  return isPlainObject(value) && typeof value['subject'] === 'string' && typeof value['nquads'] === 'string';
}

/** The payload's graph (blank labels kept as stored, so the mapping is deterministic); throws on N-Quads that do not parse (only a corrupted store can cause it). */
export function payloadGraph(payload: DcatPayload): PayloadGraph {
  const known = parsedPayloads.get(payload);
  // The text is compared too: the record door repairs ill-formed strings in place.
  if (known !== undefined && known.nquads === payload.nquads) return new PayloadGraph(known.quads);
  return new PayloadGraph(new Parser({ format: 'N-Quads', blankNodePrefix: '' }).parse(payload.nquads));
}

/** Payloads the DCAT connector has just written, with the quads their text parses to. */
const parsedPayloads = new WeakMap<DcatPayload, { nquads: string; quads: readonly Quad[] }>();

/**
 * The connector hands over the quads a payload's text parses to (in the text's order, blank
 * nodes under the labels the text gives them), so the mapping of a freshly harvested record does
 * not parse the text it was just written from. A payload read back from the store is parsed.
 */
export function rememberPayloadQuads(payload: DcatPayload, quads: readonly Quad[]): void {
  parsedPayloads.set(payload, { nquads: payload.nquads, quads });
}

/**
 * One dataset's quads (a few dozen), filed by subject: what the mapping asks of them. An n3
 * Store per record cost more to build than the rest of the record's mapping (docs/benchmarks.md,
 * "Issue 15: DCAT, CSW and OAI-PMH shapes"). Terms are matched by kind and value (and language
 * and datatype for literals), as a Store matches them; the payload has no duplicate quads
 * (canonical N-Quads).
 */
export class PayloadGraph {
  private readonly bySubject = new Map<string, Quad[]>();

  constructor(private readonly quads: readonly Quad[]) {
    for (const q of quads) {
      const key = termKey(q.subject);
      const list = this.bySubject.get(key);
      if (list === undefined) this.bySubject.set(key, [q]);
      else list.push(q);
    }
  }

  /** The quads whose subject is `node`. */
  quadsOf(node: Term): readonly Quad[] {
    return this.bySubject.get(termKey(node)) ?? [];
  }

  objects(node: Term, predicate: string): Term[] {
    return this.quadsOf(node)
      .filter((q) => q.predicate.value === predicate)
      .map((q) => q.object);
  }

  /** Subjects of `? predicate object`. */
  subjects(predicate: string, object: Term): Term[] {
    const key = termKey(object);
    return this.quads.filter((q) => q.predicate.value === predicate && termKey(q.object) === key).map((q) => q.subject);
  }

  isDescribed(node: Term): boolean {
    return this.bySubject.has(termKey(node));
  }
}

function termKey(t: Term): string {
  if (t.termType === 'Literal') return `"${t.value}"@${t.language}^^${t.datatype.value}`;
  return `${t.termType}:${t.value}`;
}
