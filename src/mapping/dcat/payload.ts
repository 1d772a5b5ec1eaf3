/**
 * What the DCAT connector stores per record and the DCAT mapping reads: one dataset's subgraph
 * as canonical N-Quads, and which node of it is the dataset.
 */
import { Parser, Store } from 'n3';
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
export function payloadGraph(payload: DcatPayload): Store {
  return new Store(new Parser({ format: 'N-Quads', blankNodePrefix: '' }).parse(payload.nquads));
}
