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
import { DataFactory, type Quad, type Term } from 'n3';
import { BLANK_DATASET_IRI, rememberPayloadQuads, type DcatPayload } from '../../src/mapping/dcat/payload.js';
import { RDF_TYPE, RECORD_CLASSES, STANDALONE_CLASSES, term } from '../../src/mapping/dcat/vocab.js';
import { canonicalForm } from './canonical.js';
import type { PageGraph } from './page-graph.js';

const { namedNode, quad } = DataFactory;

/** Hops from the dataset: dataset → distribution → data service → its contact point. */
const MAX_DEPTH = 4;
const RECORD_TYPES: ReadonlySet<string> = new Set(RECORD_CLASSES);
const STANDALONE_TYPES: ReadonlySet<string> = new Set(STANDALONE_CLASSES);
const DCAT_DATASET = term('dcat', 'dataset');
const DCAT_CATALOG = term('dcat', 'Catalog');
const DCT_IDENTIFIER = term('dct', 'identifier');

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

/** A dataset of the page, named; its payload is built when its record page is (datasetPayload). */
export interface DatasetRef {
  subject: Term;
  nativeId: string;
  /** Built already: a blank node without dct:identifier is named by its content. */
  built?: { payload: DcatPayload; truncated: boolean };
}

/** Every dcat:Dataset / dcat:DatasetSeries on the page, named, in a stable order (by IRI / identifier). */
export async function datasetRefs(graph: PageGraph, limits: DatasetLimits): Promise<DatasetRef[]> {
  const refs: DatasetRef[] = [];
  for (const subject of graph.subjectsOfType(RECORD_TYPES)) {
    if (subject.termType === 'BlankNode' && isNestedPart(graph, subject)) continue;
    const named = nameOf(graph, subject);
    if (named !== undefined) {
      refs.push({ subject, nativeId: named });
      continue;
    }
    const built = await datasetPayload(graph, subject, limits);
    refs.push({ subject, nativeId: `unidentified-dataset:${createHash('sha256').update(built.payload.nquads).digest('hex').slice(0, 16)}`, built });
  }
  refs.sort((a, b) => (a.nativeId < b.nativeId ? -1 : a.nativeId > b.nativeId ? 1 : 0));
  return refs;
}

/** Every dataset of the page with its payload, in datasetRefs' order. */
export async function datasetsOf(graph: PageGraph, limits: DatasetLimits): Promise<FoundDataset[]> {
  const found: FoundDataset[] = [];
  for (const ref of await datasetRefs(graph, limits)) {
    const { payload, truncated } = ref.built ?? (await datasetPayload(graph, ref.subject, limits));
    found.push({ nativeId: ref.nativeId, payload, truncated });
  }
  return found;
}

/** One dataset's payload: its subgraph, canonical. */
export async function datasetPayload(graph: PageGraph, subject: Term, limits: DatasetLimits): Promise<{ payload: DcatPayload; truncated: boolean }> {
  const { quads, truncated } = subgraphOf(graph, subject, limits.maxQuadsPerDataset);
  return { payload: await payloadOf(subject, quads), truncated };
}

/**
 * The dataset IRI; for a blank node, its dct:identifier (the only stable name it has); for a
 * blank node without one, undefined: it is named by its content (`unidentified-dataset:…`). The
 * mapping rejects that last kind (no usable identifier), which the run counts as a record sent
 * broken, not as a failed fetch.
 */
function nameOf(graph: PageGraph, subject: Term): string | undefined {
  if (subject.termType === 'NamedNode') return subject.value;
  const identifier = graph
    .objectsOf(subject, DCT_IDENTIFIER)
    .filter((object) => object.termType === 'Literal')
    .map((object) => object.value)
    .sort()[0];
  return identifier !== undefined && identifier.trim() !== '' ? identifier.trim() : undefined;
}

/**
 * A blank-node dataset written inside another node (`dct:hasPart [ a dcat:Dataset … ]`) is part
 * of that node's description, not a record: it has no name to be found by. Only the catalogue's
 * own dcat:dataset links (or none at all) make a blank-node dataset a record.
 */
function isNestedPart(graph: PageGraph, node: Term): boolean {
  const referrers = graph.referrersOf(node);
  for (let i = 0; i < referrers.length; i += 2) {
    const subject = referrers[i]!;
    const predicate = referrers[i + 1]!;
    if (!(predicate.value === DCAT_DATASET && graph.typesOf(subject).includes(DCAT_CATALOG))) return true;
  }
  return false;
}

function subgraphOf(graph: PageGraph, root: Term, maxQuads: number): { quads: Quad[]; truncated: boolean } {
  const isStandalone = (node: Term): boolean => graph.typesOf(node).some((type) => STANDALONE_TYPES.has(type));
  const quads: Quad[] = [];
  const visited = new Set<Term>([root]);
  const queue: Array<{ node: Term; depth: number }> = [{ node: root, depth: 0 }];
  // Catalogue records about this dataset describe its metadata: they belong with it.
  for (const record of graph.recordsAbout(root)) {
    if (!visited.has(record)) {
      visited.add(record);
      queue.push({ node: record, depth: 1 });
    }
  }
  for (let next = 0; next < queue.length; next += 1) {
    const { node, depth } = queue[next]!;
    const pairs = graph.pairsOf(node);
    for (let i = 0; i < pairs.length; i += 2) {
      if (quads.length >= maxQuads) return { quads, truncated: true };
      const predicate = pairs[i]!;
      const object = pairs[i + 1]!;
      quads.push(quad(node as Quad['subject'], predicate as Quad['predicate'], object as Quad['object']));
      if (object.termType !== 'NamedNode' && object.termType !== 'BlankNode') continue;
      // Blank nodes belong to the node that writes them, at any depth; IRIs are followed a few hops.
      if (visited.has(object) || predicate.value === RDF_TYPE) continue;
      if (object.termType === 'NamedNode' && depth + 1 > MAX_DEPTH) continue;
      if (object.termType === 'NamedNode' && (isStandalone(object) || !graph.isDescribed(object))) continue;
      visited.add(object);
      queue.push({ node: object, depth: depth + 1 });
    }
  }
  return { quads, truncated: false };
}

/**
 * Canonical N-Quads (RDFC-1.0, connectors/dcat/canonical.ts): sorted lines, blank nodes named
 * by content, so a dataset that did not change serialises to the same text. A blank-node
 * dataset is renamed to a fixed IRI first: canonical blank labels say nothing about which node
 * is the dataset.
 */
async function payloadOf(subject: Term, quads: Quad[]): Promise<DcatPayload> {
  const rootIri = subject.termType === 'NamedNode' ? subject.value : BLANK_DATASET_IRI;
  const root = namedNode(rootIri);
  const renamed =
    subject.termType === 'NamedNode'
      ? quads
      : quads.map((q) => quad(q.subject.equals(subject) ? root : q.subject, q.predicate, q.object.equals(subject) ? root : q.object, q.graph));
  const canonical = await canonicalForm(renamed);
  const payload: DcatPayload = { subject: rootIri, nquads: canonical.text };
  if (canonical.quads) rememberPayloadQuads(payload, canonical.quads);
  return payload;
}
