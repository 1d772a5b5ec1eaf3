/**
 * A withdrawn dataset in a DCAT page (GET /catalog?include_withdrawn=true): its last served
 * node, marked so a DCAT harvester syncing by modified_since learns the deletion. The status is
 * the ADMS status vocabulary's Withdrawn (the vocabulary DCAT-AP uses for adms:status); a
 * dataset merged into another also names it with dct:isReplacedBy, as its 301 does.
 *
 * Why the whole last node rather than a bare IRI: a harvester matches deletions by identifier
 * and IRI, and the node stays valid DCAT-AP (title, description) for harvesters that check.
 */
import { datasetIriFor } from './dcat-jsonld.js';
import type { JsonLdNode } from './json-ld-node.js';

export const ADMS_STATUS_WITHDRAWN = 'http://purl.org/adms/status/Withdrawn';

export function markWithdrawn(node: JsonLdNode, movedTo: string | null, baseUrl: string): JsonLdNode {
  const marked: JsonLdNode = { ...node, 'adms:status': { '@id': ADMS_STATUS_WITHDRAWN } };
  const replacement = movedTo === null ? undefined : datasetIriFor(baseUrl, movedTo);
  if (replacement !== undefined) marked['dct:isReplacedBy'] = { '@id': replacement };
  return marked;
}
