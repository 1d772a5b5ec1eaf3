/**
 * A parsed catalogue page → one payload per dataset: the dataset's own subgraph as canonical
 * N-Quads, so the mapping is a pure function of what is stored and an unchanged dataset hashes
 * the same on every run.
 *
 * The subgraph: the dataset's triples, and (recursively, a few levels deep) the triples of the
 * nodes it points to that are described on the page — its distributions, publisher, contact
 * point, periods, places, licence documents, data services — but not the descriptions of other
 * datasets, series or catalogues it links to (they are records of their own; the link stays).
 * Catalogue records (dcat:CatalogRecord with foaf:primaryTopic the dataset) come along: they
 * describe this dataset's metadata.
 */
import { createHash } from 'node:crypto';
import jsonld from 'jsonld';
import { DataFactory, Store, Writer, type Quad, type Term } from 'n3';
import { BLANK_DATASET_IRI, type DcatPayload } from '../../src/mapping/dcat/payload.js';
import { RDF_TYPE, RECORD_CLASSES, STANDALONE_CLASSES, term } from '../../src/mapping/dcat/vocab.js';

const { namedNode, quad } = DataFactory;

/** jsonld.canonize with N-Quads in and out (its published types only know JSON-LD input). */
const canonize = jsonld.canonize as unknown as (input: string, options: Record<string, unknown>) => Promise<string>;

/** Hops from the dataset: dataset → distribution → data service → its contact point. */
const MAX_DEPTH = 4;

export interface DatasetLimits {
  /** A dataset whose subgraph passes this is cut there (and reported): one record must stay small. */
  maxQuadsPerDataset: number;
}

export interface FoundDataset {
  nativeId: string;
  payload: DcatPayload;
  /** The subgraph was cut at maxQuadsPerDataset. */
  truncated: boolean;
}

/** Every dcat:Dataset / dcat:DatasetSeries on the page, in a stable order (by IRI / identifier). */
export async function datasetsOf(store: Store, limits: DatasetLimits): Promise<FoundDataset[]> {
  const subjects = new Map<string, Term>();
  for (const cls of RECORD_CLASSES) {
    for (const subject of store.getSubjects(RDF_TYPE, namedNode(cls), null)) {
      if (subject.termType === 'BlankNode' && isNestedPart(store, subject)) continue;
      subjects.set(`${subject.termType}:${subject.value}`, subject);
    }
  }
  const found: FoundDataset[] = [];
  for (const subject of subjects.values()) {
    const { quads, truncated } = subgraphOf(store, subject, limits.maxQuadsPerDataset);
    const payload = await payloadOf(subject, quads);
    found.push({ nativeId: nativeIdOf(store, subject, payload), payload, truncated });
  }
  found.sort((a, b) => (a.nativeId < b.nativeId ? -1 : a.nativeId > b.nativeId ? 1 : 0));
  return found;
}

/**
 * The dataset IRI; for a blank node, its dct:identifier (the only stable name it has); for a
 * blank node without one, a name made of its content. The mapping rejects that last kind (no
 * usable identifier), which the run counts as a record sent broken, not as a failed fetch.
 */
function nativeIdOf(store: Store, subject: Term, payload: DcatPayload): string {
  if (subject.termType === 'NamedNode') return subject.value;
  const identifier = firstLiteral(store, subject, term('dct', 'identifier'));
  if (identifier !== undefined && identifier.trim() !== '') return identifier.trim();
  return `unidentified-dataset:${createHash('sha256').update(payload.nquads).digest('hex').slice(0, 16)}`;
}

/**
 * A blank-node dataset written inside another node (`dct:hasPart [ a dcat:Dataset … ]`) is part
 * of that node's description, not a record: it has no name to be found by. Only the catalogue's
 * own dcat:dataset links (or none at all) make a blank-node dataset a record.
 */
function isNestedPart(store: Store, node: Term): boolean {
  const catalogue = namedNode(term('dcat', 'Catalog'));
  return store
    .getQuads(null, null, node, null)
    .some((q) => !(q.predicate.value === term('dcat', 'dataset') && store.has(quad(q.subject, namedNode(RDF_TYPE), catalogue))));
}

function firstLiteral(store: Store, subject: Term, predicate: string): string | undefined {
  const values = store
    .getObjects(subject, namedNode(predicate), null)
    .filter((object) => object.termType === 'Literal')
    .map((object) => object.value)
    .sort();
  return values[0];
}

function subgraphOf(store: Store, root: Term, maxQuads: number): { quads: Quad[]; truncated: boolean } {
  const standalone = new Set<string>(STANDALONE_CLASSES);
  const isStandalone = (node: Term): boolean => store.getObjects(node, namedNode(RDF_TYPE), null).some((type) => standalone.has(type.value));
  const key = (node: Term): string => `${node.termType}:${node.value}`;

  const quads: Quad[] = [];
  const visited = new Set<string>([key(root)]);
  const queue: Array<{ node: Term; depth: number }> = [{ node: root, depth: 0 }];
  // Catalogue records about this dataset describe its metadata: they belong with it.
  for (const record of store.getSubjects(namedNode(term('foaf', 'primaryTopic')), root, null)) {
    if (!visited.has(key(record))) {
      visited.add(key(record));
      queue.push({ node: record, depth: 1 });
    }
  }
  while (queue.length > 0) {
    const { node, depth } = queue.shift()!;
    for (const q of store.getQuads(node, null, null, null)) {
      if (quads.length >= maxQuads) return { quads, truncated: true };
      quads.push(q);
      const object = q.object;
      if (object.termType !== 'NamedNode' && object.termType !== 'BlankNode') continue;
      // Blank nodes belong to the node that writes them, at any depth; IRIs are followed a few hops.
      if (visited.has(key(object)) || q.predicate.value === RDF_TYPE) continue;
      if (object.termType === 'NamedNode' && depth + 1 > MAX_DEPTH) continue;
      if (object.termType === 'NamedNode' && (isStandalone(object) || store.countQuads(object, null, null, null) === 0)) continue;
      visited.add(key(object));
      queue.push({ node: object, depth: depth + 1 });
    }
  }
  return { quads, truncated: false };
}

/**
 * Canonical N-Quads (RDFC-1.0): sorted lines, blank nodes named by content, so a dataset that
 * did not change serialises to the same text. A blank-node dataset is renamed to a fixed IRI
 * first: canonical blank labels say nothing about which node is the dataset.
 */
async function payloadOf(subject: Term, quads: Quad[]): Promise<DcatPayload> {
  const rootIri = subject.termType === 'NamedNode' ? subject.value : BLANK_DATASET_IRI;
  const root = namedNode(rootIri);
  const renamed =
    subject.termType === 'NamedNode'
      ? quads
      : quads.map((q) => quad(q.subject.equals(subject) ? root : q.subject, q.predicate, q.object.equals(subject) ? root : q.object, q.graph));
  const nquads = new Writer({ format: 'N-Quads' }).quadsToString(renamed);
  let canonical: string;
  try {
    canonical = await canonize(nquads, { inputFormat: 'application/n-quads', format: 'application/n-quads', algorithm: 'RDFC-1.0' });
  } catch {
    // Canonicalisation refuses pathological blank-node graphs (its work cap): keep the parser's
    // labels, sorted. The record still maps; it may only hash differently on the next run.
    canonical =
      nquads
        .split('\n')
        .filter((line) => line !== '')
        .sort()
        .join('\n') + '\n';
  }
  return { subject: rootIri, nquads: canonical };
}
